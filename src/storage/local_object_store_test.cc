// LocalObjectStore over FaultyFileSystem: a put survives a power cut once it returned, a put cut
// short leaves the old object or none (never a torn one), and temporary files are cleaned up.
#include "storage/local_object_store.h"

#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <random>

#include "storage/faulty_file_system.h"

namespace quiver::storage {
namespace {

std::unique_ptr<LocalObjectStore> OpenOn(FaultyFileSystem& fs, bool sync = true) {
  ObjectStoreOptions options;
  options.fs = &fs;
  options.sync = sync;
  auto store = LocalObjectStore::Open("/data/objects", options);
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  return store.ok() ? std::move(*store) : nullptr;
}

TEST(LocalObjectStore, PutGetListDeleteThroughTheSeam) {
  FaultyFileSystem fs(1);
  fs.AddDurableDir("/data");
  auto store = OpenOn(fs);
  ASSERT_TRUE(store->Put("coll-1/seg-1", "abc").ok());
  ASSERT_TRUE(store->Put("coll-1/sub/seg-2", "de").ok());
  EXPECT_EQ(*store->Get("coll-1/seg-1"), "abc");
  EXPECT_EQ(store->Get("coll-1/none").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(*store->List("coll-1/"),
            (std::vector<std::string>{"coll-1/seg-1", "coll-1/sub/seg-2"}));
  ASSERT_TRUE(store->Delete("coll-1/seg-1").ok());
  ASSERT_TRUE(store->Delete("coll-1/seg-1").ok());  // absent: still OK
  EXPECT_EQ(*store->List(""), (std::vector<std::string>{"coll-1/sub/seg-2"}));
  EXPECT_FALSE(store->Put("../x", "a").ok());
  // Deleting the last object of a prefix removes its now empty directories.
  ASSERT_TRUE(store->Delete("coll-1/sub/seg-2").ok());
  EXPECT_TRUE(fs.ListDir("/data/objects")->empty());
  ASSERT_TRUE(store->Put("coll-1/sub/seg-3", "f").ok());  // and a later put creates them again
  EXPECT_EQ(*store->Get("coll-1/sub/seg-3"), "f");
}

// Every put that returned survives every power cut whole; the one cut short is old or new.
TEST(LocalObjectStore, AcknowledgedPutsSurvivePowerCutsAndNoneIsTorn) {
  int64_t cuts = 0, acked = 0;
  for (uint64_t seed = 1; seed <= 300; ++seed) {
    FaultyFileSystem fs(seed);
    fs.AddDurableDir("/data");
    std::map<std::string, std::string> durable;  // acknowledged puts
    std::optional<std::pair<std::string, std::string>> in_flight;
    std::mt19937_64 rng(seed);
    for (int cycle = 0; cycle < 4; ++cycle) {
      auto store = OpenOn(fs);
      ASSERT_TRUE(store);
      auto listed = store->List("");
      ASSERT_TRUE(listed.ok());
      for (const auto& key : *listed) {
        auto got = store->Get(key);
        ASSERT_TRUE(got.ok());
        bool known = durable.contains(key) && durable[key] == *got;
        bool was_in_flight = in_flight && in_flight->first == key && in_flight->second == *got;
        ASSERT_TRUE(known || was_in_flight)
            << "seed " << seed << ": " << key << " is torn or unknown";
      }
      for (const auto& [key, bytes] : durable) {
        auto got = store->Get(key);
        bool replaced =
            in_flight && in_flight->first == key && got.ok() && *got == in_flight->second;
        ASSERT_TRUE(got.ok() && (*got == bytes || replaced)) << "seed " << seed << ": lost " << key;
      }
      if (in_flight) {
        auto got = store->Get(in_flight->first);
        if (got.ok() && *got == in_flight->second) durable[in_flight->first] = in_flight->second;
        in_flight.reset();
      }
      fs.ArmPowerCut(static_cast<int>(rng() % 40 + 1));
      for (int i = 0; !fs.powered_off(); ++i) {
        std::string key = fmt::format("coll-{}/obj-{}", rng() % 3, rng() % 6);
        std::string bytes(rng() % 5000, static_cast<char>('a' + rng() % 26));
        if (store->Put(key, bytes).ok()) {
          durable[key] = bytes;
          ++acked;
        } else {
          in_flight = {key, bytes};
        }
      }
      fs.PowerCut();
      ++cuts;
    }
  }
  std::printf("object store: %lld power cuts, %lld acknowledged puts, 0 lost, 0 torn\n",
              (long long)cuts, (long long)acked);
}

TEST(LocalObjectStore, NegativeControlWithoutSyncLosesAcknowledgedPuts) {
  int64_t lost = 0;
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    FaultyFileSystem fs(seed);
    fs.AddDurableDir("/data");
    auto store = OpenOn(fs, /*sync=*/false);
    for (int i = 0; i < 10; ++i)
      ASSERT_TRUE(store->Put(fmt::format("coll-1/obj-{}", i), "payload").ok());
    fs.PowerCut();
    auto reopened = OpenOn(fs);
    for (int i = 0; i < 10; ++i) {
      auto got = reopened->Get(fmt::format("coll-1/obj-{}", i));
      lost += !got.ok() || *got != "payload";
    }
  }
  EXPECT_GT(lost, 0);
}

TEST(LocalObjectStore, OpenRemovesTemporaryFilesOfInterruptedPuts) {
  FaultyFileSystem fs(2);
  fs.AddDurableDir("/data");
  auto store = OpenOn(fs);
  ASSERT_TRUE(store->Put("coll-1/a", "x").ok());
  ASSERT_TRUE(fs.CreateDirs("/data/objects/coll-1").ok());
  auto tmp = fs.OpenAppend("/data/objects/coll-1/.tmp-1-1", true);
  ASSERT_TRUE(tmp.ok());
  ASSERT_TRUE((*tmp)->Append("half").ok());
  EXPECT_EQ(*store->List(""), (std::vector<std::string>{"coll-1/a"}));  // never listed
  auto reopened = OpenOn(fs);
  auto entries = fs.ListDir("/data/objects/coll-1");
  ASSERT_TRUE(entries.ok());
  ASSERT_EQ(entries->size(), 1u);
  EXPECT_EQ((*entries)[0].name, "a");
}

}  // namespace
}  // namespace quiver::storage
