#include "index/hnsw_index.h"

#include <hnswlib/hnswlib.h>

#include <sys/mman.h>
#include <unistd.h>

#include <cmath>
#include <mutex>
#include <thread>

namespace quiver::index {

struct HnswIndex::Impl {
  std::unique_ptr<hnswlib::SpaceInterface<float>> space;
  std::unique_ptr<hnswlib::HierarchicalNSW<float>> graph;
  size_t capacity = 0;
};

namespace {

// hnswlib saves and loads through file paths only; an anonymous in-memory file (memfd) gives
// it one without touching the disk. Closes the descriptor when it goes out of scope.
class MemFile {
 public:
  MemFile() : fd_(memfd_create("quiver-hnsw", MFD_CLOEXEC)) {}
  ~MemFile() {
    if (fd_ >= 0) close(fd_);
  }
  MemFile(const MemFile&) = delete;
  MemFile& operator=(const MemFile&) = delete;
  bool ok() const { return fd_ >= 0; }
  std::string Path() const { return "/proc/self/fd/" + std::to_string(fd_); }
  bool Write(std::string_view bytes) {
    size_t done = 0;
    while (done < bytes.size()) {
      ssize_t n = pwrite(fd_, bytes.data() + done, bytes.size() - done, static_cast<off_t>(done));
      if (n <= 0) return false;
      done += static_cast<size_t>(n);
    }
    return true;
  }
  bool AppendTo(std::string* out) {
    off_t size = lseek(fd_, 0, SEEK_END);
    if (size < 0) return false;
    const size_t base = out->size();
    out->resize(base + static_cast<size_t>(size));
    size_t done = 0;
    while (done < static_cast<size_t>(size)) {
      ssize_t n = pread(fd_, out->data() + base + done, static_cast<size_t>(size) - done, static_cast<off_t>(done));
      if (n <= 0) return false;
      done += static_cast<size_t>(n);
    }
    return true;
  }

 private:
  int fd_;
};

std::unique_ptr<hnswlib::SpaceInterface<float>> MakeSpace(Metric metric, int64_t dim) {
  if (metric == Metric::kL2) return std::make_unique<hnswlib::L2Space>(static_cast<size_t>(dim));
  return std::make_unique<hnswlib::InnerProductSpace>(static_cast<size_t>(dim));
}

}  // namespace

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
    impl->space = MakeSpace(metric, dim);
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

Result<std::unique_ptr<HnswIndex>> HnswIndex::Load(Metric metric, int64_t dim, std::string_view bytes) {
  if (!Supported()) return Status::Unimplemented("HNSW needs a CPU with AVX2");
  if (metric != Metric::kL2 && metric != Metric::kIP && metric != Metric::kCosine) {
    return Status::InvalidArgument("HNSW supports L2, IP and COSINE");
  }
  // hnswlib trusts the neighbour ids it reads; the caller has checked the bytes' checksum, and
  // the layout is checked here against the dimension before hnswlib sees it.
  ByteReader r(bytes);
  size_t offset_level0 = 0, max_elements = 0, count = 0, size_per_element = 0;
  if (!r.Read(&offset_level0) || !r.Read(&max_elements) || !r.Read(&count) || !r.Read(&size_per_element)) {
    return Status::Corruption("HNSW index: truncated header");
  }
  if (size_per_element < static_cast<size_t>(dim) * sizeof(float) || count > bytes.size() / size_per_element) {
    return Status::Corruption("HNSW index: {} elements of {} bytes do not fit {} bytes at dim {}", count,
                              size_per_element, bytes.size(), dim);
  }
  auto impl = std::make_unique<Impl>();
  MemFile file;
  if (!file.ok() || !file.Write(bytes)) return Status::Internal("HNSW index: cannot stage {} bytes in memory", bytes.size());
  try {
    impl->space = MakeSpace(metric, dim);
    impl->capacity = 1024;
    while (impl->capacity < count + 1) impl->capacity *= 2;
    impl->graph = std::make_unique<hnswlib::HierarchicalNSW<float>>(impl->space.get(), file.Path(), false,
                                                                     impl->capacity);
    if (impl->graph->data_size_ != static_cast<size_t>(dim) * sizeof(float)) {
      return Status::Corruption("HNSW index: element size does not match dim {}", dim);
    }
    impl->graph->setEf(1);
  } catch (const std::exception& e) {
    return Status::Corruption("HNSW index: {}", e.what());
  }
  return std::unique_ptr<HnswIndex>(new HnswIndex(metric, dim, std::move(impl)));
}

Status HnswIndex::Serialize(std::string* out) const {
  MemFile file;
  if (!file.ok()) return Status::Internal("HNSW index: no in-memory file");
  try {
    // hnswlib's saveIndex reads the graph without its locks; adds come from the caller's
    // thread (see the header), so only searches run beside it, and they only read.
    std::shared_lock lock(resize_mu_);
    impl_->graph->saveIndex(file.Path());
  } catch (const std::exception& e) {
    return Status::Internal("hnswlib: {}", e.what());
  }
  if (!file.AppendTo(out)) return Status::Internal("HNSW index: reading the saved graph failed");
  return Status::Ok();
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

Status HnswIndex::AddBatch(const VectorBatch& batch, uint64_t first_label, int threads) {
  const float* vectors = batch.dense;
  const size_t n = batch.n;
  const int64_t dim = dim_;
  if (vectors == nullptr && n > 0) return Status::InvalidArgument("HNSW takes dense vectors");
  if (threads <= 1 || n < 256) {
    for (size_t i = 0; i < n; ++i) QV_RETURN_IF_ERROR(Add(vectors + i * static_cast<size_t>(dim), first_label + i));
    return Status::Ok();
  }
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
