// FLAT (exact) search kernels, in process, one thread: Quiver's tile scan (index::ScoreTile +
// index::BestK, the code the server's exact search runs per tile) against a plain AVX2 loop
// written here (one 8-wide FMA accumulator, distances into an array, then nth_element) and,
// with Debian's faiss installed, faiss IndexFlatL2. L2, k = 10, at nq = 1 (queries one at a
// time) and nq = 256 (one batch: Quiver and faiss multiply matrices with OpenBLAS), 128-d
// (synthetic, seeded normal vectors) and 784-d (fashion-mnist base images when Debian's
// dataset-fashion-mnist is installed, else synthetic). Every contender's top-k is checked
// against the plain loop's. Prints a table and writes JSON lines (--out).
// Usage: kernel_bench [--quick] [--out FILE]
#include <immintrin.h>
#include <zlib.h>

#ifdef QUIVER_BENCH_FAISS
#include <faiss/IndexFlat.h>
#include <omp.h>
#endif

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "index/flat_scan.h"

namespace {

using Clock = std::chrono::steady_clock;
using quiver::index::Metric;
constexpr int kK = 10;

double Seconds(Clock::time_point a) {
  return std::chrono::duration<double>(Clock::now() - a).count();
}

std::vector<float> Synthetic(int64_t n, int64_t dim, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> g(0.0f, 1.0f);
  std::vector<float> v(static_cast<size_t>(n * dim));
  for (float& x : v) x = g(rng);
  return v;
}

// idx3-ubyte (gzip) images as floats, at most `limit`; empty when the file is missing.
std::vector<float> FashionMnist(const char* path, int64_t limit, int64_t* n) {
  gzFile f = gzopen(path, "rb");
  if (!f) return {};
  unsigned char header[16];
  gzread(f, header, 16);
  auto be = [&](int o) {
    return (header[o] << 24) | (header[o + 1] << 16) | (header[o + 2] << 8) | header[o + 3];
  };
  *n = std::min<int64_t>(be(4), limit);
  std::vector<unsigned char> bytes(static_cast<size_t>(*n) * 784);
  gzread(f, bytes.data(), static_cast<unsigned>(bytes.size()));
  gzclose(f);
  return std::vector<float>(bytes.begin(), bytes.end());
}

// The peer: what a programmer writes by hand with AVX2.
__attribute__((target("avx2,fma"))) float PlainL2(const float* a, const float* b, int64_t dim) {
  __m256 acc = _mm256_setzero_ps();
  int64_t i = 0;
  for (; i + 8 <= dim; i += 8) {
    __m256 d = _mm256_sub_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i));
    acc = _mm256_fmadd_ps(d, d, acc);
  }
  alignas(32) float lanes[8];
  _mm256_store_ps(lanes, acc);
  float s = lanes[0] + lanes[1] + lanes[2] + lanes[3] + lanes[4] + lanes[5] + lanes[6] + lanes[7];
  for (; i < dim; ++i) s += (a[i] - b[i]) * (a[i] - b[i]);
  return s;
}

using TopK = std::vector<std::vector<int64_t>>;  // per query, ids best first

void PlainSearch(const float* q, int64_t nq, const float* x, int64_t n, int64_t dim, TopK* out) {
  std::vector<std::pair<float, int64_t>> d(static_cast<size_t>(n));
  for (int64_t i = 0; i < nq; ++i) {
    for (int64_t j = 0; j < n; ++j)
      d[static_cast<size_t>(j)] = {PlainL2(q + i * dim, x + j * dim, dim), j};
    std::nth_element(d.begin(), d.begin() + kK, d.end());
    std::sort(d.begin(), d.begin() + kK);
    auto& ids = (*out)[static_cast<size_t>(i)];
    ids.clear();
    for (int t = 0; t < kK; ++t) ids.push_back(d[static_cast<size_t>(t)].second);
  }
}

