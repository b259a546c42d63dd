// ServerConfig: what `quiver serve` runs with. Defaults, then the YAML file (--config), then
// command-line flags, in increasing precedence. Plain value type.
#pragma once

#include <string>

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
  int max_recv_message_bytes = 64 << 20;
  int max_send_message_bytes = 256 << 20;
};

// Reads the keys present in a YAML file into `config` (others keep their values).
Status LoadConfigFile(const std::string& path, ServerConfig& config);

}  // namespace quiver::server
