#include "index/distance.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <vector>

namespace quiver::index {
namespace {

TEST(Distance, FloatKernelsMatchHandComputedValues) {
  float a[3] = {1, 2, 3}, b[3] = {4, 6, 3};
  EXPECT_FLOAT_EQ(L2Squared(a, b, 3), 9 + 16 + 0);
  EXPECT_FLOAT_EQ(InnerProduct(a, b, 3), 4 + 12 + 9);
}

TEST(Distance, SimdAndPortableAgreeOnEveryLength) {
  std::vector<float> a(300), b(300);
  for (size_t i = 0; i < a.size(); ++i) {
    a[i] = static_cast<float>((i * 37) % 101) / 7.0f - 5.0f;
    b[i] = static_cast<float>((i * 53) % 97) / 9.0f - 4.0f;
  }
  for (int64_t d = 0; d <= 300; d += 5) {
    EXPECT_NEAR(L2Squared(a.data(), b.data(), d), L2SquaredPortable(a.data(), b.data(), d),
                1e-3f * (1 + L2SquaredPortable(a.data(), b.data(), d)))
        << d;
    EXPECT_NEAR(InnerProduct(a.data(), b.data(), d), InnerProductPortable(a.data(), b.data(), d),
                1e-3f * (1 + std::abs(InnerProductPortable(a.data(), b.data(), d))))
        << d;
  }
}

TEST(Distance, BinaryKernels) {
  uint8_t a[2] = {0b1111'0000, 0b0000'0001}, b[2] = {0b1010'0000, 0b0000'0001};
  EXPECT_EQ(Hamming(a, b, 2), 2);
  EXPECT_FLOAT_EQ(JaccardDistance(a, b, 2), 1.0f - 3.0f / 5.0f);
}

std::string Sparse(std::initializer_list<std::pair<uint32_t, float>> kv) {
  std::string out;
  for (auto [i, v] : kv) {
    out.append(reinterpret_cast<const char*>(&i), 4);
    out.append(reinterpret_cast<const char*>(&v), 4);
  }
  return out;
}

TEST(Distance, SparseInnerProductJoinsOnIndex) {
  EXPECT_FLOAT_EQ(SparseInnerProduct(Sparse({{1, 2}, {5, 3}, {9, 1}}), Sparse({{5, 4}, {9, 2}, {10, 7}})),
                  3 * 4 + 1 * 2);
}

TEST(Distance, HalfPrecisionConversions) {
  EXPECT_FLOAT_EQ(HalfToFloat(0x3C00), 1.0f);
  EXPECT_FLOAT_EQ(HalfToFloat(0xC000), -2.0f);
  EXPECT_FLOAT_EQ(HalfToFloat(0x3555), 0.333251953125f);
  EXPECT_FLOAT_EQ(BFloat16ToFloat(0x3F80), 1.0f);
  Metric m;
  ASSERT_TRUE(ParseMetric("cosine", &m));
  EXPECT_TRUE(HigherIsBetter(m));
  ASSERT_TRUE(ParseMetric("L2", &m));
  EXPECT_FALSE(HigherIsBetter(m));
  EXPECT_FALSE(ParseMetric("nope", &m));
}

}  // namespace
}  // namespace quiver::index
