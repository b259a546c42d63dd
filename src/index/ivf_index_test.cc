#include "index/ivf_index.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <random>
#include <set>

namespace quiver::index {
namespace {

// 20,000 64-d vectors around 100 seeded cluster centres (real embeddings cluster; uniform data
// is the worst case for IVF), 100 queries near the same centres.
struct Data {
  static constexpr int kDim = 64;
  std::vector<float> base, queries;
  int n = 20000, nq = 100;
  Data() {
    std::mt19937 rng(42);
    std::uniform_real_distribution<float> centre(-1, 1);
    std::normal_distribution<float> noise(0, 0.15f);
    std::vector<float> centres(100 * kDim);
    for (auto& x : centres) x = centre(rng);
    auto point = [&](std::vector<float>* out) {
      int c = static_cast<int>(rng() % 100);
      for (int j = 0; j < kDim; ++j) out->push_back(centres[c * kDim + j] + noise(rng));
    };
    for (int i = 0; i < n; ++i) point(&base);
    for (int i = 0; i < nq; ++i) point(&queries);
  }
};

const Data& TestData() {
  static const Data d;
  return d;
}

double Recall(Metric metric, IvfIndex::Encoding enc, int64_t nlist, size_t nprobe, int64_t pq_m = 0) {
  const Data& d = TestData();
  const int dim = Data::kDim, k = 10;
  auto idx = IvfIndex::Create(metric, dim, nlist, enc, pq_m);
  EXPECT_TRUE(idx.ok());
  EXPECT_TRUE((*idx)->Train(d.base.data(), d.n).ok());
  for (int i = 0; i < d.n; ++i) EXPECT_TRUE((*idx)->Add(d.base.data() + i * dim, static_cast<uint64_t>(i)).ok());
  EXPECT_EQ((*idx)->Size(), static_cast<size_t>(d.n));
  int hit = 0;
  for (int q = 0; q < d.nq; ++q) {
    const float* query = d.queries.data() + q * dim;
    std::vector<std::pair<float, int>> exact;
    for (int i = 0; i < d.n; ++i) {
      const float* row = d.base.data() + i * dim;
      float s = metric == Metric::kL2 ? L2Squared(query, row, dim)
                : metric == Metric::kIP ? -InnerProduct(query, row, dim)
                : -InnerProduct(query, row, dim) / (Norm(query, dim) * Norm(row, dim));
      exact.emplace_back(s, i);
    }
    std::partial_sort(exact.begin(), exact.begin() + k, exact.end());
    std::set<int> truth;
    for (int i = 0; i < k; ++i) truth.insert(exact[i].second);
    IndexSearchParams p;
    p.nprobe = nprobe;
    auto got = (*idx)->Search(query, k, p);
    EXPECT_EQ(got.size(), static_cast<size_t>(k));
    for (const auto& [score, label] : got) hit += truth.count(static_cast<int>(label));
    for (size_t i = 1; i < got.size(); ++i) {
      if (metric == Metric::kL2) EXPECT_LE(got[i - 1].first, got[i].first);
      else EXPECT_GE(got[i - 1].first, got[i].first);
    }
    if (enc == IvfIndex::Encoding::kFlat && metric == Metric::kL2 && !got.empty()) {
      // IVF_FLAT scores are exact distances.
      EXPECT_FLOAT_EQ(got[0].first, L2Squared(query, d.base.data() + got[0].second * dim, dim));
    }
  }
  const double recall = static_cast<double>(hit) / (d.nq * k);
  std::printf("# %s %s nlist=%lld nprobe=%zu recall@10=%.3f\n", IndexKindName((*idx)->kind()),
              metric == Metric::kL2 ? "L2" : metric == Metric::kIP ? "IP" : "COSINE", static_cast<long long>(nlist), nprobe,
              recall);
  return recall;
}

TEST(IvfIndex, FlatProbingEveryListIsExact) {
  EXPECT_EQ(Recall(Metric::kL2, IvfIndex::Encoding::kFlat, 64, 64), 1.0);
}

TEST(IvfIndex, FlatRecall) {
  EXPECT_GE(Recall(Metric::kL2, IvfIndex::Encoding::kFlat, 128, 16), 0.90);
  EXPECT_GE(Recall(Metric::kCosine, IvfIndex::Encoding::kFlat, 128, 16), 0.90);
  EXPECT_GE(Recall(Metric::kIP, IvfIndex::Encoding::kFlat, 128, 32), 0.85);
}

TEST(IvfIndex, Sq8Recall) {
  EXPECT_GE(Recall(Metric::kL2, IvfIndex::Encoding::kSq8, 128, 16), 0.85);
}

// PQ scores are approximate (asymmetric distances to codes): recall depends on the code size.
TEST(IvfIndex, PqRecall) {
  EXPECT_GE(Recall(Metric::kL2, IvfIndex::Encoding::kPq, 128, 16, 32), 0.80);  // 2 dims per code
  EXPECT_GE(Recall(Metric::kL2, IvfIndex::Encoding::kPq, 128, 16, 16), 0.50);  // 4 dims per code
  EXPECT_GE(Recall(Metric::kIP, IvfIndex::Encoding::kPq, 128, 32, 32), 0.75);
  EXPECT_GE(Recall(Metric::kCosine, IvfIndex::Encoding::kPq, 128, 32, 32), 0.60);
}

TEST(IvfIndex, PqRejectsAnMThatDoesNotDivideDim) {
  EXPECT_EQ(IvfIndex::Create(Metric::kL2, 10, 8, IvfIndex::Encoding::kPq, 3).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_FALSE(IvfIndex::Create(Metric::kL2, 10, 8, IvfIndex::Encoding::kPq, 5, 17).ok());
}

TEST(IvfIndex, NeedsTrainingAndRejectsOtherMetrics) {
  auto idx = IvfIndex::Create(Metric::kL2, 4, 8, IvfIndex::Encoding::kFlat);
  ASSERT_TRUE(idx.ok());
  EXPECT_EQ((*idx)->TrainingRows(), 8 * 39);
  const float v[4] = {1, 2, 3, 4};
  EXPECT_EQ((*idx)->Add(v, 0).code(), StatusCode::kFailedPrecondition);
  EXPECT_TRUE((*idx)->Search(v, 3, {}).empty());
  EXPECT_FALSE((*idx)->Train(v, 1).ok());
  EXPECT_FALSE(IvfIndex::Create(Metric::kHamming, 4, 8, IvfIndex::Encoding::kFlat).ok());
}

}  // namespace
}  // namespace quiver::index
