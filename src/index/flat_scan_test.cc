#include "index/flat_scan.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

namespace quiver::index {
namespace {

std::vector<float> RandomVectors(int64_t n, int64_t dim, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> g(0.0f, 1.0f);
  std::vector<float> v(static_cast<size_t>(n * dim));
  for (float& x : v) x = g(rng);
  return v;
}

std::vector<float> Norms(const std::vector<float>& v, int64_t dim) {
  std::vector<float> n(v.size() / static_cast<size_t>(dim));
  for (size_t i = 0; i < n.size(); ++i) n[i] = Norm(v.data() + i * static_cast<size_t>(dim), dim);
  return n;
}

// The BLAS path (many queries) and the kernel path give the same scores within float rounding
// for every metric, including a zero row (COSINE 0) and a row equal to a query (L2 0).
TEST(FlatScan, BlasTileMatchesKernelsForEveryMetric) {
  const int64_t nq = 40, n = 300, dim = 37;
  ASSERT_GE(nq, kBlasMinQueries);
  auto q = RandomVectors(nq, dim, 1), x = RandomVectors(n, dim, 2);
  std::fill(x.begin(), x.begin() + dim, 0.0f);                           // row 0: zero vector
  std::copy(q.begin() + 5 * dim, q.begin() + 6 * dim, x.begin() + dim);  // row 1 = query 5
  const auto qn = Norms(q, dim);
  for (Metric m : {Metric::kL2, Metric::kIP, Metric::kCosine}) {
    std::vector<float> blas(static_cast<size_t>(nq * n)), kernel(blas.size());
    ScoreTile(m, q.data(), qn.data(), nq, x.data(), n, dim, blas.data());
    ScoreTileByKernel(m, q.data(), qn.data(), nq, x.data(), n, dim, kernel.data());
    for (size_t i = 0; i < blas.size(); ++i) {
      ASSERT_NEAR(blas[i], kernel[i], 1e-4f * (1 + std::abs(kernel[i])))
          << static_cast<int>(m) << " at " << i;
    }
    if (m == Metric::kCosine) EXPECT_EQ(blas[0], 0.0f);
    if (m == Metric::kL2) EXPECT_NEAR(blas[5 * n + 1], 0.0f, 1e-4f);
  }
}

TEST(FlatScan, KernelTileMatchesHandComputedScores) {
  const float q[4] = {1, 0, 0, 2};        // two 2-d queries: (1,0), (0,2)
  const float x[6] = {3, 4, 0, 0, 1, 1};  // three rows
  const float qn[2] = {1, 2};
  float out[6];
  ScoreTile(Metric::kL2, q, qn, 2, x, 3, 2, out);
  EXPECT_FLOAT_EQ(out[0], 4 + 16);
  EXPECT_FLOAT_EQ(out[1], 1);
  EXPECT_FLOAT_EQ(out[5], 1 + 1);
  ScoreTile(Metric::kIP, q, qn, 2, x, 3, 2, out);
  EXPECT_FLOAT_EQ(out[3], 8);
  ScoreTile(Metric::kCosine, q, qn, 2, x, 3, 2, out);
  EXPECT_FLOAT_EQ(out[0], 3.0f / 5.0f);
  EXPECT_FLOAT_EQ(out[1], 0.0f);
  EXPECT_NEAR(out[5], 1.0f / std::sqrt(2.0f), 1e-6f);
}

// BestK + OfferScores keep exactly the best k under the total order (score, then id), with many
// tied scores, in both directions; unbounded keeps everything.
TEST(FlatScan, BestKKeepsExactlyTheBestUnderTheTotalOrder) {
  std::mt19937 rng(7);
  for (bool higher : {false, true}) {
    for (size_t k : {size_t{1}, size_t{10}, size_t{333}}) {
      std::vector<float> scores(5000);
      for (float& s : scores) s = static_cast<float>(rng() % 200);  // many ties
      using C = std::pair<float, int64_t>;
      auto better = [&](const C& a, const C& b) {
        if (a.first != b.first) return higher ? a.first > b.first : a.first < b.first;
        return a.second < b.second;
      };
      BestK<C, decltype(better)> best(k, higher, better);
      OfferScores(scores.data(), scores.size(), higher, best, [&](size_t j) {
        best.Add({scores[j], static_cast<int64_t>(j)});
      });
      auto kept = std::move(best).Take();
      std::sort(kept.begin(), kept.end(), better);
      std::vector<C> all;
      for (size_t j = 0; j < scores.size(); ++j)
        all.emplace_back(scores[j], static_cast<int64_t>(j));
      std::sort(all.begin(), all.end(), better);
      all.resize(k);
      EXPECT_EQ(kept, all) << "higher=" << higher << " k=" << k;
    }
  }
  using C = std::pair<float, int64_t>;
  auto less = [](const C& a, const C& b) { return a < b; };
  BestK<C, decltype(less)> all(std::numeric_limits<size_t>::max(), false, less);
  for (int i = 0; i < 100; ++i) all.Add({static_cast<float>(i % 3), i});
  EXPECT_EQ(std::move(all).Take().size(), 100u);
}

}  // namespace
}  // namespace quiver::index
