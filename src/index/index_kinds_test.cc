// BIN_IVF_FLAT and the sparse inverted index against brute force, and every index kind's
// serialisation: a loaded index answers exactly as the one that was saved, and damaged bytes are
// refused (Corruption), never a crash.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <random>
#include <set>

#include "index/binary_ivf_index.h"
#include "index/hnsw_index.h"
#include "index/sparse_index.h"
#include "index/vector_index.h"

namespace quiver::index {
namespace {

// 6,000 256-bit vectors: 60 seeded centres with ~8 % of their bits flipped.
struct BinaryData {
  static constexpr int kBits = 256, kBytes = kBits / 8;
  std::vector<uint8_t> base, queries;
  int n = 6000, nq = 50;
  BinaryData() {
    std::mt19937 rng(7);
    std::vector<uint8_t> centres(60 * kBytes);
    for (auto& b : centres) b = static_cast<uint8_t>(rng());
    auto point = [&](std::vector<uint8_t>* out) {
      const uint8_t* c = centres.data() + (rng() % 60) * kBytes;
      for (int j = 0; j < kBytes; ++j) {
        uint8_t b = c[j];
        for (int bit = 0; bit < 8; ++bit) {
          if (rng() % 100 < 8) b ^= static_cast<uint8_t>(1u << bit);
        }
        out->push_back(b);
      }
    };
    for (int i = 0; i < n; ++i) point(&base);
    for (int i = 0; i < nq; ++i) point(&queries);
  }
};

double BinaryRecall(Metric metric, size_t nprobe) {
  static const BinaryData d;
  const int k = 10;
  auto idx = BinaryIvfIndex::Create(metric, BinaryData::kBits, 32);
  EXPECT_TRUE(idx.ok());
  VectorBatch all;
  all.bits = d.base.data();
  all.n = static_cast<size_t>(d.n);
  EXPECT_TRUE((*idx)->Train(all).ok());
  EXPECT_TRUE((*idx)->AddBatch(all, 0, 1).ok());
  int hit = 0;
  for (int q = 0; q < d.nq; ++q) {
    const uint8_t* query = d.queries.data() + q * BinaryData::kBytes;
    std::vector<std::pair<float, int>> exact;
    for (int i = 0; i < d.n; ++i) {
      const uint8_t* row = d.base.data() + i * BinaryData::kBytes;
      exact.emplace_back(metric == Metric::kJaccard ? JaccardDistance(query, row, BinaryData::kBytes)
                                                    : static_cast<float>(Hamming(query, row, BinaryData::kBytes)),
                         i);
    }
    std::sort(exact.begin(), exact.end());
    // Ties at the k-th distance: any of them is a right answer.
    const float kth = exact[k - 1].first;
    std::set<int> truth;
    for (const auto& [dist, i] : exact) {
      if (dist <= kth) truth.insert(i);
    }
    IndexSearchParams p;
    p.nprobe = nprobe;
    QueryRef qr;
    qr.bytes = std::string_view(reinterpret_cast<const char*>(query), BinaryData::kBytes);
    auto got = (*idx)->Search(qr, k, p);
    EXPECT_EQ(got.size(), static_cast<size_t>(k));
    for (const auto& [score, label] : got) hit += truth.count(static_cast<int>(label));
  }
  const double recall = static_cast<double>(hit) / (d.nq * k);
  std::printf("# BIN_IVF_FLAT %s nlist=32 nprobe=%zu recall@10=%.3f\n", metric == Metric::kJaccard ? "JACCARD" : "HAMMING",
              nprobe, recall);
  return recall;
}

TEST(BinaryIvfIndex, ProbingEveryListIsExact) {
  EXPECT_EQ(BinaryRecall(Metric::kHamming, 32), 1.0);
  EXPECT_EQ(BinaryRecall(Metric::kJaccard, 32), 1.0);
}

TEST(BinaryIvfIndex, Recall) {
  EXPECT_GE(BinaryRecall(Metric::kHamming, 4), 0.90);
  EXPECT_GE(BinaryRecall(Metric::kJaccard, 4), 0.90);
}

TEST(BinaryIvfIndex, RejectsDenseMetricsAndOddDims) {
  EXPECT_FALSE(BinaryIvfIndex::Create(Metric::kL2, 64, 4).ok());
  EXPECT_FALSE(BinaryIvfIndex::Create(Metric::kHamming, 12, 4).ok());
}

std::string SparseRow(const std::vector<std::pair<uint32_t, float>>& pairs) {
  std::string s;
  for (const auto& [d, v] : pairs) {
    s.append(reinterpret_cast<const char*>(&d), 4);
    s.append(reinterpret_cast<const char*>(&v), 4);
  }
  return s;
}

std::vector<std::string> SparseRows(int n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<std::string> rows;
  for (int i = 0; i < n; ++i) {
    std::set<uint32_t> dims;
    const int nnz = 1 + static_cast<int>(rng() % 12);
    while (static_cast<int>(dims.size()) < nnz) dims.insert(rng() % 500);
    std::vector<std::pair<uint32_t, float>> pairs;
    for (uint32_t d : dims) pairs.emplace_back(d, 0.05f + static_cast<float>(rng() % 1000) / 1000.0f);
    rows.push_back(SparseRow(pairs));
  }
  return rows;
}

TEST(SparseInvertedIndex, EqualsBruteForce) {
  const auto rows = SparseRows(5000, 3);
  const auto queries = SparseRows(40, 4);
  auto idx = SparseInvertedIndex::Create(Metric::kIP);
  ASSERT_TRUE(idx.ok());
  VectorBatch b;
  b.sparse = rows.data();
  b.n = rows.size();
  ASSERT_TRUE((*idx)->AddBatch(b, 0, 1).ok());
  for (const auto& q : queries) {
    std::vector<std::pair<float, uint64_t>> exact;
    for (size_t i = 0; i < rows.size(); ++i) {
      float s = SparseInnerProduct(q, rows[i]);
      if (s > 0) exact.emplace_back(s, i);
    }
    std::sort(exact.begin(), exact.end(), [](const auto& a, const auto& b) {
      return a.first != b.first ? a.first > b.first : a.second < b.second;
    });
    exact.resize(std::min<size_t>(exact.size(), 10));
    QueryRef qr;
    qr.bytes = q;
    auto got = (*idx)->Search(qr, 10, {});
    ASSERT_EQ(got.size(), exact.size());
    for (size_t i = 0; i < got.size(); ++i) {
      EXPECT_NEAR(got[i].first, exact[i].first, 1e-4);
    }
  }
}

TEST(SparseInvertedIndex, DropRatioIgnoresTheSmallestQueryValues) {
  std::vector<std::string> rows = {SparseRow({{1, 1.0f}}), SparseRow({{2, 1.0f}})};
  auto idx = SparseInvertedIndex::Create(Metric::kIP);
  VectorBatch b;
  b.sparse = rows.data();
  b.n = 2;
  ASSERT_TRUE((*idx)->AddBatch(b, 0, 1).ok());
  const std::string q = SparseRow({{1, 0.1f}, {2, 0.9f}});
  QueryRef qr;
  qr.bytes = q;
  EXPECT_EQ((*idx)->Search(qr, 5, {}).size(), 2u);
  IndexSearchParams p;
  p.drop_ratio_search = 0.5;
  auto got = (*idx)->Search(qr, 5, p);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].second, 1u);
}

