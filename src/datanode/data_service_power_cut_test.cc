// Power cuts during flush, compaction and index saves: DataService over the real WAL
// (LocalLogStore) and object store (LocalObjectStore), both on one FaultyFileSystem, with the
// manifest in a MemoryMetaStore (its commits are atomic and durable, as SQLite's are). Each cycle
// runs a seeded mix of inserts, upserts, deletes, flushes, compactions and index-builder rounds
// until the power goes off inside a random file operation, applies the damage a power loss may
// do (docs/reliability.md), reopens, recovers and checks the invariants of
// shared/reliability-plan.md against a model of acknowledged writes:
//   I1 every acknowledged row is present with its values; I2 no acknowledged delete comes back;
//   I3 no row that was never written; I4 the write in flight at the cut is all-or-nothing;
//   I5 one row per pk; I7 recovery succeeds and every object the manifest references exists
//   and matches its size and checksum (no torn file is served), and no unreferenced one is left.
// QUIVER_POWER_CUT_SEEDS raises the number of seeds (`make powercut`). DataServiceRecovery holds
// regression tests for recovery checks found by the crash tests.
#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include <cstdlib>
#include <map>
#include <optional>
#include <random>
#include <set>

#include "common/crc32c.h"
#include "coord/catalog.h"
#include "coord/clock.h"
#include "coord/tso.h"
#include "datanode/data_service.h"
#include "storage/faulty_file_system.h"
#include "storage/local_object_store.h"
#include "storage/memory_meta_store.h"
#include "wal/local_log_store.h"

