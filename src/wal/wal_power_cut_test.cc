// Power-loss, fsync-failure and disk-full tests of LocalLogStore over FaultyFileSystem
// (docs/reliability.md). Each power-cut cycle appends with acknowledgements, cuts the power at a
// random point (often inside a write or sync), reopens and checks: every acknowledged record is
// present and intact, every record replayed is one that was appended at that LSN (no phantoms),
// LSNs are consecutive, and reopening never fails. Seeds are fixed, so a failure replays.
// QUIVER_POWER_CUT_SEEDS raises the number of seeds for long runs. A concurrent variant cuts
// the power inside group commits.
#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <thread>

#include "storage/faulty_file_system.h"
#include "wal/local_log_store.h"

namespace quiver::wal {
namespace {
using storage::FaultyFileSystem;

constexpr char kRoot[] = "/data/wal";

struct CycleStats {
  int64_t cuts = 0;
  int64_t acked = 0;
  int64_t lost = 0;      // acknowledged records missing or damaged after a cut
  int64_t phantoms = 0;  // records replayed that were never appended at that LSN
  int64_t reopen_failures = 0;
  std::string first_problem;
};

std::string Payload(std::mt19937_64& rng, Lsn lsn) {
  size_t len = std::uniform_int_distribution<size_t>(0, 9)(rng) == 0
                   ? std::uniform_int_distribution<size_t>(2000, 9000)(rng)
                   : std::uniform_int_distribution<size_t>(0, 300)(rng);
  std::string s = fmt::format("lsn{}:", lsn);
  while (s.size() < len) s.push_back(static_cast<char>('a' + rng() % 26));
  return s;
}

// One seed: `cuts` power cuts over one FaultyFileSystem. `sync` false is the negative control.
void RunSeed(uint64_t seed, int cuts, bool sync, CycleStats& stats) {
  FaultyFileSystem fs(seed);
  fs.AddDurableDir(kRoot);
  std::mt19937_64 rng(seed * 7919 + 1);
  std::vector<std::string> channels = {"coll-1", "coll-2"};
  // Per channel: what was appended at each LSN (an unacknowledged append may or may not
  // survive), the highest acknowledged LSN and the truncation point.
  struct Model {
    std::map<Lsn, std::string> appended;
    Lsn acked = 0;
    Lsn truncated_before = 0;
  };
  std::map<std::string, Model> model;
  auto problem = [&](std::string what) {
    if (stats.first_problem.empty()) stats.first_problem = fmt::format("seed {}: {}", seed, what);
  };

  for (int cycle = 0; cycle <= cuts; ++cycle) {
    LogOptions o;
    o.sync = sync;
    o.max_file_bytes = 4096;  // rotate often
    o.fs = &fs;
    auto opened = LocalLogStore::Open(kRoot, o);
    if (!opened.ok()) {
      ++stats.reopen_failures;
      problem("reopen: " + opened.status().ToString());
      return;
    }
    std::unique_ptr<LocalLogStore> store = std::move(opened).value();

    // Check the invariants against what survived.
    for (const auto& ch : channels) {
      Model& m = model[ch];
      std::map<Lsn, std::string> seen;
      Status st = store->Replay(ch, 1, [&](Lsn lsn, std::string_view rec) {
        seen[lsn] = std::string(rec);
        return Status::Ok();
      });
      if (!st.ok()) {
        ++stats.reopen_failures;
        problem("replay " + ch + ": " + st.ToString());
        return;
      }
      Lsn prev = 0;
      for (const auto& [lsn, rec] : seen) {
        auto it = m.appended.find(lsn);
        if (it == m.appended.end() || it->second != rec) {
          ++stats.phantoms;
          problem(fmt::format("{} LSN {}: phantom or altered record", ch, lsn));
        }
        if (prev != 0 && lsn != prev + 1)
          problem(fmt::format("{}: LSN {} after {}", ch, lsn, prev));
        prev = lsn;
      }
      for (Lsn lsn = std::max<Lsn>(m.truncated_before, 1); lsn <= m.acked; ++lsn) {
        auto it = seen.find(lsn);
        if (it == seen.end() || it->second != m.appended[lsn]) {
          ++stats.lost;
          problem(fmt::format("{}: acknowledged LSN {} lost", ch, lsn));
        }
      }
      // What survived is now durable; LSNs after it will be reused.
      // (A channel whose records were all truncated away replays nothing but keeps its LSNs.)
      Lsn last = seen.empty() ? m.acked : seen.rbegin()->first;
      m.appended.erase(m.appended.upper_bound(last), m.appended.end());
      m.acked = last;
    }
    if (cycle == cuts) break;

    // Work until the power goes off: sometimes inside the next few file operations, sometimes
    // between appends (then unsynced data is all that can be lost).
    int ops = std::uniform_int_distribution<int>(1, 40)(rng);
    bool cut_inside = std::uniform_int_distribution<int>(0, 3)(rng) != 0;
    if (cut_inside) fs.ArmPowerCut(std::uniform_int_distribution<int>(1, 2 * ops)(rng));
    for (int i = 0; i < ops; ++i) {
      const std::string& ch = channels[rng() % channels.size()];
      Model& m = model[ch];
      if (rng() % 25 == 0 && m.acked > 2) {
        Lsn before = m.acked - rng() % 3;
        // Records before `before` may go even when Truncate fails part-way.
        m.truncated_before = std::max(m.truncated_before, before);
        if (!store->Truncate(ch, before).ok()) break;
        continue;
      }
      // The LSN this append will get: after the highest one appended to this channel.
      Lsn next = m.appended.empty() ? 1 : m.appended.rbegin()->first + 1;
      std::string rec = Payload(rng, next);
      m.appended[next] = rec;
      auto lsn = store->Append(ch, rec);
      if (lsn.ok()) {
        if (*lsn != next)
          problem(fmt::format("{}: append got LSN {}, expected {}", ch, *lsn, next));
        m.acked = *lsn;
        ++stats.acked;
      } else {
        break;  // the channel is poisoned (or the power is off): stop, as a server would
      }
    }
    store.reset();
    fs.PowerCut();
    ++stats.cuts;
  }
}

int SeedCount(int fallback) {
  const char* env = std::getenv("QUIVER_POWER_CUT_SEEDS");
  return env ? std::atoi(env) : fallback;
}

TEST(WalPowerCut, AcknowledgedRecordsSurviveSeededPowerCuts) {
  CycleStats stats;
  const int seeds = SeedCount(400);
  for (int seed = 1; seed <= seeds; ++seed) RunSeed(seed, 8, /*sync=*/true, stats);
  std::printf(
      "power cuts: %lld, acknowledged appends: %lld, lost: %lld, phantoms: %lld, "
      "reopen failures: %lld\n",
      static_cast<long long>(stats.cuts), static_cast<long long>(stats.acked),
      static_cast<long long>(stats.lost), static_cast<long long>(stats.phantoms),
      static_cast<long long>(stats.reopen_failures));
  EXPECT_EQ(stats.lost, 0) << stats.first_problem;
  EXPECT_EQ(stats.phantoms, 0) << stats.first_problem;
  EXPECT_EQ(stats.reopen_failures, 0) << stats.first_problem;
  EXPECT_TRUE(stats.first_problem.empty()) << stats.first_problem;
  EXPECT_GE(stats.cuts, seeds * 8);
}

// Negative control: without fdatasync the same checker must see acknowledged records vanish.
TEST(WalPowerCut, NegativeControlWithoutSyncReportsLoss) {
  CycleStats stats;
  for (int seed = 1; seed <= 20; ++seed) RunSeed(seed, 8, /*sync=*/false, stats);
  std::printf("negative control: power cuts %lld, lost %lld\n", static_cast<long long>(stats.cuts),
              static_cast<long long>(stats.lost));
  EXPECT_GT(stats.lost, 0);
}

// Group commit under power cuts: concurrent appenders share writes and syncs, and the power
// goes off inside one of them. Every acknowledged (LSN, record) survives; everything replayed
// was appended, once; records that survived a cut stay the same after later cuts.
TEST(WalPowerCut, GroupCommitAcknowledgementsSurvivePowerCuts) {
  int64_t cuts = 0, acked_total = 0;
  for (uint64_t seed = 1; seed <= 150; ++seed) {
    FaultyFileSystem fs(seed);
    fs.AddDurableDir(kRoot);
    std::mt19937_64 rng(seed);
    std::map<Lsn, std::string> survived;  // replayed after earlier cuts: now durable
    std::set<std::string> appended;
    for (int cycle = 0; cycle < 4; ++cycle) {
      LogOptions o;
      o.fs = &fs;
      o.max_file_bytes = 16384;
      auto store = LocalLogStore::Open(kRoot, o);
      ASSERT_TRUE(store.ok()) << "seed " << seed << ": " << store.status().ToString();
      std::map<Lsn, std::string> seen;
      ASSERT_TRUE((*store)
                      ->Replay("ch", 1,
                               [&](Lsn lsn, std::string_view r) {
                                 seen[lsn] = std::string(r);
                                 return Status::Ok();
                               })
                      .ok());
      std::set<std::string> unique;
      for (const auto& [lsn, rec] : seen) {
        EXPECT_TRUE(appended.contains(rec)) << "seed " << seed << " phantom at LSN " << lsn;
        EXPECT_TRUE(unique.insert(rec).second) << "seed " << seed << " duplicate at LSN " << lsn;
      }
      for (const auto& [lsn, rec] : survived) {
        ASSERT_TRUE(seen.contains(lsn) && seen[lsn] == rec)
            << "seed " << seed << " lost LSN " << lsn;
      }
      survived = seen;
      if (cycle == 3) break;

      fs.ArmPowerCut(static_cast<int>(rng() % 60) + 1);
      std::mutex mu;
      std::vector<std::thread> threads;
      for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&, t] {
          for (int i = 0; i < 25; ++i) {
            // Records of 0.1-1 KiB, so a batch spans 512 B and 4 KiB blocks, which a power
            // cut may write out of order.
            std::string rec = fmt::format("s{}c{}t{}i{}", seed, cycle, t, i);
            rec.append(100 + (static_cast<size_t>(t) * 131 + static_cast<size_t>(i) * 257) % 900,
                       'x');
            {
              std::lock_guard lock(mu);
              appended.insert(rec);
            }
            auto lsn = (*store)->Append("ch", rec);
            if (!lsn.ok()) return;
            std::lock_guard lock(mu);
            survived[*lsn] = rec;  // acknowledged: must survive
            ++acked_total;
          }
        });
      }
      for (auto& th : threads) th.join();
      store->reset();
      fs.PowerCut();
      ++cuts;
    }
  }
  std::printf("group-commit power cuts: %lld, acknowledged appends: %lld\n",
              static_cast<long long>(cuts), static_cast<long long>(acked_total));
}