// Builds an index of `config` over seeded data of its form, saves it, loads it back and
// compares answers; then damages the saved bytes.
void CheckRoundTrip(const IndexConfig& config) {
  SCOPED_TRACE(IndexKindName(config.kind));
  std::mt19937 rng(11);
  const size_t n = 3000;
  std::vector<float> dense;
  std::vector<uint8_t> bits;
  std::vector<std::string> sparse;
  VectorBatch batch;
  batch.n = n;
  if (config.kind == IndexKind::kBinIvfFlat) {
    for (size_t i = 0; i < n * static_cast<size_t>(config.dim) / 8; ++i) bits.push_back(static_cast<uint8_t>(rng()));
    batch.bits = bits.data();
  } else if (config.kind == IndexKind::kSparseInverted) {
    sparse = SparseRows(static_cast<int>(n), 5);
    batch.sparse = sparse.data();
  } else {
    std::normal_distribution<float> g;
    for (size_t i = 0; i < n * static_cast<size_t>(config.dim); ++i) dense.push_back(g(rng));
    batch.dense = dense.data();
  }
  auto idx = CreateVectorIndex(config);
  ASSERT_TRUE(idx.ok()) << idx.status().ToString();
  if ((*idx)->TrainingRows() > 0) ASSERT_TRUE((*idx)->Train(batch).ok());
  ASSERT_TRUE((*idx)->AddBatch(batch, 0, 2).ok());
  std::string bytes;
  ASSERT_TRUE((*idx)->Serialize(&bytes).ok());
  auto loaded = LoadVectorIndex(config, bytes);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ((*loaded)->Size(), n);
  IndexSearchParams p;
  p.ef = 64;
  p.nprobe = 4;
  for (size_t q = 0; q < 20; ++q) {
    QueryRef qr;
    if (batch.dense) qr.dense = dense.data() + q * 7 * static_cast<size_t>(config.dim);
    if (batch.bits) qr.bytes = std::string_view(reinterpret_cast<const char*>(bits.data()) + q * 7 * config.dim / 8, static_cast<size_t>(config.dim / 8));
    if (batch.sparse) qr.bytes = sparse[q * 7];
    EXPECT_EQ((*idx)->Search(qr, 10, p), (*loaded)->Search(qr, 10, p)) << "query " << q;
  }
  // A loaded index keeps growing.
  VectorBatch one = batch;
  one.n = 1;
  EXPECT_TRUE((*loaded)->AddBatch(one, n, 1).ok());
  EXPECT_EQ((*loaded)->Size(), n + 1);
  // Truncations are refused. (Flipped bytes are caught by the index file's checksum, which
  // hnswlib's neighbour lists rely on; our own layouts also refuse many flips by themselves.)
  for (size_t cut : {size_t{0}, size_t{3}, bytes.size() / 3, bytes.size() / 2, bytes.size() - 1}) {
    auto bad = LoadVectorIndex(config, std::string_view(bytes).substr(0, cut));
    EXPECT_FALSE(bad.ok()) << "truncated to " << cut;
  }
  if (config.kind != IndexKind::kHnsw && config.kind != IndexKind::kHnswSq) {
    std::mt19937 flips(3);
    for (int i = 0; i < 200; ++i) {
      std::string bad = bytes;
      bad[flips() % bad.size()] ^= static_cast<char>(1 + flips() % 255);
      auto r = LoadVectorIndex(config, bad);  // must not crash; may load when the flip hit a value
      if (r.ok()) {
        QueryRef qr;
        if (batch.dense) qr.dense = dense.data();
        if (batch.bits) qr.bytes = std::string_view(reinterpret_cast<const char*>(bits.data()), static_cast<size_t>(config.dim / 8));
        if (batch.sparse) qr.bytes = sparse[0];
        (void)(*r)->Search(qr, 10, p);
      }
    }
  }
}

