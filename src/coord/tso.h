// Tso hands out hybrid timestamps (physical_ms << 18 | logical) that strictly increase, also
// across restarts and when the wall clock steps back: it persists an upper bound ("window")
// of the physical part in the MetaStore and never issues a timestamp past the saved bound, so
// after a restart it starts above everything issued before. Thread-safe. Borrows the store
// and the clock; both must outlive the Tso.
#pragma once

#include <memory>
#include <mutex>

#include "common/status.h"
#include "common/timestamp.h"
#include "coord/clock.h"
#include "storage/meta_store.h"

namespace quiver::coord {

class Tso {
 public:
  static Result<std::unique_ptr<Tso>> Open(storage::MetaStore& store, Clock& clock);

  // Reserves `count` consecutive timestamps and returns the first.
  Result<Timestamp> Allocate(uint32_t count = 1);

  static constexpr int64_t kWindowMs = 3000;

 private:
  Tso(storage::MetaStore& store, Clock& clock) : store_(store), clock_(clock) {}
  Status SaveWindowLocked(int64_t until_ms);

  storage::MetaStore& store_;
  Clock& clock_;
  std::mutex mu_;
  int64_t physical_ms_ = 0;  // guarded by mu_
  int64_t logical_ = 0;      // next logical value to hand out; guarded by mu_
  int64_t saved_until_ms_ = 0;  // no timestamp at or past this physical ms is issued
};

// IdAllocator hands out unique int64 ids (collections, partitions, indexes, databases,
// segments) in blocks persisted in the MetaStore, so ids are never reused after a restart.
// Thread-safe.
class IdAllocator {
 public:
  static Result<std::unique_ptr<IdAllocator>> Open(storage::MetaStore& store);
  Result<int64_t> Allocate(int64_t count = 1);

  static constexpr int64_t kBlock = 10000;
  static constexpr int64_t kFirstId = 1000;

 private:
  explicit IdAllocator(storage::MetaStore& store) : store_(store) {}
  storage::MetaStore& store_;
  std::mutex mu_;
  int64_t next_ = 0;   // guarded by mu_
  int64_t limit_ = 0;  // persisted: ids below this may have been issued
};

}  // namespace quiver::coord