namespace quiver::datanode {
namespace {

using milvus::proto::schema::DataType;

constexpr int64_t kPkField = 100;
constexpr int64_t kVecField = 101;
constexpr int kDim = 4;

catalog::CollectionRecord MakeCollection() {
  catalog::CollectionRecord c;
  c.set_id(7);
  c.set_name("power_cut");
  auto* pk = c.mutable_schema()->add_fields();
  pk->set_name("id");
  pk->set_fieldid(kPkField);
  pk->set_data_type(DataType::Int64);
  pk->set_is_primary_key(true);
  auto* v = c.mutable_schema()->add_fields();
  v->set_name("v");
  v->set_fieldid(kVecField);
  v->set_data_type(DataType::FloatVector);
  auto* dim = v->add_type_params();
  dim->set_key("dim");
  dim->set_value(std::to_string(kDim));
  auto* part = c.add_partitions();
  part->set_id(1);
  part->set_name("_default");
  part->set_loaded(true);
  c.set_load_status(catalog::LOAD_LOADED);
  // IVF_FLAT trains on 39 x nlist rows, so small collections get a saved index quickly (and it
  // needs no AVX2, unlike HNSW).
  auto* idx = c.add_indexes();
  idx->set_id(1);
  idx->set_field_id(kVecField);
  for (auto [k, val] :
       {std::pair{"index_type", "IVF_FLAT"}, {"metric_type", "L2"}, {"nlist", "2"}}) {
    auto* kv = idx->add_params();
    kv->set_key(k);
    kv->set_value(val);
  }
  return c;
}

// The vector written for version `ver` of `pk`: identifies both.
std::vector<float> VectorOf(int64_t pk, int64_t ver) {
  return {static_cast<float>(pk), static_cast<float>(ver), static_cast<float>(pk % 13) * 0.5f,
          static_cast<float>(ver % 7) * 0.25f};
}

// An insert (upsert when `replace`) of `rows` (pk -> version), or a delete of their pks.
wal::WalEntry Entry(const std::map<int64_t, int64_t>& rows, bool insert, bool replace) {
  wal::WalEntry e;
  if (!insert || replace) {
    auto* d = e.add_deletes();
    for (const auto& [pk, ver] : rows) d->mutable_pks()->mutable_int_id()->add_data(pk);
  }
  if (insert) {
    auto* ins = e.add_inserts();
    ins->set_partition_id(1);
    ins->set_num_rows(static_cast<int64_t>(rows.size()));
    auto* id = ins->add_columns();
    id->set_field_id(kPkField);
    id->set_field_name("id");
    id->set_type(DataType::Int64);
    auto* v = ins->add_columns();
    v->set_field_id(kVecField);
    v->set_field_name("v");
    v->set_type(DataType::FloatVector);
    v->mutable_vectors()->set_dim(kDim);
    for (const auto& [pk, ver] : rows) {
      id->mutable_scalars()->mutable_long_data()->add_data(pk);
      for (float x : VectorOf(pk, ver)) v->mutable_vectors()->mutable_float_vector()->add_data(x);
    }
  }
  return e;
}

struct Stats {
  int64_t cuts = 0;
  int64_t cuts_in[6] =
      {};  // by the operation in flight: write, flush, compact, index, recovery, other
  int64_t acked_inserts = 0, acked_upserts = 0, acked_deletes = 0;  // rows
  int64_t flushes = 0, compactions = 0, index_saves = 0;            // completed
  int64_t lost = 0, wrong = 0, resurrected = 0, phantoms = 0, half_applied = 0, duplicates = 0;
  int64_t recovery_failures = 0, bad_references = 0, garbage_left = 0;
  std::string first_problem;
  int64_t violations() const {
    return lost + wrong + resurrected + phantoms + half_applied + duplicates + recovery_failures +
           bad_references + garbage_left;
  }
};

enum OpKind { kWrite = 0, kFlush, kCompact, kIndex, kRecovery, kOther };

// One seed: `cuts` power cuts. `object_sync` false is the negative control.
void RunSeed(uint64_t seed, int cuts, bool object_sync, Stats& stats) {
  storage::FaultyFileSystem fs(seed);
  fs.AddDurableDir("/data");
  storage::MemoryMetaStore meta;
  coord::ManualClock clock(1'700'000'000'000);
  std::mt19937_64 rng(seed * 104729 + 3);
  auto uniform = [&](int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
  };
  const catalog::CollectionRecord coll = MakeCollection();
  auto problem = [&](const std::string& what) {
    if (stats.first_problem.empty()) stats.first_problem = fmt::format("seed {}: {}", seed, what);
  };

  std::map<int64_t, int64_t> acked;  // pk -> version of every acknowledged live row
  std::set<int64_t> deleted;         // pks whose acknowledged delete is their last write
  std::map<int64_t, std::set<int64_t>> written;  // pk -> every version ever sent
  // The write in flight when the power went off: its rows and whether it deletes them.
  struct Pending {
    std::map<int64_t, int64_t> rows;
    bool insert = false;
  };
  std::optional<Pending> pending;
  int64_t next_pk = 1;

  for (int cycle = 0; cycle <= cuts; ++cycle) {
    // Open and recover.
    wal::LogOptions log_options;
    log_options.fs = &fs;
    log_options.max_file_bytes = 4096;  // rotation and truncation happen often
    auto log = wal::LocalLogStore::Open("/data/wal", log_options);
    storage::ObjectStoreOptions object_options;
    object_options.fs = &fs;
    object_options.sync = object_sync;
    auto objects = log.ok() ? storage::LocalObjectStore::Open("/data/objects", object_options)
                            : Result<std::unique_ptr<storage::LocalObjectStore>>(log.status());
    if (!log.ok() || !objects.ok()) {
      ++stats.recovery_failures;
      problem("reopen failed: " + (log.ok() ? objects.status() : log.status()).ToString());
      return;
    }
    auto tso = coord::Tso::Open(meta, clock);
    auto ids = coord::IdAllocator::Open(meta);
    ASSERT_TRUE(tso.ok() && ids.ok());
    DataOptions options;
    options.flush_rows = 60;  // automatic flushes (and compactions) inside writes
    auto ds = std::make_unique<DataService>(**log, **objects, meta, **tso, **ids, options);
    if (Status st = ds->Recover({coll}); !st.ok()) {
      ++stats.recovery_failures;
      problem("recovery failed: " + st.ToString());
      return;
    }

    // I7: what the manifest references exists whole; nothing else is left.
    format::SegmentManifest m = ds->Manifest(coll);
    std::set<std::string> referenced;
    auto check_ref = [&](const std::string& key, int64_t bytes, uint32_t crc) {
      referenced.insert(key);
      auto got = (*objects)->Get(key);
      if (!got.ok() || static_cast<int64_t>(got->size()) != bytes || Crc32c(*got) != crc) {
        ++stats.bad_references;
        problem(fmt::format("cycle {}: manifest references {} but it is {}", cycle, key,
                            got.ok() ? "damaged" : "missing"));
      }
    };
    for (const auto& ref : m.segments()) check_ref(ref.key(), ref.bytes(), ref.crc());
    for (const auto& ref : m.indexes()) check_ref(ref.key(), ref.bytes(), ref.crc());
    auto listed = (*objects)->List("coll-");
    ASSERT_TRUE(listed.ok());
    for (const auto& key : *listed) {
      if (!referenced.contains(key)) {
        ++stats.garbage_left;
        problem(fmt::format("cycle {}: unreferenced object {} left after recovery", cycle, key));
      }
    }

    // I1-I5 against the model.
    std::map<int64_t, int64_t> present;  // pk -> version read back
    int64_t rows_read = 0;
    auto now = tso->get()->Allocate();
    ASSERT_TRUE(now.ok());
    Status read =
        ds->Store(coll)->Read(*now, {}, nullptr, [&](const std::vector<segment::RowRef>& rows) {
          for (const auto& r : rows) {
            ++rows_read;
            int64_t pk =
                r.chunk->Column(kPkField)->scalars().long_data().data(static_cast<int>(r.row));
            const auto& vec = r.chunk->Column(kVecField)->vectors().float_vector().data();
            std::vector<float> got(vec.begin() + r.row * kDim, vec.begin() + (r.row + 1) * kDim);
            int64_t ver = static_cast<int64_t>(got[1]);
            auto w = written.find(pk);
            if (w == written.end() || !w->second.contains(ver) || got != VectorOf(pk, ver)) {
              ++stats.phantoms;
              problem(fmt::format("cycle {}: pk {} version {} was never written", cycle, pk, ver));
            }
            if (!present.emplace(pk, ver).second) ++stats.duplicates;
          }
          return Status::Ok();
        });
    ASSERT_TRUE(read.ok()) << read.ToString();
    if (pending) {
      // Applied means every row shows the write; not applied, none does.
      int64_t applied = 0;
      for (const auto& [pk, ver] : pending->rows) {
        auto it = present.find(pk);
        applied +=
            pending->insert ? (it != present.end() && it->second == ver) : it == present.end();
      }
      if (applied != 0 && applied != static_cast<int64_t>(pending->rows.size())) {
        ++stats.half_applied;
        problem(fmt::format("cycle {}: write in flight half applied ({} of {})", cycle, applied,
                            pending->rows.size()));
      } else if (applied > 0) {
        for (const auto& [pk, ver] : pending->rows) {
          if (pending->insert) {
            acked[pk] = ver;
            deleted.erase(pk);
          } else {
            acked.erase(pk);
            deleted.insert(pk);
          }
        }
      }
      pending.reset();
    }
    for (const auto& [pk, ver] : acked) {
      auto it = present.find(pk);
      if (it == present.end()) {
        ++stats.lost;
        problem(fmt::format("cycle {}: acknowledged pk {} version {} lost", cycle, pk, ver));
      } else if (it->second != ver) {
        ++stats.wrong;
        problem(fmt::format("cycle {}: pk {} has version {}, acknowledged {}", cycle, pk,
                            it->second, ver));
      }
    }
    for (int64_t pk : deleted) {
      if (present.contains(pk)) {
        ++stats.resurrected;
        problem(fmt::format("cycle {}: deleted pk {} is back", cycle, pk));
      }
    }
    for (const auto& [pk, ver] : present) {
      if (!acked.contains(pk) && !deleted.contains(pk)) {
        ++stats.phantoms;
        problem(fmt::format("cycle {}: pk {} was never acknowledged", cycle, pk));
      }
    }
    // Start over from what is there (a violation is counted once).
    acked = present;
    for (auto it = deleted.begin(); it != deleted.end();) {
      it = present.contains(*it) ? deleted.erase(it) : std::next(it);
    }
    if (cycle == cuts) break;

    // Run until the power goes off inside a random file operation.
    fs.ArmPowerCut(static_cast<int>(uniform(1, 120)));
    OpKind in_flight = kOther;
    for (int step = 0; step < 2000 && !fs.powered_off(); ++step) {
      clock.Set(clock.NowMs() + uniform(1, 3000));
      const int64_t r = uniform(0, 99);
      if (r < 62) {
        in_flight = kWrite;
        std::map<int64_t, int64_t> rows;
        bool insert = true, replace = false;
        if (r < 30 || acked.empty()) {
          for (int64_t i = uniform(1, 20); i > 0; --i) rows[next_pk++] = 1;
        } else {
          std::vector<int64_t> live;
          for (const auto& [pk, ver] : acked) live.push_back(pk);
          for (int64_t i = uniform(1, 10); i > 0; --i) {
            int64_t pk = live[uniform(0, static_cast<int64_t>(live.size()) - 1)];
            rows[pk] = acked[pk] + 1;
          }
          replace = r < 48;  // upsert, else delete
          insert = replace;
        }
        for (const auto& [pk, ver] : rows) written[pk].insert(ver);
        auto ts = ds->Write(coll, Entry(rows, insert, replace));
        if (!ts.ok()) {
          pending = Pending{rows, insert};
          break;
        }
        for (const auto& [pk, ver] : rows) {
          if (insert) {
            acked[pk] = ver;
            deleted.erase(pk);
          } else {
            acked.erase(pk);
            deleted.insert(pk);
          }
        }
        (insert ? (replace ? stats.acked_upserts : stats.acked_inserts) : stats.acked_deletes) +=
            static_cast<int64_t>(rows.size());
      } else if (r < 74) {
        in_flight = kFlush;
        stats.flushes += ds->Flush(coll).ok();
      } else if (r < 84) {
        in_flight = kCompact;
        clock.Set(clock.NowMs() + 2 * DataService::kCompactionGraceMs);  // deletes become removable
        stats.compactions += ds->Compact(coll).ok();
      } else {
        in_flight = kIndex;
        const int before = ds->Manifest(coll).indexes_size();
        const std::string key = before ? ds->Manifest(coll).indexes(0).key() : "";
        ds->BuildIndexesForTesting({coll});
        const format::SegmentManifest after = ds->Manifest(coll);
        stats.index_saves += after.indexes_size() > 0 && after.indexes(0).key() != key;
      }
    }
    if (!fs.powered_off()) in_flight = kOther;  // the run ended without reaching the armed call
    ds.reset();  // the builder thread never ran; nothing else is in flight
    fs.PowerCut();
    ++stats.cuts;
    ++stats.cuts_in[in_flight];
  }
}

int Seeds(int fallback) {
  const char* env = std::getenv("QUIVER_POWER_CUT_SEEDS");
  return env ? std::atoi(env) : fallback;
}

void Report(const char* name, const Stats& s) {
  std::printf(
      "%s: %lld power cuts (in writes %lld, flushes %lld, compactions %lld, index builds/saves "
      "%lld, other %lld); acknowledged rows: %lld inserted, %lld upserted, %lld deleted; completed "
      "%lld flushes, %lld compactions, %lld index saves; lost %lld, wrong %lld, resurrected %lld, "
      "phantom %lld, half-applied %lld, duplicate %lld, recovery failures %lld, bad references "
      "%lld, garbage left %lld\n",
      name, (long long)s.cuts, (long long)s.cuts_in[kWrite], (long long)s.cuts_in[kFlush],
      (long long)s.cuts_in[kCompact], (long long)s.cuts_in[kIndex], (long long)s.cuts_in[kOther],
      (long long)s.acked_inserts, (long long)s.acked_upserts, (long long)s.acked_deletes,
      (long long)s.flushes, (long long)s.compactions, (long long)s.index_saves, (long long)s.lost,
      (long long)s.wrong, (long long)s.resurrected, (long long)s.phantoms,
      (long long)s.half_applied, (long long)s.duplicates, (long long)s.recovery_failures,
      (long long)s.bad_references, (long long)s.garbage_left);
}

TEST(DataServicePowerCut, AcknowledgedRowsSurviveCutsDuringFlushCompactionAndIndexSave) {
  spdlog::set_level(spdlog::level::off);  // thousands of expected "power cut" errors
  Stats stats;
  const int seeds = Seeds(60);
  for (int seed = 1; seed <= seeds; ++seed) {
    RunSeed(static_cast<uint64_t>(seed), 5, /*object_sync=*/true, stats);
    ASSERT_EQ(stats.violations(), 0) << stats.first_problem;
  }
  Report("power cuts", stats);
  EXPECT_GT(stats.cuts_in[kFlush], 0);
  EXPECT_GT(stats.cuts_in[kCompact], 0);
  EXPECT_GT(stats.cuts_in[kIndex], 0);
  EXPECT_GT(stats.index_saves, 0);
}

TEST(DataServicePowerCut, NegativeControlWithoutObjectSyncReportsLoss) {
  spdlog::set_level(spdlog::level::off);
  Stats stats;
  for (int seed = 1; seed <= 40 && stats.violations() == 0; ++seed) {
    RunSeed(static_cast<uint64_t>(seed), 5, /*object_sync=*/false, stats);
  }
  Report("negative control (object store without fsync)", stats);
  EXPECT_GT(stats.violations(), 0) << "the harness cannot see lost segment files";
}

// Found by the crash-point loop's negative control: a manifest whose checkpoint record is gone
// from the WAL (the WAL was truncated behind a checkpoint that was never committed) was
// recovered from the first WAL file left, silently dropping the rows in between.
TEST(DataServiceRecovery, Issue9WalStartingAfterTheCheckpointIsCorruption) {
  storage::FaultyFileSystem fs(1);
  fs.AddDurableDir("/data");
  storage::MemoryMetaStore meta;
  coord::ManualClock clock(1'700'000'000'000);
  const catalog::CollectionRecord coll = MakeCollection();
  auto open = [&](auto&& body) {
    wal::LogOptions log_options;
    log_options.fs = &fs;
    log_options.max_file_bytes = 1024;
    auto log = wal::LocalLogStore::Open("/data/wal", log_options);
    storage::ObjectStoreOptions object_options;
    object_options.fs = &fs;
    auto objects = storage::LocalObjectStore::Open("/data/objects", object_options);
    auto tso = coord::Tso::Open(meta, clock);
    auto ids = coord::IdAllocator::Open(meta);
    ASSERT_TRUE(log.ok() && objects.ok() && tso.ok() && ids.ok());
    DataService ds(**log, **objects, meta, **tso, **ids);
    body(ds);
  };
  open([&](DataService& ds) {
    ASSERT_TRUE(ds.Recover({coll}).ok());
    for (int64_t i = 0; i < 20; ++i) ASSERT_TRUE(ds.Write(coll, Entry({{i, 1}}, true, false)).ok());
    ASSERT_TRUE(ds.Flush(coll).ok());  // truncates the WAL files behind the checkpoint
    for (int64_t i = 20; i < 25; ++i)
      ASSERT_TRUE(ds.Write(coll, Entry({{i, 1}}, true, false)).ok());
  });
  // The manifest as an unsafe flush leaves it: the old checkpoint, no segment.
  format::SegmentManifest stale;
  stale.set_collection_id(coll.id());
  stale.set_checkpoint_lsn(1);
  storage::WriteBatch b;
  b.Put(fmt::format("segments/{:020}", coll.id()), coord::EncodeRecord(stale));
  ASSERT_TRUE(meta.Commit(b).ok());
  open([&](DataService& ds) {
    Status st = ds.Recover({coll});
    EXPECT_EQ(st.code(), StatusCode::kCorruption) << st.ToString();
    EXPECT_NE(st.message().find("records are missing"), std::string::npos) << st.ToString();
  });
}

// A WAL channel holding another collection's entries (e.g. channel directories swapped) is
// corruption, not rows of this collection.
TEST(DataServiceRecovery, Issue9WalEntryOfAnotherCollectionIsCorruption) {
  storage::FaultyFileSystem fs(1);
  fs.AddDurableDir("/data");
  storage::MemoryMetaStore meta;
  coord::ManualClock clock(1'700'000'000'000);
  const catalog::CollectionRecord coll = MakeCollection();
  wal::LogOptions log_options;
  log_options.fs = &fs;
  auto log = wal::LocalLogStore::Open("/data/wal", log_options);
  ASSERT_TRUE(log.ok());
  wal::WalEntry foreign = Entry({{1, 1}}, true, false);
  foreign.set_collection_id(coll.id() + 1);
  ASSERT_TRUE(
      (*log)->Append(DataService::ChannelName(coll.id()), foreign.SerializeAsString()).ok());
  storage::ObjectStoreOptions object_options;
  object_options.fs = &fs;
  auto objects = storage::LocalObjectStore::Open("/data/objects", object_options);
  auto tso = coord::Tso::Open(meta, clock);
  auto ids = coord::IdAllocator::Open(meta);
  ASSERT_TRUE(objects.ok() && tso.ok() && ids.ok());
  DataService ds(**log, **objects, meta, **tso, **ids);
  EXPECT_EQ(ds.Recover({coll}).code(), StatusCode::kCorruption);
}

}  // namespace
}  // namespace quiver::datanode
