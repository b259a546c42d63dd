// Exact (brute-force) scoring of dense float rows against dense float queries, a tile at a time:
// the kernel of FLAT search, of rows no ANN index covers yet, and of the planner's exact path.
// Few queries go through the AVX2/FMA distance kernels (distance.h) row by row; many queries
// (kBlasMinQueries or more) go through one single-threaded OpenBLAS sgemm per tile, with L2
// expanded as |q|² + |x|² − 2·q·x as faiss does. Pure functions: thread-safe, and callers
// parallelise over tiles or query blocks (the search executor), never inside.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

#include "index/distance.h"

namespace quiver::index {

// From this many queries per tile on, ScoreTile multiplies matrices (BLAS) instead of calling
// a kernel per (query, row) pair.
inline constexpr int64_t kBlasMinQueries = 32;

// Rows per tile for `nq` queries: a tile's scores (nq × rows floats) stay within about 256 KiB,
// so the passes over them after the product hit the cache; at most 1024 rows, at least 64.
inline int64_t TileRows(int64_t nq) {
  return std::clamp<int64_t>(65536 / std::max<int64_t>(nq, 1), 64, 1024);
}

// Writes out[i * n + j] = score(query i, row j) under `metric` (L2: squared distance; IP; COSINE:
// IP over the product of norms, 0 when either norm is 0) for `nq` queries and `n` rows, all
// row-major with `dim` floats each. `query_norms` holds each query's Euclidean norm; it is read
// for COSINE only (may be null otherwise). Metrics other than L2/IP/COSINE write NaN.
void ScoreTile(Metric metric, const float* queries, const float* query_norms, int64_t nq,
               const float* rows, int64_t n, int64_t dim, float* out);

// The per-pair path of ScoreTile whatever nq is (tests and benchmarks compare the two).
void ScoreTileByKernel(Metric metric, const float* queries, const float* query_norms, int64_t nq,
                       const float* rows, int64_t n, int64_t dim, float* out);

// Collects the best `k` of a stream of candidates (pairs whose `.first` is the score) under a
// total order `better` that compares scores first (higher_is_better says which way) and breaks
// ties by identity: a heap of at most k whose top is the worst kept, so memory is O(k) however
// many rows are scanned. Bound() is the score a candidate must reach to be considered at all; hot
// loops compare against it before building a candidate. k = SIZE_MAX keeps everything (grouping
// needs every candidate). Not thread-safe: one per query and task.
template <typename Candidate, typename Better>
class BestK {
 public:
  BestK(size_t k, bool higher_is_better, Better better)
      : k_(k), higher_(higher_is_better), better_(better) {}

  bool Worthy(float score) const { return higher_ ? score >= Bound() : score <= Bound(); }
  // The worst score still worth offering: the k-th best so far, or ±infinity before k arrived.
  float Bound() const {
    if (items_.size() >= k_) return items_.front().first;
    return higher_ ? -std::numeric_limits<float>::infinity()
                   : std::numeric_limits<float>::infinity();
  }
  void Add(const Candidate& c) {
    if (k_ == std::numeric_limits<size_t>::max()) {
      items_.push_back(c);
    } else if (items_.size() < k_) {
      items_.push_back(c);
      std::push_heap(items_.begin(), items_.end(), better_);
    } else if (better_(c, items_.front())) {
      std::pop_heap(items_.begin(), items_.end(), better_);
      items_.back() = c;
      std::push_heap(items_.begin(), items_.end(), better_);
    }
  }
  // The best k (or every candidate when unbounded), unordered.
  std::vector<Candidate> Take() && { return std::move(items_); }

 private:
  size_t k_;
  bool higher_;
  Better better_;
  std::vector<Candidate> items_;  // a heap under better_ (top = worst kept) unless unbounded
};

// Offers a tile's scores to `best`: calls add(j) for each j in [0, n) whose score reaches
// best.Bound() (add decides and calls best.Add), skipping runs of 8 hopeless scores with one
// vector compare; the bound is refreshed after every call.
template <typename Best, typename AddFn>
void OfferScores(const float* scores, size_t n, bool higher_is_better, Best& best, AddFn&& add) {
  float bound = best.Bound();
  auto worthy = [&](float s) { return higher_is_better ? s >= bound : s <= bound; };
  size_t j = 0;
  for (; j + 8 <= n; j += 8) {
    bool any = false;
    for (size_t t = 0; t < 8; ++t) any |= worthy(scores[j + t]);
    if (!any) continue;
    for (size_t t = 0; t < 8; ++t) {
      if (!worthy(scores[j + t])) continue;
      add(j + t);
      bound = best.Bound();
    }
  }
  for (; j < n; ++j) {
    if (!worthy(scores[j])) continue;
    add(j);
    bound = best.Bound();
  }
}

}  // namespace quiver::index
