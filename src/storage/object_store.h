// ObjectStore is the seam for immutable blobs (segment files, later index files): whole-object
// put/get/delete/list under slash-separated keys. Put is atomic and durable: after it returns
// OK the object survives a crash, and a crash during Put leaves either the old state or the new
// object, never a partial one. Implementations: MemoryObjectStore (tests), LocalObjectStore
// (files); later S3. Implementations are thread-safe.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/file_io.h"
#include "common/status.h"

namespace quiver::storage {

class ObjectStore {
 public:
  virtual ~ObjectStore() = default;
  virtual Status Put(const std::string& key, std::string_view bytes) = 0;
  // NotFound when absent.
  virtual Result<std::string> Get(const std::string& key) = 0;
  // The object as read-only bytes, mapped where the store can (LocalObjectStore), else Get's copy.
  virtual Result<FileBytes> GetBytes(const std::string& key) {
    QV_ASSIGN_OR_RETURN(std::string bytes, Get(key));
    return FileBytes(std::move(bytes));
  }
  // Deleting an absent object succeeds.
  virtual Status Delete(const std::string& key) = 0;
  virtual Result<std::vector<std::string>> List(const std::string& prefix) = 0;
};

class MemoryObjectStore : public ObjectStore {
 public:
  Status Put(const std::string& key, std::string_view bytes) override {
    std::lock_guard lock(mu_);
    objects_[key] = std::string(bytes);
    return Status::Ok();
  }
  Result<std::string> Get(const std::string& key) override {
    std::lock_guard lock(mu_);
    auto it = objects_.find(key);
    if (it == objects_.end()) return Status::NotFound("object {} not found", key);
    return it->second;
  }
  Status Delete(const std::string& key) override {
    std::lock_guard lock(mu_);
    objects_.erase(key);
    return Status::Ok();
  }
  Result<std::vector<std::string>> List(const std::string& prefix) override {
    std::lock_guard lock(mu_);
    std::vector<std::string> out;
    for (auto it = objects_.lower_bound(prefix); it != objects_.end() && it->first.starts_with(prefix); ++it) {
      out.push_back(it->first);
    }
    return out;
  }

 private:
  std::mutex mu_;
  std::map<std::string, std::string> objects_;
};

}  // namespace quiver::storage
