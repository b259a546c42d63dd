// HnswIndex wraps hnswlib's HierarchicalNSW for dense vectors under Milvus's metrics (L2 =
// squared distance, IP, COSINE via normalised vectors and inner product) and scores results in
// Milvus's convention. hnswlib's exceptions stay inside this adapter. Serialised with hnswlib's
// own layout (written and read through an in-memory file).
//
// Encodings: kFloat keeps the float vectors in the graph (HNSW). kSq8 (HNSW_SQ) keeps one byte
// per dimension (per-dimension min/max from a training sample), a quarter of the memory: a query
// is scored against the codes asymmetrically (full-precision query, decoded codes), links
// between stored vectors symmetrically. Its scores are approximate (Approximate()); callers
// that hold the raw vectors rescore the hits exactly.
//
// Thread-safety: Search may run concurrently with other searches, with Serialize and with Add;
// Add, AddBatch and Serialize calls must come from one thread at a time. hnswlib's searches are
// not safe beside its inserts, so an add holds the lock exclusively: AddBatch adds in slices
// (in parallel within a slice) and a search waits for one slice at most. hnswlib is compiled
// for AVX2 here, so the index is only used when the CPU has AVX2 (Supported()); callers fall
// back to exact search otherwise.
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <utility>
#include <vector>

#include "common/status.h"
#include "index/distance.h"
#include "index/vector_index.h"

namespace quiver::index {

class HnswIndex : public VectorIndex {
 public:
  enum class Encoding { kFloat, kSq8 };
  static bool Supported();
  static Result<std::unique_ptr<HnswIndex>> Create(Metric metric, int64_t dim, int m,
                                                   int ef_construction,
                                                   Encoding encoding = Encoding::kFloat);
  // An index from Serialize's bytes.
  static Result<std::unique_ptr<HnswIndex>> Load(Metric metric, int64_t dim, std::string_view bytes,
                                                 Encoding encoding = Encoding::kFloat);
  ~HnswIndex() override;
  HnswIndex(const HnswIndex&) = delete;
  HnswIndex& operator=(const HnswIndex&) = delete;

  IndexKind kind() const override;
  Metric metric() const override { return metric_; }
  bool Approximate() const override { return encoding_ == Encoding::kSq8; }
  // kSq8: the per-dimension ranges come from the first rows (at least kSq8TrainingRows).
  int64_t TrainingRows() const override;
  Status Train(const VectorBatch& batch) override;
  static constexpr int64_t kSq8TrainingRows = 1000;
  Status Add(const float* vector, uint64_t label);
  // hnswlib inserts concurrently: the capacity is grown once, then `threads` threads add
  // interleaved shares of the batch.
  Status AddBatch(const VectorBatch& batch, uint64_t first_label, int threads) override;
  // Up to k nearest (score, label), best first; `ef` is the search list size (>= k).
  std::vector<std::pair<float, uint64_t>> Search(const float* query, size_t k, size_t ef) const;
  std::vector<std::pair<float, uint64_t>> Search(QueryRef query, size_t k,
                                                 const IndexSearchParams& params) const override {
    return Search(query.dense, k, std::max(k, params.ef));
  }
  size_t Size() const override;
  Status Serialize(std::string* out) const override;

 private:
  struct Impl;
  HnswIndex(Metric metric, int64_t dim, Encoding encoding, std::unique_ptr<Impl> impl);
  // The vector in the form hnswlib is handed (normalised for COSINE; for kSq8 the codes followed
  // by the query transform the asymmetric distance reads).
  const void* Prepare(const float* vector, std::vector<float>* scratch) const;

  Metric metric_;
  int64_t dim_;
  Encoding encoding_;
  // Searches share resize_mu_; adds and growth hold it exclusively. glibc's rwlock prefers
  // readers, so a writer first takes writer_gate_, which new readers pass through: a stream of
  // overlapping searches cannot starve the background builder (ReadLock / WriteLock).
  std::shared_lock<std::shared_mutex> ReadLock() const;
  std::unique_lock<std::shared_mutex> WriteLock() const;
  mutable std::shared_mutex resize_mu_;
  mutable std::mutex writer_gate_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace quiver::index
