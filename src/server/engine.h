// Engine is one opened Quiver data directory with every standalone role wired together: the
// directory lock, the SQLite MetaStore, the TSO and id allocator, the catalog, the WAL, the
// object store, the DataService (recovered, index builder running), and the Milvus service and
// REST handler on top. `quiver serve` puts network listeners in front of it; the embedded
// library (quiver::Database) calls it in process. Both therefore read and write the same files.
//
// Thread-safety: the service and REST handler are thread-safe; Open/destruction are not. At
// most one Engine (in any process) holds a directory at a time.
#pragma once

#include <memory>
#include <string>

#include "common/status.h"
#include "proxy/milvus_service.h"
#include "proxy/rest/rest_handler.h"

namespace quiver::server {

struct EngineOptions {
  bool wal_sync = true;  // fdatasync the WAL before acknowledging a write
  int64_t flush_rows = 200000;
  int64_t exact_scan_max_cost = int64_t{1} << 22;  // see datanode::DataOptions
  size_t wal_max_file_bytes = 64 << 20;            // a new WAL file starts past this size
  // Inserts and upserts are refused while the data directory's file system has less free
  // space (storage::DiskSpaceGuard); 0 = no watermark.
  int64_t min_free_bytes = 0;
};

class Engine {
 public:
  static Result<std::unique_ptr<Engine>> Open(const std::string& data_dir, const EngineOptions& options);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  proxy::MilvusServiceImpl& service();
  proxy::rest::RestHandler& rest();

 private:
  struct Parts;
  explicit Engine(std::unique_ptr<Parts> parts);
  std::unique_ptr<Parts> parts_;
};

}  // namespace quiver::server
