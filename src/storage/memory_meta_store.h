// MemoryMetaStore keeps everything in a std::map: for tests and for embedding without a data
// directory. Thread-safe.
#pragma once

#include <map>
#include <mutex>

#include "storage/meta_store.h"

namespace quiver::storage {

class MemoryMetaStore : public MetaStore {
 public:
  Result<std::optional<std::string>> Get(std::string_view key) override;
  Result<KeyValues> Scan(std::string_view prefix) override;
  Status Commit(const WriteBatch& batch) override;

 private:
  std::mutex mu_;
  std::map<std::string, std::string, std::less<>> kv_;
};

}  // namespace quiver::storage
