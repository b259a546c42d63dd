#include "wal/local_log_store.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "common/crc32c.h"
#include "storage/faulty_file_system.h"

namespace quiver::wal {
namespace {
using storage::FaultyFileSystem;
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
  // The channel's one WAL file.
  std::string OnlyFile() {
    for (const auto& e : fs::directory_iterator(dir_ + "/ch")) {
      if (e.path().extension() == ".wal") return e.path().string();
    }
    return "";
  }
  // After a crash cut the second record: only "keep" replays and the next append takes LSN 2.
  void ExpectOnlyKeepThenLsn2() {
    auto s = Open();
    ASSERT_NE(s, nullptr);
    auto all = ReadAll(*s);
    ASSERT_EQ(all.size(), 1u);
    EXPECT_EQ(all[0].second, "keep");
    EXPECT_EQ(*s->Append("ch", "next"), 2u);
  }
  // Turns the clean close that ended a test's scope into a crash: the store's destructor wrote
  // the clean-shutdown record, a killed process would not have.
  void ForgetCleanShutdown() { ASSERT_TRUE(fs::remove(dir_ + "/ch/CLEAN")); }
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
  ForgetCleanShutdown();
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

// Issue #9 (power-cut test): a crash after the file size grew but before the last blocks
// were written leaves a record followed by zeros; it was reported as corruption and the server
// refused to start.
TEST_F(WalTest, Issue9ZeroFilledTailIsTornNotCorruption) {
  {
    auto s = Open();
    ASSERT_TRUE(s->Append("ch", "keep").ok());
    ASSERT_TRUE(s->Append("ch", std::string(100, 'x')).ok());
  }
  ForgetCleanShutdown();
  std::string path = OnlyFile();
  auto size = fs::file_size(path);
  {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(size - 60));  // the last record's end never reached disk
    f.write(std::string(60, '\0').data(), 60);
  }
  fs::resize_file(path, size + 4096);  // and the file size covers a block of zeros
  ExpectOnlyKeepThenLsn2();
}

// Issue #9: a crash while creating a new file (rotation) can leave its header as zeros.
TEST_F(WalTest, Issue9ZeroedHeaderOfNewestEmptyFileIsRecreated) {
  LogOptions o;
  o.max_file_bytes = 100;
  {
    auto s = Open(o);
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(s->Append("ch", std::string(60, 'a' + i)).ok());
  }
  ForgetCleanShutdown();
  {
    std::ofstream f(dir_ + "/ch/00000000000000000004.wal", std::ios::binary);
    f.write(std::string(16, '\0').data(), 16);
  }
  auto s = Open(o);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(ReadAll(*s).size(), 3u);
  EXPECT_EQ(*s->Append("ch", "next"), 4u);
  s.reset();
  s = Open(o);
  EXPECT_EQ(ReadAll(*s).size(), 4u);
}

// Issue #9 (fuzz_wal): a newest file without records named past the end of the file before it
// made appends open an LSN gap; a first record whose LSN differs from the file name was taken.
TEST_F(WalTest, Issue9FileNamesMustMatchLsns) {
  {
    auto s = Open();
    ASSERT_TRUE(s->Append("ch", "a").ok());
    ASSERT_TRUE(s->Append("ch", "b").ok());
  }
  ForgetCleanShutdown();
  // An empty newest file named for LSN 4 after a file ending at 2.
  fs::copy_file(OnlyFile(), dir_ + "/ch/00000000000000000004.wal");
  fs::resize_file(dir_ + "/ch/00000000000000000004.wal", 16);
  auto gap = LocalLogStore::Open(dir_, {});
  ASSERT_FALSE(gap.ok());
  EXPECT_EQ(gap.status().code(), StatusCode::kCorruption) << gap.status().ToString();
  // The same file named for LSN 3 is a clean rotation point.
  fs::rename(dir_ + "/ch/00000000000000000004.wal", dir_ + "/ch/00000000000000000003.wal");
  auto s = Open();
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(*s->Append("ch", "c"), 3u);
  EXPECT_EQ(ReadAll(*s).size(), 3u);
  s.reset();
  ForgetCleanShutdown();
  // A file whose records start at another LSN than its name says.
  fs::rename(dir_ + "/ch/00000000000000000001.wal", dir_ + "/ch/00000000000000000002.wal");
  fs::remove(dir_ + "/ch/00000000000000000003.wal");
  auto renamed = LocalLogStore::Open(dir_, {});
  ASSERT_FALSE(renamed.ok());
  EXPECT_EQ(renamed.status().code(), StatusCode::kCorruption) << renamed.status().ToString();
}

// The same damage with an intact record after it is still corruption.
TEST_F(WalTest, Issue9ZeroedRecordFollowedByIntactOneIsCorruption) {
  {
    auto s = Open();
    ASSERT_TRUE(s->Append("ch", std::string(64, 'a')).ok());
    ASSERT_TRUE(s->Append("ch", std::string(64, 'b')).ok());
    ASSERT_TRUE(s->Append("ch", std::string(64, 'c')).ok());
  }
  std::string path = OnlyFile();
  {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(16 + 80 + 20);  // inside the second record's payload
    f.write(std::string(30, '\0').data(), 30);
  }
  auto s = LocalLogStore::Open(dir_, {});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kCorruption) << s.status().ToString();
}

