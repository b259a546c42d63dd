// Clock gives wall time in milliseconds; injected so tests can move time (and move it back).
// SystemClock is thread-safe; ManualClock is for single-threaded tests.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace quiver::coord {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual int64_t NowMs() = 0;
};

class SystemClock : public Clock {
 public:
  int64_t NowMs() override {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
};

class ManualClock : public Clock {
 public:
  explicit ManualClock(int64_t ms) : ms_(ms) {}
  int64_t NowMs() override { return ms_; }
  void Set(int64_t ms) { ms_ = ms; }

 private:
  std::atomic<int64_t> ms_;
};

}  // namespace quiver::coord
