#include "format/segment_file.h"

#include <gtest/gtest.h>

namespace quiver::format {
namespace {

SegmentData Sample() {
  SegmentData d;
  d.set_collection_id(7);
  d.set_segment_id(9);
  auto* c = d.add_chunks();
  c->set_ts(100);
  c->set_num_rows(2);
  auto* col = c->add_columns();
  col->set_field_id(100);
  col->mutable_scalars()->mutable_long_data()->add_data(1);
  col->mutable_scalars()->mutable_long_data()->add_data(2);
  auto* del = d.add_deletes();
  del->set_ts(101);
  del->mutable_pks()->mutable_int_id()->add_data(1);
  return d;
}

TEST(SegmentFile, RoundTrips) {
  std::string bytes = EncodeSegment(Sample());
  auto d = DecodeSegment("k", bytes);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->chunks(0).columns(0).scalars().long_data().data(1), 2);
  EXPECT_EQ(d->deletes(0).ts(), 101u);
}

TEST(SegmentFile, EveryFlippedByteIsDetected) {
  std::string bytes = EncodeSegment(Sample());
  for (size_t i = 0; i < bytes.size(); ++i) {
    std::string bad = bytes;
    bad[i] ^= 0x40;
    auto d = DecodeSegment("k", bad);
    ASSERT_FALSE(d.ok()) << "flip at " << i << " went unnoticed";
    EXPECT_EQ(d.status().code(), StatusCode::kCorruption);
  }
}

TEST(SegmentFile, TruncationIsDetected) {
  std::string bytes = EncodeSegment(Sample());
  for (size_t n : {size_t{0}, size_t{10}, size_t{27}, bytes.size() - 1}) {
    EXPECT_EQ(DecodeSegment("k", bytes.substr(0, n)).status().code(), StatusCode::kCorruption) << n;
  }
}

}  // namespace
}  // namespace quiver::format