// A damaged first record of a later file (first LSN far above the file's record count) with
// intact records after it is corruption, not a torn tail to truncate.
TEST_F(WalTest, Issue9DamagedFirstRecordOfLaterFileIsCorruption) {
  LogOptions o;
  o.max_file_bytes = 20000;
  {
    auto s = Open(o);
    for (int i = 0; i < 300; ++i) ASSERT_TRUE(s->Append("ch", std::string(60, 'a' + i % 26)).ok());
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(s->Append("ch", std::string(60, 'z')).ok());
  }
  ForgetCleanShutdown();  // damage after a crash: the torn-tail rules apply
  std::string newest;
  for (const auto& e : fs::directory_iterator(dir_ + "/ch")) {
    if (e.path().extension() == ".wal") newest = std::max(newest, e.path().string());
  }
  ASSERT_GT(std::stoull(fs::path(newest).filename().string()), 20u);
  {
    std::fstream f(newest, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(16 + 16 + 5);  // inside the file's first record
    f.put('#');
  }
  auto s = LocalLogStore::Open(dir_, o);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kCorruption) << s.status().ToString();
}

// Issue #9: a new channel's directory entry was never fsynced into the WAL root, so a power
// cut could lose the channel with every acknowledged record in it.
TEST(WalDurability, Issue9NewChannelDirectoryIsDurable) {
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    FaultyFileSystem faulty(seed);
    faulty.AddDurableDir("/d");
    LogOptions o;
    o.fs = &faulty;
    {
      auto s = LocalLogStore::Open("/d", o).value();
      ASSERT_TRUE(s->Append("ch", "acked").ok());
    }
    faulty.PowerCut();
    auto s = LocalLogStore::Open("/d", o).value();
    int n = 0;
    ASSERT_TRUE(s->Replay("ch", 1, [&](Lsn, std::string_view r) {
                   EXPECT_EQ(r, "acked");
                   ++n;
                   return Status::Ok();
                 }).ok());
    EXPECT_EQ(n, 1) << "seed " << seed;
  }
}

