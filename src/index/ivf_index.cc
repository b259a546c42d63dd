#include "index/ivf_index.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <mutex>
#include <numeric>
#include <random>

namespace quiver::index {
namespace {

constexpr int kKmeansIterations = 10;
constexpr int64_t kMaxPointsPerList = 256;  // training sample cap per list, as faiss
constexpr int64_t kMinPointsPerList = 39;   // faiss warns below this
constexpr int64_t kMaxPointsPerCode = 32;   // PQ codebook training sample cap per centroid
constexpr uint32_t kIvfFormat = 1;

void Normalise(float* v, int64_t dim) {
  float n = Norm(v, dim);
  if (n > 0) {
    for (int64_t i = 0; i < dim; ++i) v[i] /= n;
  }
}

// PQ sub-vectors are a few floats long, where a kernel call costs more than the arithmetic:
// short vectors are summed inline.
inline float L2Short(const float* a, const float* b, int64_t dim) {
  if (dim > 16) return L2Squared(a, b, dim);
  float s = 0;
  for (int64_t i = 0; i < dim; ++i) {
    const float t = a[i] - b[i];
    s += t * t;
  }
  return s;
}

inline float IpShort(const float* a, const float* b, int64_t dim) {
  if (dim > 16) return InnerProduct(a, b, dim);
  float s = 0;
  for (int64_t i = 0; i < dim; ++i) s += a[i] * b[i];
  return s;
}

// Lloyd's k-means under L2 over m points of `dim` floats, seeded with the first k points (the
// caller passes a random sample); an empty cluster takes a random point (as faiss splits).
std::vector<float> KMeans(const float* points, int64_t m, int64_t dim, int64_t k,
                          std::mt19937_64& rng) {
  const auto d = static_cast<size_t>(dim);
  std::vector<float> centroids(points, points + static_cast<size_t>(k) * d);
  std::vector<int64_t> assign(static_cast<size_t>(m), 0);
  std::vector<double> sums(static_cast<size_t>(k) * d);
  std::vector<int64_t> counts(static_cast<size_t>(k));
  for (int iter = 0; iter < kKmeansIterations; ++iter) {
    for (int64_t i = 0; i < m; ++i) {
      const float* x = points + static_cast<size_t>(i) * d;
      float best = std::numeric_limits<float>::infinity();
      for (int64_t c = 0; c < k; ++c) {
        float dist = L2Short(x, centroids.data() + static_cast<size_t>(c) * d, dim);
        if (dist < best) {
          best = dist;
          assign[static_cast<size_t>(i)] = c;
        }
      }
    }
    std::fill(sums.begin(), sums.end(), 0.0);
    std::fill(counts.begin(), counts.end(), 0);
    for (int64_t i = 0; i < m; ++i) {
      const auto c = static_cast<size_t>(assign[static_cast<size_t>(i)]);
      ++counts[c];
      const float* x = points + static_cast<size_t>(i) * d;
      for (size_t j = 0; j < d; ++j) sums[c * d + j] += x[j];
    }
    for (int64_t c = 0; c < k; ++c) {
      const auto cu = static_cast<size_t>(c);
      if (counts[cu] == 0) {
        std::uniform_int_distribution<int64_t> u(0, m - 1);
        std::copy_n(points + static_cast<size_t>(u(rng)) * d, d, centroids.data() + cu * d);
        continue;
      }
      for (size_t j = 0; j < d; ++j)
        centroids[cu * d + j] = static_cast<float>(sums[cu * d + j] / counts[cu]);
    }
  }
  return centroids;
}

// Indices of a fixed-seed random sample of min(n, cap) of n points.
std::vector<int64_t> Sample(int64_t n, int64_t cap, std::mt19937_64& rng) {
  std::vector<int64_t> pick(static_cast<size_t>(n));
  std::iota(pick.begin(), pick.end(), 0);
  const int64_t m = std::min(n, cap);
  for (int64_t i = 0; i < m; ++i) {
    std::uniform_int_distribution<int64_t> u(i, n - 1);
    std::swap(pick[static_cast<size_t>(i)], pick[static_cast<size_t>(u(rng))]);
  }
  pick.resize(static_cast<size_t>(m));
  return pick;
}

}  // namespace

void TopK::Push(float score, uint64_t label) {
  const std::pair<float, uint64_t> e{score, label};
  if (heap_.size() < k_) {
    heap_.push_back(e);
    std::push_heap(heap_.begin(), heap_.end(), Cmp{higher_});
  } else if (k_ > 0 && Cmp{higher_}(e, heap_.front())) {
    std::pop_heap(heap_.begin(), heap_.end(), Cmp{higher_});
    heap_.back() = e;
    std::push_heap(heap_.begin(), heap_.end(), Cmp{higher_});
  }
}

std::vector<std::pair<float, uint64_t>> TopK::Take() {
  std::sort_heap(heap_.begin(), heap_.end(), Cmp{higher_});
  return std::move(heap_);
}

Result<std::unique_ptr<IvfIndex>> IvfIndex::Create(Metric metric, int64_t dim, int64_t nlist,
                                                   Encoding encoding, int64_t pq_m, int pq_nbits) {
  if (metric != Metric::kL2 && metric != Metric::kIP && metric != Metric::kCosine) {
    return Status::InvalidArgument("IVF indexes take L2, IP or COSINE");
  }
  if (dim <= 0 || nlist <= 0)
    return Status::InvalidArgument("IVF: dim {} and nlist {} must be positive", dim, nlist);
  if (encoding == Encoding::kPq) {
    if (pq_m <= 0) pq_m = std::max<int64_t>(1, dim / 2);
    if (dim % pq_m != 0)
      return Status::InvalidArgument("IVF_PQ: dim {} is not a multiple of m {}", dim, pq_m);
    if (pq_nbits < 1 || pq_nbits > 16)
      return Status::InvalidArgument("IVF_PQ: nbits {} is not in [1, 16]", pq_nbits);
  }
  return std::unique_ptr<IvfIndex>(new IvfIndex(metric, dim, nlist, encoding, pq_m, pq_nbits));
}

IndexKind IvfIndex::kind() const {
  switch (encoding_) {
    case Encoding::kFlat:
      return IndexKind::kIvfFlat;
    case Encoding::kSq8:
      return IndexKind::kIvfSq8;
    case Encoding::kPq:
      return IndexKind::kIvfPq;
  }
  return IndexKind::kIvfFlat;
}

int64_t IvfIndex::TrainingRows() const {
  int64_t rows = nlist_ * kMinPointsPerList;
  // Every PQ codebook wants a few points per centroid too.
  if (encoding_ == Encoding::kPq) rows = std::max(rows, PqCentroids() * 4);
  return rows;
}

bool IvfIndex::trained() const {
  std::shared_lock lock(mu_);
  return !centroids_.empty();
}

float IvfIndex::Similarity(const float* a, const float* b) const {
  return metric_ == Metric::kL2 ? -L2Squared(a, b, dim_) : InnerProduct(a, b, dim_);
}

int64_t IvfIndex::NearestList(const float* v) const {
  int64_t best = 0;
  float best_sim = -std::numeric_limits<float>::infinity();
  for (int64_t c = 0; c < nlist_; ++c) {
    float s = Similarity(v, centroids_.data() + c * dim_);
    if (s > best_sim) {
      best_sim = s;
      best = c;
    }
  }
  return best;
}

Status IvfIndex::Train(const float* data, int64_t n) {
  if (n < nlist_) return Status::InvalidArgument("IVF: {} training rows for {} lists", n, nlist_);
  const auto d = static_cast<size_t>(dim_);
  std::mt19937_64 rng(0x5eed);
  const std::vector<int64_t> pick = Sample(n, nlist_ * kMaxPointsPerList, rng);
  const auto m = static_cast<int64_t>(pick.size());
  std::vector<float> sample(static_cast<size_t>(m) * d);
  for (int64_t i = 0; i < m; ++i) {
    std::copy_n(data + pick[static_cast<size_t>(i)] * dim_, d,
                sample.data() + static_cast<size_t>(i) * d);
    if (metric_ == Metric::kCosine) Normalise(sample.data() + static_cast<size_t>(i) * d, dim_);
  }
  std::vector<float> centroids = KMeans(sample.data(), m, dim_, nlist_, rng);
  if (metric_ == Metric::kCosine) {
    for (int64_t c = 0; c < nlist_; ++c)
      Normalise(centroids.data() + static_cast<size_t>(c) * d, dim_);
  }
  std::vector<float> lo(d, std::numeric_limits<float>::infinity()), step(d, 1.0f);
  if (encoding_ == Encoding::kSq8) {
    std::vector<float> hi(d, -std::numeric_limits<float>::infinity());
    for (int64_t i = 0; i < m; ++i) {
      const float* x = sample.data() + static_cast<size_t>(i) * d;
      for (size_t j = 0; j < d; ++j) {
        lo[j] = std::min(lo[j], x[j]);
        hi[j] = std::max(hi[j], x[j]);
      }
    }
    for (size_t j = 0; j < d; ++j) step[j] = hi[j] > lo[j] ? (hi[j] - lo[j]) / 255.0f : 1.0f;
  }
  std::vector<float> codebooks;
  if (encoding_ == Encoding::kPq) {
    // Residuals of a sample from their list centroids, one k-means per sub-space.
    const int64_t sub = PqSub(), ksub = PqCentroids();
    const int64_t pm = std::min<int64_t>(m, ksub * kMaxPointsPerCode);
    std::vector<float> residual(static_cast<size_t>(pm) * d);
    {
      // NearestList reads centroids_, which are not published yet: score against the local ones.
      for (int64_t i = 0; i < pm; ++i) {
        const float* x = sample.data() + static_cast<size_t>(i) * d;
        int64_t best = 0;
        float best_sim = -std::numeric_limits<float>::infinity();
        for (int64_t c = 0; c < nlist_; ++c) {
          float s = Similarity(x, centroids.data() + static_cast<size_t>(c) * d);
          if (s > best_sim) {
            best_sim = s;
            best = c;
          }
        }
        for (size_t j = 0; j < d; ++j)
          residual[static_cast<size_t>(i) * d + j] =
              x[j] - centroids[static_cast<size_t>(best) * d + j];
      }
    }
    codebooks.resize(static_cast<size_t>(pq_m_ * ksub * sub));
    std::vector<float> part(static_cast<size_t>(pm * sub));
    for (int64_t s = 0; s < pq_m_; ++s) {
      for (int64_t i = 0; i < pm; ++i) {
        std::copy_n(residual.data() + static_cast<size_t>(i) * d + static_cast<size_t>(s * sub),
                    static_cast<size_t>(sub), part.data() + static_cast<size_t>(i * sub));
      }
      std::vector<float> cb;
      if (pm >= ksub) {
        cb = KMeans(part.data(), pm, sub, ksub, rng);
      } else {
        // Fewer points than codes: every point is a code, the rest repeat them.
        cb.resize(static_cast<size_t>(ksub * sub));
        for (int64_t c = 0; c < ksub; ++c) {
          std::copy_n(part.data() + static_cast<size_t>((c % pm) * sub), static_cast<size_t>(sub),
                      cb.data() + static_cast<size_t>(c * sub));
        }
      }
      std::copy(cb.begin(), cb.end(),
                codebooks.begin() + static_cast<std::ptrdiff_t>(s * ksub * sub));
    }
  }
  std::vector<float> terms = ListTerms(centroids, codebooks);
  std::unique_lock lock(mu_);
  centroids_ = std::move(centroids);
  sq_min_ = std::move(lo);
  sq_step_ = std::move(step);
  codebooks_ = std::move(codebooks);
  list_terms_ = std::move(terms);
  lists_.assign(static_cast<size_t>(nlist_), List{});
  return Status::Ok();
}

std::vector<float> IvfIndex::ListTerms(const std::vector<float>& centroids,
                                       const std::vector<float>& codebooks) const {
  // 256 lists x 56 sub-spaces x 256 codes = 3.7M floats; Milvus's largest nlist would need GBs.
  constexpr int64_t kMaxListTerms = int64_t{1} << 23;
  const int64_t sub = PqSub(), ksub = PqCentroids();
  if (encoding_ != Encoding::kPq || metric_ != Metric::kL2 || nlist_ * pq_m_ * ksub > kMaxListTerms)
    return {};
  std::vector<float> terms(static_cast<size_t>(nlist_ * pq_m_ * ksub));
  float* t = terms.data();
  for (int64_t list = 0; list < nlist_; ++list) {
    const float* centre = centroids.data() + list * dim_;
    for (int64_t s = 0; s < pq_m_; ++s) {
      const float* cb = codebooks.data() + s * ksub * sub;
      for (int64_t c = 0; c < ksub; ++c, ++t) {
        *t = IpShort(cb + c * sub, cb + c * sub, sub) +
             2 * IpShort(centre + s * sub, cb + c * sub, sub);
      }
    }
  }
  return terms;
}

Status IvfIndex::Add(const float* vector, uint64_t label) {
  const auto d = static_cast<size_t>(dim_);
  std::vector<float> v(vector, vector + d);
  if (metric_ == Metric::kCosine) Normalise(v.data(), dim_);
  int64_t list;
  std::vector<uint16_t> pq;
  {
    std::shared_lock lock(mu_);
    if (centroids_.empty()) return Status::FailedPrecondition("IVF index used before training");
    list = NearestList(v.data());
    if (encoding_ == Encoding::kPq) {
      const int64_t sub = PqSub(), ksub = PqCentroids();
      const float* centre = centroids_.data() + static_cast<size_t>(list) * d;
      std::vector<float> r(d);
      for (size_t j = 0; j < d; ++j) r[j] = v[j] - centre[j];
      for (int64_t s = 0; s < pq_m_; ++s) {
        const float* cb = codebooks_.data() + static_cast<size_t>(s * ksub * sub);
        int64_t best = 0;
        float best_d = std::numeric_limits<float>::infinity();
        for (int64_t c = 0; c < ksub; ++c) {
          float dist = L2Short(r.data() + s * sub, cb + c * sub, sub);
          if (dist < best_d) {
            best_d = dist;
            best = c;
          }
        }
        pq.push_back(static_cast<uint16_t>(best));
      }
    }
  }
  std::unique_lock lock(mu_);
  List& l = lists_[static_cast<size_t>(list)];
  l.labels.push_back(label);
  switch (encoding_) {
    case Encoding::kFlat:
      l.vectors.insert(l.vectors.end(), v.begin(), v.end());
      break;
    case Encoding::kSq8:
      for (size_t j = 0; j < d; ++j) {
        float q = std::round((v[j] - sq_min_[j]) / sq_step_[j]);
        l.codes.push_back(static_cast<uint8_t>(std::clamp(q, 0.0f, 255.0f)));
      }
      break;
    case Encoding::kPq:
      l.pq.insert(l.pq.end(), pq.begin(), pq.end());
      break;
  }
  ++size_;
  return Status::Ok();
}

Status IvfIndex::AddBatch(const VectorBatch& batch, uint64_t first_label, int threads) {
  if (batch.dense == nullptr && batch.n > 0)
    return Status::InvalidArgument("IVF takes dense vectors");
  for (size_t i = 0; i < batch.n; ++i) {
    QV_RETURN_IF_ERROR(Add(batch.dense + i * static_cast<size_t>(dim_), first_label + i));
  }
  return Status::Ok();
}

std::vector<std::pair<float, uint64_t>> IvfIndex::Search(const float* query, size_t k,
                                                         const IndexSearchParams& params) const {
  const auto d = static_cast<size_t>(dim_);
  std::vector<float> q(query, query + d);
  if (metric_ == Metric::kCosine) Normalise(q.data(), dim_);
  std::shared_lock lock(mu_);
  if (centroids_.empty() || k == 0) return {};
  // The nprobe best lists.
  std::vector<std::pair<float, int64_t>> order(static_cast<size_t>(nlist_));
  for (int64_t c = 0; c < nlist_; ++c)
    order[static_cast<size_t>(c)] = {Similarity(q.data(), centroids_.data() + c * dim_), c};
  const size_t probe = std::clamp<size_t>(params.nprobe, 1, static_cast<size_t>(nlist_));
  std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(probe), order.end(),
                    [](const auto& a, const auto& b) {
                      return a.first > b.first || (a.first == b.first && a.second < b.second);
                    });
  const bool higher = metric_ != Metric::kL2;
  TopK top(k, higher);
  std::vector<float> decoded(d);
  // IVF_PQ: lookup tables of (query sub-vector, code) terms. Under L2 they depend on the list
  // (the query's residual from its centroid); under IP the centroid term is added per list.
  const int64_t sub = encoding_ == Encoding::kPq ? PqSub() : 0;
  const int64_t ksub = encoding_ == Encoding::kPq ? PqCentroids() : 0;
  std::vector<float> table(static_cast<size_t>(pq_m_ * ksub));
  auto fill_table = [&](const float* target) {
    for (int64_t s = 0; s < pq_m_; ++s) {
      const float* cb = codebooks_.data() + static_cast<size_t>(s * ksub * sub);
      for (int64_t c = 0; c < ksub; ++c) {
        table[static_cast<size_t>(s * ksub + c)] =
            higher ? IpShort(target + s * sub, cb + c * sub, sub)
                   : L2Short(target + s * sub, cb + c * sub, sub);
      }
    }
  };
  if (encoding_ == Encoding::kPq && higher) fill_table(q.data());
  // L2 with list terms: ||q - c - r||^2 = ||q - c||^2 + sum over sub-spaces of
  // (|r_s|^2 + 2<c_s, r_s>) - 2<q_s, r_s>; the last term is the same for every list.
  std::vector<float> query_terms;
  if (encoding_ == Encoding::kPq && !higher && !list_terms_.empty()) {
    query_terms.resize(table.size());
    for (int64_t s = 0; s < pq_m_; ++s) {
      const float* cb = codebooks_.data() + static_cast<size_t>(s * ksub * sub);
      for (int64_t c = 0; c < ksub; ++c) {
        query_terms[static_cast<size_t>(s * ksub + c)] =
            -2 * IpShort(q.data() + s * sub, cb + c * sub, sub);
      }
    }
  }
  std::vector<float> residual(d);
  for (size_t p = 0; p < probe; ++p) {
    const int64_t list = order[p].second;
    const List& l = lists_[static_cast<size_t>(list)];
    if (l.labels.empty()) continue;
    if (encoding_ == Encoding::kPq) {
      float base = 0;
      if (higher) {
        base = order[p].first;  // <q, centroid>
      } else if (!query_terms.empty()) {
        base = -order[p].first;  // ||q - centroid||^2
        const float* terms = list_terms_.data() + static_cast<size_t>(list) * table.size();
        for (size_t i = 0; i < table.size(); ++i) table[i] = terms[i] + query_terms[i];
      } else {
        const float* centre = centroids_.data() + static_cast<size_t>(list) * d;
        for (size_t j = 0; j < d; ++j) residual[j] = q[j] - centre[j];
        fill_table(residual.data());
      }
      for (size_t i = 0; i < l.labels.size(); ++i) {
        const uint16_t* code = l.pq.data() + i * static_cast<size_t>(pq_m_);
        float score = base;
        for (int64_t s = 0; s < pq_m_; ++s) score += table[static_cast<size_t>(s * ksub + code[s])];
        top.Push(score, l.labels[i]);
      }
      continue;
    }
    for (size_t i = 0; i < l.labels.size(); ++i) {
      const float* v;
      if (encoding_ == Encoding::kFlat) {
        v = l.vectors.data() + i * d;
      } else {
        const uint8_t* code = l.codes.data() + i * d;
        for (size_t j = 0; j < d; ++j)
          decoded[j] = sq_min_[j] + sq_step_[j] * static_cast<float>(code[j]);
        v = decoded.data();
      }
      float score = higher ? InnerProduct(q.data(), v, dim_) : L2Squared(q.data(), v, dim_);
      top.Push(score, l.labels[i]);
    }
  }
  return top.Take();
}