LogOptions FaultyOptions(FaultyFileSystem& fs) {
  LogOptions o;
  o.fs = &fs;
  o.max_file_bytes = 4096;
  return o;
}

std::vector<std::string> ReadAll(LocalLogStore& store, const std::string& ch) {
  std::vector<std::string> out;
  Status st = store.Replay(ch, 1, [&](Lsn, std::string_view r) {
    out.emplace_back(r);
    return Status::Ok();
  });
  EXPECT_TRUE(st.ok()) << st.ToString();
  return out;
}

TEST(WalFsyncFailure, FailedSyncIsNotAcknowledgedAndPoisonsTheChannel) {
  FaultyFileSystem fs(1);
  fs.AddDurableDir(kRoot);
  auto store = LocalLogStore::Open(kRoot, FaultyOptions(fs)).value();
  ASSERT_TRUE(store->Append("ch", "one").ok());
  ASSERT_TRUE(store->Append("ch", "two").ok());
  fs.FailSyncs(1);
  auto failed = store->Append("ch", "three");
  EXPECT_FALSE(failed.ok());
  // The kernel may have dropped the dirty pages; a later fsync could "succeed" without them
  // (the PostgreSQL fsyncgate lesson), so the channel refuses every later write.
  for (int i = 0; i < 3; ++i) EXPECT_FALSE(store->Append("ch", "four").ok());
  EXPECT_EQ(ReadAll(*store, "ch"), (std::vector<std::string>{"one", "two", "three"}));
  store.reset();

  fs.PowerCut();
  auto reopened = LocalLogStore::Open(kRoot, FaultyOptions(fs));
  ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
  auto after = ReadAll(**reopened, "ch");
  ASSERT_GE(after.size(), 2u);  // "three" is indeterminate: present whole or absent
  EXPECT_EQ(after[0], "one");
  EXPECT_EQ(after[1], "two");
  if (after.size() == 3) EXPECT_EQ(after[2], "three");
  EXPECT_LE(after.size(), 3u);
  auto lsn = (*reopened)->Append("ch", "five");
  ASSERT_TRUE(lsn.ok()) << lsn.status().ToString();
  EXPECT_EQ(*lsn, after.size() + 1);
}

