// LogStore is the seam for the write-ahead log: per-channel ordered logs of opaque records.
// A record is the unit of atomicity — after a crash it is present whole or not at all — and
// Append returns only when the record is durable (under the store's sync policy). Channels are
// named by the caller (one per collection shard). Implementations: MemoryLogStore (tests) and
// wal::LocalLogStore (files); later a log broker. Implementations are thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace quiver::storage {

using Lsn = uint64_t;  // log sequence number, per channel, starting at 1

class LogStore {
 public:
  virtual ~LogStore() = default;

  // Appends one record; returns its LSN once it is durable.
  virtual Result<Lsn> Append(const std::string& channel, std::string_view record) = 0;
  // Calls `fn` for every record with LSN >= from, in order. Stops at the first error.
  using ReplayFn = std::function<Status(Lsn lsn, std::string_view record)>;
  virtual Status Replay(const std::string& channel, Lsn from, const ReplayFn& fn) = 0;
  // Allows the store to drop records with LSN < before (they are checkpointed elsewhere).
  virtual Status Truncate(const std::string& channel, Lsn before) = 0;
  // Removes the channel and all its records.
  virtual Status DropChannel(const std::string& channel) = 0;
  virtual std::vector<std::string> ListChannels() = 0;
};

class MemoryLogStore : public LogStore {
 public:
  Result<Lsn> Append(const std::string& channel, std::string_view record) override {
    std::lock_guard lock(mu_);
    auto& ch = channels_[channel];
    Lsn lsn = ch.next++;
    ch.records.emplace(lsn, std::string(record));
    return lsn;
  }
  Status Replay(const std::string& channel, Lsn from, const ReplayFn& fn) override {
    std::vector<std::pair<Lsn, std::string>> copy;
    {
      std::lock_guard lock(mu_);
      auto it = channels_.find(channel);
      if (it == channels_.end()) return Status::Ok();
      for (auto r = it->second.records.lower_bound(from); r != it->second.records.end(); ++r) {
        copy.emplace_back(r->first, r->second);
      }
    }
    for (const auto& [lsn, rec] : copy) QV_RETURN_IF_ERROR(fn(lsn, rec));
    return Status::Ok();
  }
  Status Truncate(const std::string& channel, Lsn before) override {
    std::lock_guard lock(mu_);
    auto& recs = channels_[channel].records;
    recs.erase(recs.begin(), recs.lower_bound(before));
    return Status::Ok();
  }
  Status DropChannel(const std::string& channel) override {
    std::lock_guard lock(mu_);
    channels_.erase(channel);
    return Status::Ok();
  }
  std::vector<std::string> ListChannels() override {
    std::lock_guard lock(mu_);
    std::vector<std::string> out;
    for (const auto& [name, ch] : channels_) out.push_back(name);
    return out;
  }

 private:
  struct Channel {
    Lsn next = 1;
    std::map<Lsn, std::string> records;
  };
  std::mutex mu_;
  std::map<std::string, Channel> channels_;
};

}  // namespace quiver::storage