void QuiverSearch(const float* q, int64_t nq, const float* x, int64_t n, int64_t dim, TopK* out) {
  using Candidate = std::pair<float, int64_t>;
  auto better = [](const Candidate& a, const Candidate& b) {
    return a.first != b.first ? a.first < b.first : a.second < b.second;
  };
  using Best = quiver::index::BestK<Candidate, decltype(better)>;
  std::vector<Best> best;
  for (int64_t i = 0; i < nq; ++i) best.emplace_back(kK, false, better);
  const int64_t kTile = quiver::index::TileRows(nq);
  std::vector<float> scores(static_cast<size_t>(nq * kTile));
  for (int64_t t = 0; t < n; t += kTile) {
    const int64_t rows = std::min(kTile, n - t);
    quiver::index::ScoreTile(Metric::kL2, q, nullptr, nq, x + t * dim, rows, dim, scores.data());
    for (int64_t i = 0; i < nq; ++i) {
      const float* s = scores.data() + i * rows;
      Best& b = best[static_cast<size_t>(i)];
      quiver::index::OfferScores(s, static_cast<size_t>(rows), false, b, [&](size_t j) {
        b.Add({s[j], t + static_cast<int64_t>(j)});
      });
    }
  }
  for (int64_t i = 0; i < nq; ++i) {
    auto kept = std::move(best[static_cast<size_t>(i)]).Take();
    std::partial_sort(kept.begin(), kept.begin() + std::min<ptrdiff_t>(kK, std::ssize(kept)),
                      kept.end(), better);
    auto& ids = (*out)[static_cast<size_t>(i)];
    ids.clear();
    for (int t = 0; t < kK && t < std::ssize(kept); ++t)
      ids.push_back(kept[static_cast<size_t>(t)].second);
  }
}

// Share of the reference's top-k ids found in `got` (L2 ties between distinct vectors are
// rare in these data sets; recall below 1 means a wrong answer).
double Recall(const TopK& ref, const TopK& got) {
  int64_t hit = 0, all = 0;
  for (size_t i = 0; i < ref.size(); ++i) {
    for (int64_t id : ref[i]) hit += std::count(got[i].begin(), got[i].end(), id);
    all += std::ssize(ref[i]);
  }
  return all ? static_cast<double>(hit) / static_cast<double>(all) : 1.0;
}

struct Row {
  std::string data, engine;
  int64_t dim, n, nq;
  double seconds, recall;
};

// Runs `search` over `queries` (nq = 1 each when `batch` is 1, else batches of `batch`) and
// returns seconds per full pass; repeats until at least `min_seconds` elapsed.
double Time(const std::function<void(const float*, int64_t, TopK*)>& search,
            const std::vector<float>& queries, int64_t total, int64_t batch, int64_t dim, TopK* out,
            double min_seconds) {
  out->assign(static_cast<size_t>(total), {});
  int passes = 0;
  auto t0 = Clock::now();
  do {
    for (int64_t i = 0; i < total; i += batch) {
      TopK part(static_cast<size_t>(std::min(batch, total - i)));
      search(queries.data() + i * dim, std::ssize(part), &part);
      std::move(part.begin(), part.end(), out->begin() + i);
    }
    ++passes;
  } while (Seconds(t0) < min_seconds);
  return Seconds(t0) / passes;
}

}  // namespace

int main(int argc, char** argv) {
  bool quick = false;
  std::string out_path;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--quick")
      quick = true;
    else if (a == "--out" && i + 1 < argc)
      out_path = argv[++i];
  }
#ifdef QUIVER_BENCH_FAISS
  omp_set_num_threads(1);
