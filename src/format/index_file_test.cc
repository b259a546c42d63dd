#include "format/index_file.h"

#include <gtest/gtest.h>

namespace quiver::format {
namespace {

IndexFileMeta Meta() {
  IndexFileMeta m;
  m.set_collection_id(3);
  m.set_field_id(101);
  m.set_signature("7|HNSW|L2");
  m.set_kind(1);
  m.set_rows(5);
  auto* c = m.add_chunks();
  c->set_ts(99);
  c->set_num_rows(5);
  return m;
}

TEST(IndexFile, RoundTripsMetaAndIndexBytes) {
  std::string bytes = EncodeIndexFile(Meta(), "graph-bytes");
  auto f = DecodeIndexFile("k", bytes);
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_EQ(f->meta.signature(), "7|HNSW|L2");
  EXPECT_EQ(f->meta.chunks(0).ts(), 99u);
  EXPECT_EQ(f->index_bytes, "graph-bytes");
}

TEST(IndexFile, EveryFlippedByteAndEveryTruncationIsDetected) {
  std::string bytes = EncodeIndexFile(Meta(), "graph-bytes");
  for (size_t i = 0; i < bytes.size(); ++i) {
    std::string bad = bytes;
    bad[i] ^= 0x10;
    auto f = DecodeIndexFile("k", bad);
    ASSERT_FALSE(f.ok()) << "flip at " << i << " went unnoticed";
    EXPECT_EQ(f.status().code(), StatusCode::kCorruption);
  }
  for (size_t n = 0; n < bytes.size(); ++n) {
    EXPECT_EQ(DecodeIndexFile("k", bytes.substr(0, n)).status().code(), StatusCode::kCorruption) << n;
  }
}

TEST(IndexFile, ASegmentIsNotAnIndex) {
  std::string bytes = EncodeIndexFile(Meta(), "x");
  bytes.replace(0, 8, "QVSEG001");
  EXPECT_EQ(DecodeIndexFile("k", bytes).status().code(), StatusCode::kCorruption);
}

}  // namespace
}  // namespace quiver::format
