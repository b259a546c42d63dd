// IvfIndex: Milvus's IVF_FLAT, IVF_SQ8 and IVF_PQ. Training runs k-means (Lloyd from a
// fixed-seed sample, at most 256 points per list as faiss samples) to `nlist` centroids; each
// vector goes to the list of its best centroid under the metric; a search ranks the centroids
// and scans the `nprobe` best lists. IVF_FLAT keeps the float vectors; IVF_SQ8 keeps one byte
// per dimension (per-dimension min/max from the training set) and scores decoded values;
// IVF_PQ keeps, per vector, `pq_m` codes of `pq_nbits` bits for the residual from its list's
// centroid (one k-means codebook per sub-space) and scores by table lookups (asymmetric
// distances, as faiss's IndexIVFPQ). COSINE vectors are normalised on the way in, as Milvus does.
//
// Thread-safety: as VectorIndex; a shared mutex lets searches run while Add appends.
#pragma once

#include <memory>
#include <shared_mutex>

#include "index/vector_index.h"

namespace quiver::index {

class IvfIndex : public VectorIndex {
 public:
  enum class Encoding { kFlat, kSq8, kPq };
  static Result<std::unique_ptr<IvfIndex>> Create(Metric metric, int64_t dim, int64_t nlist,
                                                  Encoding encoding, int64_t pq_m = 0,
                                                  int pq_nbits = 8);
  // An index from Serialize's bytes.
  static Result<std::unique_ptr<IvfIndex>> Load(Metric metric, int64_t dim, Encoding encoding,
                                                std::string_view bytes);

  IndexKind kind() const override;
  Metric metric() const override { return metric_; }
  bool Approximate() const override { return encoding_ != Encoding::kFlat; }
  int64_t TrainingRows() const override;
  Status Train(const float* data, int64_t n);
  Status Train(const VectorBatch& batch) override {
    return Train(batch.dense, static_cast<int64_t>(batch.n));
  }
  Status Add(const float* vector, uint64_t label);
  Status AddBatch(const VectorBatch& batch, uint64_t first_label, int threads) override;
  std::vector<std::pair<float, uint64_t>> Search(const float* query, size_t k,
                                                 const IndexSearchParams& params) const;
  std::vector<std::pair<float, uint64_t>> Search(QueryRef query, size_t k,
                                                 const IndexSearchParams& params) const override {
    return Search(query.dense, k, params);
  }
  size_t Size() const override;
  Status Serialize(std::string* out) const override;
  bool trained() const;

 private:
  IvfIndex(Metric metric, int64_t dim, int64_t nlist, Encoding encoding, int64_t pq_m, int pq_nbits)
      : metric_(metric),
        dim_(dim),
        nlist_(nlist),
        encoding_(encoding),
        pq_m_(pq_m),
        pq_nbits_(pq_nbits) {}
  // Score of `v` against a centroid or vector under the metric; larger is better.
  float Similarity(const float* a, const float* b) const;
  int64_t NearestList(const float* v) const;
  int64_t PqSub() const { return dim_ / pq_m_; }
  int64_t PqCentroids() const { return int64_t{1} << pq_nbits_; }
  // list_terms_ for the current centroids_ and codebooks_ (empty when not kPq + L2 or too large).
  std::vector<float> ListTerms(const std::vector<float>& centroids,
                               const std::vector<float>& codebooks) const;

  struct List {
    std::vector<uint64_t> labels;
    std::vector<float> vectors;  // kFlat: dim floats per row
    std::vector<uint8_t> codes;  // kSq8: dim bytes per row
    std::vector<uint16_t> pq;    // kPq: pq_m codes per row
  };
  const Metric metric_;
  const int64_t dim_;
  const int64_t nlist_;
  const Encoding encoding_;
  const int64_t pq_m_;
  const int pq_nbits_;
  mutable std::shared_mutex mu_;
  std::vector<float> centroids_;  // nlist_ * dim_, empty until trained
  std::vector<float> sq_min_, sq_step_;
  // kPq: pq_m_ codebooks of PqCentroids() sub-vectors of PqSub() floats, codebook-major.
  std::vector<float> codebooks_;
  // kPq under L2, when it fits kMaxListTerms: per list, sub-space and code, |code|^2 + 2<centre,
  // code>, so a list's lookup table is these plus the query's -2<q, code> terms (computed once per
  // query) instead of a residual scored against every code. Derived from centroids and codebooks;
  // not saved.
  std::vector<float> list_terms_;
  std::vector<List> lists_;
  size_t size_ = 0;
};

}  // namespace quiver::index