size_t IvfIndex::Size() const {
  std::shared_lock lock(mu_);
  return size_;
}

// Layout: format u32, nlist u64, pq_m u64, pq_nbits u32, size u64, then vectors (count-prefixed)
// centroids, sq_min, sq_step, codebooks, and per list labels, vectors, codes, pq.
Status IvfIndex::Serialize(std::string* out) const {
  std::shared_lock lock(mu_);
  AppendPod(out, kIvfFormat);
  AppendPod(out, static_cast<uint64_t>(nlist_));
  AppendPod(out, static_cast<uint64_t>(pq_m_));
  AppendPod(out, static_cast<uint32_t>(pq_nbits_));
  AppendPod(out, static_cast<uint64_t>(size_));
  AppendPodVector(out, centroids_);
  AppendPodVector(out, sq_min_);
  AppendPodVector(out, sq_step_);
  AppendPodVector(out, codebooks_);
  AppendPod(out, static_cast<uint64_t>(lists_.size()));
  for (const List& l : lists_) {
    AppendPodVector(out, l.labels);
    AppendPodVector(out, l.vectors);
    AppendPodVector(out, l.codes);
    AppendPodVector(out, l.pq);
  }
  return Status::Ok();
}

Result<std::unique_ptr<IvfIndex>> IvfIndex::Load(Metric metric, int64_t dim, Encoding encoding,
                                                 std::string_view bytes) {
  ByteReader r(bytes);
  uint32_t format = 0, nbits = 0;
  uint64_t nlist = 0, pq_m = 0, size = 0, n = 0;
  if (!r.Read(&format) || format != kIvfFormat || !r.Read(&nlist) || !r.Read(&pq_m) ||
      !r.Read(&nbits) || !r.Read(&size)) {
    return Status::Corruption("IVF index: bad header");
  }
  if (nlist == 0 || nlist > 65536 || nbits > 16 ||
      (encoding == Encoding::kPq && (pq_m == 0 || dim % static_cast<int64_t>(pq_m) != 0))) {
    return Status::Corruption("IVF index: nlist {} m {} nbits {} do not fit dim {}", nlist, pq_m,
                              nbits, dim);
  }
  QV_ASSIGN_OR_RETURN(
      std::unique_ptr<IvfIndex> idx,
      Create(metric, dim, static_cast<int64_t>(nlist), encoding, static_cast<int64_t>(pq_m),
             std::max<int>(1, static_cast<int>(nbits))));
  auto read_vec = [&](auto* v) { return r.Read(&n) && r.ReadVector(n, v); };
  const auto d = static_cast<size_t>(dim);
  if (!read_vec(&idx->centroids_) || !read_vec(&idx->sq_min_) || !read_vec(&idx->sq_step_) ||
      !read_vec(&idx->codebooks_) || !r.Read(&n) || n != nlist ||
      idx->centroids_.size() != nlist * d) {
    return Status::Corruption("IVF index: centroids do not fit {} lists of dim {}", nlist, dim);
  }
  if (encoding == Encoding::kSq8 && (idx->sq_min_.size() != d || idx->sq_step_.size() != d)) {
    return Status::Corruption("IVF index: quantiser ranges do not fit dim {}", dim);
  }
  if (encoding == Encoding::kPq &&
      idx->codebooks_.size() !=
          static_cast<size_t>(idx->pq_m_ * idx->PqCentroids() * idx->PqSub())) {
    return Status::Corruption("IVF index: PQ codebooks do not fit m {} nbits {}", pq_m, nbits);
  }
  idx->lists_.resize(nlist);
  size_t total = 0;
  for (List& l : idx->lists_) {
    if (!read_vec(&l.labels) || !read_vec(&l.vectors) || !read_vec(&l.codes) || !read_vec(&l.pq)) {
      return Status::Corruption("IVF index: truncated list");
    }
    const size_t rows = l.labels.size();
    const bool fits = encoding == Encoding::kFlat ? l.vectors.size() == rows * d
                      : encoding == Encoding::kSq8
                          ? l.codes.size() == rows * d
                          : l.pq.size() == rows * static_cast<size_t>(pq_m);
    if (!fits) return Status::Corruption("IVF index: list codes do not fit its {} rows", rows);
    if (encoding == Encoding::kPq) {
      for (uint16_t c : l.pq) {
        if (c >= idx->PqCentroids())
          return Status::Corruption("IVF index: PQ code {} out of range", c);
      }
    }
    total += rows;
  }
  if (total != size || !r.AtEnd())
    return Status::Corruption("IVF index: {} rows listed, {} stored", size, total);
  idx->size_ = size;
  idx->list_terms_ = idx->ListTerms(idx->centroids_, idx->codebooks_);
  return idx;
}

}  // namespace quiver::index
