#include "index/distance.h"

#include <algorithm>
#include <bit>
#include <cctype>
#include <cmath>
#include <cstring>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace quiver::index {
namespace {

float L2Portable(const float* a, const float* b, int64_t dim) {
  float s = 0;
  for (int64_t i = 0; i < dim; ++i) {
    float d = a[i] - b[i];
    s += d * d;
  }
  return s;
}

float IpPortable(const float* a, const float* b, int64_t dim) {
  float s = 0;
  for (int64_t i = 0; i < dim; ++i) s += a[i] * b[i];
  return s;
}

#if defined(__x86_64__)
__attribute__((target("avx2,fma"))) float HorizontalSum(__m256 v) {
  __m128 lo = _mm256_castps256_ps128(v), hi = _mm256_extractf128_ps(v, 1);
  __m128 s = _mm_add_ps(lo, hi);
  s = _mm_hadd_ps(s, s);
  s = _mm_hadd_ps(s, s);
  return _mm_cvtss_f32(s);
}

__attribute__((target("avx2,fma"))) float L2Avx2(const float* a, const float* b, int64_t dim) {
  __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
  int64_t i = 0;
  for (; i + 16 <= dim; i += 16) {
    __m256 d0 = _mm256_sub_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i));
    __m256 d1 = _mm256_sub_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8));
    acc0 = _mm256_fmadd_ps(d0, d0, acc0);
    acc1 = _mm256_fmadd_ps(d1, d1, acc1);
  }
  for (; i + 8 <= dim; i += 8) {
    __m256 d = _mm256_sub_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i));
    acc0 = _mm256_fmadd_ps(d, d, acc0);
  }
  float s = HorizontalSum(_mm256_add_ps(acc0, acc1));
  for (; i < dim; ++i) {
    float d = a[i] - b[i];
    s += d * d;
  }
  return s;
}

__attribute__((target("avx2,fma"))) float IpAvx2(const float* a, const float* b, int64_t dim) {
  __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
  int64_t i = 0;
  for (; i + 16 <= dim; i += 16) {
    acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), acc0);
    acc1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8), acc1);
  }
  for (; i + 8 <= dim; i += 8) acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), acc0);
  float s = HorizontalSum(_mm256_add_ps(acc0, acc1));
  for (; i < dim; ++i) s += a[i] * b[i];
  return s;
}

const bool kHasAvx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
const bool kHasAvx2 = false;
float L2Avx2(const float* a, const float* b, int64_t dim) { return L2Portable(a, b, dim); }
float IpAvx2(const float* a, const float* b, int64_t dim) { return IpPortable(a, b, dim); }
#endif

}  // namespace

float L2SquaredPortable(const float* a, const float* b, int64_t dim) { return L2Portable(a, b, dim); }
float InnerProductPortable(const float* a, const float* b, int64_t dim) { return IpPortable(a, b, dim); }

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
  return kHasAvx2 ? L2Avx2(a, b, dim) : L2Portable(a, b, dim);
}

float InnerProduct(const float* a, const float* b, int64_t dim) {
  return kHasAvx2 ? IpAvx2(a, b, dim) : IpPortable(a, b, dim);
}

float Norm(const float* a, int64_t dim) { return std::sqrt(InnerProduct(a, a, dim)); }

int64_t Hamming(const uint8_t* a, const uint8_t* b, int64_t bytes) {
  int64_t d = 0, i = 0;
  for (; i + 8 <= bytes; i += 8) {
    uint64_t x, y;
    std::memcpy(&x, a + i, 8);
    std::memcpy(&y, b + i, 8);
    d += std::popcount(x ^ y);
  }
  for (; i < bytes; ++i) d += std::popcount(static_cast<unsigned>(a[i] ^ b[i]));
  return d;
}

float JaccardDistance(const uint8_t* a, const uint8_t* b, int64_t bytes) {
  int64_t inter = 0, uni = 0, i = 0;
  for (; i + 8 <= bytes; i += 8) {
    uint64_t x, y;
    std::memcpy(&x, a + i, 8);
    std::memcpy(&y, b + i, 8);
    inter += std::popcount(x & y);
    uni += std::popcount(x | y);
  }
  for (; i < bytes; ++i) {
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
