#include "coord/tso.h"

#include "common/logging.h"

#include <charconv>
#include <string>

namespace quiver::coord {
namespace {

constexpr const char* kTsoKey = "tso/window";
constexpr const char* kIdKey = "id/limit";

Result<int64_t> ReadInt(storage::MetaStore& store, const char* key) {
  QV_ASSIGN_OR_RETURN(std::optional<std::string> v, store.Get(key));
  if (!v) return int64_t{0};
  int64_t out = 0;
  auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), out);
  if (ec != std::errc() || p != v->data() + v->size()) {
    return Status::Corruption("meta key {} holds a non-number: '{}'", key, *v);
  }
  return out;
}

Status WriteInt(storage::MetaStore& store, const char* key, int64_t v) {
  storage::WriteBatch b;
  b.Put(key, std::to_string(v));
  return store.Commit(b);
}

}  // namespace

Result<std::unique_ptr<Tso>> Tso::Open(storage::MetaStore& store, Clock& clock) {
  std::unique_ptr<Tso> tso(new Tso(store, clock));
  QV_ASSIGN_OR_RETURN(int64_t saved, ReadInt(store, kTsoKey));
  // Everything issued before had a physical part below `saved`.
  tso->physical_ms_ = std::max(clock.NowMs(), saved);
  tso->logical_ = 0;
  {
    std::lock_guard lock(tso->mu_);
    QV_RETURN_IF_ERROR(tso->SaveWindowLocked(tso->physical_ms_ + kWindowMs));
  }
  Tso* t = tso.get();
  tso->renewer_ = std::jthread([t](std::stop_token stop) { t->RenewLoop(stop); });
  return tso;
}

Tso::~Tso() {
  renewer_.request_stop();
  renew_cv_.notify_all();
}

Status Tso::PersistWindow(int64_t until_ms) {
  std::lock_guard lock(persist_mu_);
  if (until_ms <= persisted_ms_) return Status::Ok();
  QV_RETURN_IF_ERROR(WriteInt(store_, kTsoKey, until_ms));
  persisted_ms_ = until_ms;
  return Status::Ok();
}

Status Tso::SaveWindowLocked(int64_t until_ms) {
  QV_RETURN_IF_ERROR(PersistWindow(until_ms));
  saved_until_ms_ = std::max(saved_until_ms_, until_ms);
  return Status::Ok();
}

// Extends the window when less than half of it is left (or when Allocate asks), writing with
// mu_ released so allocations go on meanwhile; the new bound is used only once it is stored.
void Tso::RenewLoop(std::stop_token stop) {
  std::unique_lock lock(mu_);
  while (!stop.stop_requested()) {
    renew_cv_.wait_for(lock, stop, std::chrono::milliseconds(kWindowMs / 4), [&] { return renew_wanted_; });
    if (stop.stop_requested()) return;
    renew_wanted_ = false;
    const int64_t target = std::max(clock_.NowMs(), physical_ms_) + kWindowMs;
    if (target - saved_until_ms_ < kWindowMs / 2) continue;
    lock.unlock();
    Status st = PersistWindow(target);
    lock.lock();
    if (st.ok()) {
      saved_until_ms_ = std::max(saved_until_ms_, target);
    } else {
      QV_LOG_WARN("tso: extending the timestamp window failed: {}", st.ToString());
    }
  }
}

Result<Timestamp> Tso::Allocate(uint32_t count) {
  if (count == 0 || count > kLogicalMask) {
    return Status::InvalidArgument("cannot allocate {} timestamps at once", count);
  }
  std::lock_guard lock(mu_);
  int64_t now = clock_.NowMs();
  if (now > physical_ms_) {
    physical_ms_ = now;
    logical_ = 0;
  }
  if (logical_ + count > static_cast<int64_t>(kLogicalMask) + 1) {
    ++physical_ms_;
    logical_ = 0;
  }
  // The renewer keeps the window ahead; only when it has fallen a whole window behind does
  // an allocation write it, under the lock, before issuing past the old bound.
  if (physical_ms_ + 1 >= saved_until_ms_) {
    QV_RETURN_IF_ERROR(SaveWindowLocked(physical_ms_ + kWindowMs));
  } else if (physical_ms_ + 1 >= saved_until_ms_ - kWindowMs / 2 && !renew_wanted_) {
    renew_wanted_ = true;
    renew_cv_.notify_one();
  }
  Timestamp first = ComposeTimestamp(physical_ms_, logical_);
  logical_ += count;
  return first;
}

Result<std::unique_ptr<IdAllocator>> IdAllocator::Open(storage::MetaStore& store) {
  std::unique_ptr<IdAllocator> ids(new IdAllocator(store));
  QV_ASSIGN_OR_RETURN(int64_t limit, ReadInt(store, kIdKey));
  ids->next_ = std::max(limit, kFirstId);
  ids->limit_ = ids->next_;  // forces a persisted reservation before the first id
  return ids;
}

Result<int64_t> IdAllocator::Allocate(int64_t count) {
  if (count <= 0) return Status::InvalidArgument("cannot allocate {} ids", count);
  std::lock_guard lock(mu_);
  if (next_ + count > limit_) {
    int64_t new_limit = next_ + std::max(count, kBlock);
    QV_RETURN_IF_ERROR(WriteInt(store_, kIdKey, new_limit));
    limit_ = new_limit;
  }
  int64_t first = next_;
  next_ += count;
  return first;
}

}  // namespace quiver::coord
