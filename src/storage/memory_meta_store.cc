#include "storage/memory_meta_store.h"

namespace quiver::storage {

Result<std::optional<std::string>> MemoryMetaStore::Get(std::string_view key) {
  std::lock_guard lock(mu_);
  auto it = kv_.find(key);
  if (it == kv_.end()) return std::optional<std::string>();
  return std::optional<std::string>(it->second);
}

Result<KeyValues> MemoryMetaStore::Scan(std::string_view prefix) {
  std::lock_guard lock(mu_);
  KeyValues out;
  for (auto it = kv_.lower_bound(prefix); it != kv_.end() && it->first.starts_with(prefix); ++it) {
    out.emplace_back(it->first, it->second);
  }
  return out;
}

Status MemoryMetaStore::Commit(const WriteBatch& batch) {
  std::lock_guard lock(mu_);
  for (const auto& k : batch.deletes) kv_.erase(k);
  for (const auto& [k, v] : batch.puts) kv_[k] = v;
  return Status::Ok();
}

}  // namespace quiver::storage
