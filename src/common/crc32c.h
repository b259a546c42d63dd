// CRC32C (Castagnoli), the checksum every Quiver file and record frame carries. Software
// table implementation; thread-safe (the table is built once, at first use).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace quiver {

// Uses the SSE4.2 instruction when the CPU has it, else the table.
uint32_t Crc32c(const void* data, size_t n, uint32_t crc = 0);
// The table implementation, always; exposed so tests compare both paths.
uint32_t Crc32cPortable(const void* data, size_t n, uint32_t crc = 0);
inline uint32_t Crc32c(std::string_view s) { return Crc32c(s.data(), s.size()); }

}  // namespace quiver
