#include "common/crash_point.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <cstdlib>
#include <string>

namespace quiver {
namespace {

// Set once before other threads start (ArmCrashPoint); read by every CrashPoint call.
std::atomic<bool> g_armed{false};
std::string g_armed_name;
int64_t g_armed_hit = 1;
std::atomic<int64_t> g_hits{0};
std::vector<std::string> g_unsafe;
std::atomic<bool> g_any_unsafe{false};

bool Listed(const std::vector<std::string_view>& names, std::string_view name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

}  // namespace

const std::vector<std::string_view>& CrashPointNames() {
  // Grouped by the operation they interrupt; the order is the order a crash test visits them.
  static const std::vector<std::string_view> kNames = {
      // WAL append (group commit): records written, not yet synced / synced, not yet acknowledged.
      "wal.append.after_write",
      "wal.append.after_sync",
      // WAL file rotation: the new file exists, its directory entry is not yet synced.
      "wal.rotate.after_create",
      // WAL truncation behind a checkpoint: between removing two old files.
      "wal.truncate.after_remove",
      // Object put (segment and index files): temp file synced, not renamed / renamed, dir not
      // synced.
      "object.put.before_rename",
      "object.put.after_rename",
      // Flush: segment written, manifest not committed / committed, WAL not truncated / truncated,
      // replaced objects not deleted.
      "flush.after_segment_put",
      "flush.after_manifest_commit",
      "flush.after_wal_truncate",
      // Compaction: merged segment written / manifest committed / first replaced object deleted.
      "compaction.after_segment_put",
      "compaction.after_manifest_commit",
      "compaction.after_first_delete",
      // Saved ANN index (QVIDX001 file): written, not published / published, old one not deleted.
      "index.after_put",
      "index.after_publish",
      // Drop collection: catalog record gone / manifest deleted / first object deleted.
      "drop.after_catalog_commit",
      "drop.after_manifest_delete",
      "drop.after_first_object_delete",
      // Recovery: data loaded and WAL replayed, garbage not yet removed.
      "recovery.before_gc",
  };
  return kNames;
}

const std::vector<std::string_view>& UnsafeBehaviourNames() {
  static const std::vector<std::string_view> kNames = {
      // Flush truncates the WAL behind a checkpoint it never commits: acknowledged rows are lost
      // at the next restart.
      "flush_skip_manifest",
  };
  return kNames;
}

Status ArmCrashPoint(std::string_view spec) {
  std::string_view name = spec;
  int64_t hit = 1;
  if (size_t colon = spec.rfind(':'); colon != std::string_view::npos) {
    name = spec.substr(0, colon);
    std::string_view n = spec.substr(colon + 1);
    auto [end, ec] = std::from_chars(n.data(), n.data() + n.size(), hit);
    if (ec != std::errc() || end != n.data() + n.size() || hit < 1) {
      return Status::InvalidArgument("crash point '{}': the hit count must be a positive integer",
                                     spec);
    }
  }
  if (!Listed(CrashPointNames(), name)) {
    return Status::InvalidArgument("unknown crash point '{}' (`quiver crash-points` lists them)",
                                   name);
  }
  g_armed_name = std::string(name);
  g_armed_hit = hit;
  g_hits = 0;
  g_armed.store(true, std::memory_order_release);
  return Status::Ok();
}

Status EnableUnsafeBehaviour(std::string_view name) {
  if (!Listed(UnsafeBehaviourNames(), name)) {
    return Status::InvalidArgument(
        "unknown unsafe behaviour '{}' (`quiver crash-points` lists them)", name);
  }
  g_unsafe.emplace_back(name);
  g_any_unsafe.store(true, std::memory_order_release);
  return Status::Ok();
}

Status ArmFromEnvironment() {
  if (const char* spec = std::getenv("QUIVER_CRASH_AT"); spec && *spec) {
    QV_RETURN_IF_ERROR(ArmCrashPoint(spec));
  }
  if (const char* names = std::getenv("QUIVER_UNSAFE"); names && *names) {
    std::string_view rest = names;
    while (!rest.empty()) {
      size_t comma = rest.find(',');
      QV_RETURN_IF_ERROR(EnableUnsafeBehaviour(rest.substr(0, comma)));
      rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    }
  }
  return Status::Ok();
}

void CrashPoint(std::string_view name) {
  if (!g_armed.load(std::memory_order_relaxed)) return;
  if (name != g_armed_name) return;
  if (g_hits.fetch_add(1) + 1 != g_armed_hit) return;
  // Only async-signal-safe calls from here on: other threads keep running.
  std::string line = "quiver: crash point " + g_armed_name + ":" + std::to_string(g_armed_hit) +
                     " reached, exiting\n";
  [[maybe_unused]] ssize_t n = ::write(2, line.data(), line.size());
  ::_exit(kCrashPointExitCode);
}

bool Unsafe(std::string_view name) {
  if (!g_any_unsafe.load(std::memory_order_relaxed)) return false;
  return std::find(g_unsafe.begin(), g_unsafe.end(), name) != g_unsafe.end();
}

}  // namespace quiver
