#include "common/executor.h"

#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <thread>

namespace quiver {
namespace {

TEST(Executor, RunsEveryIndexOnceAcrossThreads) {
  Executor ex(2);
  std::vector<std::atomic<int>> hits(1000);
  std::mutex mu;
  std::set<std::thread::id> seen;
  ex.ParallelFor(hits.size(), [&](size_t i) {
    hits[i].fetch_add(1);
    std::lock_guard lock(mu);
    seen.insert(std::this_thread::get_id());
  });
  for (auto& h : hits) EXPECT_EQ(h.load(), 1);
  EXPECT_GE(seen.size(), 1u);
}

TEST(Executor, ConcurrentCallersEachGetTheirWorkDone) {
  Executor ex(2);
  std::atomic<int64_t> sum{0};
  std::vector<std::jthread> callers;
  for (int c = 0; c < 6; ++c) {
    callers.emplace_back([&] {
      for (int round = 0; round < 50; ++round) ex.ParallelFor(100, [&](size_t i) { sum += static_cast<int64_t>(i); });
    });
  }
  callers.clear();
  EXPECT_EQ(sum.load(), 6 * 50 * 4950);
}

TEST(Executor, WithoutWorkersRunsOnTheCaller) {
  Executor ex(0);
  const auto me = std::this_thread::get_id();
  int n = 0;
  ex.ParallelFor(10, [&](size_t) {
    EXPECT_EQ(std::this_thread::get_id(), me);
    ++n;
  });
  EXPECT_EQ(n, 10);
}

}  // namespace
}  // namespace quiver
