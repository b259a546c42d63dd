#include "index/sparse_index.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <mutex>

namespace quiver::index {
namespace {

constexpr uint32_t kFormat = 1;

// Decodes a sparse row into (dimension, value) pairs; false when the bytes are not pairs.
bool Decode(std::string_view row, std::vector<std::pair<uint32_t, float>>* out) {
  if (row.size() % 8 != 0) return false;
  out->clear();
  for (size_t i = 0; i < row.size(); i += 8) {
    uint32_t d;
    float v;
    std::memcpy(&d, row.data() + i, 4);
    std::memcpy(&v, row.data() + i + 4, 4);
    out->emplace_back(d, v);
  }
  return true;
}

}  // namespace

Result<std::unique_ptr<SparseInvertedIndex>> SparseInvertedIndex::Create(Metric metric) {
  if (metric != Metric::kIP) return Status::InvalidArgument("sparse inverted indexes take IP");
  return std::unique_ptr<SparseInvertedIndex>(new SparseInvertedIndex());
}

Status SparseInvertedIndex::AddBatch(const VectorBatch& batch, uint64_t first_label, int threads) {
  if (batch.sparse == nullptr && batch.n > 0) return Status::InvalidArgument("sparse inverted index takes sparse rows");
  if (first_label + batch.n > UINT32_MAX) return Status::ResourceExhausted("sparse inverted index: over 4G rows");
  std::vector<std::pair<uint32_t, float>> pairs;
  std::unique_lock lock(mu_);
  for (size_t i = 0; i < batch.n; ++i) {
    if (!Decode(batch.sparse[i], &pairs)) return Status::InvalidArgument("sparse row {} is not (index, value) pairs", i);
    for (const auto& [d, v] : pairs) {
      Posting& p = postings_[d];
      p.labels.push_back(static_cast<uint32_t>(first_label + i));
      p.values.push_back(v);
    }
  }
  size_ = std::max<size_t>(size_, first_label + batch.n);
  return Status::Ok();
}

std::vector<std::pair<float, uint64_t>> SparseInvertedIndex::Search(QueryRef query, size_t k,
                                                                    const IndexSearchParams& params) const {
  std::vector<std::pair<uint32_t, float>> q;
  if (!Decode(query.bytes, &q) || k == 0) return {};
  if (params.drop_ratio_search > 0 && !q.empty()) {
    // Milvus drops the given share of the query's smallest (by magnitude) values.
    std::vector<float> mags;
    for (const auto& [d, v] : q) mags.push_back(std::fabs(v));
    std::sort(mags.begin(), mags.end());
    const auto drop = static_cast<size_t>(params.drop_ratio_search * static_cast<double>(mags.size()));
    if (drop > 0 && drop < mags.size()) {
      const float cut = mags[drop - 1];
      std::erase_if(q, [&](const auto& e) { return std::fabs(e.second) <= cut; });
    }
  }
  std::shared_lock lock(mu_);
  std::vector<float> scores(size_);
  std::vector<uint32_t> touched;
  for (const auto& [d, qv] : q) {
    auto it = postings_.find(d);
    if (it == postings_.end()) continue;
    const Posting& p = it->second;
    for (size_t i = 0; i < p.labels.size(); ++i) {
      float& s = scores[p.labels[i]];
      if (s == 0) touched.push_back(p.labels[i]);
      s += qv * p.values[i];
    }
  }
  TopK top(k, /*higher_is_better=*/true);
  std::sort(touched.begin(), touched.end());
  touched.erase(std::unique(touched.begin(), touched.end()), touched.end());
  for (uint32_t label : touched) {
    if (scores[label] > 0) top.Push(scores[label], label);
  }
  return top.Take();
}

size_t SparseInvertedIndex::Size() const {
  std::shared_lock lock(mu_);
  return size_;
}

// Layout: format u32, size u64, posting count u64, then per posting (in dimension order)
// dimension u32, labels and values (count-prefixed).
Status SparseInvertedIndex::Serialize(std::string* out) const {
  std::shared_lock lock(mu_);
  AppendPod(out, kFormat);
  AppendPod(out, static_cast<uint64_t>(size_));
  AppendPod(out, static_cast<uint64_t>(postings_.size()));
  std::map<uint32_t, const Posting*> ordered;
  for (const auto& [d, p] : postings_) ordered.emplace(d, &p);
  for (const auto& [d, p] : ordered) {
    AppendPod(out, d);
    AppendPodVector(out, p->labels);
    AppendPodVector(out, p->values);
  }
  return Status::Ok();
}

Result<std::unique_ptr<SparseInvertedIndex>> SparseInvertedIndex::Load(Metric metric, std::string_view bytes) {
  QV_ASSIGN_OR_RETURN(std::unique_ptr<SparseInvertedIndex> idx, Create(metric));
  ByteReader r(bytes);
  uint32_t format = 0;
  uint64_t size = 0, count = 0, n = 0;
  if (!r.Read(&format) || format != kFormat || !r.Read(&size) || !r.Read(&count)) {
    return Status::Corruption("sparse index: bad header");
  }
  for (uint64_t i = 0; i < count; ++i) {
    uint32_t d = 0;
    Posting p;
    if (!r.Read(&d) || !r.Read(&n) || !r.ReadVector(n, &p.labels) || !r.Read(&n) || !r.ReadVector(n, &p.values) ||
        p.values.size() != p.labels.size()) {
      return Status::Corruption("sparse index: damaged posting list {}", i);
    }
    for (uint32_t label : p.labels) {
      if (label >= size) return Status::Corruption("sparse index: label {} beyond {} rows", label, size);
    }
    idx->postings_.emplace(d, std::move(p));
  }
  if (!r.AtEnd()) return Status::Corruption("sparse index: trailing bytes");
  idx->size_ = size;
  return idx;
}

}  // namespace quiver::index
