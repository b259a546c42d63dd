#include "index/distance.h"

#include <algorithm>
#include <bit>
#include <cctype>
#include <cmath>
#include <cstring>

namespace quiver::index {

bool ParseMetric(std::string_view name, Metric* out) {
  std::string n(name);
  std::transform(n.begin(), n.end(), n.begin(), [](unsigned char c) { return std::toupper(c); });
  if (n == "L2") *out = Metric::kL2;
  else if (n == "IP") *out = Metric::kIP;
  else if (n == "COSINE") *out = Metric::kCosine;
  else if (n == "HAMMING") *out = Metric::kHamming;
  else if (n == "JACCARD") *out = Metric::kJaccard;
  else if (n == "BM25") *out = Metric::kBm25;
  else return false;
  return true;
}

bool HigherIsBetter(Metric m) {
  return m == Metric::kIP || m == Metric::kCosine || m == Metric::kBm25;
}

float L2Squared(const float* a, const float* b, int64_t dim) {
  float s = 0;
  for (int64_t i = 0; i < dim; ++i) {
    float d = a[i] - b[i];
    s += d * d;
  }
  return s;
}

float InnerProduct(const float* a, const float* b, int64_t dim) {
  float s = 0;
  for (int64_t i = 0; i < dim; ++i) s += a[i] * b[i];
  return s;
}

float Norm(const float* a, int64_t dim) { return std::sqrt(InnerProduct(a, a, dim)); }

int64_t Hamming(const uint8_t* a, const uint8_t* b, int64_t bytes) {
  int64_t d = 0;
  for (int64_t i = 0; i < bytes; ++i) d += std::popcount(static_cast<unsigned>(a[i] ^ b[i]));
  return d;
}

float JaccardDistance(const uint8_t* a, const uint8_t* b, int64_t bytes) {
  int64_t inter = 0, uni = 0;
  for (int64_t i = 0; i < bytes; ++i) {
    inter += std::popcount(static_cast<unsigned>(a[i] & b[i]));
    uni += std::popcount(static_cast<unsigned>(a[i] | b[i]));
  }
  return uni == 0 ? 0.0f : 1.0f - static_cast<float>(inter) / static_cast<float>(uni);
}

float SparseInnerProduct(std::string_view a, std::string_view b) {
  size_t i = 0, j = 0;
  float s = 0;
  while (i + 8 <= a.size() && j + 8 <= b.size()) {
    uint32_t ia, ib;
    std::memcpy(&ia, a.data() + i, 4);
    std::memcpy(&ib, b.data() + j, 4);
    if (ia == ib) {
      float va, vb;
      std::memcpy(&va, a.data() + i + 4, 4);
      std::memcpy(&vb, b.data() + j + 4, 4);
      s += va * vb;
      i += 8;
      j += 8;
    } else if (ia < ib) {
      i += 8;
    } else {
      j += 8;
    }
  }
  return s;
}

float HalfToFloat(uint16_t h) {
  uint32_t sign = (h >> 15) & 1, exp = (h >> 10) & 0x1f, mant = h & 0x3ff;
  float v;
  if (exp == 0) {
    v = std::ldexp(static_cast<float>(mant), -24);
  } else if (exp == 31) {
    v = mant ? NAN : INFINITY;
  } else {
    v = std::ldexp(static_cast<float>(mant | 0x400), static_cast<int>(exp) - 25);
  }
  return sign ? -v : v;
}

float BFloat16ToFloat(uint16_t b) {
  uint32_t bits = static_cast<uint32_t>(b) << 16;
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

}  // namespace quiver::index
