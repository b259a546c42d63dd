#include "wal/local_log_store.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

namespace quiver::wal {
namespace {
namespace fs = std::filesystem;

class WalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/quiver-wal-XXXXXX";
    dir_ = mkdtemp(tmpl);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::unique_ptr<LocalLogStore> Open(LogOptions o = {}) {
    auto s = LocalLogStore::Open(dir_, o);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? std::move(s).value() : nullptr;
  }
  std::vector<std::pair<Lsn, std::string>> ReadAll(LocalLogStore& s, Lsn from = 1) {
    std::vector<std::pair<Lsn, std::string>> out;
    Status st = s.Replay("ch", from, [&](Lsn lsn, std::string_view r) {
      out.emplace_back(lsn, std::string(r));
      return Status::Ok();
    });
    EXPECT_TRUE(st.ok()) << st.ToString();
    return out;
  }
  std::string OnlyFile() {
    for (const auto& e : fs::directory_iterator(dir_ + "/ch")) return e.path().string();
    return "";
  }
  std::string dir_;
};

TEST_F(WalTest, AppendThenReplayInOrder) {
  auto s = Open();
  EXPECT_EQ(*s->Append("ch", "a"), 1u);
  EXPECT_EQ(*s->Append("ch", "bb"), 2u);
  EXPECT_EQ(*s->Append("ch", ""), 3u);
  auto all = ReadAll(*s);
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[1].second, "bb");
  EXPECT_EQ(ReadAll(*s, 3).size(), 1u);
}

TEST_F(WalTest, ReopenContinuesLsns) {
  {
    auto s = Open();
    ASSERT_TRUE(s->Append("ch", "a").ok());
    ASSERT_TRUE(s->Append("ch", "b").ok());
  }
  auto s = Open();
  EXPECT_EQ(*s->Append("ch", "c"), 3u);
  EXPECT_EQ(ReadAll(*s).size(), 3u);
}

TEST_F(WalTest, TornTailIsTruncatedNotReported) {
  {
    auto s = Open();
    ASSERT_TRUE(s->Append("ch", "keep").ok());
    ASSERT_TRUE(s->Append("ch", std::string(100, 'x')).ok());
  }
  std::string path = OnlyFile();
  fs::resize_file(path, fs::file_size(path) - 30);  // the crash cut the last record short
  auto s = Open();
  auto all = ReadAll(*s);
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].second, "keep");
  EXPECT_EQ(*s->Append("ch", "next"), 2u);
  EXPECT_EQ(ReadAll(*s).size(), 2u);
}

TEST_F(WalTest, FlippedByteInsideIsCorruption) {
  {
    auto s = Open();
    ASSERT_TRUE(s->Append("ch", std::string(64, 'a')).ok());
    ASSERT_TRUE(s->Append("ch", std::string(64, 'b')).ok());
  }
  std::string path = OnlyFile();
  {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(16 + 16 + 10);  // inside the first record's payload
    f.put('Z');
  }
  // Opening scans the active file, so the damage is reported before anything is served.
  auto s = LocalLogStore::Open(dir_, {});
  ASSERT_FALSE(s.ok());
  const Status& st = s.status();
  EXPECT_EQ(st.code(), StatusCode::kCorruption) << st.ToString();
  EXPECT_NE(st.message().find("offset 16"), std::string::npos) << st.message();
}

TEST_F(WalTest, RollsFilesAndTruncatesBehindCheckpoint) {
  LogOptions o;
  o.max_file_bytes = 200;
  auto s = Open(o);
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(s->Append("ch", std::string(50, 'a' + i)).ok());
  size_t files = std::distance(fs::directory_iterator(dir_ + "/ch"), fs::directory_iterator());
  EXPECT_GT(files, 3u);
  ASSERT_TRUE(s->Truncate("ch", 15).ok());
  auto rest = ReadAll(*s, 15);
  ASSERT_EQ(rest.size(), 6u);
  EXPECT_EQ(rest[0].first, 15u);
  size_t after = std::distance(fs::directory_iterator(dir_ + "/ch"), fs::directory_iterator());
  EXPECT_LT(after, files);
  s.reset();
  s = Open(o);
  EXPECT_EQ(*s->Append("ch", "z"), 21u);
}

TEST_F(WalTest, ConcurrentAppendersGetDistinctDurableLsns) {
  auto s = Open();
  constexpr int kThreads = 4, kEach = 200;
  std::vector<std::thread> threads;
  std::mutex mu;
  std::set<Lsn> seen;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        auto lsn = s->Append("ch", fmt::format("{}-{}", t, i));
        ASSERT_TRUE(lsn.ok());
        std::lock_guard lock(mu);
        seen.insert(*lsn);
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(seen.size(), static_cast<size_t>(kThreads * kEach));
  EXPECT_EQ(ReadAll(*s).size(), static_cast<size_t>(kThreads * kEach));
}

TEST_F(WalTest, DropChannelRemovesEverything) {
  auto s = Open();
  ASSERT_TRUE(s->Append("ch", "a").ok());
  ASSERT_TRUE(s->DropChannel("ch").ok());
  EXPECT_FALSE(fs::exists(dir_ + "/ch"));
  EXPECT_EQ(*s->Append("ch", "b"), 1u);
}

}  // namespace
}  // namespace quiver::wal
