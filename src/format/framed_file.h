// The framing every Quiver data file shares (segment and index files): a fixed header — an
// 8-byte magic naming the file type, a format version, the payload length, the payload's CRC32C
// and the header's own CRC32C — followed by the payload. Decoding checks all of it and reports
// the object key and the offending offset. Layout in docs/segment_format.md. Pure functions.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>

#include "common/status.h"

namespace quiver::format {

inline constexpr size_t kFrameHeaderBytes =
    28;  // magic 8, version 4, length 8, crc 4, header crc 4

// Header + the concatenation of `parts` (framed without first joining them).
std::string EncodeFramed(std::string_view magic, uint32_t version,
                         std::initializer_list<std::string_view> parts);
// How much of a frame to check: everything, or everything but the payload's CRC32C when the
// caller has already matched a checksum of the whole file (a manifest entry's), which covers it.
enum class PayloadCheck { kVerify, kWholeFileVerified };

// The payload of a framed file; `what` names the file type in errors ("segment", "index").
Result<std::string_view> DecodeFramed(std::string_view what, std::string_view key,
                                      std::string_view magic, uint32_t version,
                                      std::string_view bytes,
                                      PayloadCheck check = PayloadCheck::kVerify);

}  // namespace quiver::format
