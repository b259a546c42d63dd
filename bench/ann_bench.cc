// In-process ANN benchmark on real data: Debian's dataset-fashion-mnist (the ann-benchmarks
// fashion-mnist set: 60,000 base images, test images as queries, 784-d, L2). Quiver's HNSW
// (src/index/hnsw_index) and hnswlib used directly are built with the same parameters and
// swept over ef; Quiver's IVF_FLAT, IVF_SQ8 and IVF_PQ are swept over nprobe; Quiver's exact
// scan is the reference. With Debian's faiss installed, faiss IndexHNSWFlat, IndexIVFFlat,
// IndexIVFScalarQuantizer (8 bit) and IndexIVFPQ (same parameters) join.
// Single-threaded queries, nq = 1, k = 10. Ground truth (exact top-10) is cached outside the
// tree in ~/.cache/quiver-bench/. Prints a table and writes JSON lines (--out).
// Usage: ann_bench [--quick] [--queries N] [--out FILE]
#include <hnswlib/hnswlib.h>

#ifdef QUIVER_BENCH_FAISS
#include <faiss/IndexFlat.h>
#include <faiss/IndexHNSW.h>
#include <faiss/IndexIVFFlat.h>
#include <faiss/IndexIVFPQ.h>
#include <faiss/IndexScalarQuantizer.h>
#include <omp.h>
#endif

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "fashion_mnist.h"
#include "index/distance.h"
#include "index/hnsw_index.h"
#include "index/ivf_index.h"

namespace {

using Clock = std::chrono::steady_clock;
using quiver::index::Metric;
using fmnist::kDim;
using fmnist::kK;
constexpr int kM = 16, kEfConstruction = 200;

double Seconds(Clock::time_point a) {
  return std::chrono::duration<double>(Clock::now() - a).count();
}

int64_t RssBytes() {
  std::ifstream in("/proc/self/statm");
  int64_t pages = 0, rss = 0;
  in >> pages >> rss;
  return rss * 4096;
}

struct Point {
  std::string engine, param;
  int value;
  double recall, qps;
};

template <typename SearchFn>
Point Measure(const std::string& engine, const std::string& param, int value,
              const std::vector<float>& queries, const std::vector<int>& gt, int nq,
              SearchFn&& search) {
  int hits = 0;
  auto t0 = Clock::now();
  std::vector<uint64_t> got;
  for (int q = 0; q < nq; ++q) {
    got.clear();
    search(&queries[static_cast<size_t>(q) * kDim], &got);
    for (int j = 0; j < kK; ++j) {
      hits += std::find(got.begin(), got.end(),
                        static_cast<uint64_t>(gt[static_cast<size_t>(q) * kK + j])) != got.end();
    }
  }
  double s = Seconds(t0);
  return {engine, param, value, static_cast<double>(hits) / (nq * kK), nq / s};
}

}  // namespace

