#include "coord/catalog.h"

#include <fmt/format.h>
#include <google/protobuf/util/message_differencer.h>

#include <algorithm>
#include <cstring>

#include "common/crc32c.h"
#include "common/logging.h"

namespace quiver::coord {
namespace {

// Record frame: "QVR1" magic, CRC32C of the payload (little endian), serialized proto.
constexpr char kRecordMagic[4] = {'Q', 'V', 'R', '1'};
constexpr size_t kFrameHeader = 8;

std::string DatabaseKey(int64_t id) { return fmt::format("db/{:020}", id); }
std::string CollectionKey(int64_t id) { return fmt::format("coll/{:020}", id); }
std::string AliasKey(int64_t db_id, const std::string& name) {
  return fmt::format("alias/{:020}/{}", db_id, name);
}


// The schema as the user declared it: no ids, no server-added dynamic field.
milvus::proto::schema::CollectionSchema UserSchema(
    const milvus::proto::schema::CollectionSchema& stored) {
  milvus::proto::schema::CollectionSchema out = stored;
  out.clear_fields();
  out.clear_name();
  for (const auto& f : stored.fields()) {
    if (f.is_dynamic()) continue;
    auto* nf = out.add_fields();
    *nf = f;
    nf->set_fieldid(0);
  }
  return out;
}

}  // namespace

void ApplyProperties(google::protobuf::RepeatedPtrField<milvus::proto::common::KeyValuePair>* props,
                     const KeyValues& set, const std::vector<std::string>& delete_keys) {
  for (const auto& [k, v] : set) {
    // An init-capture: clang-14 (the fuzz build) cannot capture a structured binding.
    auto it = std::find_if(props->begin(), props->end(),
                           [&key = k](const auto& kv) { return kv.key() == key; });
    if (it != props->end()) {
      it->set_value(v);
    } else {
      auto* kv = props->Add();
      kv->set_key(k);
      kv->set_value(v);
    }
  }
  for (const auto& k : delete_keys) {
    for (int i = props->size() - 1; i >= 0; --i) {
      if (props->Get(i).key() == k) props->DeleteSubrange(i, 1);
    }
  }
}

bool HasPartitionKey(const milvus::proto::schema::CollectionSchema& schema) {
  return std::any_of(schema.fields().begin(), schema.fields().end(),
                     [](const auto& f) { return f.is_partition_key(); });
}

std::string EncodeRecord(const google::protobuf::Message& m) {
  std::string payload = m.SerializeAsString();
  uint32_t crc = Crc32c(payload);
  std::string out(kFrameHeader, '\0');
  std::memcpy(out.data(), kRecordMagic, 4);
  for (int i = 0; i < 4; ++i) out[4 + i] = static_cast<char>((crc >> (8 * i)) & 0xff);
  out += payload;
  return out;
}

Status DecodeRecord(std::string_view key, std::string_view bytes, google::protobuf::Message& m) {
  if (bytes.size() < kFrameHeader || std::memcmp(bytes.data(), kRecordMagic, 4) != 0) {
    return Status::Corruption("catalog record {}: bad magic", key);
  }
  uint32_t crc = 0;
  for (int i = 0; i < 4; ++i) crc |= static_cast<uint32_t>(static_cast<uint8_t>(bytes[4 + i])) << (8 * i);
  std::string_view payload = bytes.substr(kFrameHeader);
  if (Crc32c(payload) != crc) return Status::Corruption("catalog record {}: checksum mismatch", key);
  if (!m.ParseFromArray(payload.data(), static_cast<int>(payload.size()))) {
    return Status::Corruption("catalog record {}: unparsable", key);
  }
  return Status::Ok();
}

Result<std::unique_ptr<Catalog>> Catalog::Open(storage::MetaStore& store, Tso& tso,
                                               IdAllocator& ids, CatalogLimits limits) {
  std::unique_ptr<Catalog> c(new Catalog(store, tso, ids, limits));
  QV_RETURN_IF_ERROR(c->Load());
  if (!c->FindDatabase(kDefaultDatabase)) {
    QV_RETURN_IF_ERROR(c->CreateDatabase(kDefaultDatabase, {}));
  }
  QV_LOG_INFO("catalog opened: databases={} collections={} aliases={}", c->databases_.size(),
              c->collections_.size(), c->aliases_.size());
  return c;
}

Status Catalog::Load() {
  QV_ASSIGN_OR_RETURN(storage::KeyValues dbs, store_.Scan("db/"));
  for (const auto& [k, v] : dbs) {
    DatabaseRecord r;
    QV_RETURN_IF_ERROR(DecodeRecord(k, v, r));
    databases_[r.id()] = std::move(r);
  }
  QV_ASSIGN_OR_RETURN(storage::KeyValues colls, store_.Scan("coll/"));
  for (const auto& [k, v] : colls) {
    CollectionRecord r;
    QV_RETURN_IF_ERROR(DecodeRecord(k, v, r));
    collections_[r.id()] = std::move(r);
  }
  QV_ASSIGN_OR_RETURN(storage::KeyValues aliases, store_.Scan("alias/"));
  for (const auto& [k, v] : aliases) {
    AliasRecord r;
    QV_RETURN_IF_ERROR(DecodeRecord(k, v, r));
    aliases_[{r.db_id(), r.name()}] = std::move(r);
  }
  return Status::Ok();
}

const DatabaseRecord* Catalog::FindDatabase(const std::string& name) const {
  for (const auto& [id, db] : databases_) {
    if (db.name() == name) return &db;
  }
  return nullptr;
}

const CollectionRecord* Catalog::FindCollection(int64_t db_id, const std::string& name) const {
  for (const auto& [id, c] : collections_) {
    if (c.db_id() == db_id && c.name() == name) return &c;
  }
  return nullptr;
}

const AliasRecord* Catalog::FindAlias(int64_t db_id, const std::string& name) const {
  auto it = aliases_.find({db_id, name});
  return it == aliases_.end() ? nullptr : &it->second;
}

Result<const DatabaseRecord*> Catalog::RequireDatabase(const std::string& name) const {
  const DatabaseRecord* db = FindDatabase(name);
  if (!db) return Status::NotFound("database not found[database={}]", name).About(Subject::kDatabase);
  return db;
}

Result<const CollectionRecord*> Catalog::RequireCollection(const DatabaseRecord& db,
                                                           const std::string& name) const {
  if (const CollectionRecord* c = FindCollection(db.id(), name)) return c;
  if (const AliasRecord* a = FindAlias(db.id(), name)) {
    auto it = collections_.find(a->collection_id());
    if (it != collections_.end()) return &it->second;
  }
  return Status::NotFound("collection not found[database={}][collection={}]", db.name(), name)
      .About(Subject::kCollection);
}

int Catalog::CollectionCount() const { return static_cast<int>(collections_.size()); }

// ---------------------------------------------------------------------------------------------
// Databases

Status Catalog::CreateDatabase(const std::string& name, const KeyValues& properties) {
  std::lock_guard ddl(ddl_mu_);
  if (FindDatabase(name)) {
    return Status::AlreadyExists("database already exist: {}", name).About(Subject::kDatabase);
  }
  if (static_cast<int>(databases_.size()) >= limits_.max_databases) {
    return Status::ResourceExhausted(
               "database number ({}) exceeds max configuration ({})", databases_.size(),
               limits_.max_databases)
        .About(Subject::kDatabase);
  }
  DatabaseRecord r;
  QV_ASSIGN_OR_RETURN(int64_t id, ids_.Allocate());
  QV_ASSIGN_OR_RETURN(Timestamp ts, tso_.Allocate());
  r.set_id(id);
  r.set_name(name);
  r.set_created_ts(ts);
  ApplyProperties(r.mutable_properties(), properties, {});
  storage::WriteBatch b;
  b.Put(DatabaseKey(id), EncodeRecord(r));
  QV_RETURN_IF_ERROR(store_.Commit(b));
  std::unique_lock lock(mu_);
  databases_[id] = std::move(r);
  return Status::Ok();
}

Status Catalog::DropDatabase(const std::string& name) {
  std::lock_guard ddl(ddl_mu_);
  if (name == kDefaultDatabase) {
    return Status::InvalidArgument("can not drop default database");
  }
  const DatabaseRecord* db = FindDatabase(name);
  if (!db) return Status::Ok();  // Milvus: dropping a missing database succeeds
  int64_t id = db->id();
  for (const auto& [cid, c] : collections_) {
    if (c.db_id() == id) {
      return Status::FailedPrecondition(
          "database:{} not empty, must drop all collections before drop database", name);
    }
  }
  storage::WriteBatch b;
  b.Delete(DatabaseKey(id));
  for (const auto& [key, a] : aliases_) {
    if (a.db_id() == id) b.Delete(AliasKey(id, a.name()));
  }
  QV_RETURN_IF_ERROR(store_.Commit(b));
  std::unique_lock lock(mu_);
  databases_.erase(id);
  std::erase_if(aliases_, [&](const auto& kv) { return kv.second.db_id() == id; });
  return Status::Ok();
}

Status Catalog::AlterDatabase(const std::string& name, const KeyValues& set,
                              const std::vector<std::string>& delete_keys) {
  std::lock_guard ddl(ddl_mu_);
  QV_ASSIGN_OR_RETURN(const DatabaseRecord* db, RequireDatabase(name));
  DatabaseRecord r = *db;
  ApplyProperties(r.mutable_properties(), set, delete_keys);
  storage::WriteBatch b;
  b.Put(DatabaseKey(r.id()), EncodeRecord(r));
  QV_RETURN_IF_ERROR(store_.Commit(b));
  std::unique_lock lock(mu_);
  databases_[r.id()] = std::move(r);
  return Status::Ok();
}

Result<DatabaseRecord> Catalog::GetDatabase(const std::string& name) const {
  std::shared_lock lock(mu_);
  QV_ASSIGN_OR_RETURN(const DatabaseRecord* db, RequireDatabase(name));
  return *db;
}

std::vector<DatabaseRecord> Catalog::ListDatabases() const {
  std::shared_lock lock(mu_);
  std::vector<DatabaseRecord> out;
  for (const auto& [id, db] : databases_) out.push_back(db);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Collections

Status Catalog::CreateCollection(const std::string& db_name, CollectionRecord record) {
  std::lock_guard ddl(ddl_mu_);
  QV_ASSIGN_OR_RETURN(const DatabaseRecord* db, RequireDatabase(db_name));
  const std::string& name = record.name();
  if (FindAlias(db->id(), name)) {
    return Status::InvalidArgument(
               "collection name [{}] conflicts with an existing alias, please choose a unique "
               "name",
               name)
        .About(Subject::kAliasCollectionConflict);
  }
  if (const CollectionRecord* existing = FindCollection(db->id(), name)) {
    bool same = google::protobuf::util::MessageDifferencer::Equals(UserSchema(existing->schema()),
                                                                   UserSchema(record.schema())) &&
                existing->shards_num() == record.shards_num() &&
                existing->consistency_level() == record.consistency_level();
    if (same) return Status::Ok();
    return Status::InvalidArgument(
        "create duplicate collection with different parameters, collection: {}", name);
  }
  if (CollectionCount() >= limits_.max_collections) {
    return Status::ResourceExhausted("exceeded the limit number of collections, limit={}",
                                     limits_.max_collections)
        .About(Subject::kCollection);
  }
  bool partition_key = HasPartitionKey(record.schema());
  int64_t num_partitions = partition_key ? record.num_partitions() : 0;
  if (num_partitions > limits_.max_partitions) {
    return Status::InvalidArgument("partition number ({}) exceeds max configuration ({})",
                                   num_partitions, limits_.max_partitions);
  }

  QV_ASSIGN_OR_RETURN(Timestamp ts, tso_.Allocate());
  QV_ASSIGN_OR_RETURN(int64_t id, ids_.Allocate());
  record.set_id(id);
  record.set_db_id(db->id());
  record.set_created_ts(ts);
  record.set_update_ts(ts);
  record.set_num_partitions(num_partitions);
  auto* schema = record.mutable_schema();
  schema->set_name(name);
  int64_t next_field = 100;
  for (auto& f : *schema->mutable_fields()) f.set_fieldid(next_field++);
  if (schema->enable_dynamic_field()) {
    auto* meta = schema->add_fields();
    meta->set_fieldid(next_field++);
    meta->set_name("$meta");
    meta->set_description("dynamic schema");
    meta->set_data_type(milvus::proto::schema::JSON);
    meta->set_is_dynamic(true);
  }
  record.set_next_field_id(next_field);

  std::vector<std::string> partitions;
  if (partition_key) {
    for (int64_t i = 0; i < num_partitions; ++i) partitions.push_back(fmt::format("_default_{}", i));
  } else {
    partitions.push_back(kDefaultPartition);
  }
  QV_ASSIGN_OR_RETURN(int64_t first_pid, ids_.Allocate(static_cast<int64_t>(partitions.size())));
  for (size_t i = 0; i < partitions.size(); ++i) {
    auto* p = record.add_partitions();
    p->set_id(first_pid + static_cast<int64_t>(i));
    p->set_name(partitions[i]);
    p->set_created_ts(ts);
  }

  storage::WriteBatch b;
  b.Put(CollectionKey(id), EncodeRecord(record));
  QV_RETURN_IF_ERROR(store_.Commit(b));
  QV_LOG_INFO("collection created: db={} name={} id={}", db_name, name, id);
  std::unique_lock lock(mu_);
  collections_[id] = std::move(record);
  return Status::Ok();
}

Result<CollectionRecord> Catalog::GetCollection(const std::string& db_name,
                                                const std::string& name) const {
  std::shared_lock lock(mu_);
  QV_ASSIGN_OR_RETURN(const DatabaseRecord* db, RequireDatabase(db_name));
  QV_ASSIGN_OR_RETURN(const CollectionRecord* c, RequireCollection(*db, name));
  return *c;
}

std::vector<CollectionRecord> Catalog::ListCollections(const std::string& db_name) const {
  std::shared_lock lock(mu_);
  std::vector<CollectionRecord> out;
  const DatabaseRecord* db = FindDatabase(db_name);
  if (!db) return out;
  for (const auto& [id, c] : collections_) {
    if (c.db_id() == db->id()) out.push_back(c);
  }
  return out;
}

std::vector<CollectionRecord> Catalog::ListAllCollections() const {
  std::shared_lock lock(mu_);
  std::vector<CollectionRecord> out;
  for (const auto& [id, c] : collections_) out.push_back(c);
  return out;
}

std::vector<std::string> Catalog::AliasesOf(int64_t collection_id) const {
  std::shared_lock lock(mu_);
  std::vector<std::string> out;
  for (const auto& [key, a] : aliases_) {
    if (a.collection_id() == collection_id) out.push_back(a.name());
  }
  return out;
}

Status Catalog::DropCollection(const std::string& db_name, const std::string& name) {
  std::lock_guard ddl(ddl_mu_);
  QV_ASSIGN_OR_RETURN(const DatabaseRecord* db, RequireDatabase(db_name));
  if (FindAlias(db->id(), name) && !FindCollection(db->id(), name)) {
    return Status::InvalidArgument("cannot drop the collection via alias = {}", name);
  }
  const CollectionRecord* c = FindCollection(db->id(), name);
  if (!c) return Status::Ok();  // Milvus: dropping a missing collection succeeds
  int64_t id = c->id();
  std::vector<std::string> aliases;
  for (const auto& [key, a] : aliases_) {
    if (a.collection_id() == id) aliases.push_back(a.name());
  }
  if (!aliases.empty()) {
    return Status::FailedPrecondition(
        "unable to drop the collection [{}] because it has associated aliases [{}], please "
        "remove all aliases before dropping the collection",
        name, fmt::join(aliases, ", "));
  }
  storage::WriteBatch b;
  b.Delete(CollectionKey(id));
  QV_RETURN_IF_ERROR(store_.Commit(b));
  QV_LOG_INFO("collection dropped: db={} name={} id={}", db_name, name, id);
  std::unique_lock lock(mu_);
  collections_.erase(id);
  return Status::Ok();
}

Status Catalog::RenameCollection(const std::string& db_name, const std::string& old_name,
                                 const std::string& new_db_name, const std::string& new_name) {
  std::lock_guard ddl(ddl_mu_);
  QV_ASSIGN_OR_RETURN(const DatabaseRecord* db, RequireDatabase(db_name));
  const std::string& target_db_name = new_db_name.empty() ? db_name : new_db_name;
  QV_ASSIGN_OR_RETURN(const DatabaseRecord* target_db, RequireDatabase(target_db_name));
  if (target_db->id() == db->id() && old_name == new_name) {
    return Status::InvalidArgument("collection name or database name should be different: invalid parameter");
  }
  if (FindAlias(db->id(), old_name)) {
    return Status::InvalidArgument("unsupported use an alias to rename collection, alias:{}", old_name);
  }
  const CollectionRecord* c = FindCollection(db->id(), old_name);
  if (!c) {
    return Status::NotFound("collection not found[database={}][collection={}]", db_name, old_name)
        .About(Subject::kCollection);
  }
  if (FindCollection(target_db->id(), new_name)) {
    return Status::InvalidArgument(
        "duplicated new collection name {}:{} with other collection name or alias", target_db_name,
        new_name);
  }
  if (FindAlias(target_db->id(), new_name)) {
    return Status::InvalidArgument("cannot rename collection to an existing alias: {}", new_name)
        .About(Subject::kAliasCollectionConflict);
  }
  bool has_aliases = std::any_of(aliases_.begin(), aliases_.end(), [&](const auto& kv) {
    return kv.second.collection_id() == c->id();
  });
  if (target_db->id() != db->id() && has_aliases) {
    return Status::InvalidArgument(
        "fail to rename db name, must drop all aliases of this collection before rename");
  }
  CollectionRecord r = *c;
  QV_ASSIGN_OR_RETURN(Timestamp ts, tso_.Allocate());
  r.set_name(new_name);
  r.mutable_schema()->set_name(new_name);
  r.set_db_id(target_db->id());
  r.set_update_ts(ts);
  storage::WriteBatch b;
  b.Put(CollectionKey(r.id()), EncodeRecord(r));
  QV_RETURN_IF_ERROR(store_.Commit(b));
  QV_LOG_INFO("collection renamed: {}.{} -> {}.{}", db_name, old_name, target_db_name, new_name);
  std::unique_lock lock(mu_);
  collections_[r.id()] = std::move(r);
  return Status::Ok();
}

Status Catalog::EditCollection(const std::string& db_name, const std::string& name,
                               const CollectionEdit& edit) {
  std::lock_guard ddl(ddl_mu_);
  QV_ASSIGN_OR_RETURN(const DatabaseRecord* db, RequireDatabase(db_name));
  QV_ASSIGN_OR_RETURN(const CollectionRecord* c, RequireCollection(*db, name));
  CollectionRecord r = *c;
  QV_RETURN_IF_ERROR(edit(r));
  QV_ASSIGN_OR_RETURN(Timestamp ts, tso_.Allocate());
  r.set_update_ts(ts);
  storage::WriteBatch b;
  b.Put(CollectionKey(r.id()), EncodeRecord(r));
  QV_RETURN_IF_ERROR(store_.Commit(b));
  std::unique_lock lock(mu_);
  collections_[r.id()] = std::move(r);
  return Status::Ok();
}

// ---------------------------------------------------------------------------------------------
// Partitions

Status Catalog::CreatePartition(const std::string& db, const std::string& collection,
                                const std::string& partition) {
  QV_ASSIGN_OR_RETURN(int64_t pid, ids_.Allocate());
  QV_ASSIGN_OR_RETURN(Timestamp ts, tso_.Allocate());
  bool existed = false;
  Status st = EditCollection(db, collection, [&](CollectionRecord& r) -> Status {
    if (HasPartitionKey(r.schema())) {
      return Status::InvalidArgument("disable create partition if partition key mode is used");
    }
    for (const auto& p : r.partitions()) {
      if (p.name() == partition) {
        existed = true;
        return Status::Ok();
      }
    }
    if (r.partitions_size() >= limits_.max_partitions) {
      return Status::InvalidArgument(
          "partition number ({}) exceeds max configuration ({}), collection: {}",
          r.partitions_size(), limits_.max_partitions, r.name());
    }
    auto* p = r.add_partitions();
    p->set_id(pid);
    p->set_name(partition);
    p->set_created_ts(ts);
    return Status::Ok();
  });
  return st;
}

Status Catalog::DropPartition(const std::string& db, const std::string& collection,
                              const std::string& partition) {
  return EditCollection(db, collection, [&](CollectionRecord& r) -> Status {
    if (HasPartitionKey(r.schema())) {
      return Status::InvalidArgument("disable drop partition if partition key mode is used");
    }
    if (partition == kDefaultPartition) {
      return Status::InvalidArgument("default partition cannot be deleted");
    }
    auto* parts = r.mutable_partitions();
    for (int i = 0; i < parts->size(); ++i) {
      if (parts->Get(i).name() != partition) continue;
      if (parts->Get(i).loaded() || r.load_status() == catalog::LOAD_LOADED) {
        return Status::FailedPrecondition(
            "partition cannot be dropped, partition is loaded, please release it first");
      }
      parts->DeleteSubrange(i, 1);
      return Status::Ok();
    }
    return Status::Ok();  // Milvus: dropping a missing partition succeeds
  });
}

// ---------------------------------------------------------------------------------------------
// Aliases

Result<const CollectionRecord*> Catalog::AliasTarget(const DatabaseRecord& db,
                                                     const std::string& collection,
                                                     const std::string& alias) const {
  if (FindCollection(db.id(), alias)) {
    return Status::InvalidArgument("alias and collection name conflict[database={}][alias={}]",
                                   db.name(), alias)
        .About(Subject::kAliasCollectionConflict);
  }
  // A collection named through another alias means that alias's collection (as Milvus's proxy
  // resolves names).
  return RequireCollection(db, collection);
}

Status Catalog::PutAlias(const DatabaseRecord& db, const std::string& alias,
                         int64_t collection_id) {
  QV_ASSIGN_OR_RETURN(Timestamp ts, tso_.Allocate());
  AliasRecord r;
  r.set_db_id(db.id());
  r.set_name(alias);
  r.set_collection_id(collection_id);
  r.set_created_ts(ts);
  storage::WriteBatch b;
  b.Put(AliasKey(db.id(), alias), EncodeRecord(r));
  QV_RETURN_IF_ERROR(store_.Commit(b));
  std::unique_lock lock(mu_);
  aliases_[{db.id(), alias}] = std::move(r);
  return Status::Ok();
}

Status Catalog::CreateAlias(const std::string& db_name, const std::string& collection,
                            const std::string& alias) {
  std::lock_guard ddl(ddl_mu_);
  QV_ASSIGN_OR_RETURN(const DatabaseRecord* db, RequireDatabase(db_name));
  QV_ASSIGN_OR_RETURN(const CollectionRecord* c, AliasTarget(*db, collection, alias));
  if (const AliasRecord* a = FindAlias(db->id(), alias)) {
    if (a->collection_id() == c->id()) return Status::Ok();
    std::string other;
    if (auto it = collections_.find(a->collection_id()); it != collections_.end()) other = it->second.name();
    return Status::AlreadyExists("{} is alias to another collection: {}: alias already exist[database={}][alias={}]",
                                 alias, other, db_name, alias)
        .About(Subject::kAlias);
  }
  return PutAlias(*db, alias, c->id());
}

Status Catalog::AlterAlias(const std::string& db_name, const std::string& collection,
                           const std::string& alias) {
  std::lock_guard ddl(ddl_mu_);
  QV_ASSIGN_OR_RETURN(const DatabaseRecord* db, RequireDatabase(db_name));
  QV_ASSIGN_OR_RETURN(const CollectionRecord* c, AliasTarget(*db, collection, alias));
  if (!FindAlias(db->id(), alias)) {
    return Status::NotFound("alias not found[database={}][alias={}]", db_name, alias)
        .About(Subject::kAlias);
  }
  return PutAlias(*db, alias, c->id());
}

Status Catalog::DropAlias(const std::string& db_name, const std::string& alias) {
  std::lock_guard ddl(ddl_mu_);
  QV_ASSIGN_OR_RETURN(const DatabaseRecord* db, RequireDatabase(db_name));
  if (!FindAlias(db->id(), alias)) return Status::Ok();  // Milvus: idempotent
  storage::WriteBatch b;
  b.Delete(AliasKey(db->id(), alias));
  QV_RETURN_IF_ERROR(store_.Commit(b));
  std::unique_lock lock(mu_);
  aliases_.erase({db->id(), alias});
  return Status::Ok();
}

Result<AliasRecord> Catalog::DescribeAlias(const std::string& db_name,
                                           const std::string& alias) const {
  std::shared_lock lock(mu_);
  QV_ASSIGN_OR_RETURN(const DatabaseRecord* db, RequireDatabase(db_name));
  const AliasRecord* a = FindAlias(db->id(), alias);
  if (!a) {
    return Status::NotFound("alias not found[database={}][alias={}]", db_name, alias)
        .About(Subject::kAlias);
  }
  return *a;
}

Result<std::vector<std::string>> Catalog::ListAliases(const std::string& db_name,
                                                      const std::string& collection) const {
  std::shared_lock lock(mu_);
  QV_ASSIGN_OR_RETURN(const DatabaseRecord* db, RequireDatabase(db_name));
  int64_t only = -1;
  if (!collection.empty()) {
    QV_ASSIGN_OR_RETURN(const CollectionRecord* c, RequireCollection(*db, collection));
    only = c->id();
  }
  std::vector<std::string> out;
  for (const auto& [key, a] : aliases_) {
    if (a.db_id() == db->id() && (only < 0 || a.collection_id() == only)) out.push_back(a.name());
  }
  return out;
}

}  // namespace quiver::coord