#endif
  struct Set {
    std::string name;
    int64_t dim, n;
    std::vector<float> base, queries;
  };
  std::vector<Set> sets;
  {
    Set s{"synthetic-128", 128, quick ? 20000 : 200000, {}, {}};
    s.base = Synthetic(s.n, s.dim, 1);
    s.queries = Synthetic(256, s.dim, 2);
    sets.push_back(std::move(s));
  }
  {
    Set s{"fashion-mnist-784", 784, 0, {}, {}};
    int64_t nq = 0;
    s.base = FashionMnist("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz",
                          quick ? 10000 : 60000, &s.n);
    s.queries =
        FashionMnist("/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz", 256, &nq);
    if (s.base.empty() || nq < 256) {
      s.name = "synthetic-784";
      s.n = quick ? 10000 : 60000;
      s.base = Synthetic(s.n, 784, 3);
      s.queries = Synthetic(256, 784, 4);
    }
    sets.push_back(std::move(s));
  }
  const double min_seconds = quick ? 0.3 : 2.0;
  std::vector<Row> rows;
  std::printf("kernel_bench: exact L2 top-%d, 1 thread; Quiver tile scan vs a plain AVX2 loop%s\n",
              kK,
#ifdef QUIVER_BENCH_FAISS
              " vs faiss IndexFlatL2 (Debian 1.7.3)"
#else
              " (faiss not installed)"
#endif
  );
  for (const Set& s : sets) {
    const float* x = s.base.data();
    for (int64_t batch : {int64_t{1}, int64_t{256}}) {
      const int64_t total = batch == 1 ? (quick ? 50 : 200) : 256;
      TopK ref, got;
      auto plain = [&](const float* q, int64_t nq, TopK* o) {
        PlainSearch(q, nq, x, s.n, s.dim, o);
      };
      double plain_s = Time(plain, s.queries, total, batch, s.dim, &ref, min_seconds);
      rows.push_back(
          {s.name, "plain-avx2", s.dim, s.n, batch, plain_s / static_cast<double>(total), 1.0});
      auto quiver = [&](const float* q, int64_t nq, TopK* o) {
        QuiverSearch(q, nq, x, s.n, s.dim, o);
      };
      double quiver_s = Time(quiver, s.queries, total, batch, s.dim, &got, min_seconds);
      rows.push_back({s.name, "quiver", s.dim, s.n, batch, quiver_s / static_cast<double>(total),
                      Recall(ref, got)});
#ifdef QUIVER_BENCH_FAISS
      faiss::IndexFlatL2 flat(s.dim);
      flat.add(s.n, x);
      auto fsearch = [&](const float* q, int64_t nq, TopK* o) {
        std::vector<float> d(static_cast<size_t>(nq * kK));
        std::vector<faiss::Index::idx_t> l(static_cast<size_t>(nq * kK));
        flat.search(nq, q, kK, d.data(), l.data());
        for (int64_t i = 0; i < nq; ++i)
          (*o)[static_cast<size_t>(i)].assign(l.begin() + i * kK, l.begin() + (i + 1) * kK);
      };
      double faiss_s = Time(fsearch, s.queries, total, batch, s.dim, &got, min_seconds);
      rows.push_back({s.name, "faiss-flat", s.dim, s.n, batch, faiss_s / static_cast<double>(total),
                      Recall(ref, got)});
#endif
    }
  }
  std::printf("%-18s %-11s %5s %7s %4s %12s %14s %7s %14s\n", "data", "engine", "dim", "rows", "nq",
              "ms/query", "Mvectors/s", "recall", "÷ plain loop");
  FILE* out = out_path.empty() ? nullptr : std::fopen(out_path.c_str(), "w");
  for (const Row& r : rows) {
    double plain = 0;
    for (const Row& p : rows) {
      if (p.data == r.data && p.nq == r.nq && p.engine == "plain-avx2") plain = p.seconds;
    }
    const double mvec =
        static_cast<double>(r.n) / r.seconds / 1e6;  // rows scored per second per query
    std::printf("%-18s %-11s %5ld %7ld %4ld %12.3f %14.1f %7.4f %13.2fx\n", r.data.c_str(),
                r.engine.c_str(), r.dim, r.n, r.nq, r.seconds * 1e3, mvec, r.recall,
                plain / r.seconds);
    if (out) {
      std::fprintf(out,
                   "{\"bench\":\"kernel\",\"data\":\"%s\",\"engine\":\"%s\",\"dim\":%ld,\"rows\":%"
                   "ld,\"nq\":%ld,"
                   "\"ms_per_query\":%.5f,\"mvectors_per_s\":%.2f,\"recall\":%.4f,\"speed_vs_"
                   "plain\":%.3f}\n",
                   r.data.c_str(), r.engine.c_str(), r.dim, r.n, r.nq, r.seconds * 1e3, mvec,
                   r.recall, plain / r.seconds);
    }
  }
  if (out) std::fclose(out);
  std::printf(
      "(nq=256: one batch of 256 queries, time per query; ÷ plain loop > 1 means faster than the "
      "loop)\n");
  return 0;
}
