#include "index/hnsw_index.h"

#include <hnswlib/hnswlib.h>

#include <cmath>
#include <mutex>
#include <thread>

namespace quiver::index {

struct HnswIndex::Impl {
  std::unique_ptr<hnswlib::SpaceInterface<float>> space;
  std::unique_ptr<hnswlib::HierarchicalNSW<float>> graph;
  size_t capacity = 0;
};

bool HnswIndex::Supported() {
  static const bool ok = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  return ok;
}

HnswIndex::HnswIndex(Metric metric, int64_t dim, std::unique_ptr<Impl> impl)
    : metric_(metric), dim_(dim), impl_(std::move(impl)) {}

HnswIndex::~HnswIndex() = default;

Result<std::unique_ptr<HnswIndex>> HnswIndex::Create(Metric metric, int64_t dim, int m,
                                                     int ef_construction) {
  if (!Supported()) return Status::Unimplemented("HNSW needs a CPU with AVX2");
  if (metric != Metric::kL2 && metric != Metric::kIP && metric != Metric::kCosine) {
    return Status::InvalidArgument("HNSW supports L2, IP and COSINE");
  }
  auto impl = std::make_unique<Impl>();
  try {
    if (metric == Metric::kL2) {
      impl->space = std::make_unique<hnswlib::L2Space>(static_cast<size_t>(dim));
    } else {
      impl->space = std::make_unique<hnswlib::InnerProductSpace>(static_cast<size_t>(dim));
    }
    impl->capacity = 1024;
    impl->graph = std::make_unique<hnswlib::HierarchicalNSW<float>>(
        impl->space.get(), impl->capacity, static_cast<size_t>(m), static_cast<size_t>(ef_construction));
    // The search list size is passed per query as k (see Search); keep the shared one minimal.
    impl->graph->setEf(1);
  } catch (const std::exception& e) {
    return Status::Internal("hnswlib: {}", e.what());
  }
  return std::unique_ptr<HnswIndex>(new HnswIndex(metric, dim, std::move(impl)));
}

Status HnswIndex::Add(const float* vector, uint64_t label) {
  std::vector<float> normalised;
  if (metric_ == Metric::kCosine) {
    float n = Norm(vector, dim_);
    normalised.assign(vector, vector + dim_);
    if (n > 0) {
      for (float& x : normalised) x /= n;
    }
    vector = normalised.data();
  }
  try {
    if (impl_->graph->cur_element_count >= impl_->capacity) {
      std::unique_lock lock(resize_mu_);
      impl_->capacity *= 2;
      impl_->graph->resizeIndex(impl_->capacity);
    }
    std::shared_lock lock(resize_mu_);
    impl_->graph->addPoint(vector, static_cast<hnswlib::labeltype>(label));
  } catch (const std::exception& e) {
    return Status::Internal("hnswlib: {}", e.what());
  }
  return Status::Ok();
}

Status HnswIndex::AddBatch(const float* vectors, size_t n, int64_t dim, uint64_t first_label, int threads) {
  if (threads <= 1 || n < 256) return VectorIndex::AddBatch(vectors, n, dim, first_label, threads);
  try {
    std::unique_lock lock(resize_mu_);
    size_t need = impl_->graph->cur_element_count + n;
    if (need > impl_->capacity) {
      while (impl_->capacity < need) impl_->capacity *= 2;
      impl_->graph->resizeIndex(impl_->capacity);
    }
  } catch (const std::exception& e) {
    return Status::Internal("hnswlib: {}", e.what());
  }
  std::vector<Status> results(static_cast<size_t>(threads));
  {
    std::vector<std::jthread> workers;
    for (int t = 0; t < threads; ++t) {
      workers.emplace_back([&, t] {
        for (size_t i = static_cast<size_t>(t); i < n; i += static_cast<size_t>(threads)) {
          // Capacity is reserved above, so Add never resizes here.
          Status st = Add(vectors + i * static_cast<size_t>(dim), first_label + i);
          if (!st.ok()) {
            results[static_cast<size_t>(t)] = std::move(st);
            return;
          }
        }
      });
    }
  }
  for (auto& st : results) QV_RETURN_IF_ERROR(std::move(st));
  return Status::Ok();
}

std::vector<std::pair<float, uint64_t>> HnswIndex::Search(const float* query, size_t k,
                                                          size_t ef) const {
  std::vector<float> normalised;
  if (metric_ == Metric::kCosine) {
    float n = Norm(query, dim_);
    normalised.assign(query, query + dim_);
    if (n > 0) {
      for (float& x : normalised) x /= n;
    }
    query = normalised.data();
  }
  std::vector<std::pair<float, uint64_t>> out;
  try {
    std::shared_lock lock(resize_mu_);
    // hnswlib searches with max(ef_, k); asking for max(ef, k) and trimming gives a per-query
    // ef without touching the shared setting.
    auto pq = impl_->graph->searchKnn(query, std::max(k, ef));
    while (!pq.empty()) {
      auto [d, label] = pq.top();
      pq.pop();
      // hnswlib's IP space reports 1 - ip.
      float score = metric_ == Metric::kL2 ? d : 1.0f - d;
      out.emplace_back(score, static_cast<uint64_t>(label));
    }
  } catch (const std::exception&) {
    return {};
  }
  std::reverse(out.begin(), out.end());  // the queue pops the worst first
  if (out.size() > k) out.resize(k);
  return out;
}

size_t HnswIndex::Size() const { return impl_->graph->cur_element_count; }

}  // namespace quiver::index
