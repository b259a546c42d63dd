#include "index/hnsw_index.h"

#include <hnswlib/hnswlib.h>

#include <sys/mman.h>
#include <unistd.h>

#include <immintrin.h>

#include <cmath>
#include <mutex>
#include <thread>

namespace quiver::index {
namespace {

// What the SQ8 distance needs: the per-dimension code ranges and the graph whose storage tells
// stored vectors (codes) from queries (codes followed by the query transform). hnswlib always
// passes the query, or the vector being inserted, as the first argument.
struct Sq8Params {
  size_t dim = 0;
  size_t code_bytes = 0;  // dim rounded up to a multiple of 4: the transform's floats follow
  bool l2 = true;         // else inner product (COSINE vectors are normalised)
  std::vector<float> min, step, step2;
  const hnswlib::HierarchicalNSW<float>* graph = nullptr;
};

// This file is built for AVX2 (see CMakeLists.txt).
inline __m256 LoadCodes(const uint8_t* p) {
  return _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p))));
}

inline float Sum(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_hadd_ps(s, s);
  s = _mm_hadd_ps(s, s);
  return _mm_cvtss_f32(s);
}

float Sq8Distance(const void* a, const void* b, const void* param) {
  const auto& p = *static_cast<const Sq8Params*>(param);
  const auto* cb = static_cast<const uint8_t*>(b);
  const char* base = p.graph->data_level0_memory_;
  const char* pa = static_cast<const char*>(a);
  const bool stored = pa >= base && pa < base + p.graph->max_elements_ * p.graph->size_data_per_element_;
  const size_t dim = p.dim;
  __m256 acc = _mm256_setzero_ps();
  size_t i = 0;
  float tail = 0;
  if (stored) {
    // Both codes: L2 = sum step² (ca - cb)²; IP = sum (min + step ca)(min + step cb).
    const auto* ca = static_cast<const uint8_t*>(a);
    if (p.l2) {
      for (; i + 8 <= dim; i += 8) {
        __m256 d = _mm256_sub_ps(LoadCodes(ca + i), LoadCodes(cb + i));
        acc = _mm256_fmadd_ps(_mm256_mul_ps(d, d), _mm256_loadu_ps(p.step2.data() + i), acc);
      }
      for (; i < dim; ++i) {
        float d = static_cast<float>(ca[i]) - static_cast<float>(cb[i]);
        tail += d * d * p.step2[i];
      }
      return Sum(acc) + tail;
    }
    for (; i + 8 <= dim; i += 8) {
      __m256 mn = _mm256_loadu_ps(p.min.data() + i), st = _mm256_loadu_ps(p.step.data() + i);
      acc = _mm256_fmadd_ps(_mm256_fmadd_ps(LoadCodes(ca + i), st, mn), _mm256_fmadd_ps(LoadCodes(cb + i), st, mn), acc);
    }
    for (; i < dim; ++i) {
      tail += (p.min[i] + p.step[i] * ca[i]) * (p.min[i] + p.step[i] * cb[i]);
    }
    return 1.0f - (Sum(acc) + tail);
  }
  // A query: L2 = sum step² (t - cb)² with t = (q - min) / step; IP = c + sum t cb with
  // t = q step and c = sum q min (stored after t).
  const auto* t = reinterpret_cast<const float*>(pa + p.code_bytes);
  if (p.l2) {
    for (; i + 8 <= dim; i += 8) {
      __m256 d = _mm256_sub_ps(_mm256_loadu_ps(t + i), LoadCodes(cb + i));
      acc = _mm256_fmadd_ps(_mm256_mul_ps(d, d), _mm256_loadu_ps(p.step2.data() + i), acc);
    }
    for (; i < dim; ++i) {
      float d = t[i] - static_cast<float>(cb[i]);
      tail += d * d * p.step2[i];
    }
    return Sum(acc) + tail;
  }
  for (; i + 8 <= dim; i += 8) acc = _mm256_fmadd_ps(_mm256_loadu_ps(t + i), LoadCodes(cb + i), acc);
  for (; i < dim; ++i) tail += t[i] * static_cast<float>(cb[i]);
  return 1.0f - (t[dim] + Sum(acc) + tail);
}

// hnswlib space over SQ8 codes: the graph stores `dim` bytes per vector.
class Sq8Space : public hnswlib::SpaceInterface<float> {
 public:
  explicit Sq8Space(Sq8Params* params) : params_(params) {}
  size_t get_data_size() override { return params_->dim; }
  hnswlib::DISTFUNC<float> get_dist_func() override { return &Sq8Distance; }
  void* get_dist_func_param() override { return params_; }

