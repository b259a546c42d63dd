#include "proxy/milvus_service.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <random>
#include <set>
#include <thread>

#include "common/logging.h"
#include "common/timestamp.h"
#include "common/version.h"
#include "expr/plan.h"
#include "proxy/error_mapping.h"
#include "proxy/index_params.h"
#include "proxy/service_util.h"

namespace quiver::proxy {
namespace {

using coord::CollectionRecord;
using coord::KeyValues;

Status ValidateProperty(const std::string& key, const std::string& value) {
  if (key == "collection.ttl.seconds") {
    auto n = ParseInt(value);
    if (!n || *n < 0) return InvalidParam("collection TTL is not a valid positive integer: {}", value);
  } else if (key == "mmap.enabled" || key == "collection.autocompaction.enabled" ||
             key == "partitionkey.isolation" || key == "lazyload.enabled") {
    std::string v = value;
    std::transform(v.begin(), v.end(), v.begin(), ::tolower);
    if (v != "true" && v != "false") {
      return InvalidParam("invalid {} value: {}, expected true or false", key, value);
    }
  }
  return Status::Ok();
}

Status ValidateProperties(const google::protobuf::RepeatedPtrField<cpb::KeyValuePair>& kvs) {
  for (const auto& kv : kvs) QV_RETURN_IF_ERROR(ValidateProperty(kv.key(), kv.value()));
  return Status::Ok();
}

}  // namespace

MilvusServiceImpl::MilvusServiceImpl(coord::Catalog& catalog, coord::Tso& tso,
                                     datanode::DataService& data)
    : catalog_(catalog),
      tso_(tso),
      data_(data),
      executor_(static_cast<int>(std::max(2u, std::thread::hardware_concurrency())) - 1) {
  // Identifiers are per connection and must be non-zero; start at a random point so two
  // server runs do not hand out the same ones.
  std::random_device rd;
  next_identifier_ = (static_cast<int64_t>(rd()) << 20) + 1;
}

// ---------------------------------------------------------------------------------------------
// Session and health

grpc::Status MilvusServiceImpl::Connect(ServerContext*, const mpb::ConnectRequest*,
                                        mpb::ConnectResponse* resp) {
  resp->set_identifier(next_identifier_.fetch_add(1));
  auto* info = resp->mutable_server_info();
  info->set_build_tags(kMilvusCompatVersion);
  info->set_deploy_mode("STANDALONE");
  info->set_git_commit("quiver");
  (*info->mutable_reserved())["server"] = "quiver";
  (*info->mutable_reserved())["quiver_version"] = kQuiverVersion;
  resp->mutable_status();
  return grpc::Status::OK;
}

grpc::Status MilvusServiceImpl::GetVersion(ServerContext*, const mpb::GetVersionRequest*,
                                           mpb::GetVersionResponse* resp) {
  resp->set_version(kMilvusCompatVersion);
  resp->mutable_status();
  return grpc::Status::OK;
}

grpc::Status MilvusServiceImpl::CheckHealth(ServerContext*, const mpb::CheckHealthRequest*,
                                            mpb::CheckHealthResponse* resp) {
  resp->set_ishealthy(true);
  resp->mutable_status();
  return grpc::Status::OK;
}

grpc::Status MilvusServiceImpl::GetComponentStates(ServerContext*,
                                                   const mpb::GetComponentStatesRequest*,
                                                   mpb::ComponentStates* resp) {
  auto* s = resp->mutable_state();
  s->set_nodeid(1);
  s->set_role("proxy");
  s->set_state_code(cpb::StateCode::Healthy);
  resp->mutable_status();
  return grpc::Status::OK;
}

grpc::Status MilvusServiceImpl::AllocTimestamp(ServerContext*, const mpb::AllocTimestampRequest*,
                                               mpb::AllocTimestampResponse* resp) {
  auto ts = tso_.Allocate();
  if (ts.ok()) resp->set_timestamp(*ts);
  return Reply(ts.status(), resp->mutable_status());
}

// ---------------------------------------------------------------------------------------------
// Databases

grpc::Status MilvusServiceImpl::CreateDatabase(ServerContext*, const mpb::CreateDatabaseRequest* req,
                                               cpb::Status* resp) {
  Status st = ValidateDatabaseName(req->db_name(), limits_);
  if (st.ok()) st = catalog_.CreateDatabase(req->db_name(), ToKeyValues(req->properties()));
  return Reply(st, resp);
}

grpc::Status MilvusServiceImpl::DropDatabase(ServerContext*, const mpb::DropDatabaseRequest* req,
                                             cpb::Status* resp) {
  return Reply(catalog_.DropDatabase(req->db_name()), resp);
}

grpc::Status MilvusServiceImpl::ListDatabases(ServerContext*, const mpb::ListDatabasesRequest*,
                                              mpb::ListDatabasesResponse* resp) {
  for (const auto& db : catalog_.ListDatabases()) {
    resp->add_db_names(db.name());
    resp->add_created_timestamp(db.created_ts());
    resp->add_db_ids(db.id());
  }
  resp->mutable_status();
  return grpc::Status::OK;
}

grpc::Status MilvusServiceImpl::DescribeDatabase(ServerContext* ctx,
                                                 const mpb::DescribeDatabaseRequest* req,
                                                 mpb::DescribeDatabaseResponse* resp) {
  auto db = catalog_.GetDatabase(DbOf(ctx, req->db_name()));
  if (db.ok()) {
    resp->set_db_name(db->name());
    resp->set_dbid(db->id());
    resp->set_created_timestamp(db->created_ts());
    *resp->mutable_properties() = db->properties();
  }
  return Reply(db.status(), resp->mutable_status());
}

grpc::Status MilvusServiceImpl::AlterDatabase(ServerContext* ctx,
                                              const mpb::AlterDatabaseRequest* req,
                                              cpb::Status* resp) {
  Status st = catalog_.AlterDatabase(DbOf(ctx, req->db_name()), ToKeyValues(req->properties()),
                                     ToStrings(req->delete_keys()));
  return Reply(st, resp);
}

// ---------------------------------------------------------------------------------------------
// Collections

grpc::Status MilvusServiceImpl::CreateCollection(ServerContext* ctx,
                                                 const mpb::CreateCollectionRequest* req,
                                                 cpb::Status* resp) {
  auto run = [&]() -> Status {
    QV_RETURN_IF_ERROR(ValidateCollectionName(req->collection_name(), limits_));
    CollectionRecord r;
    if (!r.mutable_schema()->ParseFromString(req->schema())) {
      return InvalidParam("the schema of collection {} cannot be parsed", req->collection_name());
    }
    if (!r.schema().name().empty() && r.schema().name() != req->collection_name()) {
      return InvalidParam("collection name [{}] and schema name [{}] are not the same",
                          req->collection_name(), r.schema().name());
    }
    int32_t shards = req->shards_num();
    int64_t num_partitions = req->num_partitions();
    QV_RETURN_IF_ERROR(ValidateCollectionSchema(r.schema(), &shards, &num_partitions, limits_));
    QV_RETURN_IF_ERROR(ValidateProperties(req->properties()));
    // pymilvus mirrors the pk's auto_id at the schema level; keep them consistent.
    for (const auto& f : r.schema().fields()) {
      if (f.is_primary_key() && f.autoid()) r.mutable_schema()->set_autoid(true);
    }
    r.set_name(req->collection_name());
    r.set_shards_num(shards);
    r.set_num_partitions(num_partitions);
    r.set_consistency_level(req->consistency_level());
    *r.mutable_properties() = req->properties();
    return catalog_.CreateCollection(DbOf(ctx, req->db_name()), std::move(r));
  };
  return Reply(run(), resp);
}

grpc::Status MilvusServiceImpl::DropCollection(ServerContext* ctx,
                                               const mpb::DropCollectionRequest* req,
                                               cpb::Status* resp) {
  auto run = [&]() -> Status {
    QV_RETURN_IF_ERROR(ValidateCollectionName(req->collection_name(), limits_));
    std::string db = DbOf(ctx, req->db_name());
    auto c = catalog_.GetCollection(db, req->collection_name());
    QV_RETURN_IF_ERROR(catalog_.DropCollection(db, req->collection_name()));
    // The catalog no longer knows the collection; its data goes next (and on restart,
    // recovery removes the channel of a collection the catalog does not know).
    if (c.ok() && c->name() == req->collection_name()) return data_.DropCollection(c->id());
    return Status::Ok();
  };
  return Reply(run(), resp);
}

grpc::Status MilvusServiceImpl::HasCollection(ServerContext* ctx,
                                              const mpb::HasCollectionRequest* req,
                                              mpb::BoolResponse* resp) {
  auto c = catalog_.GetCollection(DbOf(ctx, req->db_name()), req->collection_name());
  if (c.ok()) {
    resp->set_value(true);
  } else if (c.status().Is(StatusCode::kNotFound, Subject::kCollection)) {
    resp->set_value(false);
  } else {
    return Reply(c.status(), resp->mutable_status());
  }
  resp->mutable_status();
  return grpc::Status::OK;
}

Status MilvusServiceImpl::FillDescribe(const std::string& db, const CollectionRecord& c,
                                       mpb::DescribeCollectionResponse* resp) {
  auto* schema = resp->mutable_schema();
  *schema = c.schema();
  schema->clear_fields();
  schema->set_name(c.name());
  schema->set_dbname(db);
  for (const auto& f : c.schema().fields()) {
    if (f.fieldid() < 100 || f.is_dynamic()) continue;  // hide system and $meta fields
    *schema->add_fields() = f;
  }
  resp->set_collectionid(c.id());
  for (int i = 0; i < c.shards_num(); ++i) {
    resp->add_virtual_channel_names(fmt::format("quiver-dml_{}_{}v{}", i, c.id(), i));
    resp->add_physical_channel_names(fmt::format("quiver-dml_{}", i));
  }
  resp->set_created_timestamp(c.created_ts());
  resp->set_created_utc_timestamp(static_cast<uint64_t>(PhysicalMs(c.created_ts())));
  resp->set_shards_num(c.shards_num());
  for (const auto& a : catalog_.AliasesOf(c.id())) resp->add_aliases(a);
  resp->set_consistency_level(c.consistency_level());
  resp->set_collection_name(c.name());
  *resp->mutable_properties() = c.properties();
  resp->set_db_name(db);
  resp->set_num_partitions(c.num_partitions());
  resp->set_db_id(c.db_id());
  resp->set_update_timestamp(c.update_ts());
  resp->set_update_timestamp_str(std::to_string(c.update_ts()));
  return Status::Ok();
}

grpc::Status MilvusServiceImpl::DescribeCollection(ServerContext* ctx,
                                                   const mpb::DescribeCollectionRequest* req,
                                                   mpb::DescribeCollectionResponse* resp) {
  std::string db = DbOf(ctx, req->db_name());
  Result<CollectionRecord> c = Status::NotFound("");
  if (req->collection_name().empty() && req->collectionid() != 0) {
    c = Status::NotFound("collection not found[collection={}]", req->collectionid())
            .About(Subject::kCollection);
    for (auto& rec : catalog_.ListCollections(db)) {
      if (rec.id() == req->collectionid()) c = std::move(rec);
    }
  } else {
    c = catalog_.GetCollection(db, req->collection_name());
  }
  if (!c.ok()) {
    Reply(c.status(), resp->mutable_status());
    if (c.status().Is(StatusCode::kNotFound, Subject::kCollection)) {
      // Milvus rewrites this one reason (pymilvus's has_collection matches on it) and reports
      // the legacy code UnexpectedError.
      resp->mutable_status()->set_reason(fmt::format(
          "can't find collection[database={}][collection={}]", db,
          req->collection_name().empty() ? std::to_string(req->collectionid()) : req->collection_name()));
      resp->mutable_status()->set_error_code(cpb::ErrorCode::UnexpectedError);
    }
    return grpc::Status::OK;
  }
  return Reply(FillDescribe(db, *c, resp), resp->mutable_status());
}

grpc::Status MilvusServiceImpl::BatchDescribeCollection(
    ServerContext* ctx, const mpb::BatchDescribeCollectionRequest* req,
    mpb::BatchDescribeCollectionResponse* resp) {
  std::string db = DbOf(ctx, req->db_name());
  for (const auto& name : req->collection_name()) {
    auto* one = resp->add_responses();
    auto c = catalog_.GetCollection(db, name);
    if (!c.ok()) {
      FillStatus(c.status(), one->mutable_status());
      continue;
    }
    FillStatus(FillDescribe(db, *c, one), one->mutable_status());
  }
  resp->mutable_status();
  return grpc::Status::OK;
}

grpc::Status MilvusServiceImpl::ShowCollections(ServerContext* ctx,
                                                const mpb::ShowCollectionsRequest* req,
                                                mpb::ShowCollectionsResponse* resp) {
  std::string db = DbOf(ctx, req->db_name());
  auto dbrec = catalog_.GetDatabase(db);
  if (!dbrec.ok()) return Reply(dbrec.status(), resp->mutable_status());
  auto add = [&](const CollectionRecord& c) {
    resp->add_collection_names(c.name());
    resp->add_collection_ids(c.id());
    resp->add_created_timestamps(c.created_ts());
    resp->add_created_utc_timestamps(static_cast<uint64_t>(PhysicalMs(c.created_ts())));
    bool loaded = AnyLoaded(c);
    resp->add_inmemory_percentages(loaded ? 100 : 0);
    resp->add_query_service_available(loaded);
    resp->add_shards_num(c.shards_num());
  };
  if (req->collection_names_size() > 0) {
    for (const auto& name : req->collection_names()) {
      auto c = catalog_.GetCollection(db, name);
      if (!c.ok() && req->type() != mpb::ShowType::InMemory &&
          c.status().Is(StatusCode::kNotFound, Subject::kCollection)) {
        continue;  // Milvus lists only the names that exist
      }
      if (!c.ok()) return Reply(c.status(), resp->mutable_status());
      if (req->type() == mpb::ShowType::InMemory && !AnyLoaded(*c)) {
        return Reply(CollectionNotLoaded(*c), resp->mutable_status());
      }
      add(*c);
    }
  } else {
    for (const auto& c : catalog_.ListCollections(db)) {
      if (req->type() == mpb::ShowType::InMemory && !AnyLoaded(c)) continue;
      add(c);
    }
  }
  resp->mutable_status();
  return grpc::Status::OK;
}

grpc::Status MilvusServiceImpl::RenameCollection(ServerContext* ctx,
                                                 const mpb::RenameCollectionRequest* req,
                                                 cpb::Status* resp) {
  auto run = [&]() -> Status {
    QV_RETURN_IF_ERROR(ValidateCollectionName(req->oldname(), limits_));
    QV_RETURN_IF_ERROR(ValidateCollectionName(req->newname(), limits_));
    if (!req->newdbname().empty()) QV_RETURN_IF_ERROR(ValidateDatabaseName(req->newdbname(), limits_));
    return catalog_.RenameCollection(DbOf(ctx, req->db_name()), req->oldname(),
                                     req->newdbname(), req->newname());
  };
  return Reply(run(), resp);
}

grpc::Status MilvusServiceImpl::AlterCollection(ServerContext* ctx,
                                                const mpb::AlterCollectionRequest* req,
                                                cpb::Status* resp) {
  auto run = [&]() -> Status {
    if (req->properties_size() > 0 && req->delete_keys_size() > 0) {
      return InvalidParam("cannot provide both DeleteKeys and ExtraParams");
    }
    QV_RETURN_IF_ERROR(ValidateProperties(req->properties()));
    KeyValues set = ToKeyValues(req->properties());
    std::vector<std::string> del = ToStrings(req->delete_keys());
    return catalog_.EditCollection(
        DbOf(ctx, req->db_name()), req->collection_name(), [&](CollectionRecord& c) -> Status {
          for (const auto& [k, v] : set) {
            if (k == "mmap.enabled" && AnyLoaded(c)) {
              return InvalidParam("can not alter mmap properties if collection loaded");
            }
          }
          coord::ApplyProperties(c.mutable_properties(), set, del);
          return Status::Ok();
        });
  };
  return Reply(run(), resp);
}

grpc::Status MilvusServiceImpl::AlterCollectionField(ServerContext* ctx,
                                                     const mpb::AlterCollectionFieldRequest* req,
                                                     cpb::Status* resp) {
  auto run = [&]() -> Status {
    return catalog_.EditCollection(
        DbOf(ctx, req->db_name()), req->collection_name(), [&](CollectionRecord& c) -> Status {
          spb::FieldSchema* field = nullptr;
          for (auto& f : *c.mutable_schema()->mutable_fields()) {
            if (f.name() == req->field_name() && !f.is_dynamic()) field = &f;
          }
          if (!field) {
            return Status::NotFound("field not found[field={}]", req->field_name())
                .About(Subject::kField);
          }
          for (const auto& kv : req->properties()) {
            if (kv.key() == "max_length") {
              if (field->data_type() != spb::DataType::VarChar &&
                  !(field->data_type() == spb::DataType::Array &&
                    field->element_type() == spb::DataType::VarChar)) {
                return InvalidParam("{} is not a VarChar field, max_length cannot be altered",
                                    field->name());
              }
              auto n = ParseInt(kv.value());
              if (!n || *n <= 0 || *n > limits_.max_varchar_length) {
                return InvalidParam("the maximum length specified for the field({}) should be in "
                                    "(0, {}], but got {} instead",
                                    field->name(), limits_.max_varchar_length, kv.value());
              }
            } else if (kv.key() == "mmap.enabled") {
              QV_RETURN_IF_ERROR(ValidateProperty(kv.key(), kv.value()));
              if (AnyLoaded(c)) return InvalidParam("can not alter mmap properties if collection loaded");
            } else if (kv.key() != "description") {
              return InvalidParam("{} is not a field property that can be altered", kv.key());
            }
            bool found = false;
            for (auto& tp : *field->mutable_type_params()) {
              if (tp.key() == kv.key()) {
                tp.set_value(kv.value());
                found = true;
              }
            }
            if (kv.key() == "description") {
              field->set_description(kv.value());
            } else if (!found) {
              *field->add_type_params() = kv;
            }
          }
          return Status::Ok();
        });
  };
  return Reply(run(), resp);
}

grpc::Status MilvusServiceImpl::AddCollectionField(ServerContext* ctx,
                                                   const mpb::AddCollectionFieldRequest* req,
                                                   cpb::Status* resp) {
  auto run = [&]() -> Status {
    spb::FieldSchema field;
    if (!field.ParseFromString(req->schema())) return InvalidParam("the field schema cannot be parsed");
    QV_RETURN_IF_ERROR(ValidateField(field, limits_));
    if (!field.nullable()) {
      return InvalidParam("added field must be nullable, please check it, field name = {}",
                          field.name());
    }
    if (field.is_primary_key()) return InvalidParam("not support to add pk field, field name = {}", field.name());
    if (field.is_partition_key()) return InvalidParam("not support to add partition key field, field name = {}", field.name());
    if (field.autoid()) return InvalidParam("only primary field can speficy AutoID with true, field name = {}", field.name());
    return catalog_.EditCollection(
        DbOf(ctx, req->db_name()), req->collection_name(), [&](CollectionRecord& c) -> Status {
          int user_fields = 0, vector_fields = 0;
          for (const auto& f : c.schema().fields()) {
            if (f.name() == field.name()) {
              return InvalidParam("duplicate field name: {}", field.name());
            }
            if (!f.is_dynamic()) ++user_fields;
            if (IsVectorType(f.data_type())) ++vector_fields;
          }
          if (user_fields + 1 > limits_.max_fields) {
            return InvalidParam("maximum field's number should be limited to {}", limits_.max_fields);
          }
          if (IsVectorType(field.data_type()) && vector_fields + 1 > limits_.max_vector_fields) {
            return InvalidParam("maximum vector field's number should be limited to {}",
                                limits_.max_vector_fields);
          }
          spb::FieldSchema f = field;
          f.set_fieldid(c.next_field_id());
          c.set_next_field_id(c.next_field_id() + 1);
          *c.mutable_schema()->add_fields() = std::move(f);
          return Status::Ok();
        });
  };
  return Reply(run(), resp);
}

grpc::Status MilvusServiceImpl::GetCollectionStatistics(
    ServerContext* ctx, const mpb::GetCollectionStatisticsRequest* req,
    mpb::GetCollectionStatisticsResponse* resp) {
  auto c = catalog_.GetCollection(DbOf(ctx, req->db_name()), req->collection_name());
  if (!c.ok()) return Reply(c.status(), resp->mutable_status());
  // Rows visible now (Milvus counts flushed rows only; counting every acknowledged row is what
  // users expect after an insert).
  auto* kv = resp->add_stats();
  kv->set_key("row_count");
  kv->set_value(std::to_string(data_.Store(*c)->RowCount()));
  resp->mutable_status();
  return grpc::Status::OK;
}

// ---------------------------------------------------------------------------------------------
// Partitions

grpc::Status MilvusServiceImpl::CreatePartition(ServerContext* ctx,
                                                const mpb::CreatePartitionRequest* req,
                                                cpb::Status* resp) {
  Status st = ValidateName(req->partition_name(), "partition name", limits_);
  if (st.ok()) {
    st = catalog_.CreatePartition(DbOf(ctx, req->db_name()), req->collection_name(),
                                  req->partition_name());
  }
  return Reply(st, resp);
}

grpc::Status MilvusServiceImpl::DropPartition(ServerContext* ctx,
                                              const mpb::DropPartitionRequest* req,
                                              cpb::Status* resp) {
  Status st = ValidateName(req->partition_name(), "partition name", limits_);
  if (st.ok()) {
    std::string db = DbOf(ctx, req->db_name());
    auto c = catalog_.GetCollection(db, req->collection_name());
    st = catalog_.DropPartition(db, req->collection_name(), req->partition_name());
    if (st.ok() && c.ok()) {
      for (const auto& p : c->partitions()) {
        if (p.name() == req->partition_name()) data_.DropPartition(c->id(), p.id());
      }
    }
  }
  return Reply(st, resp);
}

grpc::Status MilvusServiceImpl::HasPartition(ServerContext* ctx,
                                             const mpb::HasPartitionRequest* req,
                                             mpb::BoolResponse* resp) {
  auto c = catalog_.GetCollection(DbOf(ctx, req->db_name()), req->collection_name());
  if (!c.ok()) return Reply(c.status(), resp->mutable_status());
  resp->set_value(std::any_of(c->partitions().begin(), c->partitions().end(),
                              [&](const auto& p) { return p.name() == req->partition_name(); }));
  resp->mutable_status();
  return grpc::Status::OK;
}

grpc::Status MilvusServiceImpl::ShowPartitions(ServerContext* ctx,
                                               const mpb::ShowPartitionsRequest* req,
                                               mpb::ShowPartitionsResponse* resp) {
  auto c = catalog_.GetCollection(DbOf(ctx, req->db_name()), req->collection_name());
  if (!c.ok()) return Reply(c.status(), resp->mutable_status());
  std::set<std::string> wanted(req->partition_names().begin(), req->partition_names().end());
  for (const auto& name : wanted) {
    bool found = std::any_of(c->partitions().begin(), c->partitions().end(),
                             [&](const auto& p) { return p.name() == name; });
    if (!found) return Reply(PartitionNotFound(name, c->name()), resp->mutable_status());
  }
  for (const auto& p : c->partitions()) {
    if (!wanted.empty() && !wanted.contains(p.name())) continue;
    if (req->type() == mpb::ShowType::InMemory && !PartitionLoaded(*c, p)) continue;
    resp->add_partition_names(p.name());
    resp->add_partitionids(p.id());
    resp->add_created_timestamps(p.created_ts());
    resp->add_created_utc_timestamps(static_cast<uint64_t>(PhysicalMs(p.created_ts())));
    resp->add_inmemory_percentages(PartitionLoaded(*c, p) ? 100 : 0);
  }
  resp->mutable_status();
  return grpc::Status::OK;
}

grpc::Status MilvusServiceImpl::GetPartitionStatistics(
    ServerContext* ctx, const mpb::GetPartitionStatisticsRequest* req,
    mpb::GetPartitionStatisticsResponse* resp) {
  auto c = catalog_.GetCollection(DbOf(ctx, req->db_name()), req->collection_name());
  if (!c.ok()) return Reply(c.status(), resp->mutable_status());
  bool found = std::any_of(c->partitions().begin(), c->partitions().end(),
                           [&](const auto& p) { return p.name() == req->partition_name(); });
  if (!found) return Reply(PartitionNotFound(req->partition_name(), c->name()), resp->mutable_status());
  int64_t pid = 0;
  for (const auto& p : c->partitions()) {
    if (p.name() == req->partition_name()) pid = p.id();
  }
  auto* kv = resp->add_stats();
  kv->set_key("row_count");
  kv->set_value(std::to_string(data_.Store(*c)->RowCount({pid})));
  resp->mutable_status();
  return grpc::Status::OK;
}

// ---------------------------------------------------------------------------------------------
// Aliases

grpc::Status MilvusServiceImpl::CreateAlias(ServerContext* ctx, const mpb::CreateAliasRequest* req,
                                            cpb::Status* resp) {
  Status st = ValidateName(req->alias(), "collection alias", limits_);
  if (st.ok()) st = ValidateCollectionName(req->collection_name(), limits_);
  if (st.ok()) st = catalog_.CreateAlias(DbOf(ctx, req->db_name()), req->collection_name(), req->alias());
  return Reply(st, resp);
}

grpc::Status MilvusServiceImpl::DropAlias(ServerContext* ctx, const mpb::DropAliasRequest* req,
                                          cpb::Status* resp) {
  Status st = ValidateName(req->alias(), "collection alias", limits_);
  if (st.ok()) st = catalog_.DropAlias(DbOf(ctx, req->db_name()), req->alias());
  return Reply(st, resp);
}

grpc::Status MilvusServiceImpl::AlterAlias(ServerContext* ctx, const mpb::AlterAliasRequest* req,
                                           cpb::Status* resp) {
  Status st = ValidateName(req->alias(), "collection alias", limits_);
  if (st.ok()) st = ValidateCollectionName(req->collection_name(), limits_);
  if (st.ok()) st = catalog_.AlterAlias(DbOf(ctx, req->db_name()), req->collection_name(), req->alias());
  return Reply(st, resp);
}

grpc::Status MilvusServiceImpl::DescribeAlias(ServerContext* ctx,
                                              const mpb::DescribeAliasRequest* req,
                                              mpb::DescribeAliasResponse* resp) {
  std::string db = DbOf(ctx, req->db_name());
  Status st = ValidateName(req->alias(), "collection alias", limits_);
  if (!st.ok()) return Reply(st, resp->mutable_status());
  auto a = catalog_.DescribeAlias(db, req->alias());
  if (!a.ok()) return Reply(a.status(), resp->mutable_status());
  resp->set_db_name(db);
  resp->set_alias(a->name());
  for (const auto& c : catalog_.ListCollections(db)) {
    if (c.id() == a->collection_id()) resp->set_collection(c.name());
  }
  resp->mutable_status();
  return grpc::Status::OK;
}

grpc::Status MilvusServiceImpl::ListAliases(ServerContext* ctx, const mpb::ListAliasesRequest* req,
                                            mpb::ListAliasesResponse* resp) {
  std::string db = DbOf(ctx, req->db_name());
  auto aliases = catalog_.ListAliases(db, req->collection_name());
  if (!aliases.ok()) return Reply(aliases.status(), resp->mutable_status());
  resp->set_db_name(db);
  resp->set_collection_name(req->collection_name());
  for (const auto& a : *aliases) resp->add_aliases(a);
  resp->mutable_status();
  return grpc::Status::OK;
}

// ---------------------------------------------------------------------------------------------
// Indexes

grpc::Status MilvusServiceImpl::CreateIndex(ServerContext* ctx, const mpb::CreateIndexRequest* req,
                                            cpb::Status* resp) {
  auto run = [&]() -> Status {
    std::string db = DbOf(ctx, req->db_name());
    QV_ASSIGN_OR_RETURN(CollectionRecord snapshot, catalog_.GetCollection(db, req->collection_name()));
    const spb::FieldSchema* field = FindField(snapshot, req->field_name());
    if (!field) {
      // GetFieldFromNameDefaultJSON: a name outside the schema is a key of the dynamic field.
      for (const auto& f : snapshot.schema().fields()) {
        if (f.is_dynamic() && snapshot.schema().enable_dynamic_field()) field = &f;
      }
    }
    if (!field) {
      return InvalidParam("cannot create index on non-exist field: {}", req->field_name());
    }
    QV_ASSIGN_OR_RETURN(IndexParams params, NormalizeIndexParams(req->extra_params(), *field));
    // JSON indexes cover one path (json_path, by default the name the request used); a JSON
    // field may hold one index per path, named <field><path> by default as Milvus names them.
    const bool json = field->data_type() == spb::DataType::JSON;
    std::string json_path;
    std::string default_name = field->name();
    if (json) {
      json_path = ParamValue(params, "json_path");
      if (json_path.empty()) {
        json_path = req->field_name();
        params.emplace_back("json_path", json_path);
      }
      auto ref = expr::ResolveIdentifier(json_path, snapshot.schema());
      if (!ref.ok())
        return InvalidParam("invalid json_path {}: {}", json_path, ref.status().message());
      if (ref->field_id != field->fieldid()) {
        return InvalidParam(
            "json_path {} does not belong to field {}: fieldID not match with field name",
            json_path, field->name());
      }
      for (const auto& key : ref->path) default_name += "/" + key;
    }
    std::string index_name = req->index_name().empty() ? default_name : req->index_name();
    if (!req->index_name().empty())
      QV_RETURN_IF_ERROR(ValidateName(index_name, "index name", limits_));
    QV_ASSIGN_OR_RETURN(int64_t index_id, catalog_.AllocateId());
    QV_ASSIGN_OR_RETURN(Timestamp ts, catalog_.Now());
    int64_t field_id = field->fieldid();
    auto path_of = [](const auto& idx) {
      for (const auto& kv : idx.params()) {
        if (kv.key() == "json_path") return kv.value();
      }
      return std::string();
    };
    return catalog_.EditCollection(db, req->collection_name(), [&](CollectionRecord& c) -> Status {
      for (const auto& idx : c.indexes()) {
        if (json && idx.field_id() == field_id && idx.name() != index_name &&
            path_of(idx) != json_path) {
          continue;  // another path of the same JSON field
        }
        bool same_params = idx.params_size() == static_cast<int>(params.size()) &&
                           std::all_of(params.begin(), params.end(), [&](const auto& kv) {
                             return std::any_of(idx.params().begin(), idx.params().end(),
                                                [&](const auto& p) {
                                                  return p.key() == kv.first && p.value() == kv.second;
                                                });
                           });
        if (idx.field_id() == field_id) {
          if (idx.name() == index_name && same_params) return Status::Ok();  // idempotent
          if (idx.name() != index_name) {
            return Status::InvalidArgument(
                "CreateIndex failed: creating multiple indexes on same field is not supported");
          }
          return Status::InvalidArgument("CreateIndex failed: at most one distinct index is allowed per field");
        }
        if (idx.name() == index_name) {
          return InvalidParam("index name {} already exists on another field", index_name);
        }
      }
      auto* idx = c.add_indexes();
      idx->set_id(index_id);
      idx->set_name(index_name);
      idx->set_field_id(field_id);
      idx->set_created_ts(ts);
      for (const auto& [k, v] : params) {
        auto* kv = idx->add_params();
        kv->set_key(k);
        kv->set_value(v);
      }
      return Status::Ok();
    });
  };
  return Reply(run(), resp);
}

Status MilvusServiceImpl::DescribeIndexes(const std::string& db, const std::string& collection,
                                          const std::string& field_name,
                                          const std::string& index_name,
                                          mpb::DescribeIndexResponse* resp) {
  QV_ASSIGN_OR_RETURN(CollectionRecord c, catalog_.GetCollection(db, collection));
  for (const auto& idx : c.indexes()) {
    const spb::FieldSchema* f = FindFieldById(c, idx.field_id());
    if (!f) continue;
    if (!index_name.empty() && idx.name() != index_name) continue;
    if (!field_name.empty() && f->name() != field_name) {
      // An index on a dynamic key is found by the key, as it was created.
      bool by_key = f->is_dynamic() &&
                    std::any_of(idx.params().begin(), idx.params().end(), [&](const auto& kv) {
                      return kv.key() == "json_path" && kv.value() == field_name;
                    });
      if (!by_key) continue;
    }
    auto* d = resp->add_index_descriptions();
    d->set_index_name(idx.name());
    d->set_indexid(idx.id());
    *d->mutable_params() = idx.params();
    for (const auto& p : idx.properties()) *d->add_params() = p;
    d->set_field_name(f->name());
    // Rows the background builder has put into the field's ANN index, against all rows. The
    // state stays Finished: like Milvus's growing data, unindexed rows are searched exactly.
    // Scalar indexes: rows of the persisted chunks indexed so far (unflushed rows are scanned).
    auto store = data_.Store(c);
    int64_t total = store->RowCount();
    int64_t indexed = 0;
    if (auto scalar = datanode::DataService::ScalarIndexFor(c, idx)) {
      indexed = store->ScalarIndexedRows(scalar->spec.signature);
    } else if (datanode::DataService::AnnSpecFor(c, f->fieldid())) {
      indexed = store->AnnRows(f->fieldid());
    }
    d->set_indexed_rows(std::min(indexed, total));
    d->set_total_rows(total);
    d->set_pending_index_rows(std::max<int64_t>(0, total - indexed));
    // Nothing is waiting to be built while the collection holds no sealed data.
    d->set_state(cpb::IndexState::Finished);
  }
  if (resp->index_descriptions_size() == 0) {
    return Status::NotFound("index not found[collection={}]", c.name()).About(Subject::kIndex);
  }
  return Status::Ok();
}

grpc::Status MilvusServiceImpl::DescribeIndex(ServerContext* ctx,
                                              const mpb::DescribeIndexRequest* req,
                                              mpb::DescribeIndexResponse* resp) {
  Status st = DescribeIndexes(DbOf(ctx, req->db_name()), req->collection_name(), req->field_name(),
                              req->index_name(), resp);
  if (!st.ok()) resp->clear_index_descriptions();
  return Reply(st, resp->mutable_status());
}

grpc::Status MilvusServiceImpl::GetIndexStatistics(ServerContext* ctx,
                                                   const mpb::GetIndexStatisticsRequest* req,
                                                   mpb::GetIndexStatisticsResponse* resp) {
  mpb::DescribeIndexResponse d;
  Status st = DescribeIndexes(DbOf(ctx, req->db_name()), req->collection_name(), "",
                              req->index_name(), &d);
  if (st.ok()) *resp->mutable_index_descriptions() = d.index_descriptions();
  return Reply(st, resp->mutable_status());
}

grpc::Status MilvusServiceImpl::GetIndexState(ServerContext* ctx,
                                              const mpb::GetIndexStateRequest* req,
                                              mpb::GetIndexStateResponse* resp) {
  mpb::DescribeIndexResponse d;
  Status st = DescribeIndexes(DbOf(ctx, req->db_name()), req->collection_name(), req->field_name(),
                              req->index_name(), &d);
  if (st.ok()) resp->set_state(cpb::IndexState::Finished);
  return Reply(st, resp->mutable_status());
}

grpc::Status MilvusServiceImpl::GetIndexBuildProgress(ServerContext* ctx,
                                                      const mpb::GetIndexBuildProgressRequest* req,
                                                      mpb::GetIndexBuildProgressResponse* resp) {
  mpb::DescribeIndexResponse d;
  Status st = DescribeIndexes(DbOf(ctx, req->db_name()), req->collection_name(), req->field_name(),
                              req->index_name(), &d);
  if (st.ok()) {
    int64_t indexed = 0, total = 0;
    for (const auto& desc : d.index_descriptions()) {
      indexed += desc.indexed_rows();
      total += desc.total_rows();
    }
    resp->set_indexed_rows(indexed);
    resp->set_total_rows(total);
  }
  return Reply(st, resp->mutable_status());
}

grpc::Status MilvusServiceImpl::DropIndex(ServerContext* ctx, const mpb::DropIndexRequest* req,
                                          cpb::Status* resp) {
  auto run = [&]() -> Status {
    return catalog_.EditCollection(
        DbOf(ctx, req->db_name()), req->collection_name(), [&](CollectionRecord& c) -> Status {
          auto* indexes = c.mutable_indexes();
          for (int i = 0; i < indexes->size(); ++i) {
            const auto& idx = indexes->Get(i);
            const spb::FieldSchema* f = FindFieldById(c, idx.field_id());
            bool match = req->index_name().empty()
                             ? (f && f->name() == req->field_name())
                             : idx.name() == req->index_name();
            if (!match) continue;
            if (AnyLoaded(c) && f && IsVectorType(f->data_type())) {
              return InvalidParam("vector index cannot be dropped on loaded collection: {}", c.id());
            }
            indexes->DeleteSubrange(i, 1);
            return Status::Ok();
          }
          return Status::Ok();  // Milvus: dropping a missing index succeeds
        });
  };
  return Reply(run(), resp);
}

grpc::Status MilvusServiceImpl::AlterIndex(ServerContext* ctx, const mpb::AlterIndexRequest* req,
                                           cpb::Status* resp) {
  auto run = [&]() -> Status {
    if (req->extra_params_size() > 0 && req->delete_keys_size() > 0) {
      return InvalidParam("cannot provide both DeleteKeys and ExtraParams");
    }
    for (const auto& kv : req->extra_params()) {
      if (kv.key() != "mmap.enabled" && kv.key() != "indexoffsetcache.enabled" && kv.key() != "warmup") {
        return InvalidParam("{} is not a configable index property", kv.key());
      }
      QV_RETURN_IF_ERROR(ValidateProperty(kv.key(), kv.value()));
    }
    return catalog_.EditCollection(
        DbOf(ctx, req->db_name()), req->collection_name(), [&](CollectionRecord& c) -> Status {
          for (auto& idx : *c.mutable_indexes()) {
            if (idx.name() != req->index_name()) continue;
            if (AnyLoaded(c)) {
              return Status::FailedPrecondition(
                         "can't alter index on loaded collection, please release the collection "
                         "first: collection already loaded[collection={}]",
                         c.name())
                  .About(Subject::kIndex);
            }
            coord::ApplyProperties(idx.mutable_properties(), ToKeyValues(req->extra_params()),
                                   ToStrings(req->delete_keys()));
            return Status::Ok();
          }
          return Status::NotFound("index not found[collection={}][index={}]", c.name(),
                                  req->index_name())
              .About(Subject::kIndex);
        });
  };
  return Reply(run(), resp);
}

// ---------------------------------------------------------------------------------------------
// Load state

namespace {

// Every vector field needs an index before the collection can be loaded.
Status CheckLoadable(const CollectionRecord& c) {
  std::vector<std::string> missing;
  for (const auto& f : c.schema().fields()) {
    if (!IsVectorType(f.data_type())) continue;
    bool indexed = std::any_of(c.indexes().begin(), c.indexes().end(),
                               [&](const auto& idx) { return idx.field_id() == f.fieldid(); });
    if (!indexed) missing.push_back(f.name());
  }
  if (c.indexes_size() == 0) {
    return Status::NotFound("index not found[collection={}]", c.name()).About(Subject::kIndex);
  }
  if (!missing.empty()) {
    return Status::InvalidArgument("there is no vector index on field: [{}], please create index firstly",
                                   fmt::join(missing, " "));
  }
  return Status::Ok();
}

}  // namespace

grpc::Status MilvusServiceImpl::LoadCollection(ServerContext* ctx,
                                               const mpb::LoadCollectionRequest* req,
                                               cpb::Status* resp) {
  auto run = [&]() -> Status {
    QV_RETURN_IF_ERROR(ValidateCollectionName(req->collection_name(), limits_));
    if (req->replica_number() > 1) {
      return InvalidParam("replica number {} exceeds the number of query nodes (1)",
                          req->replica_number());
    }
    return catalog_.EditCollection(
        DbOf(ctx, req->db_name()), req->collection_name(), [&](CollectionRecord& c) -> Status {
          QV_RETURN_IF_ERROR(CheckLoadable(c));
          for (const auto& name : req->load_fields()) {
            if (!FindField(c, name)) {
              return Status::NotFound("field not found[field={}]", name).About(Subject::kField);
            }
          }
          c.set_load_status(::quiver::catalog::LOAD_LOADED);
          for (auto& p : *c.mutable_partitions()) p.set_loaded(true);
          c.mutable_load_fields()->Assign(req->load_fields().begin(), req->load_fields().end());
          return Status::Ok();
        });
  };
  return Reply(run(), resp);
}

grpc::Status MilvusServiceImpl::ReleaseCollection(ServerContext* ctx,
                                                  const mpb::ReleaseCollectionRequest* req,
                                                  cpb::Status* resp) {
  Status st = catalog_.EditCollection(
      DbOf(ctx, req->db_name()), req->collection_name(), [&](CollectionRecord& c) -> Status {
        c.set_load_status(::quiver::catalog::LOAD_NONE);
        for (auto& p : *c.mutable_partitions()) p.set_loaded(false);
        c.clear_load_fields();
        return Status::Ok();
      });
  return Reply(st, resp);
}

grpc::Status MilvusServiceImpl::LoadPartitions(ServerContext* ctx,
                                               const mpb::LoadPartitionsRequest* req,
                                               cpb::Status* resp) {
  auto run = [&]() -> Status {
    if (req->partition_names_size() == 0) {
      return Status::InvalidArgument("failed to load partition, due to no partition specified");
    }
    return catalog_.EditCollection(
        DbOf(ctx, req->db_name()), req->collection_name(), [&](CollectionRecord& c) -> Status {
          QV_RETURN_IF_ERROR(CheckLoadable(c));
          for (const auto& name : req->partition_names()) {
            auto* parts = c.mutable_partitions();
            auto it = std::find_if(parts->begin(), parts->end(),
                                   [&](const auto& p) { return p.name() == name; });
            if (it == parts->end()) return PartitionNotFound(name, c.name());
            it->set_loaded(true);
          }
          return Status::Ok();
        });
  };
  return Reply(run(), resp);
}

grpc::Status MilvusServiceImpl::ReleasePartitions(ServerContext* ctx,
                                                  const mpb::ReleasePartitionsRequest* req,
                                                  cpb::Status* resp) {
  auto run = [&]() -> Status {
    if (req->partition_names_size() == 0) return InvalidParam("partition names should not be empty");
    return catalog_.EditCollection(
        DbOf(ctx, req->db_name()), req->collection_name(), [&](CollectionRecord& c) -> Status {
          // A whole-collection load becomes a per-partition load minus the released ones.
          if (c.load_status() == ::quiver::catalog::LOAD_LOADED) {
            c.set_load_status(::quiver::catalog::LOAD_NONE);
            for (auto& p : *c.mutable_partitions()) p.set_loaded(true);
          }
          for (const auto& name : req->partition_names()) {
            for (auto& p : *c.mutable_partitions()) {
              if (p.name() == name) p.set_loaded(false);
            }
          }
          return Status::Ok();
        });
  };
  return Reply(run(), resp);
}

Result<int64_t> MilvusServiceImpl::LoadProgress(
    const std::string& db, const std::string& collection,
    const google::protobuf::RepeatedPtrField<std::string>& partitions) {
  QV_ASSIGN_OR_RETURN(CollectionRecord c, catalog_.GetCollection(db, collection));
  if (partitions.empty()) {
    if (!AnyLoaded(c)) return CollectionNotLoaded(c);
    return int64_t{100};
  }
  for (const auto& name : partitions) {
    auto it = std::find_if(c.partitions().begin(), c.partitions().end(),
                           [&](const auto& p) { return p.name() == name; });
    if (it == c.partitions().end()) return PartitionNotFound(name, c.name());
    if (!PartitionLoaded(c, *it)) {
      return Status::FailedPrecondition("partition not loaded[partition={}]", name)
          .About(Subject::kPartition);
    }
  }
  return int64_t{100};
}

grpc::Status MilvusServiceImpl::GetLoadState(ServerContext* ctx,
                                             const mpb::GetLoadStateRequest* req,
                                             mpb::GetLoadStateResponse* resp) {
  auto p = LoadProgress(DbOf(ctx, req->db_name()), req->collection_name(), req->partition_names());
  if (p.ok()) {
    resp->set_state(cpb::LoadState::LoadStateLoaded);
  } else if (p.status().code() == StatusCode::kFailedPrecondition) {
    resp->set_state(cpb::LoadState::LoadStateNotLoad);
  } else if (p.status().Is(StatusCode::kNotFound, Subject::kCollection)) {
    resp->set_state(cpb::LoadState::LoadStateNotExist);  // Milvus answers success here
  } else {
    resp->set_state(cpb::LoadState::LoadStateNotExist);
    return Reply(p.status(), resp->mutable_status());
  }
  resp->mutable_status();
  return grpc::Status::OK;
}

grpc::Status MilvusServiceImpl::GetLoadingProgress(ServerContext* ctx,
                                                   const mpb::GetLoadingProgressRequest* req,
                                                   mpb::GetLoadingProgressResponse* resp) {
  auto p = LoadProgress(DbOf(ctx, req->db_name()), req->collection_name(), req->partition_names());
  if (p.ok()) {
    resp->set_progress(*p);
    resp->set_refresh_progress(*p);
  }
  return Reply(p.status(), resp->mutable_status());
}

}  // namespace quiver::proxy
