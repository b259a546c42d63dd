// Index files: a saved ANN index of one vector field (docs/segment_format.md, "Index files").
// The framed payload is the length of an IndexFileMeta, the meta, then the index's own bytes
// (index::VectorIndex::Serialize). Decoding checks the frame and the meta; the index bytes are
// returned as a view into the caller's buffer. Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "segment.pb.h"

namespace quiver::format {

std::string EncodeIndexFile(const IndexFileMeta& meta, std::string_view index_bytes);

struct IndexFile {
  IndexFileMeta meta;
  std::string_view index_bytes;  // into the decoded buffer
};
Result<IndexFile> DecodeIndexFile(std::string_view key, std::string_view bytes);

}  // namespace quiver::format