 private:
  Sq8Params* params_;
};

}  // namespace

struct HnswIndex::Impl {
  Sq8Params sq;  // kSq8 only; its address is hnswlib's distance parameter
  std::unique_ptr<hnswlib::SpaceInterface<float>> space;
  std::unique_ptr<hnswlib::HierarchicalNSW<float>> graph;
  size_t capacity = 0;
  bool Trained() const { return !sq.min.empty(); }
};

namespace {

constexpr uint32_t kSq8Magic = 0x38515351;  // "QSQ8"
constexpr uint32_t kSq8Format = 1;

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

std::unique_ptr<hnswlib::SpaceInterface<float>> MakeSpace(Metric metric, int64_t dim, HnswIndex::Encoding encoding,
                                                          Sq8Params* sq) {
  if (encoding == HnswIndex::Encoding::kSq8) {
    sq->dim = static_cast<size_t>(dim);
    sq->code_bytes = (static_cast<size_t>(dim) + 3) / 4 * 4;
    sq->l2 = metric == Metric::kL2;
    return std::make_unique<Sq8Space>(sq);
  }
  if (metric == Metric::kL2) return std::make_unique<hnswlib::L2Space>(static_cast<size_t>(dim));
  return std::make_unique<hnswlib::InnerProductSpace>(static_cast<size_t>(dim));
}

size_t ElementBytes(int64_t dim, HnswIndex::Encoding encoding) {
  return encoding == HnswIndex::Encoding::kSq8 ? static_cast<size_t>(dim) : static_cast<size_t>(dim) * sizeof(float);
}

}  // namespace

bool HnswIndex::Supported() {
  static const bool ok = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  return ok;
}

HnswIndex::HnswIndex(Metric metric, int64_t dim, Encoding encoding, std::unique_ptr<Impl> impl)
    : metric_(metric), dim_(dim), encoding_(encoding), impl_(std::move(impl)) {}

HnswIndex::~HnswIndex() = default;

IndexKind HnswIndex::kind() const { return encoding_ == Encoding::kSq8 ? IndexKind::kHnswSq : IndexKind::kHnsw; }

int64_t HnswIndex::TrainingRows() const {
  return encoding_ == Encoding::kSq8 && !impl_->Trained() ? kSq8TrainingRows : 0;
}

Status HnswIndex::Train(const VectorBatch& batch) {
  if (encoding_ != Encoding::kSq8) return Status::Ok();
  if (batch.dense == nullptr || batch.n == 0) return Status::InvalidArgument("HNSW_SQ: training needs vectors");
  const auto dim = static_cast<size_t>(dim_);
  std::vector<float> lo(dim, INFINITY), hi(dim, -INFINITY), row(dim);
  for (size_t i = 0; i < batch.n; ++i) {
    std::copy(batch.dense + i * dim, batch.dense + (i + 1) * dim, row.begin());
    if (metric_ == Metric::kCosine) {
      const float n = Norm(row.data(), dim_);
      if (n > 0) {
        for (float& x : row) x /= n;
      }
    }
    for (size_t d = 0; d < dim; ++d) {
      lo[d] = std::min(lo[d], row[d]);
      hi[d] = std::max(hi[d], row[d]);
    }
  }
  Sq8Params& sq = impl_->sq;
  sq.step.resize(dim);
  sq.step2.resize(dim);
  for (size_t d = 0; d < dim; ++d) {
    // A constant dimension keeps code 0 (its value is min); step 1 keeps the query transform finite.
    sq.step[d] = hi[d] > lo[d] ? (hi[d] - lo[d]) / 255.0f : 1.0f;
    sq.step2[d] = sq.step[d] * sq.step[d];
  }
  sq.min = std::move(lo);
  return Status::Ok();
}

Result<std::unique_ptr<HnswIndex>> HnswIndex::Create(Metric metric, int64_t dim, int m, int ef_construction,
                                                     Encoding encoding) {
  if (!Supported()) return Status::Unimplemented("HNSW needs a CPU with AVX2");
  if (metric != Metric::kL2 && metric != Metric::kIP && metric != Metric::kCosine) {
    return Status::InvalidArgument("HNSW supports L2, IP and COSINE");
  }
  auto impl = std::make_unique<Impl>();
  try {
    impl->space = MakeSpace(metric, dim, encoding, &impl->sq);
    impl->capacity = 1024;
    impl->graph = std::make_unique<hnswlib::HierarchicalNSW<float>>(
        impl->space.get(), impl->capacity, static_cast<size_t>(m), static_cast<size_t>(ef_construction));
    impl->sq.graph = impl->graph.get();
    // The search list size is passed per query as k (see Search); keep the shared one minimal.
    impl->graph->setEf(1);
  } catch (const std::exception& e) {
    return Status::Internal("hnswlib: {}", e.what());
  }
  return std::unique_ptr<HnswIndex>(new HnswIndex(metric, dim, encoding, std::move(impl)));
}

