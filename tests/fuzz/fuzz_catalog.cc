// libFuzzer target: the catalog record decoder (src/coord DecodeRecord: magic + CRC32C frame
// around a protobuf). Like fuzz_segment, the first byte odd frames the rest validly so the
// protobuf parse of each record type is reached.
#include <cstddef>
#include <cstdint>
#include <string>

#include "catalog.pb.h"
#include "coord/catalog.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string rest(reinterpret_cast<const char*>(data + 1), size - 1);
  std::string bytes = rest;
  if (data[0] & 1) {
    // Frame the payload the way EncodeRecord does, by re-encoding a record whose bytes are
    // the payload: parse leniently into an unknown-field-tolerant message, then encode.
    quiver::catalog::CollectionRecord probe;
    if (probe.ParseFromString(rest)) bytes = quiver::coord::EncodeRecord(probe);
  }
  quiver::catalog::CollectionRecord c;
  quiver::catalog::DatabaseRecord d;
  quiver::catalog::PartitionRecord p;
  quiver::catalog::IndexRecord i;
  quiver::catalog::AliasRecord a;
  (void)quiver::coord::DecodeRecord("fuzz", bytes, c).ok();
  (void)quiver::coord::DecodeRecord("fuzz", bytes, d).ok();
  (void)quiver::coord::DecodeRecord("fuzz", bytes, p).ok();
  (void)quiver::coord::DecodeRecord("fuzz", bytes, i).ok();
  (void)quiver::coord::DecodeRecord("fuzz", bytes, a).ok();
  return 0;
}
