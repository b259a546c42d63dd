// Hybrid timestamps as Milvus defines them: physical milliseconds since the Unix epoch in the
// high bits, an 18-bit logical counter in the low bits. Pure functions; thread-safe.
#pragma once

#include <cstdint>

namespace quiver {

using Timestamp = uint64_t;

inline constexpr int kLogicalBits = 18;
inline constexpr uint64_t kLogicalMask = (uint64_t{1} << kLogicalBits) - 1;

constexpr Timestamp ComposeTimestamp(int64_t physical_ms, int64_t logical) {
  return (static_cast<uint64_t>(physical_ms) << kLogicalBits) |
         (static_cast<uint64_t>(logical) & kLogicalMask);
}
constexpr int64_t PhysicalMs(Timestamp ts) { return static_cast<int64_t>(ts >> kLogicalBits); }
constexpr int64_t Logical(Timestamp ts) { return static_cast<int64_t>(ts & kLogicalMask); }

}  // namespace quiver