Result<std::unique_ptr<HnswIndex>> HnswIndex::Load(Metric metric, int64_t dim, std::string_view bytes,
                                                   Encoding encoding) {
  if (!Supported()) return Status::Unimplemented("HNSW needs a CPU with AVX2");
  if (metric != Metric::kL2 && metric != Metric::kIP && metric != Metric::kCosine) {
    return Status::InvalidArgument("HNSW supports L2, IP and COSINE");
  }
  auto impl = std::make_unique<Impl>();
  if (encoding == Encoding::kSq8) {
    // Layout: magic u32, format u32, dim u64, min and step (count-prefixed floats), then the graph.
    ByteReader r(bytes);
    uint32_t magic = 0, format = 0;
    uint64_t stored_dim = 0;
    if (!r.Read(&magic) || magic != kSq8Magic || !r.Read(&format) || format != kSq8Format || !r.Read(&stored_dim) ||
        stored_dim != static_cast<uint64_t>(dim)) {
      return Status::Corruption("HNSW_SQ index: bad header");
    }
    uint64_t n_min = 0, n_step = 0;
    if (!r.Read(&n_min) || !r.ReadVector(n_min, &impl->sq.min) || !r.Read(&n_step) ||
        !r.ReadVector(n_step, &impl->sq.step) || n_min != n_step || (n_min != 0 && n_min != stored_dim)) {
      return Status::Corruption("HNSW_SQ index: code ranges do not fit dim {}", dim);
    }
    for (float st : impl->sq.step) {
      if (!(st > 0) || !std::isfinite(st)) return Status::Corruption("HNSW_SQ index: bad code step");
    }
    impl->sq.step2.resize(impl->sq.step.size());
    for (size_t d = 0; d < impl->sq.step.size(); ++d) impl->sq.step2[d] = impl->sq.step[d] * impl->sq.step[d];
    bytes = r.Rest();
  }
  // hnswlib trusts the neighbour ids it reads; the caller has checked the bytes' checksum, and
  // the layout is checked here against the dimension before hnswlib sees it.
  ByteReader r(bytes);
  size_t offset_level0 = 0, max_elements = 0, count = 0, size_per_element = 0;
  if (!r.Read(&offset_level0) || !r.Read(&max_elements) || !r.Read(&count) || !r.Read(&size_per_element)) {
    return Status::Corruption("HNSW index: truncated header");
  }
  if (size_per_element < ElementBytes(dim, encoding) || count > bytes.size() / size_per_element) {
    return Status::Corruption("HNSW index: {} elements of {} bytes do not fit {} bytes at dim {}", count,
                              size_per_element, bytes.size(), dim);
  }
  MemFile file;
  if (!file.ok() || !file.Write(bytes)) return Status::Internal("HNSW index: cannot stage {} bytes in memory", bytes.size());
  try {
    impl->space = MakeSpace(metric, dim, encoding, &impl->sq);
    impl->capacity = 1024;
    while (impl->capacity < count + 1) impl->capacity *= 2;
    impl->graph = std::make_unique<hnswlib::HierarchicalNSW<float>>(impl->space.get(), file.Path(), false,
                                                                     impl->capacity);
    impl->sq.graph = impl->graph.get();
    if (impl->graph->data_size_ != ElementBytes(dim, encoding)) {
      return Status::Corruption("HNSW index: element size does not match dim {}", dim);
    }
    if (encoding == Encoding::kSq8 && count > 0 && !impl->Trained()) {
      return Status::Corruption("HNSW_SQ index: vectors without code ranges");
    }
    impl->graph->setEf(1);
  } catch (const std::exception& e) {
    return Status::Corruption("HNSW index: {}", e.what());
  }
  return std::unique_ptr<HnswIndex>(new HnswIndex(metric, dim, encoding, std::move(impl)));
}

