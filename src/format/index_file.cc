#include "format/index_file.h"

#include "format/framed_file.h"

namespace quiver::format {
namespace {

constexpr std::string_view kMagic = "QVIDX001";
constexpr uint32_t kVersion = 1;

}  // namespace

std::string EncodeIndexFile(const IndexFileMeta& meta, std::string_view index_bytes) {
  std::string m = meta.SerializeAsString();
  std::string len(8, '\0');
  for (int i = 0; i < 8; ++i) len[static_cast<size_t>(i)] = static_cast<char>((m.size() >> (8 * i)) & 0xff);
  return EncodeFramed(kMagic, kVersion, {len, m, index_bytes});
}

Result<IndexFile> DecodeIndexFile(std::string_view key, std::string_view bytes) {
  QV_ASSIGN_OR_RETURN(std::string_view payload, DecodeFramed("index", key, kMagic, kVersion, bytes));
  if (payload.size() < 8) return Status::Corruption("index {}: payload shorter than its meta length", key);
  uint64_t len = 0;
  for (int i = 0; i < 8; ++i) len |= static_cast<uint64_t>(static_cast<uint8_t>(payload[static_cast<size_t>(i)])) << (8 * i);
  if (len > payload.size() - 8) return Status::Corruption("index {}: meta length {} beyond the payload", key, len);
  IndexFile out;
  if (!out.meta.ParseFromArray(payload.data() + 8, static_cast<int>(len))) {
    return Status::Corruption("index {}: meta does not parse", key);
  }
  out.index_bytes = payload.substr(8 + len);
  return out;
}

}  // namespace quiver::format
