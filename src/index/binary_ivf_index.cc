#include "index/binary_ivf_index.h"

#include <algorithm>
#include <limits>
#include <mutex>
#include <numeric>
#include <random>

namespace quiver::index {
namespace {

constexpr int kIterations = 10;
constexpr int64_t kMaxPointsPerList = 256;
constexpr int64_t kMinPointsPerList = 39;
constexpr uint32_t kFormat = 1;

}  // namespace

Result<std::unique_ptr<BinaryIvfIndex>> BinaryIvfIndex::Create(Metric metric, int64_t dim, int64_t nlist) {
  if (metric != Metric::kHamming && metric != Metric::kJaccard) {
    return Status::InvalidArgument("BIN_IVF_FLAT takes HAMMING or JACCARD");
  }
  if (dim <= 0 || dim % 8 != 0 || nlist <= 0) {
    return Status::InvalidArgument("BIN_IVF_FLAT: dim {} must be a positive multiple of 8, nlist {} positive", dim, nlist);
  }
  return std::unique_ptr<BinaryIvfIndex>(new BinaryIvfIndex(metric, dim, nlist));
}

int64_t BinaryIvfIndex::TrainingRows() const { return nlist_ * kMinPointsPerList; }

float BinaryIvfIndex::Distance(const uint8_t* a, const uint8_t* b) const {
  return metric_ == Metric::kJaccard ? JaccardDistance(a, b, bytes_) : static_cast<float>(Hamming(a, b, bytes_));
}

int64_t BinaryIvfIndex::NearestList(const uint8_t* v) const {
  int64_t best = 0, best_d = std::numeric_limits<int64_t>::max();
  for (int64_t c = 0; c < nlist_; ++c) {
    int64_t d = Hamming(v, centroids_.data() + c * bytes_, bytes_);
    if (d < best_d) {
      best_d = d;
      best = c;
    }
  }
  return best;
}

Status BinaryIvfIndex::Train(const VectorBatch& batch) {
  const auto n = static_cast<int64_t>(batch.n);
  if (batch.bits == nullptr || n < nlist_) {
    return Status::InvalidArgument("BIN_IVF_FLAT: {} training rows for {} lists", n, nlist_);
  }
  const auto b = static_cast<size_t>(bytes_);
  std::mt19937_64 rng(0x5eed);
  std::vector<int64_t> pick(static_cast<size_t>(n));
  std::iota(pick.begin(), pick.end(), 0);
  const int64_t m = std::min(n, nlist_ * kMaxPointsPerList);
  for (int64_t i = 0; i < m; ++i) {
    std::uniform_int_distribution<int64_t> u(i, n - 1);
    std::swap(pick[static_cast<size_t>(i)], pick[static_cast<size_t>(u(rng))]);
  }
  auto point = [&](int64_t i) { return batch.bits + static_cast<size_t>(pick[static_cast<size_t>(i)]) * b; };
  std::vector<uint8_t> centroids(static_cast<size_t>(nlist_) * b);
  for (int64_t c = 0; c < nlist_; ++c) std::copy_n(point(c), b, centroids.data() + static_cast<size_t>(c) * b);
  std::vector<int64_t> assign(static_cast<size_t>(m));
  std::vector<int32_t> ones(static_cast<size_t>(nlist_) * b * 8);
  std::vector<int32_t> counts(static_cast<size_t>(nlist_));
  for (int iter = 0; iter < kIterations; ++iter) {
    for (int64_t i = 0; i < m; ++i) {
      int64_t best = 0, best_d = std::numeric_limits<int64_t>::max();
      for (int64_t c = 0; c < nlist_; ++c) {
        int64_t d = Hamming(point(i), centroids.data() + static_cast<size_t>(c) * b, bytes_);
        if (d < best_d) {
          best_d = d;
          best = c;
        }
      }
      assign[static_cast<size_t>(i)] = best;
    }
    std::fill(ones.begin(), ones.end(), 0);
    std::fill(counts.begin(), counts.end(), 0);
    for (int64_t i = 0; i < m; ++i) {
      const auto c = static_cast<size_t>(assign[static_cast<size_t>(i)]);
      ++counts[c];
      const uint8_t* x = point(i);
      for (size_t bit = 0; bit < b * 8; ++bit) ones[c * b * 8 + bit] += (x[bit / 8] >> (bit % 8)) & 1;
    }
    for (int64_t c = 0; c < nlist_; ++c) {
      const auto cu = static_cast<size_t>(c);
      uint8_t* dst = centroids.data() + cu * b;
      if (counts[cu] == 0) {
        std::uniform_int_distribution<int64_t> u(0, m - 1);
        std::copy_n(point(u(rng)), b, dst);
        continue;
      }
      std::fill(dst, dst + b, 0);
      for (size_t bit = 0; bit < b * 8; ++bit) {
        if (2 * ones[cu * b * 8 + bit] > counts[cu]) dst[bit / 8] |= static_cast<uint8_t>(1u << (bit % 8));
      }
    }
  }
  std::unique_lock lock(mu_);
  centroids_ = std::move(centroids);
  lists_.assign(static_cast<size_t>(nlist_), List{});
  return Status::Ok();
}

Status BinaryIvfIndex::AddBatch(const VectorBatch& batch, uint64_t first_label, int threads) {
  if (batch.bits == nullptr && batch.n > 0) return Status::InvalidArgument("BIN_IVF_FLAT takes binary vectors");
  const auto b = static_cast<size_t>(bytes_);
  std::vector<int64_t> lists(batch.n);
  {
    std::shared_lock lock(mu_);
    if (centroids_.empty()) return Status::FailedPrecondition("BIN_IVF_FLAT index used before training");
    for (size_t i = 0; i < batch.n; ++i) lists[i] = NearestList(batch.bits + i * b);
  }
  std::unique_lock lock(mu_);
  for (size_t i = 0; i < batch.n; ++i) {
    List& l = lists_[static_cast<size_t>(lists[i])];
    l.labels.push_back(first_label + i);
    l.codes.insert(l.codes.end(), batch.bits + i * b, batch.bits + (i + 1) * b);
  }
  size_ += batch.n;
  return Status::Ok();
}

std::vector<std::pair<float, uint64_t>> BinaryIvfIndex::Search(QueryRef query, size_t k,
                                                               const IndexSearchParams& params) const {
  if (static_cast<int64_t>(query.bytes.size()) != bytes_ || k == 0) return {};
  const auto* q = reinterpret_cast<const uint8_t*>(query.bytes.data());
  std::shared_lock lock(mu_);
  if (centroids_.empty()) return {};
  std::vector<std::pair<int64_t, int64_t>> order(static_cast<size_t>(nlist_));
  for (int64_t c = 0; c < nlist_; ++c) order[static_cast<size_t>(c)] = {Hamming(q, centroids_.data() + c * bytes_, bytes_), c};
  const size_t probe = std::clamp<size_t>(params.nprobe, 1, static_cast<size_t>(nlist_));
  std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(probe), order.end());
  TopK top(k, /*higher_is_better=*/false);
  for (size_t p = 0; p < probe; ++p) {
    const List& l = lists_[static_cast<size_t>(order[p].second)];
    for (size_t i = 0; i < l.labels.size(); ++i) {
      top.Push(Distance(q, l.codes.data() + i * static_cast<size_t>(bytes_)), l.labels[i]);
    }
  }
  return top.Take();
}

