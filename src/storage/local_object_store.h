// LocalObjectStore keeps objects as files under a root directory (key = relative path), through
// the FileSystem seam (storage/file_system.h). Put writes a temporary file, fsyncs it, renames it
// into place and fsyncs the directory; directories it creates are fsynced into their parents.
// A crash or power cut during Put therefore leaves the old state or the whole new object, never
// a torn one under the key; temporary files of interrupted puts are removed by Open.
// Delete removes a directory it leaves empty (a dropped collection leaves nothing behind).
// Thread-safe (distinct keys never share a temporary file).
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <set>
#include <shared_mutex>

#include "storage/file_system.h"
#include "storage/object_store.h"

namespace quiver::storage {

struct ObjectStoreOptions {
  // fsync the object and its directory before Put returns. Off only in the power-cut test's
  // negative control.
  bool sync = true;
  FileSystem* fs = nullptr;  // borrowed, must outlive the store; null = the real disk
};

class LocalObjectStore : public ObjectStore {
 public:
  static Result<std::unique_ptr<LocalObjectStore>> Open(const std::string& root,
                                                        ObjectStoreOptions options = {});

  Status Put(const std::string& key, std::string_view bytes) override;
  Result<std::string> Get(const std::string& key) override;
  Result<FileBytes> GetBytes(const std::string& key) override;
  Status Delete(const std::string& key) override;
  Result<std::vector<std::string>> List(const std::string& prefix) override;

 private:
  LocalObjectStore(std::string root, ObjectStoreOptions options);
  Result<std::string> PathOf(const std::string& key) const;
  // Creates `dir` (under root_) and any missing parents, each fsynced into its parent.
  Status EnsureDir(const std::string& dir);
  Status ListUnder(const std::string& dir, const std::string& rel, std::vector<std::string>& out);

  const std::string root_;
  const ObjectStoreOptions options_;
  std::unique_ptr<FileSystem> owned_fs_;  // when options_.fs is null
  FileSystem* fs_;                        // options_.fs or owned_fs_
  std::atomic<uint64_t> tmp_seq_{0};
  // Puts hold it shared; removing a directory that became empty holds it exclusively, so a
  // directory never goes away under a put.
  std::shared_mutex put_mu_;
  std::mutex dirs_mu_;
  std::set<std::string> durable_dirs_;  // guarded by dirs_mu_: known to exist durably
};

}  // namespace quiver::storage
