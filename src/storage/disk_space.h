// DiskSpaceGuard is the free-space watermark of a data directory: writes that add data are
// refused (ResourceExhausted about Subject::kDiskQuota, which the proxy answers as Milvus's
// disk-quota error) while the file system holding the directory has less than `min_free_bytes`
// free, and accepted again as soon as space returns, without a restart. It refuses before the
// disk is full so that a refusal is clean: a write that hits ENOSPC inside the WAL poisons the
// channel until restart, a refused one changes nothing. Free space is probed (statvfs, or an
// injected probe in tests) at most every `probe_interval`; state changes are logged.
// Thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>

#include "common/status.h"

namespace quiver::storage {

class DiskSpaceGuard {
 public:
  using ProbeFn = std::function<Result<int64_t>()>;  // free bytes available to us
  // `min_free_bytes` 0 disables the watermark. Null `probe` = statvfs of `dir`.
  DiskSpaceGuard(std::string dir, int64_t min_free_bytes, ProbeFn probe = nullptr,
                 std::chrono::milliseconds probe_interval = std::chrono::milliseconds(100));

  // OK, or ResourceExhausted(kDiskQuota) while free space is under the watermark. A failing
  // probe does not refuse writes (it is logged once).
  Status CheckWritable();
  // Whether free space is under the watermark now (background writers skip optional work).
  bool Low() { return FreeBytesIfLow() >= 0; }
  int64_t min_free_bytes() const { return min_free_bytes_; }
  // Writes refused so far.
  int64_t refusals() const { return refusals_.load(); }

 private:
  // Probes when due; the free bytes while under the watermark, else -1.
  int64_t FreeBytesIfLow();

  const std::string dir_;
  const int64_t min_free_bytes_;
  const ProbeFn probe_;
  const std::chrono::milliseconds probe_interval_;
  std::mutex mu_;
  std::chrono::steady_clock::time_point next_probe_;  // guarded by mu_
  int64_t free_bytes_ = -1;                           // guarded by mu_; -1 = unknown
  bool low_ = false;                                  // guarded by mu_
  std::atomic<int64_t> refusals_{0};
};

}  // namespace quiver::storage
