// VectorIndex: what the engine needs of an approximate index over one vector field — HNSW (via
// hnswlib), IVF_FLAT / IVF_SQ8 / IVF_PQ, BIN_IVF_FLAT and the sparse inverted index, all of our
// own but HNSW. Scores follow Milvus's conventions: L2 = squared distance, HAMMING and JACCARD
// distances (smaller is better); IP and COSINE = inner product of (normalised) vectors (larger is
// better). Labels are the caller's row numbers, assigned consecutively from 0 by AddBatch.
// Every index serialises itself (Serialize) and is rebuilt from those bytes by LoadVectorIndex;
// the caller frames and checksums them (format/index_file.h).
//
// Thread-safety: Search may run concurrently with other searches and with AddBatch; Train and
// AddBatch calls come from one thread at a time.
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "index/distance.h"

namespace quiver::index {

// Stored on disk (format/index_file.h): never renumber.
enum class IndexKind : uint32_t {
  kHnsw = 1,
  kIvfFlat = 2,
  kIvfSq8 = 3,
  kIvfPq = 4,
  kBinIvfFlat = 5,
  kSparseInverted = 6,
  kHnswSq = 7,
};
const char* IndexKindName(IndexKind kind);

struct IndexConfig {
  IndexKind kind = IndexKind::kHnsw;
  Metric metric = Metric::kL2;
  int64_t dim = 0;             // dense and binary (bits); unused for sparse
  int m = 16;                  // HNSW graph degree
  int ef_construction = 200;   // HNSW
  int64_t nlist = 128;         // IVF lists
  int64_t pq_m = 0;            // IVF_PQ sub-quantizers (0 = dim / 2, at least 1)
  int pq_nbits = 8;            // IVF_PQ bits per code
};

struct IndexSearchParams {
  size_t ef = 0;                  // HNSW search list size (>= k is enforced)
  size_t nprobe = 8;              // IVF lists probed
  double drop_ratio_search = 0;   // sparse: share of the smallest query values ignored
};

// One query in the form its index reads: dense floats (float, float16, bfloat16 and int8 fields
// are decoded to float), packed bits (binary) or a sparse row in Milvus's encoding.
struct QueryRef {
  const float* dense = nullptr;
  std::string_view bytes;
};

// n stored vectors, row-major, in the same forms.
struct VectorBatch {
  const float* dense = nullptr;           // n * dim floats
  const uint8_t* bits = nullptr;          // n * dim / 8 bytes
  const std::string* sparse = nullptr;    // n rows
  size_t n = 0;
};

class VectorIndex {
 public:
  virtual ~VectorIndex() = default;
  virtual IndexKind kind() const = 0;
  virtual Metric metric() const = 0;
  // True when Search's scores are approximate (quantised codes): callers holding the raw
  // vectors rescore its hits exactly.
  virtual bool Approximate() const { return false; }
  // Rows the index wants to see in Train before the first add; 0 when it needs no training.
  virtual int64_t TrainingRows() const { return 0; }
  virtual Status Train(const VectorBatch& batch) { return Status::Ok(); }
  // Adds batch rows with labels first_label, first_label + 1, ...; indexes that can build in
  // parallel use up to `threads` threads.
  virtual Status AddBatch(const VectorBatch& batch, uint64_t first_label, int threads) = 0;
  // Up to k nearest (score, label), best first.
  virtual std::vector<std::pair<float, uint64_t>> Search(QueryRef query, size_t k,
                                                         const IndexSearchParams& params) const = 0;
  virtual size_t Size() const = 0;
  // The index's own bytes (what LoadVectorIndex reads back), appended to *out.
  virtual Status Serialize(std::string* out) const = 0;
};

// A new, empty index of config.kind (InvalidArgument for a metric the kind does not take).
Result<std::unique_ptr<VectorIndex>> CreateVectorIndex(const IndexConfig& config);
// An index from Serialize's bytes; the config must be the one it was created with.
Result<std::unique_ptr<VectorIndex>> LoadVectorIndex(const IndexConfig& config, std::string_view bytes);

// Keeps the k best (score, label) pairs under a metric's order; ties go to the smaller label.
class TopK {
 public:
  TopK(size_t k, bool higher_is_better) : k_(k), higher_(higher_is_better) {}
  void Push(float score, uint64_t label);
  // Best first.
  std::vector<std::pair<float, uint64_t>> Take();

 private:
  struct Cmp {
    bool higher;
    bool operator()(const std::pair<float, uint64_t>& a, const std::pair<float, uint64_t>& b) const {
      if (a.first != b.first) return higher ? a.first > b.first : a.first < b.first;
      return a.second < b.second;
    }
  };
  size_t k_;
  bool higher_;
  std::vector<std::pair<float, uint64_t>> heap_;  // heap top = the worst kept entry
};

// Little-endian cursor over serialised index bytes; every read is bounds-checked, so damaged
// bytes are an error, never an overrun.
class ByteReader {
 public:
  explicit ByteReader(std::string_view bytes) : bytes_(bytes) {}
  template <typename T>
  bool Read(T* out) {
    if (bytes_.size() - pos_ < sizeof(T)) return false;
    std::memcpy(out, bytes_.data() + pos_, sizeof(T));
    pos_ += sizeof(T);
    return true;
  }
  // n elements into *out.
  template <typename T>
  bool ReadVector(uint64_t n, std::vector<T>* out) {
    if (n > (bytes_.size() - pos_) / sizeof(T)) return false;
    out->resize(static_cast<size_t>(n));
    if (n > 0) std::memcpy(out->data(), bytes_.data() + pos_, static_cast<size_t>(n) * sizeof(T));
    pos_ += static_cast<size_t>(n) * sizeof(T);
    return true;
  }
  bool ReadString(uint64_t n, std::string* out) {
    if (n > bytes_.size() - pos_) return false;
    out->assign(bytes_.data() + pos_, static_cast<size_t>(n));
    pos_ += static_cast<size_t>(n);
    return true;
  }
  bool AtEnd() const { return pos_ == bytes_.size(); }
  std::string_view Rest() const { return bytes_.substr(pos_); }

 private:
  std::string_view bytes_;
  size_t pos_ = 0;
};

template <typename T>
void AppendPod(std::string* out, const T& v) {
  out->append(reinterpret_cast<const char*>(&v), sizeof(T));
}
template <typename T>
void AppendPodVector(std::string* out, const std::vector<T>& v) {
  AppendPod(out, static_cast<uint64_t>(v.size()));
  out->append(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(T));
}

}  // namespace quiver::index
