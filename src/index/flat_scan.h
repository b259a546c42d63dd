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
// ties by identity. A candidate whose score is strictly worse than the current k-th best cannot
// be chosen and is dropped on arrival (Worthy); the buffer is cut back to the best k whenever it
// grows past 4k + 4096, so memory stays O(k) however many rows are scanned. k = SIZE_MAX keeps
// everything (grouping needs every candidate). Not thread-safe: one per query and task.
template <typename Candidate, typename Better>
class BestK {
 public:
  BestK(size_t k, bool higher_is_better, Better better)
      : k_(k),
        higher_(higher_is_better),
        better_(better),
        bound_(k == std::numeric_limits<size_t>::max() ? k : 4 * k + 4096) {}

  bool Worthy(float score) const {
    if (!full_) return true;
    return higher_ ? score >= threshold_ : score <= threshold_;
  }
  void Add(const Candidate& c) {
    items_.push_back(c);
    if (items_.size() > bound_) Trim();
  }
  // The candidates kept (the best k, possibly with worse ones not yet trimmed), unordered.
  std::vector<Candidate> Take() && { return std::move(items_); }

 private:
  void Trim() {
    std::nth_element(items_.begin(), items_.begin() + static_cast<std::ptrdiff_t>(k_ - 1),
                     items_.end(), better_);
    items_.resize(k_);
    threshold_ = items_.back().first;  // the k-th best: nth_element put it last
    full_ = true;
  }

  size_t k_;
  bool higher_;
  Better better_;
  size_t bound_;
  std::vector<Candidate> items_;
  bool full_ = false;  // threshold_ is the k-th best score seen so far
  float threshold_ = 0;
};

}  // namespace quiver::index
