#include "format/framed_file.h"

#include <cstring>

#include "common/crc32c.h"

namespace quiver::format {
namespace {

void Put(std::string& out, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
uint64_t Get(const char* p, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v |= static_cast<uint64_t>(static_cast<uint8_t>(p[i])) << (8 * i);
  return v;
}

}  // namespace

std::string EncodeFramed(std::string_view magic, uint32_t version, std::initializer_list<std::string_view> parts) {
  size_t len = 0;
  uint32_t crc = 0;
  for (std::string_view p : parts) {
    len += p.size();
    crc = Crc32c(p.data(), p.size(), crc);
  }
  std::string out;
  out.reserve(kFrameHeaderBytes + len);
  out.append(magic.substr(0, 8));
  Put(out, version, 4);
  Put(out, len, 8);
  Put(out, crc, 4);
  Put(out, Crc32c(out.data(), out.size()), 4);
  for (std::string_view p : parts) out.append(p);
  return out;
}

Result<std::string_view> DecodeFramed(std::string_view what, std::string_view key, std::string_view magic,
                                      uint32_t version, std::string_view bytes,
                                      PayloadCheck check) {
  if (bytes.size() < kFrameHeaderBytes) {
    return Status::Corruption("{} {}: {} bytes, shorter than its header", what, key, bytes.size());
  }
  if (std::memcmp(bytes.data(), magic.data(), 8) != 0) return Status::Corruption("{} {} offset 0: bad magic", what, key);
  if (Get(bytes.data() + 24, 4) != Crc32c(bytes.data(), 24)) {
    return Status::Corruption("{} {} offset 24: header checksum mismatch", what, key);
  }
  uint64_t v = Get(bytes.data() + 8, 4);
  if (v != version) return Status::Corruption("{} {} offset 8: unknown version {}", what, key, v);
  uint64_t len = Get(bytes.data() + 12, 8);
  if (len != bytes.size() - kFrameHeaderBytes) {
    return Status::Corruption("{} {} offset 12: payload length {} but {} bytes follow", what, key, len,
                              bytes.size() - kFrameHeaderBytes);
  }
  std::string_view payload = bytes.substr(kFrameHeaderBytes);
  if (check == PayloadCheck::kVerify && Crc32c(payload) != Get(bytes.data() + 20, 4)) {
    return Status::Corruption("{} {} offset {}: payload checksum mismatch", what, key, kFrameHeaderBytes);
  }
  return payload;
}

}  // namespace quiver::format