Status HnswIndex::Serialize(std::string* out) const {
  if (encoding_ == Encoding::kSq8) {
    AppendPod(out, kSq8Magic);
    AppendPod(out, kSq8Format);
    AppendPod(out, static_cast<uint64_t>(dim_));
    AppendPodVector(out, impl_->sq.min);
    AppendPodVector(out, impl_->sq.step);
  }
  MemFile file;
  if (!file.ok()) return Status::Internal("HNSW index: no in-memory file");
  try {
    // hnswlib's saveIndex reads the graph without its locks; adds hold resize_mu_ exclusively
    // (see Add), so only searches run beside it, and they only read.
    std::shared_lock lock = ReadLock();
    impl_->graph->saveIndex(file.Path());
  } catch (const std::exception& e) {
    return Status::Internal("hnswlib: {}", e.what());
  }
  if (!file.AppendTo(out)) return Status::Internal("HNSW index: reading the saved graph failed");
  return Status::Ok();
}

const void* HnswIndex::Prepare(const float* vector, std::vector<float>* scratch) const {
  const auto dim = static_cast<size_t>(dim_);
  if (metric_ == Metric::kCosine || encoding_ == Encoding::kSq8) {
    std::vector<float> v(vector, vector + dim);
    if (metric_ == Metric::kCosine) {
      const float n = Norm(vector, dim_);
      if (n > 0) {
        for (float& x : v) x /= n;
      }
    }
    if (encoding_ == Encoding::kFloat) {
      *scratch = std::move(v);
      return scratch->data();
    }
    // Codes, padded to a float boundary, then the transform Sq8Distance reads for a query.
    const Sq8Params& sq = impl_->sq;
    scratch->assign(sq.code_bytes / sizeof(float) + dim + 1, 0.0f);
    auto* codes = reinterpret_cast<uint8_t*>(scratch->data());
    float* t = scratch->data() + sq.code_bytes / sizeof(float);
    float c = 0;
    for (size_t d = 0; d < dim; ++d) {
      const float x = (v[d] - sq.min[d]) / sq.step[d];
      codes[d] = static_cast<uint8_t>(std::clamp(std::lround(x), 0L, 255L));
      t[d] = sq.l2 ? x : v[d] * sq.step[d];
      c += v[d] * sq.min[d];
    }
    t[dim] = c;
    return scratch->data();
  }
  return vector;
}

// hnswlib's inserts lock per node and may run in parallel with each other, but its searches read
// the graph without those locks and are not safe beside an insert: a search may follow a link to
// a node still being written, or pair a new top level with the old entry point (hnswlib's
// authors: searching and inserting at the same time is not thread-safe). So adds hold
// resize_mu_ exclusively, and AddBatch adds in slices of about kAddSliceFloats / dim vectors
// (16 to 256: 256 at 128-d, 41 at 784-d, each slice tens of milliseconds; in parallel within
// a slice) so that a search waits for one slice at most.
//
// Levels are drawn here, per label, rather than by hnswlib: its addPoint draws from one shared
// generator, and an insert that raises the top level writes the entry point while parallel
// inserts read it without a lock (a data race TSan reports). Drawn up front, the rows that raise
// the top level are known before a slice starts and are inserted alone, first; the rest go in
// parallel. hnswlib takes a caller's level only when it is above zero, so its own draw is pinned
// to zero (mult_ = 0) while a slice runs and restored before anyone can save the graph. A level
// from a hash of the label also makes a build reproducible whatever the thread count.
namespace {
constexpr size_t kAddSliceFloats = 256 * 128;

// hnswlib's distribution: floor(-ln(u) * mult), u uniform in (0, 1], mult = 1 / ln(M).
int DrawLevel(uint64_t label, double mult) {
  uint64_t z = label + 0x9e3779b97f4a7c15ULL;  // splitmix64
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  z ^= z >> 31;
  const double u = static_cast<double>((z >> 11) + 1) * 0x1.0p-53;
  return static_cast<int>(-std::log(u) * mult);
}

// Pins hnswlib's own level draw to zero for the scope (see above).
class PinnedLevels {
 public:
  explicit PinnedLevels(double* mult) : mult_(mult), saved_(*mult) { *mult_ = 0.0; }
  ~PinnedLevels() { *mult_ = saved_; }
  PinnedLevels(const PinnedLevels&) = delete;
  PinnedLevels& operator=(const PinnedLevels&) = delete;

 private:
  double* mult_;
  double saved_;
};
}  // namespace

std::shared_lock<std::shared_mutex> HnswIndex::ReadLock() const {
  { std::lock_guard gate(writer_gate_); }  // waits while a writer is queued
  return std::shared_lock(resize_mu_);
}

