// The whole engine under concurrent mixed load, in process (no RPC): writers insert, upsert and
// delete keys they own, readers run Strong queries and searches (through the HNSW index, which
// the builder extends in steps meanwhile), and a maintenance thread flushes and compacts. A
// model of acknowledged writes checks every answer as it comes:
//   - a Strong query or search answer for a key no write touched during the call shows exactly
//     the key's last acknowledged state: present with its last version, or absent;
//   - no primary key twice in one answer, and no key that was never written;
//   - at the end, every live key with its last version and nothing else; count(*) agrees.
// It runs in every ctest (a few seconds) and is the core of the short TSan form in CI
// (`make tsan-unit`), where the same load runs under ThreadSanitizer.
// QUIVER_CONCURRENCY_SECONDS sets the load's length (default 3).
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <thread>
#include <vector>

#include "quiver/quiver.h"

namespace quiver {
namespace {

constexpr int kDim = 8;
constexpr int kWriters = 2;
constexpr int64_t kKeysPerWriter = 300;
constexpr int64_t kRange = 100000;  // writer w owns [w * kRange, w * kRange + kKeysPerWriter)
constexpr int64_t kStatic = 2000;   // keys -1 .. -kStatic, written once before the load

// The vector written for version `ver` of `pk`: its second component names the version.
Json VectorOf(int64_t pk, int64_t ver) {
  return Json::array({static_cast<double>(pk % 1000), static_cast<double>(ver),
                      static_cast<double>(pk % 7), static_cast<double>(ver % 5), 1.0, 0.0, 0.5,
                      static_cast<double>(pk / kRange)});
}

// Per key: its last acknowledged state, whether a write is in flight, and a counter bumped when
// a write starts and when it is acknowledged (an answer for a key whose counter did not move
// during the call must match the state exactly).
struct KeyState {
  bool live = false;
  int64_t version = 0;
  bool busy = false;
  uint64_t epoch = 0;
};

class Model {
 public:
  Model() : keys_(kWriters * kKeysPerWriter) {}
  static int64_t Pk(size_t slot) {
    return static_cast<int64_t>(slot / kKeysPerWriter) * kRange +
           static_cast<int64_t>(slot % kKeysPerWriter);
  }
  static std::optional<size_t> Slot(int64_t pk) {
    if (pk < 0) return std::nullopt;
    int64_t w = pk / kRange, i = pk % kRange;
    if (w >= kWriters || i >= kKeysPerWriter) return std::nullopt;
    return static_cast<size_t>(w * kKeysPerWriter + i);
  }
  std::vector<KeyState> Snapshot() const {
    std::lock_guard lock(mu_);
    return keys_;
  }
  KeyState Get(size_t slot) const {
    std::lock_guard lock(mu_);
    return keys_[slot];
  }
  // Marks the keys busy; returns the version each write will carry.
  int64_t Begin(const std::vector<size_t>& slots) {
    std::lock_guard lock(mu_);
    int64_t version = ++next_version_;
    for (size_t s : slots) {
      keys_[s].busy = true;
      ++keys_[s].epoch;
    }
    return version;
  }
  void Acknowledge(const std::vector<size_t>& slots, bool live, int64_t version) {
    std::lock_guard lock(mu_);
    for (size_t s : slots) {
      keys_[s].live = live;
      if (live) keys_[s].version = version;
      keys_[s].busy = false;
      ++keys_[s].epoch;
    }
  }