int main(int argc, char** argv) {
  bool quick = false;
  int nq = 1000;
  std::string out = "build/ann_bench.jsonl";
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--quick")
      quick = true;
    else if (a == "--queries" && i + 1 < argc)
      nq = std::atoi(argv[++i]);
    else if (a == "--out" && i + 1 < argc)
      out = argv[++i];
  }
  if (quick) nq = std::min(nq, 200);
  const int nb_limit = quick ? 10000 : 60000;
  std::vector<float> base = fmnist::Base(nb_limit);
  std::vector<float> queries = fmnist::Queries(nq);
  const int nb = static_cast<int>(base.size() / kDim);
  nq = static_cast<int>(queries.size() / kDim);
  auto gt0 = Clock::now();
  std::vector<int> gt = fmnist::GroundTruth(base, queries, nb, nq);
  std::printf(
      "ann_bench: fashion-mnist %d base x %d-d, %d queries, L2, k=%d, 1 thread, nq=1 (ground truth "
      "%.1f s)\n",
      nb, kDim, nq, kK, Seconds(gt0));
  std::vector<Point> points;

  // Exact reference with Quiver's kernels.
  points.push_back(Measure(
      "quiver-flat", "-", 0, queries, gt, std::min(nq, 200),
      [&](const float* q, std::vector<uint64_t>* got) {
        std::vector<std::pair<float, uint64_t>> s(static_cast<size_t>(nb));
        for (int i = 0; i < nb; ++i)
          s[i] = {quiver::index::L2Squared(q, &base[static_cast<size_t>(i) * kDim], kDim), i};
        std::partial_sort(s.begin(), s.begin() + kK, s.end());
        for (int j = 0; j < kK; ++j) got->push_back(s[j].second);
      }));

  // hnswlib directly.
  int64_t rss0 = RssBytes();
  auto b0 = Clock::now();
  hnswlib::L2Space space(kDim);
  hnswlib::HierarchicalNSW<float> direct(&space, static_cast<size_t>(nb), kM, kEfConstruction);
  for (int i = 0; i < nb; ++i)
    direct.addPoint(&base[static_cast<size_t>(i) * kDim], static_cast<size_t>(i));
  double hnswlib_build = Seconds(b0);
  int64_t hnswlib_mem = RssBytes() - rss0;
  // Quiver's HNSW adapter (one thread, as hnswlib above).
  rss0 = RssBytes();
  b0 = Clock::now();
  auto quiver_hnsw = quiver::index::HnswIndex::Create(Metric::kL2, kDim, kM, kEfConstruction);
  for (int i = 0; i < nb; ++i)
    (void)(*quiver_hnsw)->Add(&base[static_cast<size_t>(i) * kDim], static_cast<uint64_t>(i));
  double quiver_build = Seconds(b0);
  int64_t quiver_mem = RssBytes() - rss0;
  // Quiver's HNSW_SQ: 8-bit codes in the graph, trained on the first 32,768 rows as the
  // server's builder does; its hits are rescored exactly from the raw vectors, as the server does.
  rss0 = RssBytes();
  b0 = Clock::now();
  auto quiver_sq = quiver::index::HnswIndex::Create(Metric::kL2, kDim, kM, kEfConstruction,
                                                    quiver::index::HnswIndex::Encoding::kSq8);
  quiver::index::VectorBatch sample;
  sample.dense = base.data();
  sample.n = static_cast<size_t>(std::min(nb, 32768));
  (void)(*quiver_sq)->Train(sample);
  for (int i = 0; i < nb; ++i)
    (void)(*quiver_sq)->Add(&base[static_cast<size_t>(i) * kDim], static_cast<uint64_t>(i));
  double sq_build = Seconds(b0);
  int64_t sq_mem = RssBytes() - rss0;
  // Quiver's IVF_FLAT.
  const int nlist = quick ? 64 : 256;
  b0 = Clock::now();
  auto ivf = quiver::index::IvfIndex::Create(Metric::kL2, kDim, nlist,
                                             quiver::index::IvfIndex::Encoding::kFlat);
  (void)(*ivf)->Train(base.data(), nb);
  for (int i = 0; i < nb; ++i)
    (void)(*ivf)->Add(&base[static_cast<size_t>(i) * kDim], static_cast<uint64_t>(i));
  double ivf_build = Seconds(b0);
  // Quiver's IVF_SQ8 and IVF_PQ (m = 56 sub-vectors of 14 dims, 8 bits), scored from their codes
  // alone (no exact rescoring, as faiss below), so both sides show the quantisers' own recall.
  const int pq_m = 56;
  b0 = Clock::now();
  auto ivf_sq = quiver::index::IvfIndex::Create(Metric::kL2, kDim, nlist,
                                                quiver::index::IvfIndex::Encoding::kSq8);
  (void)(*ivf_sq)->Train(base.data(), nb);
  for (int i = 0; i < nb; ++i)
    (void)(*ivf_sq)->Add(&base[static_cast<size_t>(i) * kDim], static_cast<uint64_t>(i));
  double ivf_sq_build = Seconds(b0);
  b0 = Clock::now();
  auto ivf_pq = quiver::index::IvfIndex::Create(Metric::kL2, kDim, nlist,
                                                quiver::index::IvfIndex::Encoding::kPq, pq_m, 8);
  (void)(*ivf_pq)->Train(base.data(), nb);
  for (int i = 0; i < nb; ++i)
    (void)(*ivf_pq)->Add(&base[static_cast<size_t>(i) * kDim], static_cast<uint64_t>(i));
  double ivf_pq_build = Seconds(b0);

  for (int ef : {10, 20, 40, 80, 120, 200, 400}) {
    direct.setEf(static_cast<size_t>(ef));
    points.push_back(Measure("hnswlib", "ef", ef, queries, gt, nq,
                             [&](const float* q, std::vector<uint64_t>* got) {
                               auto pq = direct.searchKnn(q, kK);
                               while (!pq.empty()) {
                                 got->push_back(pq.top().second);
                                 pq.pop();
                               }
                             }));
    points.push_back(Measure(
        "quiver-hnsw", "ef", ef, queries, gt, nq, [&](const float* q, std::vector<uint64_t>* got) {
          for (const auto& [score, label] : (*quiver_hnsw)->Search(q, kK, static_cast<size_t>(ef)))
            got->push_back(label);
        }));
    points.push_back(Measure("quiver-hnsw-sq", "ef", ef, queries, gt, nq,
                             [&](const float* q, std::vector<uint64_t>* got) {
                               auto hits = (*quiver_sq)->Search(q, kK, static_cast<size_t>(ef));
                               for (auto& [score, label] : hits)
                                 score = quiver::index::L2Squared(q, &base[label * kDim], kDim);
                               std::sort(hits.begin(), hits.end());
                               for (const auto& [score, label] : hits) got->push_back(label);
                             }));
  }
  for (int nprobe : {1, 2, 4, 8, 16, 32, 64}) {
    quiver::index::IndexSearchParams p;
    p.nprobe = static_cast<size_t>(nprobe);
    points.push_back(Measure("quiver-ivf-flat", "nprobe", nprobe, queries, gt, nq,
                             [&](const float* q, std::vector<uint64_t>* got) {
                               for (const auto& [score, label] : (*ivf)->Search(q, kK, p))
                                 got->push_back(label);
                             }));
    points.push_back(Measure("quiver-ivf-sq8", "nprobe", nprobe, queries, gt, nq,
                             [&](const float* q, std::vector<uint64_t>* got) {
                               for (const auto& [score, label] : (*ivf_sq)->Search(q, kK, p))
                                 got->push_back(label);
                             }));
    points.push_back(Measure("quiver-ivf-pq", "nprobe", nprobe, queries, gt, nq,
                             [&](const float* q, std::vector<uint64_t>* got) {
                               for (const auto& [score, label] : (*ivf_pq)->Search(q, kK, p))
                                 got->push_back(label);
                             }));
  }

