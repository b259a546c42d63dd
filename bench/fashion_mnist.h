// fashion-mnist for the benchmarks: Debian's dataset-fashion-mnist (the ann-benchmarks set:
// 60,000 training images as the base, test images as queries, 784-d bytes read as floats, L2),
// and its exact top-k ground truth, computed with Quiver's kernels on two threads and cached
// outside the tree in ~/.cache/quiver-bench/ (raw int32 row numbers, k per query; the file name
// carries base and query counts, and bench/peers/ann_peers.mjs reads the same files). Header-only;
// link quiver_index and zlib.
#pragma once

#include <zlib.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "index/distance.h"

namespace fmnist {

constexpr int kDim = 784;
constexpr int kK = 10;
inline const char* kDir = "/usr/share/datasets/fashion-mnist";

// idx3-ubyte (gzip): big-endian magic 2051, count, rows, cols, then one byte per pixel. At most
// `limit` images.
inline std::vector<float> LoadImages(const std::string& path, int limit) {
  gzFile f = gzopen(path.c_str(), "rb");
  if (!f) {
    std::fprintf(stderr, "cannot open %s (apt-get install dataset-fashion-mnist)\n", path.c_str());
    std::exit(2);
  }
  unsigned char header[16];
  gzread(f, header, 16);
  auto be = [&](int o) { return (header[o] << 24) | (header[o + 1] << 16) | (header[o + 2] << 8) | header[o + 3]; };
  int n = std::min(be(4), limit);
  std::vector<unsigned char> bytes(static_cast<size_t>(n) * kDim);
  gzread(f, bytes.data(), static_cast<unsigned>(bytes.size()));
  gzclose(f);
  return std::vector<float>(bytes.begin(), bytes.end());
}

inline std::vector<float> Base(int limit) { return LoadImages(std::string(kDir) + "/train-images-idx3-ubyte.gz", limit); }
inline std::vector<float> Queries(int limit) { return LoadImages(std::string(kDir) + "/t10k-images-idx3-ubyte.gz", limit); }

// Exact top-k row numbers of each query among the base rows `keep` accepts (all when empty),
// on two threads; ties go to the smaller row number.
inline std::vector<int> ExactTopK(const std::vector<float>& base, const std::vector<float>& queries, int nb, int nq,
                                  const std::function<bool(int)>& keep = {}) {
  std::vector<int> gt(static_cast<size_t>(nq) * kK, -1);
  std::vector<int> rows;
  for (int i = 0; i < nb; ++i) {
    if (!keep || keep(i)) rows.push_back(i);
  }
  const size_t kk = std::min<size_t>(kK, rows.size());
  auto worker = [&](int from, int to) {
    std::vector<std::pair<float, int>> scored(rows.size());
    for (int q = from; q < to; ++q) {
      for (size_t j = 0; j < rows.size(); ++j) {
        scored[j] = {quiver::index::L2Squared(&queries[static_cast<size_t>(q) * kDim],
                                              &base[static_cast<size_t>(rows[j]) * kDim], kDim),
                     rows[j]};
      }
      std::partial_sort(scored.begin(), scored.begin() + static_cast<std::ptrdiff_t>(kk), scored.end());
      for (size_t j = 0; j < kk; ++j) gt[static_cast<size_t>(q) * kK + j] = scored[j].second;
    }
  };
  std::thread t(worker, 0, nq / 2);
  worker(nq / 2, nq);
  t.join();
  return gt;
}

// ExactTopK over every base row, read from / written to the cache.
inline std::vector<int> GroundTruth(const std::vector<float>& base, const std::vector<float>& queries, int nb, int nq) {
  const char* home = std::getenv("HOME");
  std::filesystem::path dir = std::filesystem::path(home ? home : "/tmp") / ".cache" / "quiver-bench";
  std::filesystem::create_directories(dir);
  std::filesystem::path file = dir / ("fashion-mnist-gt-" + std::to_string(nb) + "-" + std::to_string(nq) + ".bin");
  std::vector<int> gt(static_cast<size_t>(nq) * kK);
  if (std::ifstream in(file, std::ios::binary);
      in && in.read(reinterpret_cast<char*>(gt.data()), static_cast<std::streamsize>(gt.size() * sizeof(int)))) {
    return gt;
  }
  gt = ExactTopK(base, queries, nb, nq);
  std::ofstream(file, std::ios::binary)
      .write(reinterpret_cast<const char*>(gt.data()), static_cast<std::streamsize>(gt.size() * sizeof(int)));
  return gt;
}

// Share of the true top-k (row numbers, -1 = none) that `got` contains, summed over one query.
inline int Hits(const int* truth, const std::vector<int64_t>& got) {
  int hits = 0;
  for (int j = 0; j < kK; ++j) {
    if (truth[j] >= 0) hits += std::find(got.begin(), got.end(), truth[j]) != got.end();
  }
  return hits;
}

}  // namespace fmnist