// Issue #9: Truncate removed old files without a directory fsync, so a power cut could bring
// back an older file without the one after it, an LSN gap that made the channel unreadable.
TEST(WalDurability, Issue9TruncateNeverLeavesAnLsnGapAfterPowerCut) {
  for (uint64_t seed = 1; seed <= 40; ++seed) {
    FaultyFileSystem faulty(seed);
    faulty.AddDurableDir("/d");
    LogOptions o;
    o.fs = &faulty;
    o.max_file_bytes = 100;
    {
      auto s = LocalLogStore::Open("/d", o).value();
      for (int i = 0; i < 12; ++i) ASSERT_TRUE(s->Append("ch", std::string(60, 'a' + i)).ok());
      faulty.ArmPowerCut(static_cast<int>(seed % 12) + 1);  // somewhere inside the removals
      s->Truncate("ch", 11).IgnoreError();
    }
    faulty.PowerCut();
    auto s = LocalLogStore::Open("/d", o);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    Status st = (*s)->Replay("ch", 1, [](Lsn, std::string_view) { return Status::Ok(); });
    EXPECT_TRUE(st.ok()) << "seed " << seed << ": " << st.ToString();
  }
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

// After a clean shutdown every byte of the active file was synced: a cut or a flip anywhere in
// it, the last record included, is corruption, not a torn tail to truncate.
TEST_F(WalTest, DamageBeforeTheCleanShutdownEndIsCorruption) {
  auto write = [&] {
    fs::remove_all(dir_ + "/ch");
    auto s = Open();
    ASSERT_TRUE(s->Append("ch", std::string(64, 'a')).ok());
    ASSERT_TRUE(s->Append("ch", std::string(64, 'b')).ok());
  };
  auto expect_corruption = [&](const char* what) {
    auto s = LocalLogStore::Open(dir_, {});
    ASSERT_FALSE(s.ok()) << what;
    EXPECT_EQ(s.status().code(), StatusCode::kCorruption) << what << ": " << s.status().ToString();
  };
  write();
  ASSERT_TRUE(fs::exists(dir_ + "/ch/CLEAN"));
  fs::resize_file(OnlyFile(), fs::file_size(OnlyFile()) - 30);  // inside the last record
  expect_corruption("cut inside the last record");
  write();
  fs::resize_file(OnlyFile(), 16 + 80 + 3);  // before the last record
  expect_corruption("cut before the last record");
  write();
  {
    std::fstream f(OnlyFile(), std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(16 + 80 + 16 + 10);  // the last record's payload
    f.put('Z');
  }
  expect_corruption("flip in the last record");
  write();
  {
    std::fstream f(dir_ + "/ch/CLEAN", std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(21);
    f.put('\x7f');
  }
  expect_corruption("damaged clean-shutdown record");
  write();
  fs::remove(OnlyFile());
  expect_corruption("active file missing");
}

// The record describes one shutdown: reopening removes it, so a crash after new appends is
// judged by the torn-tail rules again, and the next clean close records the new end.
TEST_F(WalTest, CleanShutdownRecordIsRemovedOnOpenAndRewrittenOnClose) {
  {
    auto s = Open();
    ASSERT_TRUE(s->Append("ch", "keep").ok());
  }
  ASSERT_TRUE(fs::exists(dir_ + "/ch/CLEAN"));
  {
    auto s = Open();
    EXPECT_FALSE(fs::exists(dir_ + "/ch/CLEAN"));
    ASSERT_TRUE(s->Append("ch", std::string(100, 'x')).ok());
  }
  ForgetCleanShutdown();  // as if the second run had been killed
  fs::resize_file(OnlyFile(), fs::file_size(OnlyFile()) - 30);
  {
    auto s = Open();
    ASSERT_NE(s, nullptr);
    auto all = ReadAll(*s);
    ASSERT_EQ(all.size(), 1u);
    EXPECT_EQ(*s->Append("ch", "next"), 2u);
  }
  auto s = Open();
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(ReadAll(*s).size(), 2u);
  // Without sync nothing was promised durable, so no record is written.
  s.reset();
  fs::remove_all(dir_ + "/ch");
  LogOptions nosync;
  nosync.sync = false;
  {
    auto u = Open(nosync);
    ASSERT_TRUE(u->Append("ch", "a").ok());
  }
  EXPECT_FALSE(fs::exists(dir_ + "/ch/CLEAN"));
}

// The record format of docs/wal_format.md (version 2), for hand-built files.
std::string Frame(Lsn lsn, Lsn batch_first, std::string_view payload) {
  std::string tail, out;
  for (int i = 0; i < 8; ++i) tail.push_back(static_cast<char>((lsn >> (8 * i)) & 0xff));
  for (int i = 0; i < 8; ++i) tail.push_back(static_cast<char>((batch_first >> (8 * i)) & 0xff));
  const uint32_t crc = Crc32c(payload.data(), payload.size(), Crc32c(tail.data(), tail.size()));
  const auto len = static_cast<uint32_t>(payload.size());
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((len >> (8 * i)) & 0xff));
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((crc >> (8 * i)) & 0xff));
  return out + tail + std::string(payload);
}

// The group-commit batch in flight at a crash may reach the disk block by block in any order: a
// lost block followed by an intact record of the same batch is a torn tail (nothing in the batch
// was acknowledged), while one followed by a record of a later batch is corruption (the damaged
// batch was synced before the later one was written).
TEST_F(WalTest, LostBlockInTheLastBatchIsATornTailButNotInAnEarlierOne) {
  {
    auto s = Open();
    ASSERT_TRUE(s->Append("ch", "keep").ok());
  }
  ForgetCleanShutdown();
  const std::string path = OnlyFile();
  std::string base;
  {
    std::ifstream f(path, std::ios::binary);
    base.assign(std::istreambuf_iterator<char>(f), {});
  }
  const std::string a(300, 'a'), b(300, 'b'), c(300, 'c');
  auto write = [&](const std::string& bytes) {
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  };
  auto zero_from = [](std::string bytes, size_t at, size_t n) {
    for (size_t i = at; i < at + n && i < bytes.size(); ++i) bytes[i] = '\0';
    return bytes;
  };
  // LSNs 2-4 written as one batch; the block holding LSN 2 never reached the disk.
  write(zero_from(base + Frame(2, 2, a) + Frame(3, 2, b) + Frame(4, 2, c), base.size(), 200));
  ExpectOnlyKeepThenLsn2();
  ForgetCleanShutdown();
  // LSN 2 was its own batch and LSN 3 a later one: LSN 2 had been synced, its damage is real.
  write(zero_from(base + Frame(2, 2, a) + Frame(3, 3, b), base.size(), 200));
  auto s = LocalLogStore::Open(dir_, {});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kCorruption) << s.status().ToString();
}