#ifdef QUIVER_BENCH_FAISS
  omp_set_num_threads(1);
  b0 = Clock::now();
  faiss::IndexHNSWFlat fhnsw(kDim, kM);
  fhnsw.hnsw.efConstruction = kEfConstruction;
  fhnsw.add(nb, base.data());
  double faiss_hnsw_build = Seconds(b0);
  b0 = Clock::now();
  faiss::IndexFlatL2 coarse(kDim);
  faiss::IndexIVFFlat fivf(&coarse, kDim, static_cast<size_t>(nlist));
  fivf.train(nb, base.data());
  fivf.add(nb, base.data());
  double faiss_ivf_build = Seconds(b0);
  b0 = Clock::now();
  faiss::IndexFlatL2 coarse_sq(kDim);
  faiss::IndexIVFScalarQuantizer fsq(&coarse_sq, kDim, static_cast<size_t>(nlist),
                                     faiss::ScalarQuantizer::QT_8bit);
  fsq.train(nb, base.data());
  fsq.add(nb, base.data());
  double faiss_sq_build = Seconds(b0);
  b0 = Clock::now();
  faiss::IndexFlatL2 coarse_pq(kDim);
  faiss::IndexIVFPQ fpq(&coarse_pq, kDim, static_cast<size_t>(nlist), pq_m, 8);
  fpq.train(nb, base.data());
  fpq.add(nb, base.data());
  double faiss_pq_build = Seconds(b0);
  std::vector<float> fd(kK);
  std::vector<faiss::Index::idx_t> fl(kK);
  for (int ef : {10, 20, 40, 80, 120, 200, 400}) {
    fhnsw.hnsw.efSearch = ef;
    points.push_back(Measure("faiss-hnsw", "ef", ef, queries, gt, nq,
                             [&](const float* q, std::vector<uint64_t>* got) {
                               fhnsw.search(1, q, kK, fd.data(), fl.data());
                               for (auto l : fl) got->push_back(static_cast<uint64_t>(l));
                             }));
  }
  for (int nprobe : {1, 2, 4, 8, 16, 32, 64}) {
    fivf.nprobe = static_cast<size_t>(nprobe);
    points.push_back(Measure("faiss-ivf-flat", "nprobe", nprobe, queries, gt, nq,
                             [&](const float* q, std::vector<uint64_t>* got) {
                               fivf.search(1, q, kK, fd.data(), fl.data());
                               for (auto l : fl) got->push_back(static_cast<uint64_t>(l));
                             }));
    fsq.nprobe = static_cast<size_t>(nprobe);
    points.push_back(Measure("faiss-ivf-sq8", "nprobe", nprobe, queries, gt, nq,
                             [&](const float* q, std::vector<uint64_t>* got) {
                               fsq.search(1, q, kK, fd.data(), fl.data());
                               for (auto l : fl) got->push_back(static_cast<uint64_t>(l));
                             }));
    fpq.nprobe = static_cast<size_t>(nprobe);
    points.push_back(Measure("faiss-ivf-pq", "nprobe", nprobe, queries, gt, nq,
                             [&](const float* q, std::vector<uint64_t>* got) {
                               fpq.search(1, q, kK, fd.data(), fl.data());
                               for (auto l : fl) got->push_back(static_cast<uint64_t>(l));
                             }));
  }
  std::printf(
      "builds: faiss-hnsw %.1f s, faiss-ivf-flat nlist=%d %.1f s, faiss-ivf-sq8 %.1f s, "
      "faiss-ivf-pq m=%d %.1f s (faiss 1.7.3 from Debian: generic, no AVX2)\n",
      faiss_hnsw_build, nlist, faiss_ivf_build, faiss_sq_build, pq_m, faiss_pq_build);
