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

void Normalise(float* v, int64_t dim) {
  float n = Norm(v, dim);
  if (n > 0) {
    for (int64_t i = 0; i < dim; ++i) v[i] /= n;
  }
}

// Keeps the k best (score, label) pairs; `better(a, b)` orders scores.
class TopK {
 public:
  TopK(size_t k, bool higher_is_better) : k_(k), higher_(higher_is_better) {}
  void Push(float score, uint64_t label) {
    if (heap_.size() < k_) {
      heap_.emplace_back(score, label);
      std::push_heap(heap_.begin(), heap_.end(), Cmp{higher_});
    } else if (k_ > 0 && Better(score, heap_.front().first)) {
      std::pop_heap(heap_.begin(), heap_.end(), Cmp{higher_});
      heap_.back() = {score, label};
      std::push_heap(heap_.begin(), heap_.end(), Cmp{higher_});
    }
  }
  std::vector<std::pair<float, uint64_t>> Take() {
    std::sort_heap(heap_.begin(), heap_.end(), Cmp{higher_});
    return std::move(heap_);
  }

 private:
  // Heap top = the worst kept entry.
  struct Cmp {
    bool higher;
    bool operator()(const std::pair<float, uint64_t>& a, const std::pair<float, uint64_t>& b) const {
      if (a.first != b.first) return higher ? a.first > b.first : a.first < b.first;
      return a.second < b.second;
    }
  };
  bool Better(float a, float b) const { return higher_ ? a > b : a < b; }
  size_t k_;
  bool higher_;
  std::vector<std::pair<float, uint64_t>> heap_;
};

}  // namespace

Result<std::unique_ptr<IvfIndex>> IvfIndex::Create(Metric metric, int64_t dim, int64_t nlist, Encoding encoding) {
  if (metric != Metric::kL2 && metric != Metric::kIP && metric != Metric::kCosine) {
    return Status::InvalidArgument("IVF indexes take L2, IP or COSINE");
  }
  if (dim <= 0 || nlist <= 0) return Status::InvalidArgument("IVF: dim {} and nlist {} must be positive", dim, nlist);
  return std::unique_ptr<IvfIndex>(new IvfIndex(metric, dim, nlist, encoding));
}

int64_t IvfIndex::TrainingRows() const { return nlist_ * kMinPointsPerList; }

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
  // A fixed-seed sample of at most kMaxPointsPerList points per list.
  std::mt19937_64 rng(0x5eed);
  std::vector<int64_t> pick(static_cast<size_t>(n));
  std::iota(pick.begin(), pick.end(), 0);
  const int64_t m = std::min(n, nlist_ * kMaxPointsPerList);
  for (int64_t i = 0; i < m; ++i) {
    std::uniform_int_distribution<int64_t> u(i, n - 1);
    std::swap(pick[static_cast<size_t>(i)], pick[static_cast<size_t>(u(rng))]);
  }
  std::vector<float> sample(static_cast<size_t>(m) * d);
  for (int64_t i = 0; i < m; ++i) {
    std::copy_n(data + pick[static_cast<size_t>(i)] * dim_, d, sample.data() + static_cast<size_t>(i) * d);
    if (metric_ == Metric::kCosine) Normalise(sample.data() + static_cast<size_t>(i) * d, dim_);
  }
  // Lloyd's k-means under L2, seeded with the first nlist sampled points (a random subset).
  std::vector<float> centroids(sample.begin(), sample.begin() + static_cast<std::ptrdiff_t>(nlist_ * dim_));
  std::vector<int64_t> assign(static_cast<size_t>(m), 0);
  std::vector<double> sums(static_cast<size_t>(nlist_) * d);
  std::vector<int64_t> counts(static_cast<size_t>(nlist_));
  for (int iter = 0; iter < kKmeansIterations; ++iter) {
    for (int64_t i = 0; i < m; ++i) {
      const float* x = sample.data() + static_cast<size_t>(i) * d;
      float best = std::numeric_limits<float>::infinity();
      for (int64_t c = 0; c < nlist_; ++c) {
        float dist = L2Squared(x, centroids.data() + static_cast<size_t>(c) * d, dim_);
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
      const float* x = sample.data() + static_cast<size_t>(i) * d;
      for (size_t j = 0; j < d; ++j) sums[c * d + j] += x[j];
    }
    for (int64_t c = 0; c < nlist_; ++c) {
      const auto cu = static_cast<size_t>(c);
      if (counts[cu] == 0) {
        // An empty list takes a random sample point (as faiss splits a large one).
        std::uniform_int_distribution<int64_t> u(0, m - 1);
        std::copy_n(sample.data() + static_cast<size_t>(u(rng)) * d, d, centroids.data() + cu * d);
        continue;
      }
      for (size_t j = 0; j < d; ++j) centroids[cu * d + j] = static_cast<float>(sums[cu * d + j] / counts[cu]);
    }
  }
  if (metric_ == Metric::kCosine) {
    for (int64_t c = 0; c < nlist_; ++c) Normalise(centroids.data() + static_cast<size_t>(c) * d, dim_);
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
  std::unique_lock lock(mu_);
  centroids_ = std::move(centroids);
  sq_min_ = std::move(lo);
  sq_step_ = std::move(step);
  lists_.assign(static_cast<size_t>(nlist_), List{});
  return Status::Ok();
}

Status IvfIndex::Add(const float* vector, uint64_t label) {
  const auto d = static_cast<size_t>(dim_);
  std::vector<float> v(vector, vector + d);
  if (metric_ == Metric::kCosine) Normalise(v.data(), dim_);
  int64_t list;
  {
    std::shared_lock lock(mu_);
    if (centroids_.empty()) return Status::FailedPrecondition("IVF index used before training");
    list = NearestList(v.data());
  }
  std::unique_lock lock(mu_);
  List& l = lists_[static_cast<size_t>(list)];
  l.labels.push_back(label);
  if (encoding_ == Encoding::kFlat) {
    l.vectors.insert(l.vectors.end(), v.begin(), v.end());
  } else {
    for (size_t j = 0; j < d; ++j) {
      float q = std::round((v[j] - sq_min_[j]) / sq_step_[j]);
      l.codes.push_back(static_cast<uint8_t>(std::clamp(q, 0.0f, 255.0f)));
    }
  }
  ++size_;
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
  for (int64_t c = 0; c < nlist_; ++c) order[static_cast<size_t>(c)] = {Similarity(q.data(), centroids_.data() + c * dim_), c};
  const size_t probe = std::clamp<size_t>(params.nprobe, 1, static_cast<size_t>(nlist_));
  std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(probe), order.end(),
                    [](const auto& a, const auto& b) { return a.first > b.first || (a.first == b.first && a.second < b.second); });
  const bool higher = metric_ != Metric::kL2;
  TopK top(k, higher);
  std::vector<float> decoded(d);
  for (size_t p = 0; p < probe; ++p) {
    const List& l = lists_[static_cast<size_t>(order[p].second)];
    for (size_t i = 0; i < l.labels.size(); ++i) {
      const float* v;
      if (encoding_ == Encoding::kFlat) {
        v = l.vectors.data() + i * d;
      } else {
        const uint8_t* code = l.codes.data() + i * d;
        for (size_t j = 0; j < d; ++j) decoded[j] = sq_min_[j] + sq_step_[j] * static_cast<float>(code[j]);
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

}  // namespace quiver::index
