// VectorIndex: what the engine needs of an approximate index over float vectors (HNSW via
// hnswlib, IVF_FLAT / IVF_SQ8 of our own). Scores follow Milvus's conventions: L2 = squared
// distance (smaller is better), IP and COSINE = inner product of (normalised) vectors (larger
// is better). Labels are the caller's row numbers.
//
// Thread-safety: Search may run concurrently with other searches and with Add; Train and Add
// calls come from one thread at a time.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "common/status.h"
#include "index/distance.h"

namespace quiver::index {

struct IndexSearchParams {
  size_t ef = 0;      // HNSW search list size (>= k is enforced)
  size_t nprobe = 8;  // IVF lists probed
};

class VectorIndex {
 public:
  virtual ~VectorIndex() = default;
  // Rows the index wants to see in Train before the first Add; 0 when it needs no training.
  virtual int64_t TrainingRows() const { return 0; }
  virtual Status Train(const float* data, int64_t n) { return Status::Ok(); }
  virtual Status Add(const float* vector, uint64_t label) = 0;
  // Adds n vectors (row-major) with labels first_label, first_label + 1, ...; indexes that
  // can build in parallel use up to `threads` threads.
  virtual Status AddBatch(const float* vectors, size_t n, int64_t dim, uint64_t first_label, int threads) {
    for (size_t i = 0; i < n; ++i) {
      QV_RETURN_IF_ERROR(Add(vectors + i * static_cast<size_t>(dim), first_label + i));
    }
    return Status::Ok();
  }
  // Up to k nearest (score, label), best first.
  virtual std::vector<std::pair<float, uint64_t>> Search(const float* query, size_t k,
                                                         const IndexSearchParams& params) const = 0;
  virtual size_t Size() const = 0;
  virtual Metric metric() const = 0;
};

}  // namespace quiver::index
