#include "coord/catalog.h"

#include <gtest/gtest.h>

#include <thread>

#include "storage/faulty_meta_store.h"
#include "storage/memory_meta_store.h"

namespace quiver::coord {
namespace {

using milvus::proto::schema::DataType;

CollectionRecord SimpleCollection(const std::string& name, bool dynamic = true) {
  CollectionRecord r;
  r.set_name(name);
  r.set_shards_num(1);
  auto* s = r.mutable_schema();
  s->set_enable_dynamic_field(dynamic);
  auto* pk = s->add_fields();
  pk->set_name("id");
  pk->set_data_type(DataType::Int64);
  pk->set_is_primary_key(true);
  auto* v = s->add_fields();
  v->set_name("vector");
  v->set_data_type(DataType::FloatVector);
  auto* dim = v->add_type_params();
  dim->set_key("dim");
  dim->set_value("8");
  return r;
}

// Opens the TSO, id allocator and catalog over one store, as the server does.
struct Stack {
  explicit Stack(storage::MetaStore& store) {
    tso = std::move(Tso::Open(store, clock)).value();
    ids = std::move(IdAllocator::Open(store)).value();
    auto c = Catalog::Open(store, *tso, *ids);
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    catalog = std::move(c).value();
  }
  SystemClock clock;
  std::unique_ptr<Tso> tso;
  std::unique_ptr<IdAllocator> ids;
  std::unique_ptr<Catalog> catalog;
};

TEST(Tso, StrictlyIncreasesEvenWhenClockStepsBack) {
  storage::MemoryMetaStore store;
  ManualClock clock(1'000'000);
  auto tso = std::move(Tso::Open(store, clock)).value();
  Timestamp prev = *tso->Allocate();
  for (int i = 0; i < 1000; ++i) {
    if (i == 500) clock.Set(900'000);  // wall clock goes back 100 s
    Timestamp t = *tso->Allocate();
    EXPECT_GT(t, prev);
    prev = t;
  }
}

TEST(Tso, RestartStartsAboveEverythingIssued) {
  storage::MemoryMetaStore store;
  ManualClock clock(5'000'000);
  Timestamp last;
  {
    auto tso = std::move(Tso::Open(store, clock)).value();
    for (int i = 0; i < 10; ++i) clock.Set(5'000'000 + i * 1000), last = *tso->Allocate();
  }
  clock.Set(1'000);  // restart with a badly wrong clock
  auto tso = std::move(Tso::Open(store, clock)).value();
  EXPECT_GT(*tso->Allocate(), last);
}

// The window is extended in the background: allocations inside it do no I/O (they succeed while
// every commit fails), the stored bound never falls below an issued timestamp, and when the
// renewer cannot keep up an allocation past the bound writes it (or fails, issuing nothing).
TEST(Tso, WindowIsExtendedAheadAndNeverBehindWhatWasIssued) {
  storage::MemoryMetaStore inner;
  storage::FaultyMetaStore store(inner);
  ManualClock clock(10'000'000);
  auto tso = std::move(Tso::Open(store, clock)).value();
  auto stored = [&] { return std::stoll(inner.Get("tso/window").value().value()); };
  store.FailNextCommits(1'000'000);
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(tso->Allocate().ok());
  clock.Set(10'000'000 + Tso::kWindowMs + 10);  // past the bound, and no commit succeeds
  EXPECT_FALSE(tso->Allocate().ok());
  store.FailNextCommits(0);
  Timestamp last = 0;
  for (int step = 0; step < 40; ++step) {
    clock.Set(10'000'000 + Tso::kWindowMs + 10 + step * 250);
    for (int i = 0; i < 50; ++i) {
      auto t = tso->Allocate();
      ASSERT_TRUE(t.ok());
      EXPECT_GT(*t, last);
      last = *t;
      EXPECT_GT(stored(), PhysicalMs(*t));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  // The renewer moved the bound on its own: it is ahead of the clock by more than half a window.
  for (int i = 0; i < 200 && stored() < clock.NowMs() + Tso::kWindowMs / 2; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_GE(stored(), clock.NowMs() + Tso::kWindowMs / 2);
}

TEST(IdAllocator, NeverReusesIdsAfterRestart) {
  storage::MemoryMetaStore store;
  int64_t last;
  {
    auto ids = std::move(IdAllocator::Open(store)).value();
    last = *ids->Allocate(5) + 4;
  }
  auto ids = std::move(IdAllocator::Open(store)).value();
  EXPECT_GT(*ids->Allocate(), last);
}

TEST(Catalog, DefaultDatabaseAlwaysExists) {
  storage::MemoryMetaStore store;
  Stack s(store);
  ASSERT_TRUE(s.catalog->GetDatabase("default").ok());
  EXPECT_FALSE(s.catalog->DropDatabase("default").ok());
}

TEST(Catalog, CreateAssignsFieldIdsFrom100AndAddsDynamicField) {
  storage::MemoryMetaStore store;
  Stack s(store);
  ASSERT_TRUE(s.catalog->CreateCollection("default", SimpleCollection("c")).ok());
  auto c = s.catalog->GetCollection("default", "c");
  ASSERT_TRUE(c.ok());
  ASSERT_EQ(c->schema().fields_size(), 3);
  EXPECT_EQ(c->schema().fields(0).fieldid(), 100);
  EXPECT_EQ(c->schema().fields(1).fieldid(), 101);
  EXPECT_TRUE(c->schema().fields(2).is_dynamic());
  ASSERT_EQ(c->partitions_size(), 1);
  EXPECT_EQ(c->partitions(0).name(), "_default");
}

TEST(Catalog, RecreateWithSameSchemaIsIdempotentDifferentFails) {
  storage::MemoryMetaStore store;
  Stack s(store);
  ASSERT_TRUE(s.catalog->CreateCollection("default", SimpleCollection("c")).ok());
  EXPECT_TRUE(s.catalog->CreateCollection("default", SimpleCollection("c")).ok());
  EXPECT_FALSE(s.catalog->CreateCollection("default", SimpleCollection("c", false)).ok());
}

TEST(Catalog, EverythingSurvivesReopen) {
  storage::MemoryMetaStore store;
  int64_t id;
  {
    Stack s(store);
    ASSERT_TRUE(s.catalog->CreateDatabase("db1", {{"k", "v"}}).ok());
    ASSERT_TRUE(s.catalog->CreateCollection("db1", SimpleCollection("c")).ok());
    ASSERT_TRUE(s.catalog->CreatePartition("db1", "c", "p1").ok());
    ASSERT_TRUE(s.catalog->CreateAlias("db1", "c", "a").ok());
    id = s.catalog->GetCollection("db1", "c")->id();
  }
  Stack s(store);
  auto c = s.catalog->GetCollection("db1", "a");  // by alias
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->id(), id);
  EXPECT_EQ(c->partitions_size(), 2);
  EXPECT_EQ(s.catalog->GetDatabase("db1")->properties(0).value(), "v");
}

TEST(Catalog, FailedCommitLeavesNoTrace) {
  storage::MemoryMetaStore mem;
  storage::FaultyMetaStore store(mem);
  Stack s(store);
  store.FailNextCommits(1);
  EXPECT_FALSE(s.catalog->CreateCollection("default", SimpleCollection("c")).ok());
  EXPECT_FALSE(s.catalog->GetCollection("default", "c").ok());
  EXPECT_TRUE(s.catalog->CreateCollection("default", SimpleCollection("c")).ok());
}

TEST(Catalog, NotFoundErrorsNameTheirSubject) {
  storage::MemoryMetaStore store;
  Stack s(store);
  auto c = s.catalog->GetCollection("default", "nope");
  EXPECT_TRUE(c.status().Is(StatusCode::kNotFound, Subject::kCollection));
  auto d = s.catalog->GetCollection("nodb", "nope");
  EXPECT_TRUE(d.status().Is(StatusCode::kNotFound, Subject::kDatabase));
  auto a = s.catalog->DescribeAlias("default", "nope");
  EXPECT_TRUE(a.status().Is(StatusCode::kNotFound, Subject::kAlias));
}

TEST(Catalog, AliasRules) {
  storage::MemoryMetaStore store;
  Stack s(store);
  ASSERT_TRUE(s.catalog->CreateCollection("default", SimpleCollection("c1")).ok());
  ASSERT_TRUE(s.catalog->CreateCollection("default", SimpleCollection("c2")).ok());
  ASSERT_TRUE(s.catalog->CreateAlias("default", "c1", "a").ok());
  EXPECT_TRUE(s.catalog->CreateAlias("default", "c1", "a").ok());
  EXPECT_FALSE(s.catalog->CreateAlias("default", "c2", "a").ok());
  EXPECT_FALSE(s.catalog->CreateAlias("default", "c1", "c2").ok());
  // An alias of an alias points at the real collection.
  ASSERT_TRUE(s.catalog->CreateAlias("default", "a", "b").ok());
  EXPECT_EQ(s.catalog->DescribeAlias("default", "b")->collection_id(), s.catalog->GetCollection("default", "c1")->id());
  ASSERT_TRUE(s.catalog->DropAlias("default", "b").ok());
  EXPECT_FALSE(s.catalog->DropCollection("default", "c1").ok());  // has an alias
  ASSERT_TRUE(s.catalog->AlterAlias("default", "c2", "a").ok());
  EXPECT_EQ(s.catalog->GetCollection("default", "a")->name(), "c2");
  ASSERT_TRUE(s.catalog->DropAlias("default", "a").ok());
  EXPECT_TRUE(s.catalog->DropCollection("default", "c2").ok());
}

TEST(Catalog, DecodeRejectsFlippedByte) {
  DatabaseRecord r;
  r.set_name("x");
  std::string bytes = EncodeRecord(r);
  bytes.back() ^= 1;
  DatabaseRecord out;
  EXPECT_EQ(DecodeRecord("k", bytes, out).code(), StatusCode::kCorruption);
}

}  // namespace
}  // namespace quiver::coord
