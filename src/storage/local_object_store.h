// LocalObjectStore keeps objects as files under a root directory (key = relative path). Put
// writes a temporary file, fsyncs it, renames it into place and fsyncs the directory.
// Thread-safe (the file system serialises renames; distinct keys never share a temp file).
#pragma once

#include <atomic>
#include <memory>

#include "storage/object_store.h"

namespace quiver::storage {

class LocalObjectStore : public ObjectStore {
 public:
  static Result<std::unique_ptr<LocalObjectStore>> Open(const std::string& root);

  Status Put(const std::string& key, std::string_view bytes) override;
  Result<std::string> Get(const std::string& key) override;
  Status Delete(const std::string& key) override;
  Result<std::vector<std::string>> List(const std::string& prefix) override;

 private:
  explicit LocalObjectStore(std::string root) : root_(std::move(root)) {}
  Result<std::string> PathOf(const std::string& key) const;

  const std::string root_;
  std::atomic<uint64_t> tmp_seq_{0};
};

}  // namespace quiver::storage
