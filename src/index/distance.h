// Distance kernels for exact (brute-force) search, one per Milvus metric, and the metric's
// ordering. Float kernels dispatch at run time to AVX2+FMA code when the CPU has it; pure
// functions, thread-safe.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace quiver::index {

enum class Metric { kL2, kIP, kCosine, kHamming, kJaccard, kBm25 };

// Parses "L2", "IP", "COSINE", "HAMMING", "JACCARD" (case-insensitive).
bool ParseMetric(std::string_view name, Metric* out);
// Larger scores are better for IP, COSINE (and BM25); smaller for the distances.
bool HigherIsBetter(Metric m);

// AVX2+FMA when the CPU has them (checked once at start), else portable code.
float L2Squared(const float* a, const float* b, int64_t dim);
float InnerProduct(const float* a, const float* b, int64_t dim);
// The portable versions, always; exposed so tests compare both paths.
float L2SquaredPortable(const float* a, const float* b, int64_t dim);
float InnerProductPortable(const float* a, const float* b, int64_t dim);
float Norm(const float* a, int64_t dim);
int64_t Hamming(const uint8_t* a, const uint8_t* b, int64_t bytes);
float JaccardDistance(const uint8_t* a, const uint8_t* b, int64_t bytes);
// Inner product of two sparse rows in Milvus's encoding: (uint32 index, float value) pairs,
// sorted by index.
float SparseInnerProduct(std::string_view a, std::string_view b);

// IEEE half and bfloat16 to float.
float HalfToFloat(uint16_t h);
float BFloat16ToFloat(uint16_t b);

}  // namespace quiver::index