TEST(WalFsyncFailure, ManySeededSyncFailuresNeverAcknowledgeAFailedSync) {
  int64_t injected = 0, ok_after_failure = 0;
  for (uint64_t seed = 1; seed <= 50; ++seed) {
    FaultyFileSystem fs(seed);
    fs.AddDurableDir(kRoot);
    std::mt19937_64 rng(seed);
    auto store = LocalLogStore::Open(kRoot, FaultyOptions(fs)).value();
    std::vector<std::string> acked;
    int fail_at = static_cast<int>(rng() % 30);
    bool failed = false;
    for (int i = 0; i < 40; ++i) {
      if (i == fail_at) fs.FailSyncs(1);
      std::string rec = Payload(rng, i + 1);
      auto lsn = store->Append("ch", rec);
      if (lsn.ok()) {
        if (failed) ++ok_after_failure;
        acked.push_back(rec);
      } else {
        failed = true;
      }
    }
    injected += fs.failed_syncs();
    store.reset();
    fs.PowerCut();
    auto reopened = LocalLogStore::Open(kRoot, FaultyOptions(fs));
    ASSERT_TRUE(reopened.ok()) << "seed " << seed << ": " << reopened.status().ToString();
    auto after = ReadAll(**reopened, "ch");
    ASSERT_GE(after.size(), acked.size()) << "seed " << seed;
    ASSERT_LE(after.size(), acked.size() + 1) << "seed " << seed;  // + the failed one, maybe
    for (size_t i = 0; i < acked.size(); ++i) ASSERT_EQ(after[i], acked[i]) << "seed " << seed;
  }
  std::printf("fsync failures injected: %lld, OK acks after a failed sync: %lld\n",
              static_cast<long long>(injected), static_cast<long long>(ok_after_failure));
  EXPECT_EQ(injected, 50);
  EXPECT_EQ(ok_after_failure, 0);
}

