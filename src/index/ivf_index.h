// IvfIndex: Milvus's IVF_FLAT and IVF_SQ8. Training runs k-means (Lloyd, k-means++-style seeding
// from a fixed seed, at most 256 points per list as faiss samples) to `nlist` centroids; each
// vector goes to the list of its best centroid under the metric; a search ranks the centroids
// and scans the `nprobe` best lists. IVF_FLAT keeps the float vectors; IVF_SQ8 keeps one byte
// per dimension (per-dimension min/max from the training set) and scores decoded values.
// COSINE vectors are normalised on the way in, as Milvus does.
//
// Thread-safety: as VectorIndex; a shared mutex lets searches run while Add appends.
#pragma once

#include <memory>
#include <shared_mutex>

#include "index/vector_index.h"

namespace quiver::index {

class IvfIndex : public VectorIndex {
 public:
  enum class Encoding { kFlat, kSq8 };
  static Result<std::unique_ptr<IvfIndex>> Create(Metric metric, int64_t dim, int64_t nlist, Encoding encoding);

  int64_t TrainingRows() const override;
  Status Train(const float* data, int64_t n) override;
  Status Add(const float* vector, uint64_t label) override;
  std::vector<std::pair<float, uint64_t>> Search(const float* query, size_t k,
                                                 const IndexSearchParams& params) const override;
  size_t Size() const override;
  Metric metric() const override { return metric_; }
  bool trained() const;

 private:
  IvfIndex(Metric metric, int64_t dim, int64_t nlist, Encoding encoding)
      : metric_(metric), dim_(dim), nlist_(nlist), encoding_(encoding) {}
  // Score of `v` against a centroid or vector under the metric; larger is better.
  float Similarity(const float* a, const float* b) const;
  int64_t NearestList(const float* v) const;

  struct List {
    std::vector<uint64_t> labels;
    std::vector<float> vectors;   // kFlat: dim floats per row
    std::vector<uint8_t> codes;   // kSq8: dim bytes per row
  };
  const Metric metric_;
  const int64_t dim_;
  const int64_t nlist_;
  const Encoding encoding_;
  mutable std::shared_mutex mu_;
  std::vector<float> centroids_;  // nlist_ * dim_, empty until trained
  std::vector<float> sq_min_, sq_step_;
  std::vector<List> lists_;
  size_t size_ = 0;
};

}  // namespace quiver::index
