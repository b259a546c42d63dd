// MetaStore is the seam for metadata: an ordered key-value store whose writes are applied in
// atomic, durable batches. The catalog, the TSO window and the id allocator live behind it.
// Implementations: MemoryMetaStore (tests), SqliteMetaStore (standalone), and later etcd.
// Implementations are thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace quiver::storage {

// A set of puts and deletes applied all-or-nothing by MetaStore::Commit. Deletes apply first.
struct WriteBatch {
  std::vector<std::pair<std::string, std::string>> puts;
  std::vector<std::string> deletes;

  void Put(std::string key, std::string value) {
    puts.emplace_back(std::move(key), std::move(value));
  }
  void Delete(std::string key) { deletes.push_back(std::move(key)); }
  bool empty() const { return puts.empty() && deletes.empty(); }
};

using KeyValues = std::vector<std::pair<std::string, std::string>>;

class MetaStore {
 public:
  virtual ~MetaStore() = default;

  // NotFound is not an error here: an absent key yields std::nullopt.
  virtual Result<std::optional<std::string>> Get(std::string_view key) = 0;
  // Every pair whose key starts with `prefix`, in key order.
  virtual Result<KeyValues> Scan(std::string_view prefix) = 0;
  // Applies the batch atomically; when it returns OK the batch survives a crash.
  virtual Status Commit(const WriteBatch& batch) = 0;
};

}  // namespace quiver::storage
