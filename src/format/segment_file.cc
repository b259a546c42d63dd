#include "format/segment_file.h"

#include <cstring>

#include "common/crc32c.h"

namespace quiver::format {
namespace {

constexpr char kMagic[8] = {'Q', 'V', 'S', 'E', 'G', '0', '0', '1'};
constexpr uint32_t kVersion = 1;
constexpr size_t kHeader = 28;  // magic 8, version 4, length 8, payload crc 4, header crc 4

void Put(std::string& out, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
uint64_t Get(const char* p, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v |= static_cast<uint64_t>(static_cast<uint8_t>(p[i])) << (8 * i);
  return v;
}

}  // namespace

std::string EncodeSegment(const SegmentData& data) {
  std::string payload = data.SerializeAsString();
  std::string out(kMagic, 8);
  Put(out, kVersion, 4);
  Put(out, payload.size(), 8);
  Put(out, Crc32c(payload), 4);
  Put(out, Crc32c(out.data(), out.size()), 4);
  out += payload;
  return out;
}

Result<SegmentData> DecodeSegment(std::string_view key, std::string_view bytes) {
  if (bytes.size() < kHeader) {
    return Status::Corruption("segment {}: {} bytes, shorter than its header", key, bytes.size());
  }
  if (std::memcmp(bytes.data(), kMagic, 8) != 0) return Status::Corruption("segment {} offset 0: bad magic", key);
  if (Get(bytes.data() + 24, 4) != Crc32c(bytes.data(), 24)) {
    return Status::Corruption("segment {} offset 24: header checksum mismatch", key);
  }
  uint64_t version = Get(bytes.data() + 8, 4);
  if (version != kVersion) return Status::Corruption("segment {} offset 8: unknown version {}", key, version);
  uint64_t len = Get(bytes.data() + 12, 8);
  if (len != bytes.size() - kHeader) {
    return Status::Corruption("segment {} offset 12: payload length {} but {} bytes follow", key, len,
                              bytes.size() - kHeader);
  }
  std::string_view payload = bytes.substr(kHeader);
  if (Crc32c(payload) != Get(bytes.data() + 20, 4)) {
    return Status::Corruption("segment {} offset {}: payload checksum mismatch", key, kHeader);
  }
  SegmentData data;
  if (!data.ParseFromArray(payload.data(), static_cast<int>(payload.size()))) {
    return Status::Corruption("segment {} offset {}: payload does not parse", key, kHeader);
  }
  return data;
}

}  // namespace quiver::format
