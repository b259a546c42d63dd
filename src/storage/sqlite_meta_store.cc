#include "storage/sqlite_meta_store.h"

#include <sqlite3.h>

namespace quiver::storage {
namespace {

// Bumped when the table layout changes; an unknown newer version is refused, not guessed at.
constexpr int kFormatVersion = 1;
// SQLite's application_id header field identifies the file as Quiver's ("QVMS").
constexpr int kApplicationId = 0x51564D53;

// A prepared statement that finalizes itself.
class Stmt {
 public:
  Stmt(sqlite3* db, const char* sql) { rc_ = sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr); }
  ~Stmt() { sqlite3_finalize(stmt_); }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  bool ok() const { return rc_ == SQLITE_OK; }
  sqlite3_stmt* get() { return stmt_; }

 private:
  sqlite3_stmt* stmt_ = nullptr;
  int rc_;
};

Status SqliteError(sqlite3* db, const char* what) {
  int rc = sqlite3_extended_errcode(db);
  if ((rc & 0xff) == SQLITE_CORRUPT || (rc & 0xff) == SQLITE_NOTADB) {
    return Status::Corruption("meta store {}: {}", what, sqlite3_errmsg(db));
  }
  if ((rc & 0xff) == SQLITE_FULL) {
    return Status::ResourceExhausted("meta store {}: disk full ({})", what, sqlite3_errmsg(db))
        .About(Subject::kDisk);
  }
  return Status::Unavailable("meta store {}: {}", what, sqlite3_errmsg(db));
}

}  // namespace

Result<std::unique_ptr<SqliteMetaStore>> SqliteMetaStore::Open(const std::string& path) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
                                                   SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    Status st = Status::Unavailable("cannot open meta store {}: {}", path,
                                    db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
    sqlite3_close(db);
    return st;
  }
  std::unique_ptr<SqliteMetaStore> store(new SqliteMetaStore(db, path));
  sqlite3_busy_timeout(db, 5000);
  QV_RETURN_IF_ERROR(store->Exec("PRAGMA journal_mode=WAL"));
  QV_RETURN_IF_ERROR(store->Exec("PRAGMA synchronous=FULL"));

  int app_id = 0, version = 0;
  {
    Stmt s(db, "PRAGMA application_id");
    if (!s.ok() || sqlite3_step(s.get()) != SQLITE_ROW) return SqliteError(db, "read header");
    app_id = sqlite3_column_int(s.get(), 0);
  }
  {
    Stmt s(db, "PRAGMA user_version");
    if (!s.ok() || sqlite3_step(s.get()) != SQLITE_ROW) return SqliteError(db, "read header");
    version = sqlite3_column_int(s.get(), 0);
  }
  if (app_id == 0 && version == 0) {
    QV_RETURN_IF_ERROR(store->Exec(
        "BEGIN;"
        "CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID;"
        "PRAGMA application_id=1364610387;"
        "PRAGMA user_version=1;"
        "COMMIT;"));
  } else if (app_id != kApplicationId) {
    return Status::Corruption("{} is not a Quiver meta store (application_id {:#x})", path,
                              app_id);
  } else if (version != kFormatVersion) {
    return Status::Corruption("{} has meta store format {}, this build reads {}", path, version,
                              kFormatVersion);
  }
  {
    Stmt s(db, "PRAGMA quick_check");
    if (!s.ok() || sqlite3_step(s.get()) != SQLITE_ROW) return SqliteError(db, "check");
    std::string res = reinterpret_cast<const char*>(sqlite3_column_text(s.get(), 0));
    if (res != "ok") return Status::Corruption("meta store {} failed its check: {}", path, res);
  }
  return store;
}

SqliteMetaStore::~SqliteMetaStore() { sqlite3_close(db_); }

Status SqliteMetaStore::Exec(const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    Status st = SqliteError(db_, "exec");
    sqlite3_free(err);
    return st;
  }
  return Status::Ok();
}

Result<std::optional<std::string>> SqliteMetaStore::Get(std::string_view key) {
  std::lock_guard lock(mu_);
  Stmt s(db_, "SELECT value FROM kv WHERE key = ?");
  if (!s.ok()) return SqliteError(db_, "prepare get");
  sqlite3_bind_text(s.get(), 1, key.data(), static_cast<int>(key.size()), SQLITE_STATIC);
  int rc = sqlite3_step(s.get());
  if (rc == SQLITE_DONE) return std::optional<std::string>();
  if (rc != SQLITE_ROW) return SqliteError(db_, "get");
  const void* p = sqlite3_column_blob(s.get(), 0);
  int n = sqlite3_column_bytes(s.get(), 0);
  return std::optional<std::string>(std::string(static_cast<const char*>(p), n));
}

Result<KeyValues> SqliteMetaStore::Scan(std::string_view prefix) {
  std::lock_guard lock(mu_);
  // Range scan [prefix, prefix + 0xFF...) keeps the primary-key index in play.
  Stmt s(db_, "SELECT key, value FROM kv WHERE key >= ?1 AND substr(key, 1, length(?1)) = ?1 "
              "ORDER BY key");
  if (!s.ok()) return SqliteError(db_, "prepare scan");
  sqlite3_bind_text(s.get(), 1, prefix.data(), static_cast<int>(prefix.size()), SQLITE_STATIC);
  KeyValues out;
  int rc;
  while ((rc = sqlite3_step(s.get())) == SQLITE_ROW) {
    const char* k = reinterpret_cast<const char*>(sqlite3_column_text(s.get(), 0));
    int kn = sqlite3_column_bytes(s.get(), 0);
    const void* v = sqlite3_column_blob(s.get(), 1);
    int vn = sqlite3_column_bytes(s.get(), 1);
    out.emplace_back(std::string(k, kn), std::string(static_cast<const char*>(v), vn));
  }
  if (rc != SQLITE_DONE) return SqliteError(db_, "scan");
  return out;
}

Status SqliteMetaStore::Commit(const WriteBatch& batch) {
  if (batch.empty()) return Status::Ok();
  std::lock_guard lock(mu_);
  QV_RETURN_IF_ERROR(Exec("BEGIN IMMEDIATE"));
  auto fail = [&](const char* what) {
    Status st = SqliteError(db_, what);
    Exec("ROLLBACK").IgnoreError();
    return st;
  };
  {
    Stmt del(db_, "DELETE FROM kv WHERE key = ?");
    if (!del.ok()) return fail("prepare delete");
    for (const auto& k : batch.deletes) {
      sqlite3_bind_text(del.get(), 1, k.data(), static_cast<int>(k.size()), SQLITE_STATIC);
      if (sqlite3_step(del.get()) != SQLITE_DONE) return fail("delete");
      sqlite3_reset(del.get());
    }
    Stmt put(db_, "INSERT OR REPLACE INTO kv (key, value) VALUES (?, ?)");
    if (!put.ok()) return fail("prepare put");
    for (const auto& [k, v] : batch.puts) {
      sqlite3_bind_text(put.get(), 1, k.data(), static_cast<int>(k.size()), SQLITE_STATIC);
      sqlite3_bind_blob(put.get(), 2, v.data(), static_cast<int>(v.size()), SQLITE_STATIC);
      if (sqlite3_step(put.get()) != SQLITE_DONE) return fail("put");
      sqlite3_reset(put.get());
    }
  }
  if (sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) return fail("commit");
  return Status::Ok();
}

}  // namespace quiver::storage
