// SparseInvertedIndex: Milvus's SPARSE_INVERTED_INDEX and SPARSE_WAND over sparse float rows
// (Milvus's encoding: (uint32 dimension, float value) pairs sorted by dimension) under IP. One
// posting list per dimension holds (label, value); a search walks the postings of the query's
// dimensions and accumulates exact inner products (term-at-a-time), so results equal a full
// scan unless `drop_ratio_search` drops the query's smallest values. Only rows with a positive
// score are returned, as Milvus's sparse indexes do.
//
// Thread-safety: as VectorIndex; a shared mutex lets searches run while AddBatch appends.
#pragma once

#include <memory>
#include <shared_mutex>
#include <unordered_map>

#include "index/vector_index.h"

namespace quiver::index {

class SparseInvertedIndex : public VectorIndex {
 public:
  static Result<std::unique_ptr<SparseInvertedIndex>> Create(Metric metric);
  static Result<std::unique_ptr<SparseInvertedIndex>> Load(Metric metric, std::string_view bytes);

  IndexKind kind() const override { return IndexKind::kSparseInverted; }
  Metric metric() const override { return Metric::kIP; }
  Status AddBatch(const VectorBatch& batch, uint64_t first_label, int threads) override;
  std::vector<std::pair<float, uint64_t>> Search(QueryRef query, size_t k,
                                                 const IndexSearchParams& params) const override;
  size_t Size() const override;
  Status Serialize(std::string* out) const override;

 private:
  SparseInvertedIndex() = default;
  struct Posting {
    std::vector<uint32_t> labels;
    std::vector<float> values;
  };
  mutable std::shared_mutex mu_;
  std::unordered_map<uint32_t, Posting> postings_;
  size_t size_ = 0;  // rows added; labels are < size_
};

}  // namespace quiver::index
