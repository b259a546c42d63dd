#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "storage/memory_meta_store.h"
#include "storage/sqlite_meta_store.h"

namespace quiver::storage {
namespace {

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/quiver-test-XXXXXX";
    path_ = mkdtemp(tmpl);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

void ExerciseStore(MetaStore& store) {
  WriteBatch b;
  b.Put("coll/1", "a");
  b.Put("coll/2", std::string("b\0c", 3));
  b.Put("db/1", "d");
  ASSERT_TRUE(store.Commit(b).ok());

  auto v = store.Get("coll/2");
  ASSERT_TRUE(v.ok());
  ASSERT_TRUE(v->has_value());
  EXPECT_EQ(**v, std::string("b\0c", 3));
  EXPECT_FALSE(store.Get("coll/3")->has_value());

  auto scan = store.Scan("coll/");
  ASSERT_TRUE(scan.ok());
  ASSERT_EQ(scan->size(), 2u);
  EXPECT_EQ((*scan)[0].first, "coll/1");
  EXPECT_EQ((*scan)[1].first, "coll/2");

  WriteBatch d;
  d.Delete("coll/1");
  d.Put("coll/3", "x");
  ASSERT_TRUE(store.Commit(d).ok());
  scan = store.Scan("coll/");
  ASSERT_EQ(scan->size(), 2u);
  EXPECT_EQ((*scan)[0].first, "coll/2");
  EXPECT_EQ((*scan)[1].first, "coll/3");
}

TEST(MemoryMetaStore, PutGetScanDelete) {
  MemoryMetaStore store;
  ExerciseStore(store);
}

TEST(SqliteMetaStore, PutGetScanDelete) {
  TempDir dir;
  auto store = SqliteMetaStore::Open(dir.File("meta.db"));
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  ExerciseStore(**store);
}

TEST(SqliteMetaStore, CommittedBatchSurvivesReopen) {
  TempDir dir;
  {
    auto store = SqliteMetaStore::Open(dir.File("meta.db"));
    ASSERT_TRUE(store.ok());
    WriteBatch b;
    b.Put("k", "v");
    ASSERT_TRUE((*store)->Commit(b).ok());
  }
  auto store = SqliteMetaStore::Open(dir.File("meta.db"));
  ASSERT_TRUE(store.ok());
  EXPECT_EQ(**(*store)->Get("k"), "v");
}

TEST(SqliteMetaStore, ForeignFileIsReportedNotServed) {
  TempDir dir;
  {
    std::ofstream f(dir.File("meta.db"), std::ios::binary);
    f << std::string(8192, 'Z');
  }
  auto store = SqliteMetaStore::Open(dir.File("meta.db"));
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kCorruption) << store.status().ToString();
}

TEST(SqliteMetaStore, PrefixScanDoesNotLeakNeighbours) {
  TempDir dir;
  auto store = SqliteMetaStore::Open(dir.File("meta.db"));
  ASSERT_TRUE(store.ok());
  WriteBatch b;
  b.Put("a/1", "");
  b.Put("a0", "");
  b.Put("a/", "");
  b.Put("b/1", "");
  ASSERT_TRUE((*store)->Commit(b).ok());
  auto scan = (*store)->Scan("a/");
  ASSERT_TRUE(scan.ok());
  ASSERT_EQ(scan->size(), 2u);
}

}  // namespace
}  // namespace quiver::storage

#include "storage/local_object_store.h"

namespace quiver::storage {
namespace {

TEST(LocalObjectStore, PutGetListDeleteAndReopen) {
  TempDir dir;
  {
    auto s = LocalObjectStore::Open(dir.File("objects"));
    ASSERT_TRUE(s.ok());
    ASSERT_TRUE((*s)->Put("coll/1/seg-1", std::string("ab\0c", 4)).ok());
    ASSERT_TRUE((*s)->Put("coll/1/seg-2", "x").ok());
    ASSERT_TRUE((*s)->Put("coll/2/seg-3", "y").ok());
    EXPECT_EQ(*(*s)->Get("coll/1/seg-1"), std::string("ab\0c", 4));
    EXPECT_EQ((*s)->Get("coll/9").status().code(), StatusCode::kNotFound);
    EXPECT_EQ((*s)->List("coll/1/")->size(), 2u);
    ASSERT_TRUE((*s)->Delete("coll/1/seg-2").ok());
    EXPECT_TRUE((*s)->Delete("coll/1/seg-2").ok());
    EXPECT_FALSE((*s)->Put("../escape", "z").ok());
  }
  // A leftover temporary file (crash during Put) is removed on open and never listed.
  { std::ofstream(dir.File("objects/coll/1/.tmp-1-0")) << "partial"; }
  auto s = LocalObjectStore::Open(dir.File("objects"));
  ASSERT_TRUE(s.ok());
  EXPECT_EQ((*s)->List("coll/")->size(), 2u);
  EXPECT_FALSE(std::filesystem::exists(dir.File("objects/coll/1/.tmp-1-0")));
}

}  // namespace
}  // namespace quiver::storage
