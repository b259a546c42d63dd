// libFuzzer target: the segment file decoder (src/format). With the first byte odd, the rest is
// wrapped in a valid header (magic, version, length, CRCs) so the fuzzer reaches the protobuf
// payload instead of stopping at the checksum; otherwise the bytes are decoded as they are.
#include <cstddef>
#include <cstdint>
#include <string>

#include "common/crc32c.h"
#include "format/segment_file.h"

namespace {
void Put(std::string& out, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string rest(reinterpret_cast<const char*>(data + 1), size - 1);
  std::string file;
  if (data[0] & 1) {
    file = "QVSEG001";
    Put(file, 1, 4);
    Put(file, rest.size(), 8);
    Put(file, quiver::Crc32c(rest.data(), rest.size()), 4);
    Put(file, quiver::Crc32c(file.data(), file.size()), 4);
    file += rest;
  } else {
    file = rest;
  }
  auto seg = quiver::format::DecodeSegment("fuzz", file);
  if (seg.ok()) {
    // A decoded segment encodes back to a file that decodes.
    if (!quiver::format::DecodeSegment("fuzz", quiver::format::EncodeSegment(*seg)).ok()) {
      __builtin_trap();
    }
  }
  return 0;
}