#endif
  std::printf(
      "builds: hnswlib %.1f s (%.0f MB), quiver-hnsw %.1f s (%.0f MB), quiver-hnsw-sq %.1f s (%.0f "
      "MB), "
      "quiver-ivf-flat nlist=%d %.1f s, quiver-ivf-sq8 %.1f s, quiver-ivf-pq m=%d %.1f s\n",
      hnswlib_build, hnswlib_mem / 1e6, quiver_build, quiver_mem / 1e6, sq_build, sq_mem / 1e6,
      nlist, ivf_build, ivf_sq_build, pq_m, ivf_pq_build);
  std::printf("%-16s %-7s %6s %9s %10s\n", "engine", "param", "value", "recall@10", "QPS");
  std::ofstream jl(out);
  for (const auto& p : points) {
    std::printf("%-16s %-7s %6d %9.4f %10.1f\n", p.engine.c_str(), p.param.c_str(), p.value,
                p.recall, p.qps);
    jl << "{\"engine\":\"" << p.engine << "\",\"param\":\"" << p.param << "\",\"value\":" << p.value
       << ",\"recall\":" << p.recall << ",\"qps\":" << p.qps << ",\"base\":" << nb
       << ",\"queries\":" << nq << "}\n";
  }
  // Quiver / hnswlib QPS at equal ef.
  std::printf("quiver-hnsw / hnswlib QPS at equal ef:");
  for (size_t i = 0; i + 1 < points.size(); ++i) {
    if (points[i].engine == "hnswlib" && points[i + 1].engine == "quiver-hnsw") {
      std::printf("  ef=%d %.2f", points[i].value, points[i + 1].qps / points[i].qps);
    }
  }
  std::printf("\n");
  return 0;
}