TEST(VectorIndex, EveryKindRoundTripsThroughItsBytes) {
  IndexConfig c;
  c.dim = 16;
  c.nlist = 16;
  for (IndexKind k : {IndexKind::kIvfFlat, IndexKind::kIvfSq8, IndexKind::kIvfPq}) {
    c.kind = k;
    for (Metric m : {Metric::kL2, Metric::kIP, Metric::kCosine}) {
      c.metric = m;
      CheckRoundTrip(c);
    }
  }
  if (HnswIndex::Supported()) {
    for (IndexKind k : {IndexKind::kHnsw, IndexKind::kHnswSq}) {
      c.kind = k;
      for (Metric m : {Metric::kL2, Metric::kIP, Metric::kCosine}) {
        c.metric = m;
        CheckRoundTrip(c);
      }
    }
  }
  c.kind = IndexKind::kBinIvfFlat;
  c.dim = 64;
  for (Metric m : {Metric::kHamming, Metric::kJaccard}) {
    c.metric = m;
    CheckRoundTrip(c);
  }
  c.kind = IndexKind::kSparseInverted;
  c.metric = Metric::kIP;
  CheckRoundTrip(c);
}

TEST(VectorIndex, KindsRefuseMetricsTheyDoNotTake) {
  IndexConfig c;
  c.dim = 8;
  c.kind = IndexKind::kIvfPq;
  c.metric = Metric::kHamming;
  EXPECT_FALSE(CreateVectorIndex(c).ok());
  c.kind = IndexKind::kSparseInverted;
  c.metric = Metric::kL2;
  EXPECT_FALSE(CreateVectorIndex(c).ok());
}

}  // namespace
}  // namespace quiver::index
