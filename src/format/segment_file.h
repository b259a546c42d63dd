// Segment files: the persisted form of a collection's rows and deletes (docs/segment_format.md).
// A file is a fixed header (magic, version, payload length, payload CRC32C) followed by a
// serialized quiver.format.SegmentData. Decoding checks all of it and reports the object key
// and the offending offset; a damaged file is never returned. Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "format/framed_file.h"
#include "segment.pb.h"

namespace quiver::format {

std::string EncodeSegment(const SegmentData& data);
Result<SegmentData> DecodeSegment(std::string_view key, std::string_view bytes,
                                  PayloadCheck check = PayloadCheck::kVerify);

}  // namespace quiver::format