size_t BinaryIvfIndex::Size() const {
  std::shared_lock lock(mu_);
  return size_;
}

// Layout: format u32, nlist u64, size u64, centroids (count-prefixed), then per list labels and
// codes (count-prefixed).
Status BinaryIvfIndex::Serialize(std::string* out) const {
  std::shared_lock lock(mu_);
  AppendPod(out, kFormat);
  AppendPod(out, static_cast<uint64_t>(nlist_));
  AppendPod(out, static_cast<uint64_t>(size_));
  AppendPodVector(out, centroids_);
  for (const List& l : lists_) {
    AppendPodVector(out, l.labels);
    AppendPodVector(out, l.codes);
  }
  return Status::Ok();
}

Result<std::unique_ptr<BinaryIvfIndex>> BinaryIvfIndex::Load(Metric metric, int64_t dim, std::string_view bytes) {
  ByteReader r(bytes);
  uint32_t format = 0;
  uint64_t nlist = 0, size = 0, n = 0;
  if (!r.Read(&format) || format != kFormat || !r.Read(&nlist) || !r.Read(&size) || nlist == 0 || nlist > 65536) {
    return Status::Corruption("BIN_IVF_FLAT index: bad header");
  }
  QV_ASSIGN_OR_RETURN(std::unique_ptr<BinaryIvfIndex> idx, Create(metric, dim, static_cast<int64_t>(nlist)));
  const auto b = static_cast<size_t>(idx->bytes_);
  if (!r.Read(&n) || !r.ReadVector(n, &idx->centroids_) || idx->centroids_.size() != nlist * b) {
    return Status::Corruption("BIN_IVF_FLAT index: centroids do not fit {} lists of {} bits", nlist, dim);
  }
  idx->lists_.resize(nlist);
  size_t total = 0;
  for (List& l : idx->lists_) {
    if (!r.Read(&n) || !r.ReadVector(n, &l.labels) || !r.Read(&n) || !r.ReadVector(n, &l.codes) ||
        l.codes.size() != l.labels.size() * b) {
      return Status::Corruption("BIN_IVF_FLAT index: damaged list");
    }
    total += l.labels.size();
  }
  if (total != size || !r.AtEnd()) return Status::Corruption("BIN_IVF_FLAT index: {} rows listed, {} stored", size, total);
  idx->size_ = size;
  return idx;
}

}  // namespace quiver::index
