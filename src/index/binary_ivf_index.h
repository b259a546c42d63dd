// BinaryIvfIndex: Milvus's BIN_IVF_FLAT over packed bit vectors. Training clusters a
// fixed-seed sample into `nlist` centroids by k-majority (assign by Hamming distance, each
// centroid bit = the majority bit of its members); a vector goes to its nearest centroid by
// Hamming distance; a search probes the `nprobe` nearest lists and scores their vectors under
// the metric (HAMMING or JACCARD distance, smaller is better).
//
// Thread-safety: as VectorIndex; a shared mutex lets searches run while AddBatch appends.
#pragma once

#include <memory>
#include <shared_mutex>

#include "index/vector_index.h"

namespace quiver::index {

class BinaryIvfIndex : public VectorIndex {
 public:
  // `dim` in bits (a multiple of 8).
  static Result<std::unique_ptr<BinaryIvfIndex>> Create(Metric metric, int64_t dim, int64_t nlist);
  static Result<std::unique_ptr<BinaryIvfIndex>> Load(Metric metric, int64_t dim, std::string_view bytes);

  IndexKind kind() const override { return IndexKind::kBinIvfFlat; }
  Metric metric() const override { return metric_; }
  int64_t TrainingRows() const override;
  Status Train(const VectorBatch& batch) override;
  Status AddBatch(const VectorBatch& batch, uint64_t first_label, int threads) override;
  std::vector<std::pair<float, uint64_t>> Search(QueryRef query, size_t k,
                                                 const IndexSearchParams& params) const override;
  size_t Size() const override;
  Status Serialize(std::string* out) const override;

 private:
  BinaryIvfIndex(Metric metric, int64_t dim, int64_t nlist) : metric_(metric), bytes_(dim / 8), nlist_(nlist) {}
  int64_t NearestList(const uint8_t* v) const;
  float Distance(const uint8_t* a, const uint8_t* b) const;

  struct List {
    std::vector<uint64_t> labels;
    std::vector<uint8_t> codes;  // bytes_ per row
  };
  const Metric metric_;
  const int64_t bytes_;
  const int64_t nlist_;
  mutable std::shared_mutex mu_;
  std::vector<uint8_t> centroids_;  // nlist_ * bytes_, empty until trained
  std::vector<List> lists_;
  size_t size_ = 0;
};

}  // namespace quiver::index
