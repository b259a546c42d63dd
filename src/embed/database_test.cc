#include "quiver/quiver.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

namespace quiver {
namespace {

class DatabaseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("quiver-embed-" + std::to_string(::getpid()) + "-" +
                                                      ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::unique_ptr<Database> Open() {
    auto db = Database::Open(dir_.string());
    EXPECT_TRUE(db.ok()) << db.status().ToString();
    return db.ok() ? std::move(*db) : nullptr;
  }
  static Json Rows(int from, int to) {
    Json rows = Json::array();
    for (int i = from; i < to; ++i) {
      rows.push_back({{"id", i}, {"vector", {static_cast<double>(i), 0.0, 1.0}}, {"tag", i % 2}});
    }
    return rows;
  }
  std::filesystem::path dir_;
};

TEST_F(DatabaseTest, CrudSearchAndQuery) {
  auto db = Open();
  ASSERT_TRUE(db);
  ASSERT_TRUE(db->CreateCollection("c", 3, "L2").ok());
  EXPECT_TRUE(db->HasCollection("c").value());
  EXPECT_FALSE(db->HasCollection("nope").value());
  EXPECT_EQ(db->ListCollections().value(), std::vector<std::string>{"c"});

  auto ids = db->Insert("c", Rows(0, 50));
  ASSERT_TRUE(ids.ok()) << ids.status().ToString();
  EXPECT_EQ(ids->size(), 50u);

  SearchOptions s;
  s.limit = 2;
  s.filter = "tag == 1";
  s.output_fields = {"tag"};
  auto hits = db->Search("c", {{10.2, 0.0, 1.0}, {40.0, 0.0, 1.0}}, s);
  ASSERT_TRUE(hits.ok()) << hits.status().ToString();
  ASSERT_EQ(hits->size(), 2u);
  EXPECT_EQ((*hits)[0][0]["id"], 11);
  EXPECT_EQ((*hits)[0][1]["id"], 9);
  EXPECT_NEAR((*hits)[0][0]["distance"].get<double>(), 0.64, 1e-4);
  EXPECT_EQ((*hits)[1][0]["id"], 39);
  EXPECT_EQ((*hits)[1][0]["tag"], 1);

  ASSERT_TRUE(db->Delete("c", "id < 10").ok());
  QueryOptions q;
  q.output_fields = {"count(*)"};
  EXPECT_EQ(db->Query("c", "", q).value()[0]["count(*)"], 40);
  auto got = db->Get("c", {12, 3}, {"tag"});
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->size(), 1u);  // 3 was deleted
  EXPECT_EQ((*got)[0]["id"], 12);

  auto upserted = db->Upsert("c", Json::array({{{"id", 12}, {"vector", {0, 0, 0}}, {"tag", 7}}}));
  ASSERT_TRUE(upserted.ok());
  EXPECT_EQ(db->Get("c", {12}, {"tag"}).value()[0]["tag"], 7);
}

TEST_F(DatabaseTest, ErrorsCarryMilvusCodes) {
  auto db = Open();
  ASSERT_TRUE(db);
  auto missing = db->Insert("nope", Rows(0, 1));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("milvus code 100"), std::string::npos) << missing.status().message();
  ASSERT_TRUE(db->CreateCollection("c", 3).ok());
  auto bad = db->Query("c", "tag >", {});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  auto wrong_dim = db->Insert("c", Json::array({{{"id", 1}, {"vector", {1, 2}}}}));
  EXPECT_EQ(wrong_dim.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(db->Call("no/such", Json::object()).status().code(), StatusCode::kNotFound);
}

TEST_F(DatabaseTest, ReopenKeepsDataAndTheDirectoryIsLocked) {
  {
    auto db = Open();
    ASSERT_TRUE(db);
    ASSERT_TRUE(db->CreateCollection("c", 3).ok());
    ASSERT_TRUE(db->Insert("c", Rows(0, 20)).ok());
    auto second = Database::Open(dir_.string());
    ASSERT_FALSE(second.ok());
    EXPECT_EQ(second.status().code(), StatusCode::kUnavailable);
    EXPECT_NE(second.status().message().find("in use"), std::string::npos);
    ASSERT_TRUE(db->Flush("c").ok());
    ASSERT_TRUE(db->Insert("c", Rows(20, 30)).ok());  // in the WAL only
  }
  auto db = Open();
  ASSERT_TRUE(db);
  QueryOptions q;
  q.output_fields = {"count(*)"};
  auto n = db->Query("c", "", q);
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ((*n)[0]["count(*)"], 30);
}

}  // namespace
}  // namespace quiver
