#include "common/status.h"

#include <gtest/gtest.h>

#include "common/timestamp.h"

namespace quiver {
namespace {

Result<int> Half(int x) {
  if (x % 2 != 0) return Status::InvalidArgument("{} is odd", x);
  return x / 2;
}

Result<int> Quarter(int x) {
  QV_ASSIGN_OR_RETURN(int h, Half(x));
  return Half(h);
}

TEST(Status, FactoryFormatsMessageAndKeepsSubject) {
  Status s = Status::NotFound("collection {} missing", "c").About(Subject::kCollection);
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_EQ(s.subject(), Subject::kCollection);
  EXPECT_EQ(s.message(), "collection c missing");
  EXPECT_TRUE(s.Is(StatusCode::kNotFound, Subject::kCollection));
}

TEST(Result, AssignOrReturnPropagatesFirstError) {
  EXPECT_EQ(*Quarter(8), 2);
  Result<int> r = Quarter(6);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "3 is odd");
}

TEST(Timestamp, ComposeRoundTrips) {
  Timestamp ts = ComposeTimestamp(1'700'000'000'000, 5);
  EXPECT_EQ(PhysicalMs(ts), 1'700'000'000'000);
  EXPECT_EQ(Logical(ts), 5);
  EXPECT_LT(ComposeTimestamp(10, kLogicalMask), ComposeTimestamp(11, 0));
}

}  // namespace
}  // namespace quiver

#include "common/crc32c.h"

namespace quiver {
namespace {

TEST(Crc32c, MatchesKnownCheckValue) {
  // The standard check value of CRC-32C over "123456789".
  EXPECT_EQ(Crc32c(std::string_view("123456789")), 0xE3069283u);
  EXPECT_NE(Crc32c(std::string_view("123456780")), 0xE3069283u);
}

TEST(Crc32c, HardwareAndTablePathsAgreeAtEveryLengthAndSeed) {
  std::string data;
  for (int i = 0; i < 300; ++i) data.push_back(static_cast<char>(i * 37 + 11));
  for (size_t n = 0; n <= data.size(); n += 7) {
    EXPECT_EQ(Crc32c(data.data(), n, 0), Crc32cPortable(data.data(), n, 0)) << n;
    EXPECT_EQ(Crc32c(data.data(), n, 0x1234), Crc32cPortable(data.data(), n, 0x1234)) << n;
  }
  // Chaining: crc(a+b) == crc(b, seed=crc(a)).
  EXPECT_EQ(Crc32c(data.data(), 100), Crc32c(data.data() + 40, 60, Crc32c(data.data(), 40)));
}

}  // namespace
}  // namespace quiver
