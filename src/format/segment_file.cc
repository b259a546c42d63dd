#include "format/segment_file.h"

#include "format/framed_file.h"

namespace quiver::format {
namespace {

constexpr std::string_view kMagic = "QVSEG001";
constexpr uint32_t kVersion = 1;

}  // namespace

std::string EncodeSegment(const SegmentData& data) {
  std::string payload = data.SerializeAsString();
  return EncodeFramed(kMagic, kVersion, {payload});
}

Result<SegmentData> DecodeSegment(std::string_view key, std::string_view bytes, PayloadCheck check) {
  QV_ASSIGN_OR_RETURN(std::string_view payload, DecodeFramed("segment", key, kMagic, kVersion, bytes, check));
  SegmentData data;
  if (!data.ParseFromArray(payload.data(), static_cast<int>(payload.size()))) {
    return Status::Corruption("segment {} offset {}: payload does not parse", key, kFrameHeaderBytes);
  }
  return data;
}

}  // namespace quiver::format
