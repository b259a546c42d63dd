// Catalog is the durable registry of databases, collections (with their partitions, indexes
// and load state) and aliases — the metadata Milvus keeps in its root coordinator. Every change
// is one atomic MetaStore commit; the in-memory maps are updated only after it succeeds, so a
// failed or interrupted commit leaves no trace. Schema *shape* is validated by the proxy; the
// catalog checks what depends on state (existence, names in use, limits).
//
// Thread-safety: DDL is serialised by ddl_mu_ (held across the commit, like Milvus's DDL
// queue); readers take mu_ only to copy records out, so a slow commit never blocks them.
// Borrows the MetaStore, Tso and IdAllocator; all must outlive the Catalog.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <vector>

#include "catalog.pb.h"
#include "common/status.h"
#include "coord/tso.h"
#include "storage/meta_store.h"

namespace quiver::coord {

struct CatalogLimits {
  int max_databases = 64;
  int max_collections = 65536;
  int max_partitions = 1024;
};

using KeyValues = std::vector<std::pair<std::string, std::string>>;
using catalog::AliasRecord;
using catalog::CollectionRecord;
using catalog::DatabaseRecord;
using catalog::IndexRecord;
using catalog::PartitionRecord;

inline constexpr const char* kDefaultDatabase = "default";
inline constexpr const char* kDefaultPartition = "_default";

class Catalog {
 public:
  static Result<std::unique_ptr<Catalog>> Open(storage::MetaStore& store, Tso& tso,
                                               IdAllocator& ids, CatalogLimits limits = {});

  // Databases.
  Status CreateDatabase(const std::string& name, const KeyValues& properties);
  Status DropDatabase(const std::string& name);
  Status AlterDatabase(const std::string& name, const KeyValues& set,
                       const std::vector<std::string>& delete_keys);
  Result<DatabaseRecord> GetDatabase(const std::string& name) const;
  std::vector<DatabaseRecord> ListDatabases() const;

  // Collections. `record` carries name, schema (field ids unassigned), shards, consistency,
  // properties and num_partitions; the catalog assigns ids, partitions and timestamps.
  // Creating an existing collection with an equal schema succeeds (Milvus is idempotent).
  Status CreateCollection(const std::string& db, CollectionRecord record);
  // Resolves `name` as a collection name, then as an alias.
  Result<CollectionRecord> GetCollection(const std::string& db, const std::string& name) const;
  std::vector<CollectionRecord> ListCollections(const std::string& db) const;
  std::vector<CollectionRecord> ListAllCollections() const;
  // Dropping a missing collection succeeds.
  Status DropCollection(const std::string& db, const std::string& name);
  Status RenameCollection(const std::string& db, const std::string& old_name,
                          const std::string& new_db, const std::string& new_name);
  std::vector<std::string> AliasesOf(int64_t collection_id) const;

  // Applies `edit` to a copy of the named collection, stamps update_ts and commits it. The
  // edit may fail, leaving the catalog untouched.
  using CollectionEdit = std::function<Status(CollectionRecord&)>;
  Status EditCollection(const std::string& db, const std::string& name,
                        const CollectionEdit& edit);

  // Partitions. Creating an existing partition succeeds; dropping a missing one succeeds.
  Status CreatePartition(const std::string& db, const std::string& collection,
                         const std::string& partition);
  Status DropPartition(const std::string& db, const std::string& collection,
                       const std::string& partition);

  // Aliases.
  Status CreateAlias(const std::string& db, const std::string& collection,
                     const std::string& alias);
  Status AlterAlias(const std::string& db, const std::string& collection,
                    const std::string& alias);
  Status DropAlias(const std::string& db, const std::string& alias);
  Result<AliasRecord> DescribeAlias(const std::string& db, const std::string& alias) const;
  // All aliases of the database, or of one collection when `collection` is non-empty.
  Result<std::vector<std::string>> ListAliases(const std::string& db,
                                               const std::string& collection) const;

  Result<int64_t> AllocateId() { return ids_.Allocate(); }
  Result<int64_t> AllocateIds(int64_t n) { return ids_.Allocate(n); }
  Result<Timestamp> Now() { return tso_.Allocate(); }

 private:
  Catalog(storage::MetaStore& store, Tso& tso, IdAllocator& ids, CatalogLimits limits)
      : store_(store), tso_(tso), ids_(ids), limits_(limits) {}
  Status Load();

  // Lookups; callers hold mu_ (shared) or ddl_mu_.
  const DatabaseRecord* FindDatabase(const std::string& name) const;
  const CollectionRecord* FindCollection(int64_t db_id, const std::string& name) const;
  const AliasRecord* FindAlias(int64_t db_id, const std::string& name) const;
  Result<const DatabaseRecord*> RequireDatabase(const std::string& name) const;
  Result<const CollectionRecord*> RequireCollection(const DatabaseRecord& db,
                                                    const std::string& name) const;
  int CollectionCount() const;
  // The collection an alias may point at (by name or through another alias); the alias must not
  // be a collection's name. Caller holds ddl_mu_.
  Result<const CollectionRecord*> AliasTarget(const DatabaseRecord& db, const std::string& collection,
                                              const std::string& alias) const;
  Status PutAlias(const DatabaseRecord& db, const std::string& alias, int64_t collection_id);

  storage::MetaStore& store_;
  Tso& tso_;
  IdAllocator& ids_;
  const CatalogLimits limits_;

  std::mutex ddl_mu_;                 // serialises every change, across its commit
  mutable std::shared_mutex mu_;      // guards the maps below for readers
  std::map<int64_t, DatabaseRecord> databases_;
  std::map<int64_t, CollectionRecord> collections_;
  std::map<std::pair<int64_t, std::string>, AliasRecord> aliases_;  // (db id, alias)
};

// Whether the schema has a partition-key field.
bool HasPartitionKey(const milvus::proto::schema::CollectionSchema& schema);

// Sets `set` (replacing values of existing keys) then removes `delete_keys`.
void ApplyProperties(google::protobuf::RepeatedPtrField<milvus::proto::common::KeyValuePair>* props,
                     const KeyValues& set, const std::vector<std::string>& delete_keys);

// Record (de)serialisation with a magic and CRC32C frame; exposed for tests.
std::string EncodeRecord(const google::protobuf::Message& m);
Status DecodeRecord(std::string_view key, std::string_view bytes, google::protobuf::Message& m);

}  // namespace quiver::coord