 private:
  mutable std::mutex mu_;
  std::vector<KeyState> keys_;
  int64_t next_version_ = 0;
};

std::string IdList(const std::vector<size_t>& slots) {
  std::string out = "id in [";
  for (size_t i = 0; i < slots.size(); ++i)
    out += (i ? "," : "") + std::to_string(Model::Pk(slots[i]));
  return out + "]";
}

struct Counters {
  std::atomic<int64_t> writes{0}, rows{0}, queries{0}, searches{0}, checked{0}, flushes{0},
      errors{0};
};

class ConcurrencyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("quiver-concurrency-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Compares an answer's rows for `slots` with the model, for the keys no write touched between
  // `before` and `after`.
  void Check(const Json& rows, const std::vector<size_t>& slots,
             const std::vector<KeyState>& before, const std::vector<KeyState>& after,
             const char* what) {
    std::set<int64_t> seen;
    std::set<size_t> asked(slots.begin(), slots.end());
    for (const auto& row : rows) {
      int64_t pk = row["id"].get<int64_t>();
      auto slot = Model::Slot(pk);
      if (pk < 0 && pk >= -kStatic) {
        EXPECT_TRUE(seen.insert(pk).second) << what << ": key " << pk << " twice";
        continue;
      }
      if (!slot) {
        ADD_FAILURE() << what << ": key " << pk << " was never written";
        continue;
      }
      EXPECT_TRUE(seen.insert(pk).second) << what << ": key " << pk << " twice";
      const KeyState& b = before[*slot];
      if (b.busy || b.epoch != after[*slot].epoch) continue;
      EXPECT_TRUE(b.live) << what << ": key " << pk
                          << " deleted (or never inserted) before the call, answered";
      EXPECT_EQ(row["vector"][1].get<double>(), static_cast<double>(b.version))
          << what << ": key " << pk << " with a stale or wrong version";
      counters_.checked++;
    }
    for (size_t s : asked) {
      const KeyState& b = before[s];
      if (b.busy || b.epoch != after[s].epoch || !b.live) continue;
      EXPECT_TRUE(seen.count(Model::Pk(s)))
          << what << ": acknowledged key " << Model::Pk(s) << " missing";
    }
  }

  // Runs a Strong read (`body` plus consistencyLevel) between two snapshots of the model and
  // checks its rows ("rows" for a search); false when the call failed (counted as an error).
  bool StrongRead(Database* db, const char* path, Json body, const std::vector<size_t>& slots,
                  const char* what) {
    body["consistencyLevel"] = "Strong";
    auto before = model_.Snapshot();
    auto answer = db->Call(path, body);
    auto after = model_.Snapshot();
    if (!answer.ok()) {
      ADD_FAILURE() << what << " failed: " << answer.status().ToString();
      counters_.errors++;
      return false;
    }
    Check(answer->contains("rows") ? (*answer)["rows"] : *answer, slots, before, after, what);
    return true;
  }

  void Writer(Database* db, int w, std::stop_token stop) {
    std::mt19937_64 rng(1000 + w);
    while (!stop.stop_requested()) {
      const int op = static_cast<int>(rng() % 3);  // insert, upsert, delete
      std::vector<size_t> slots;
      std::set<size_t> picked;
      const size_t n = 1 + rng() % 24;
      for (size_t i = 0; i < n; ++i) {
        size_t s = static_cast<size_t>(w) * kKeysPerWriter + rng() % kKeysPerWriter;
        if (!picked.insert(s).second) continue;
        KeyState k = model_.Get(s);  // only this writer changes its keys
        if ((op == 0 && k.live) || (op == 2 && !k.live)) continue;
        slots.push_back(s);
      }
      if (slots.empty()) continue;
      const int64_t version = model_.Begin(slots);
      auto answer = [&]() -> Result<Json> {
        if (op == 2)
          return db->Call("entities/delete", {{"collectionName", "c"}, {"filter", IdList(slots)}});
        Json rows = Json::array();
        for (size_t s : slots)
          rows.push_back({{"id", Model::Pk(s)}, {"vector", VectorOf(Model::Pk(s), version)}});
        return db->Call(op == 0 ? "entities/insert" : "entities/upsert",
                        {{"collectionName", "c"}, {"data", rows}});
      }();
      if (!answer.ok()) {
        // The keys stay busy: their state is unknown, so they are never checked again.
        ADD_FAILURE() << "write failed: " << answer.status().ToString();
        counters_.errors++;
        continue;
      }
      model_.Acknowledge(slots, op != 2, version);
      counters_.writes++;
      counters_.rows += static_cast<int64_t>(slots.size());
    }
  }

  void Querier(Database* db, int r, std::stop_token stop) {
    std::mt19937_64 rng(2000 + r);
    while (!stop.stop_requested()) {
      std::vector<size_t> slots;
      std::set<size_t> picked;
      for (int i = 0; i < 16; ++i) {
        size_t s = rng() % (kWriters * kKeysPerWriter);
        if (picked.insert(s).second) slots.push_back(s);
      }
      if (StrongRead(db, "entities/query",
                     {{"collectionName", "c"}, {"filter", IdList(slots)}, {"outputFields", {"vector"}}},
                     slots, "query")) {
        counters_.queries++;
      }
    }
  }

  void Searcher(Database* db, std::stop_token stop) {
    std::mt19937_64 rng(3000);
    while (!stop.stop_requested()) {
      size_t near = rng() % (kWriters * kKeysPerWriter);
      Json query = VectorOf(Model::Pk(near), static_cast<int64_t>(rng() % 50));
      if (StrongRead(db, "entities/search",
                     {{"collectionName", "c"},
                      {"data", Json::array({query})},
                      {"limit", 30},
                      {"outputFields", {"vector"}}},
                     {}, "search")) {
        counters_.searches++;
      }
    }
  }

  void Maintainer(Database* db, std::stop_token stop) {
    for (int round = 1; !stop.stop_requested(); ++round) {
      std::this_thread::sleep_for(std::chrono::milliseconds(150));
      Status st = db->Flush("c");
      if (st.ok() && round % 4 == 0)
        st = db->Call("collections/compact", {{"collectionName", "c"}}).TakeStatus();
      if (!st.ok()) {
        ADD_FAILURE() << "flush/compact failed: " << st.ToString();
        counters_.errors++;
        continue;
      }
      counters_.flushes++;
    }
  }

  std::filesystem::path dir_;
  Model model_;
  Counters counters_;
};

TEST_F(ConcurrencyTest, MixedLoadKeepsEveryAcknowledgedWrite) {
  const char* env = std::getenv("QUIVER_CONCURRENCY_SECONDS");
  const int seconds = env ? std::max(1, std::atoi(env)) : 3;
  DatabaseOptions options;
  options.flush_rows = 256;  // many small segments: seals, index builds and compactions all run
  options.exact_scan_max_cost = 0;  // searches walk the graph while the builder extends it
  options.log_level = "error";
  auto opened = Database::Open(dir_.string(), options);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  std::unique_ptr<Database> db = std::move(*opened);
  ASSERT_TRUE(db->CreateCollection("c", kDim, "L2").ok());
  // Keys that never change, so the index covers over 1,000 rows from the start.
  Json fixed = Json::array();
  for (int64_t pk = -1; pk >= -kStatic; --pk)
    fixed.push_back({{"id", pk}, {"vector", VectorOf(pk, 0)}});
  ASSERT_TRUE(db->Insert("c", fixed).ok());

  {
    std::vector<std::jthread> threads;
    for (int w = 0; w < kWriters; ++w)
      threads.emplace_back([&, w](std::stop_token s) { Writer(db.get(), w, s); });
    for (int r = 0; r < 2; ++r)
      threads.emplace_back([&, r](std::stop_token s) { Querier(db.get(), r, s); });
    threads.emplace_back([&](std::stop_token s) { Searcher(db.get(), s); });
    threads.emplace_back([&](std::stop_token s) { Maintainer(db.get(), s); });
    std::this_thread::sleep_for(std::chrono::seconds(seconds));
    for (auto& t : threads) t.request_stop();
  }

  // Settled: the whole collection equals the model.
  auto all = db->Call("entities/query", {{"collectionName", "c"},
                                         {"filter", "id >= 0"},
                                         {"limit", 16384},  // REST's default is 100
                                         {"outputFields", {"vector"}},
                                         {"consistencyLevel", "Strong"}});
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  auto final_state = model_.Snapshot();
  std::vector<size_t> every;
  int64_t live = 0;
  for (size_t s = 0; s < final_state.size(); ++s) {
    every.push_back(s);
    live += final_state[s].live && !final_state[s].busy;
  }
  Check(*all, every, final_state, final_state, "final query");
  auto count = db->Call("entities/query", {{"collectionName", "c"},
                                           {"filter", ""},
                                           {"outputFields", {"count(*)"}},
                                           {"consistencyLevel", "Strong"}});
  ASSERT_TRUE(count.ok()) << count.status().ToString();
  if (counters_.errors == 0) EXPECT_EQ((*count)[0]["count(*)"].get<int64_t>(), live + kStatic);

  std::printf(
      "concurrency: %d s, %lld writes (%lld rows), %lld queries, %lld searches, %lld keys checked, "
      "%lld flushes, %lld errors, %lld live keys at the end\n",
      seconds, static_cast<long long>(counters_.writes.load()),
      static_cast<long long>(counters_.rows.load()),
      static_cast<long long>(counters_.queries.load()),
      static_cast<long long>(counters_.searches.load()),
      static_cast<long long>(counters_.checked.load()),
      static_cast<long long>(counters_.flushes.load()),
      static_cast<long long>(counters_.errors.load()), static_cast<long long>(live));
  EXPECT_GT(counters_.writes.load(), 0);
  EXPECT_GT(counters_.queries.load(), 0);
  EXPECT_GT(counters_.searches.load(), 0);
}

}  // namespace
}  // namespace quiver