std::unique_lock<std::shared_mutex> HnswIndex::WriteLock() const {
  std::lock_guard gate(writer_gate_);  // held until the readers in flight have drained
  return std::unique_lock(resize_mu_);
}

Status HnswIndex::Add(const float* vector, uint64_t label) {
  VectorBatch one;
  one.dense = vector;
  one.n = 1;
  return AddBatch(one, label, 1);
}

Status HnswIndex::AddBatch(const VectorBatch& batch, uint64_t first_label, int threads) {
  const float* vectors = batch.dense;
  const size_t n = batch.n;
  const int64_t dim = dim_;
  if (vectors == nullptr && n > 0) return Status::InvalidArgument("HNSW takes dense vectors");
  if (n > 0 && encoding_ == Encoding::kSq8 && !impl_->Trained())
    return Status::FailedPrecondition("HNSW_SQ: not trained");
  // Only AddBatch changes mult_ (under the exclusive lock, restored before it is released) and
  // AddBatch calls come one at a time, so it reads the real value here.
  std::vector<int> levels(n);
  for (size_t i = 0; i < n; ++i) levels[i] = DrawLevel(first_label + i, impl_->graph->mult_);
  // One vector at its drawn level; the caller holds resize_mu_ exclusively, has reserved the
  // capacity and pinned hnswlib's own draw.
  auto add = [&](size_t i) -> Status {
    std::vector<float> scratch;
    const void* data = Prepare(vectors + i * static_cast<size_t>(dim), &scratch);
    try {
      impl_->graph->addPoint(data, static_cast<hnswlib::labeltype>(first_label + i), levels[i]);
    } catch (const std::exception& e) {
      return Status::Internal("hnswlib: {}", e.what());
    }
    return Status::Ok();
  };
  const bool parallel = threads > 1 && n >= 256;
  const size_t slice = std::clamp<size_t>(kAddSliceFloats / static_cast<size_t>(std::max<int64_t>(dim, 1)), 16, 256);
  for (size_t begin = 0; begin < n; begin += slice) {
    const size_t end = std::min(n, begin + slice);
    std::unique_lock lock = WriteLock();
    try {
      const size_t need = impl_->graph->cur_element_count + (end - begin);
      if (need > impl_->capacity) {
        while (impl_->capacity < need) impl_->capacity *= 2;
        impl_->graph->resizeIndex(impl_->capacity);
      }
    } catch (const std::exception& e) {
      return Status::Internal("hnswlib: {}", e.what());
    }
    PinnedLevels pinned(&impl_->graph->mult_);
    if (!parallel) {
      for (size_t i = begin; i < end; ++i) QV_RETURN_IF_ERROR(add(i));
      continue;
    }
    // Rows that raise the top level first, alone; marked -1 once added, so the workers skip them.
    for (size_t i = begin; i < end; ++i) {
      if (levels[i] <= impl_->graph->maxlevel_) continue;
      QV_RETURN_IF_ERROR(add(i));
      levels[i] = -1;
    }
    std::vector<Status> results(static_cast<size_t>(threads));
    {
      std::vector<std::jthread> workers;
      for (int t = 0; t < threads; ++t) {
        workers.emplace_back([&, t] {
          for (size_t i = begin + static_cast<size_t>(t); i < end;
               i += static_cast<size_t>(threads)) {
            if (levels[i] < 0) continue;
            Status st = add(i);
            if (!st.ok()) {
              results[static_cast<size_t>(t)] = std::move(st);
              return;
            }
          }
        });
      }
    }
    for (auto& st : results) QV_RETURN_IF_ERROR(std::move(st));
  }
  return Status::Ok();
}

std::vector<std::pair<float, uint64_t>> HnswIndex::Search(const float* query, size_t k,
                                                          size_t ef) const {
  if (encoding_ == Encoding::kSq8 && !impl_->Trained()) return {};
  std::vector<float> scratch;
  const void* q = Prepare(query, &scratch);
  std::vector<std::pair<float, uint64_t>> out;
  try {
    std::shared_lock lock = ReadLock();
    // hnswlib searches with max(ef_, k); asking for max(ef, k) and trimming gives a per-query
    // ef without touching the shared setting.
    auto pq = impl_->graph->searchKnn(q, std::max(k, ef));
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

size_t HnswIndex::Size() const {
  std::shared_lock lock = ReadLock();
  return impl_->graph->cur_element_count;
}

}  // namespace quiver::index