// Files written before version 2 (16-byte record headers, no batch LSN) still replay; appends
// then go to a new version 2 file.
TEST_F(WalTest, Version1FilesReplayAndAppendsStartAVersion2File) {
  auto le = [](std::string& out, uint64_t v, int bytes) {
    for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  };
  std::string file("QVWAL001", 8);
  le(file, 1, 4);
  le(file, Crc32c(file.data(), file.size()), 4);
  for (Lsn lsn = 1; lsn <= 2; ++lsn) {
    std::string payload = "v1-" + std::to_string(lsn), tail;
    le(tail, lsn, 8);
    le(file, payload.size(), 4);
    le(file, Crc32c(payload.data(), payload.size(), Crc32c(tail.data(), tail.size())), 4);
    file += tail + payload;
  }
  fs::create_directories(dir_ + "/ch");
  {
    std::ofstream f(dir_ + "/ch/00000000000000000001.wal", std::ios::binary);
    f.write(file.data(), static_cast<std::streamsize>(file.size()));
  }
  {
    auto s = Open();
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(*s->Append("ch", "v2"), 3u);
    auto all = ReadAll(*s);
    ASSERT_EQ(all.size(), 3u);
    EXPECT_EQ(all[0].second, "v1-1");
    EXPECT_EQ(all[2].second, "v2");
  }
  EXPECT_TRUE(fs::exists(dir_ + "/ch/00000000000000000003.wal"));
  EXPECT_EQ(fs::file_size(dir_ + "/ch/00000000000000000001.wal"), file.size());  // left as it was
  auto s = Open();
  EXPECT_EQ(ReadAll(*s).size(), 3u);
}

}  // namespace
}  // namespace quiver::wal
