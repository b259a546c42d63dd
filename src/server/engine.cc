#include "server/engine.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>

#include "common/logging.h"
#include "coord/catalog.h"
#include "coord/clock.h"
#include "coord/tso.h"
#include "datanode/data_service.h"
#include "storage/local_object_store.h"
#include "storage/sqlite_meta_store.h"
#include "wal/local_log_store.h"

namespace quiver::server {
namespace {

// An exclusive lock on <data>/LOCK for the life of the Engine, so two processes never share
// a data directory.
class DirLock {
 public:
  static Result<std::unique_ptr<DirLock>> Acquire(const std::string& dir) {
    std::string path = dir + "/LOCK";
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return Status::Unavailable("cannot open {}: {}", path, std::strerror(errno));
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      ::close(fd);
      return Status::Unavailable("data directory {} is in use by another quiver process", dir);
    }
    return std::unique_ptr<DirLock>(new DirLock(fd));
  }
  ~DirLock() { ::close(fd_); }
  DirLock(const DirLock&) = delete;
  DirLock& operator=(const DirLock&) = delete;

 private:
  explicit DirLock(int fd) : fd_(fd) {}
  int fd_;
};

}  // namespace

// Members in dependency order: each borrows only those above it, and destruction runs upwards.
struct Engine::Parts {
  std::unique_ptr<DirLock> lock;
  std::unique_ptr<storage::SqliteMetaStore> meta;
  coord::SystemClock clock;
  std::unique_ptr<coord::Tso> tso;
  std::unique_ptr<coord::IdAllocator> ids;
  std::unique_ptr<coord::Catalog> catalog;
  std::unique_ptr<wal::LocalLogStore> log;
  std::unique_ptr<storage::LocalObjectStore> objects;
  std::unique_ptr<storage::DiskSpaceGuard> disk;
  std::unique_ptr<datanode::DataService> data;
  std::unique_ptr<proxy::MilvusServiceImpl> service;
  std::unique_ptr<proxy::rest::RestHandler> rest;
};

Result<std::unique_ptr<Engine>> Engine::Open(const std::string& data_dir, const EngineOptions& options) {
  std::error_code ec;
  std::filesystem::create_directories(data_dir, ec);
  if (ec) return Status::Unavailable("cannot create data directory {}: {}", data_dir, ec.message());
  auto p = std::make_unique<Parts>();
  QV_ASSIGN_OR_RETURN(p->lock, DirLock::Acquire(data_dir));
  QV_ASSIGN_OR_RETURN(p->meta, storage::SqliteMetaStore::Open(data_dir + "/meta.db"));
  auto tso = coord::Tso::Open(*p->meta, p->clock);
  if (!tso.ok()) return Status::Unavailable("cannot start the timestamp oracle: {}", tso.status().ToString());
  p->tso = std::move(*tso);
  auto ids = coord::IdAllocator::Open(*p->meta);
  if (!ids.ok()) return Status::Unavailable("cannot start the id allocator: {}", ids.status().ToString());
  p->ids = std::move(*ids);
  auto catalog = coord::Catalog::Open(*p->meta, *p->tso, *p->ids);
  if (!catalog.ok()) return Status::Unavailable("cannot open the catalog: {}", catalog.status().ToString());
  p->catalog = std::move(*catalog);
  wal::LogOptions log_options;
  log_options.sync = options.wal_sync;
  log_options.max_file_bytes = options.wal_max_file_bytes;
  auto log = wal::LocalLogStore::Open(data_dir + "/wal", log_options);
  if (!log.ok()) return Status::Unavailable("cannot open the WAL: {}", log.status().ToString());
  p->log = std::move(*log);
  auto objects = storage::LocalObjectStore::Open(data_dir + "/objects");
  if (!objects.ok()) return Status::Unavailable("cannot open the object store: {}", objects.status().ToString());
  p->objects = std::move(*objects);
  datanode::DataOptions data_options;
  data_options.flush_rows = options.flush_rows;
  data_options.exact_scan_max_cost = options.exact_scan_max_cost;
  p->disk = std::make_unique<storage::DiskSpaceGuard>(data_dir, options.min_free_bytes);
  data_options.disk = p->disk.get();
  p->data = std::make_unique<datanode::DataService>(*p->log, *p->objects, *p->meta, *p->tso, *p->ids, data_options);
  if (Status st = p->data->Recover(p->catalog->ListAllCollections()); !st.ok()) {
    return Status(st.code(), "recovery failed, refusing to serve: " + st.ToString());
  }
  coord::Catalog* cat = p->catalog.get();
  p->data->StartIndexBuilder([cat] { return cat->ListAllCollections(); });
  p->service = std::make_unique<proxy::MilvusServiceImpl>(*p->catalog, *p->tso, *p->data);
  p->rest = std::make_unique<proxy::rest::RestHandler>(*p->service);
  return std::unique_ptr<Engine>(new Engine(std::move(p)));
}

Engine::Engine(std::unique_ptr<Parts> parts) : parts_(std::move(parts)) {}
Engine::~Engine() = default;

proxy::MilvusServiceImpl& Engine::service() { return *parts_->service; }
proxy::rest::RestHandler& Engine::rest() { return *parts_->rest; }

}  // namespace quiver::server
