#include "index/vector_index.h"

#include "index/binary_ivf_index.h"
#include "index/hnsw_index.h"
#include "index/ivf_index.h"
#include "index/sparse_index.h"

namespace quiver::index {
namespace {

IvfIndex::Encoding IvfEncoding(IndexKind kind) {
  return kind == IndexKind::kIvfSq8 ? IvfIndex::Encoding::kSq8
         : kind == IndexKind::kIvfPq ? IvfIndex::Encoding::kPq
                                     : IvfIndex::Encoding::kFlat;
}

HnswIndex::Encoding HnswEncoding(IndexKind kind) {
  return kind == IndexKind::kHnswSq ? HnswIndex::Encoding::kSq8 : HnswIndex::Encoding::kFloat;
}

}  // namespace

const char* IndexKindName(IndexKind kind) {
  switch (kind) {
    case IndexKind::kHnsw: return "HNSW";
    case IndexKind::kIvfFlat: return "IVF_FLAT";
    case IndexKind::kIvfSq8: return "IVF_SQ8";
    case IndexKind::kIvfPq: return "IVF_PQ";
    case IndexKind::kBinIvfFlat: return "BIN_IVF_FLAT";
    case IndexKind::kSparseInverted: return "SPARSE_INVERTED_INDEX";
    case IndexKind::kHnswSq: return "HNSW_SQ";
  }
  return "unknown";
}

Result<std::unique_ptr<VectorIndex>> CreateVectorIndex(const IndexConfig& c) {
  switch (c.kind) {
    case IndexKind::kHnsw:
    case IndexKind::kHnswSq: {
      QV_ASSIGN_OR_RETURN(auto idx, HnswIndex::Create(c.metric, c.dim, c.m, c.ef_construction, HnswEncoding(c.kind)));
      return std::unique_ptr<VectorIndex>(std::move(idx));
    }
    case IndexKind::kIvfFlat:
    case IndexKind::kIvfSq8:
    case IndexKind::kIvfPq: {
      QV_ASSIGN_OR_RETURN(auto idx, IvfIndex::Create(c.metric, c.dim, c.nlist, IvfEncoding(c.kind), c.pq_m, c.pq_nbits));
      return std::unique_ptr<VectorIndex>(std::move(idx));
    }
    case IndexKind::kBinIvfFlat: {
      QV_ASSIGN_OR_RETURN(auto idx, BinaryIvfIndex::Create(c.metric, c.dim, c.nlist));
      return std::unique_ptr<VectorIndex>(std::move(idx));
    }
    case IndexKind::kSparseInverted: {
      QV_ASSIGN_OR_RETURN(auto idx, SparseInvertedIndex::Create(c.metric));
      return std::unique_ptr<VectorIndex>(std::move(idx));
    }
  }
  return Status::InvalidArgument("unknown index kind {}", static_cast<uint32_t>(c.kind));
}

Result<std::unique_ptr<VectorIndex>> LoadVectorIndex(const IndexConfig& c, std::string_view bytes) {
  switch (c.kind) {
    case IndexKind::kHnsw:
    case IndexKind::kHnswSq: {
      QV_ASSIGN_OR_RETURN(auto idx, HnswIndex::Load(c.metric, c.dim, bytes, HnswEncoding(c.kind)));
      return std::unique_ptr<VectorIndex>(std::move(idx));
    }
    case IndexKind::kIvfFlat:
    case IndexKind::kIvfSq8:
    case IndexKind::kIvfPq: {
      QV_ASSIGN_OR_RETURN(auto idx, IvfIndex::Load(c.metric, c.dim, IvfEncoding(c.kind), bytes));
      return std::unique_ptr<VectorIndex>(std::move(idx));
    }
    case IndexKind::kBinIvfFlat: {
      QV_ASSIGN_OR_RETURN(auto idx, BinaryIvfIndex::Load(c.metric, c.dim, bytes));
      return std::unique_ptr<VectorIndex>(std::move(idx));
    }
    case IndexKind::kSparseInverted: {
      QV_ASSIGN_OR_RETURN(auto idx, SparseInvertedIndex::Load(c.metric, bytes));
      return std::unique_ptr<VectorIndex>(std::move(idx));
    }
  }
  return Status::Corruption("unknown index kind {}", static_cast<uint32_t>(c.kind));
}

}  // namespace quiver::index
