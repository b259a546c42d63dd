#include "storage/disk_space.h"

#include <gtest/gtest.h>

#include <atomic>

namespace quiver::storage {
namespace {

TEST(DiskSpaceGuard, RefusesUnderTheWatermarkAndResumesWhenSpaceReturns) {
  std::atomic<int64_t> free_bytes{1000};
  DiskSpaceGuard guard(
      "/data", 500, [&]() -> Result<int64_t> { return free_bytes.load(); },
      std::chrono::milliseconds(0));
  EXPECT_TRUE(guard.CheckWritable().ok());
  free_bytes = 499;
  Status st = guard.CheckWritable();
  EXPECT_TRUE(st.Is(StatusCode::kResourceExhausted, Subject::kDiskQuota)) << st.ToString();
  EXPECT_NE(st.message().find("disk quota exceeded"), std::string::npos);
  EXPECT_TRUE(guard.Low());
  free_bytes = 500;
  EXPECT_TRUE(guard.CheckWritable().ok());
  EXPECT_EQ(guard.refusals(), 1);
}

TEST(DiskSpaceGuard, ZeroWatermarkAndFailingProbeNeverRefuse) {
  DiskSpaceGuard off("/data", 0, []() -> Result<int64_t> { return 0; });
  EXPECT_TRUE(off.CheckWritable().ok());
  DiskSpaceGuard unknown(
      "/data", 500, []() -> Result<int64_t> { return Status::Unavailable("statvfs"); },
      std::chrono::milliseconds(0));
  EXPECT_TRUE(unknown.CheckWritable().ok());
}

TEST(DiskSpaceGuard, ProbesAtMostOncePerInterval) {
  int probes = 0;
  DiskSpaceGuard guard(
      "/data", 500, [&]() -> Result<int64_t> { return ++probes, 100; }, std::chrono::hours(1));
  EXPECT_FALSE(guard.CheckWritable().ok());
  EXPECT_FALSE(guard.CheckWritable().ok());
  EXPECT_EQ(probes, 1);
}

TEST(DiskSpaceGuard, StatvfsOfARealDirectory) {
  DiskSpaceGuard low("/", INT64_MAX);  // no disk has that much free
  EXPECT_FALSE(low.CheckWritable().ok());
  DiskSpaceGuard fine("/", 1);
  EXPECT_TRUE(fine.CheckWritable().ok());
}

}  // namespace
}  // namespace quiver::storage
