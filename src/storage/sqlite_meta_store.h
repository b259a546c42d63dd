// SqliteMetaStore keeps the metadata in one SQLite database file (WAL journal, synchronous=FULL),
// so a committed batch survives kill -9 and power loss. One connection guarded by a mutex:
// metadata traffic is DDL-sized, not data-sized. Thread-safe.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "storage/meta_store.h"

struct sqlite3;

namespace quiver::storage {

class SqliteMetaStore : public MetaStore {
 public:
  // Opens (creating if needed) the database at `path` and checks its format version.
  static Result<std::unique_ptr<SqliteMetaStore>> Open(const std::string& path);
  ~SqliteMetaStore() override;
  SqliteMetaStore(const SqliteMetaStore&) = delete;
  SqliteMetaStore& operator=(const SqliteMetaStore&) = delete;

  Result<std::optional<std::string>> Get(std::string_view key) override;
  Result<KeyValues> Scan(std::string_view prefix) override;
  Status Commit(const WriteBatch& batch) override;

 private:
  explicit SqliteMetaStore(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  Status Exec(const char* sql);

  std::mutex mu_;
  sqlite3* db_;  // owned; closed in the destructor
  std::string path_;
};

}  // namespace quiver::storage
