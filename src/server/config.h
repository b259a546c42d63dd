// ServerConfig: what `quiver serve` runs with. Defaults, then the YAML file (--config), then
// command-line flags, in increasing precedence. Plain value type.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"

namespace quiver::server {

struct ServerConfig {
  std::string data_dir = "./quiver-data";
  std::string host = "127.0.0.1";
  int port = 19530;  // negative: no TCP listener (unix socket only)
  std::string unix_socket;  // also (or only) serve on this unix domain socket
  std::string log_level = "info";
  // fdatasync the WAL before acknowledging a write. Off only for benchmarks and the crash
  // test's negative control.
  bool wal_sync = true;
  // A collection is flushed to a segment once it holds this many unflushed rows.
  int64_t flush_rows = 200000;
  // Search planner: exact scans up to this many multiply-adds per query (datanode::DataOptions).
  int64_t exact_scan_max_cost = int64_t{1} << 22;
  // A new WAL file starts once the active one passes this size.
  int64_t wal_max_file_bytes = 64 << 20;
  // Free-space watermark: inserts and upserts are refused (Milvus's disk-quota error) while the
  // data directory's file system has less free space, and accepted again once it has more.
  // 0 turns the watermark off.
  int64_t min_free_bytes = int64_t{64} << 20;
  // Crash tests only: a crash point to arm ("<name>[:<n>]") and unsafe behaviours to enable
  // (common/crash_point.h). Empty in every real deployment.
  std::string crash_at;
  std::vector<std::string> unsafe;
  int max_recv_message_bytes = 64 << 20;
  int max_send_message_bytes = 256 << 20;
};

// Reads the keys present in a YAML file into `config` (others keep their values).
Status LoadConfigFile(const std::string& path, ServerConfig& config);

}  // namespace quiver::server