TEST(WalDiskFull, EnospcFailsCleanlyReadsWorkAndWritesResumeAfterRestart) {
  FaultyFileSystem fs(3);
  fs.AddDurableDir(kRoot);
  fs.SetCapacity(3000);
  auto store = LocalLogStore::Open(kRoot, FaultyOptions(fs)).value();
  std::vector<std::string> acked;
  Status error;
  for (int i = 0; i < 100; ++i) {
    std::string rec(100, static_cast<char>('a' + i % 26));
    auto lsn = store->Append("ch", rec);
    if (!lsn.ok()) {
      error = lsn.status();
      break;
    }
    acked.push_back(rec);
  }
  ASSERT_FALSE(error.ok()) << "the disk never filled up";
  EXPECT_EQ(error.code(), StatusCode::kResourceExhausted) << error.ToString();
  EXPECT_GT(acked.size(), 10u);
  EXPECT_GE(fs.enospc_errors(), 1);
  // Reads keep working while the disk is full; the torn tail is not reported.
  EXPECT_EQ(ReadAll(*store, "ch"), acked);
  EXPECT_FALSE(store->Append("ch", "x").ok());  // refused until restart
  // Other channels fail cleanly too (no room for their first file).
  EXPECT_FALSE(store->Append("other", "x").ok());
  EXPECT_EQ(ReadAll(*store, "ch"), acked);
  store.reset();

  fs.SetCapacity(SIZE_MAX);  // the operator freed space; the server restarts
  auto reopened = LocalLogStore::Open(kRoot, FaultyOptions(fs));
  ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
  EXPECT_EQ(ReadAll(**reopened, "ch"), acked);
  auto lsn = (*reopened)->Append("ch", "after");
  ASSERT_TRUE(lsn.ok()) << lsn.status().ToString();
  EXPECT_EQ(*lsn, acked.size() + 1);
  ASSERT_TRUE((*reopened)->Append("other", "x").ok());
}

}  // namespace
}  // namespace quiver::wal
