#include "storage/disk_space.h"

#include <sys/statvfs.h>

#include <cerrno>
#include <cstring>

#include "common/logging.h"

namespace quiver::storage {

DiskSpaceGuard::DiskSpaceGuard(std::string dir, int64_t min_free_bytes, ProbeFn probe,
                               std::chrono::milliseconds probe_interval)
    : dir_(std::move(dir)),
      min_free_bytes_(min_free_bytes),
      probe_(probe ? std::move(probe) : ProbeFn([this]() -> Result<int64_t> {
        struct statvfs s;
        if (::statvfs(dir_.c_str(), &s) != 0) {
          return Status::Unavailable("statvfs {}: {}", dir_, std::strerror(errno));
        }
        return static_cast<int64_t>(s.f_bavail) * static_cast<int64_t>(s.f_frsize);
      })),
      probe_interval_(probe_interval) {}

int64_t DiskSpaceGuard::FreeBytesIfLow() {
  if (min_free_bytes_ <= 0) return -1;
  std::lock_guard lock(mu_);
  auto now = std::chrono::steady_clock::now();
  if (now >= next_probe_) {
    next_probe_ = now + probe_interval_;
    auto probed = probe_();
    if (!probed.ok()) {
      if (free_bytes_ != -1)
        QV_LOG_WARN("free space of {} unknown: {}", dir_, probed.status().ToString());
      free_bytes_ = -1;
    } else {
      free_bytes_ = *probed;
    }
    bool low = free_bytes_ >= 0 && free_bytes_ < min_free_bytes_;
    if (low != low_) {
      if (low) {
        QV_LOG_WARN(
            "free space on {} is {} bytes, under the {} byte watermark: inserts, upserts and "
            "index saves are refused until space returns",
            dir_, free_bytes_, min_free_bytes_);
      } else {
        QV_LOG_INFO("free space on {} is {} bytes again: writes resume", dir_, free_bytes_);
      }
      low_ = low;
    }
  }
  return low_ ? free_bytes_ : -1;
}

Status DiskSpaceGuard::CheckWritable() {
  int64_t free_bytes = FreeBytesIfLow();
  if (free_bytes < 0) return Status::Ok();
  ++refusals_;
  return Status::ResourceExhausted(
             "quota exceeded[reason=disk quota exceeded: {} bytes free on the data directory, "
             "under the "
             "watermark of {} bytes (storage.min_free_bytes); free space to resume writes]",
             free_bytes, min_free_bytes_)
      .About(Subject::kDiskQuota);
}

}  // namespace quiver::storage
