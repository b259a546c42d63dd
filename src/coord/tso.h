// Tso hands out hybrid timestamps (physical_ms << 18 | logical) that strictly increase, also
// across restarts and when the wall clock steps back: it persists an upper bound ("window")
// of the physical part in the MetaStore and never issues a timestamp past the saved bound, so
// after a restart it starts above everything issued before. The window is extended ahead of
// need by a background thread, so Allocate does no I/O (it writes the window itself only if that
// thread falls a whole window behind). Thread-safe. Borrows the store and the clock; both must
// outlive the Tso.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <stop_token>
#include <thread>

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
  ~Tso();

 private:
  Tso(storage::MetaStore& store, Clock& clock) : store_(store), clock_(clock) {}
  // Persists `until_ms` unless a larger bound already is (writes never lower the stored bound).
  Status PersistWindow(int64_t until_ms);
  Status SaveWindowLocked(int64_t until_ms);
  void RenewLoop(std::stop_token stop);

  storage::MetaStore& store_;
  Clock& clock_;
  std::mutex mu_;
  int64_t physical_ms_ = 0;  // guarded by mu_
  int64_t logical_ = 0;      // next logical value to hand out; guarded by mu_
  int64_t saved_until_ms_ = 0;  // guarded by mu_; no timestamp at or past this physical ms is issued
  bool renew_wanted_ = false;   // guarded by mu_
  std::condition_variable_any renew_cv_;
  std::mutex persist_mu_;       // serialises window writes; taken after mu_ when both are held
  int64_t persisted_ms_ = 0;    // guarded by persist_mu_: the bound in the store
  std::jthread renewer_;        // last: stopped and joined first
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
