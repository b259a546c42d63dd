// MilvusService data handlers: Insert, Upsert, Delete, Query, Flush.
#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>
#include <map>
#include <set>

#include "common/crc32c.h"
#include "proxy/filter.h"
#include "proxy/milvus_service.h"
#include "proxy/output.h"
#include "proxy/service_util.h"
#include "segment/field_data.h"

namespace quiver::proxy {
namespace {

using segment::FieldData;
using segment::RowRef;

constexpr int64_t kMaxQueryWindow = 16384;

// A column holding `rows` of `src`, with the column's identity (name, type, id) kept.
FieldData SubsetColumn(const FieldData& src, const std::vector<int64_t>& rows) {
  FieldData out;
  out.set_type(src.type());
  out.set_field_name(src.field_name());
  out.set_field_id(src.field_id());
  out.set_is_dynamic(src.is_dynamic());
  segment::GatherRows(src, rows, &out);
  return out;
}

// Routes rows by the partition-key value's hash, as Milvus does (CRC32C here).
uint32_t PartitionKeyHash(const FieldData& key, int64_t row) {
  if (key.scalars().has_long_data()) {
    int64_t v = key.scalars().long_data().data(static_cast<int>(row));
    return Crc32c(&v, sizeof v);
  }
  return Crc32c(key.scalars().string_data().data(static_cast<int>(row)));
}


std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char ch) { return std::tolower(ch); });
  return s;
}

}  // namespace

Result<Timestamp> MilvusServiceImpl::WriteRows(
    const std::string& db, const CollectionRecord& c, const std::string& partition_name,
    const google::protobuf::RepeatedPtrField<spb::FieldData>& fields, int64_t num_rows,
    bool upsert, mpb::MutationResult* resp) {
  if (num_rows == 0 && fields.size() > 0) {
    // Some clients leave num_rows unset; take it from the first column.
    const auto* f = FindField(c, fields.Get(0).field_name());
    num_rows = segment::ColumnRows(fields.Get(0), f ? segment::VectorDim(*f) : 0);
    if (fields.Get(0).valid_data_size() > 0) num_rows = fields.Get(0).valid_data_size();
  }
  segment::NormalizeOptions opts;
  opts.upsert = upsert;
  opts.allocate_ids = [&](int64_t n) { return catalog_.AllocateIds(n); };
  QV_ASSIGN_OR_RETURN(segment::InsertColumns cols,
                      segment::NormalizeInsert(c.schema(), fields, num_rows, opts));
  wal::WalEntry entry;
  FieldData& pk = cols.columns[static_cast<size_t>(cols.pk_index)];
  const auto* pk_field = FindFieldById(c, pk.field_id());
  if (upsert) {
    // Upsert = delete the given keys everywhere + insert, at one timestamp.
    auto* del = entry.add_deletes();
    *del->mutable_pks() = PkIds(pk);
    if (pk_field && pk_field->autoid()) {
      // Milvus gives upserted rows of an auto_id collection fresh keys.
      QV_ASSIGN_OR_RETURN(int64_t first, catalog_.AllocateIds(num_rows));
      auto* d = pk.mutable_scalars()->mutable_long_data();
      for (int64_t i = 0; i < num_rows; ++i) d->set_data(static_cast<int>(i), first + i);
    }
  }

  if (coord::HasPartitionKey(c.schema())) {
    if (!partition_name.empty()) {
      return Status::InvalidArgument(
          "not support manually specifying the partition names if partition key mode is used: "
          "invalid parameter");
    }
    const FieldData* key = nullptr;
    for (const auto& col : cols.columns) {
      const auto* f = FindFieldById(c, col.field_id());
      if (f && f->is_partition_key()) key = &col;
    }
    std::vector<std::vector<int64_t>> rows(static_cast<size_t>(c.partitions_size()));
    for (int64_t r = 0; r < num_rows; ++r) {
      rows[PartitionKeyHash(*key, r) % rows.size()].push_back(r);
    }
    for (size_t p = 0; p < rows.size(); ++p) {
      if (rows[p].empty()) continue;
      auto* ins = entry.add_inserts();
      ins->set_partition_id(c.partitions(static_cast<int>(p)).id());
      ins->set_num_rows(static_cast<int64_t>(rows[p].size()));
      for (const auto& col : cols.columns) *ins->add_columns() = SubsetColumn(col, rows[p]);
    }
  } else {
    const std::string& name = partition_name.empty() ? coord::kDefaultPartition : partition_name;
    const coord::PartitionRecord* p = FindPartition(c, name);
    if (!p) return PartitionNotFound(name, c.name());
    auto* ins = entry.add_inserts();
    ins->set_partition_id(p->id());
    ins->set_num_rows(num_rows);
    *resp->mutable_ids() = PkIds(pk);
    for (auto& col : cols.columns) *ins->add_columns() = std::move(col);
  }
  if (!resp->has_ids()) *resp->mutable_ids() = PkIds(pk);
  QV_ASSIGN_OR_RETURN(Timestamp ts, data_.Write(c, std::move(entry)));
  for (int64_t i = 0; i < num_rows; ++i) resp->add_succ_index(static_cast<uint32_t>(i));
  resp->set_timestamp(ts);
  return ts;
}

grpc::Status MilvusServiceImpl::Insert(ServerContext* ctx, const mpb::InsertRequest* req,
                                       mpb::MutationResult* resp) {
  auto run = [&]() -> Status {
    std::string db = DbOf(ctx, req->db_name());
    QV_ASSIGN_OR_RETURN(CollectionRecord c, catalog_.GetCollection(db, req->collection_name()));
    QV_ASSIGN_OR_RETURN(Timestamp ts, WriteRows(db, c, req->partition_name(), req->fields_data(),
                                                req->num_rows(), /*upsert=*/false, resp));
    (void)ts;
    resp->set_insert_cnt(resp->succ_index_size());
    return Status::Ok();
  };
  Status st = run();
  if (!st.ok()) resp->Clear();
  return Reply(st, resp->mutable_status());
}

grpc::Status MilvusServiceImpl::Upsert(ServerContext* ctx, const mpb::UpsertRequest* req,
                                       mpb::MutationResult* resp) {
  auto run = [&]() -> Status {
    std::string db = DbOf(ctx, req->db_name());
    QV_ASSIGN_OR_RETURN(CollectionRecord c, catalog_.GetCollection(db, req->collection_name()));
    google::protobuf::RepeatedPtrField<spb::FieldData> fields = req->fields_data();
    if (req->partial_update()) {
      int64_t n = req->num_rows();
      if (n == 0 && !fields.empty()) n = segment::ColumnRows(fields.Get(0));
      QV_RETURN_IF_ERROR(FillPartialUpdate(c, &fields, n));
    }
    QV_ASSIGN_OR_RETURN(Timestamp ts, WriteRows(db, c, req->partition_name(), fields,
                                                req->num_rows(), /*upsert=*/true, resp));
    (void)ts;
    resp->set_upsert_cnt(resp->succ_index_size());
    return Status::Ok();
  };
  Status st = run();
  if (!st.ok()) resp->Clear();
  return Reply(st, resp->mutable_status());
}

Status MilvusServiceImpl::FillPartialUpdate(const CollectionRecord& c,
                                            google::protobuf::RepeatedPtrField<spb::FieldData>* fields,
                                            int64_t num_rows) {
  const spb::FieldSchema* pk = FindFieldById(c, datanode::PrimaryKeyFieldId(c));
  std::set<std::string> given;
  const spb::FieldData* pk_col = nullptr;
  bool dynamic_given = false;
  for (const auto& f : *fields) {
    if (f.is_dynamic()) dynamic_given = true;
    given.insert(f.field_name());
    if (f.field_name() == pk->name()) pk_col = &f;
  }
  if (!pk_col) return InvalidParam("partial update requires the primary key field {}", pk->name());
  std::vector<const spb::FieldSchema*> missing;
  for (const auto& f : c.schema().fields()) {
    if (f.is_dynamic() ? !dynamic_given : !given.contains(f.name())) missing.push_back(&f);
  }
  if (missing.empty()) return Status::Ok();

  // Current rows of the given keys, by key.
  std::vector<std::string> keys;
  for (int64_t i = 0; i < num_rows; ++i) keys.push_back(segment::PkKey(*pk_col, i));
  std::set<std::string> wanted(keys.begin(), keys.end());
  QV_ASSIGN_OR_RETURN(Timestamp now, tso_.Allocate());
  auto store = data_.Store(c);
  return store->Read(now, {}, segment::PkKeyFilter(wanted), [&](const std::vector<RowRef>& rows) -> Status {
    std::map<std::string, RowRef> existing;
    for (const RowRef& r : rows) {
      existing.emplace(segment::RowPkKey(*r.chunk, r.row), r);
    }
    for (const spb::FieldSchema* f : missing) {
      FieldData out = segment::EmptyColumn(*f);
      bool any_null = false;
      for (int64_t i = 0; i < num_rows; ++i) {
        auto it = existing.find(keys[static_cast<size_t>(i)]);
        const int64_t zero[1] = {0};
        if (it != existing.end()) {
          FieldData one = OutputColumn(*f, {it->second});
          segment::GatherRows(one, zero, &out);
          if (f->nullable() && one.valid_data_size() == 0) out.add_valid_data(true);
        } else if (f->is_dynamic()) {
          *out.mutable_scalars()->mutable_json_data()->add_data() = "{}";
        } else if (f->nullable() || f->has_default_value()) {
          FieldData null_row = segment::NullColumn(*f, 1);
          segment::GatherRows(null_row, zero, &out);
          if (null_row.valid_data_size() == 0) out.add_valid_data(false);
          any_null = true;
        } else {
          return InvalidParam("partial update of a new row (primary key not found) must provide field {}",
                              f->name());
        }
      }
      (void)any_null;
      out.set_field_name(f->name());
      *fields->Add() = std::move(out);
    }
    return Status::Ok();
  }, /*sorted=*/false);
}

grpc::Status MilvusServiceImpl::Delete(ServerContext* ctx, const mpb::DeleteRequest* req,
                                       mpb::MutationResult* resp) {
  auto run = [&]() -> Status {
    std::string db = DbOf(ctx, req->db_name());
    QV_ASSIGN_OR_RETURN(CollectionRecord c, catalog_.GetCollection(db, req->collection_name()));
    if (req->expr().find_first_not_of(" \t\n") == std::string::npos) {
      return Status::InvalidArgument("expression cannot be empty: invalid parameter");
    }
    int64_t partition_id = 0;
    if (!req->partition_name().empty()) {
      const coord::PartitionRecord* p = FindPartition(c, req->partition_name());
      if (!p) return PartitionNotFound(req->partition_name(), c.name());
      partition_id = p->id();
    }
    QV_ASSIGN_OR_RETURN(CompiledFilter f,
                        CompileFilter(req->expr(), c.schema(), req->expr_template_values()));
    wal::WalEntry entry;
    auto* del = entry.add_deletes();
    del->set_partition_id(partition_id);
    int64_t count = 0;
    if (f.pk_list) {
      *del->mutable_pks() = *f.pk_list;
      count = f.pk_list->has_int_id() ? f.pk_list->int_id().data_size() : f.pk_list->str_id().data_size();
    } else {
      // Delete by a general filter: find the matching keys now, delete exactly those.
      QV_ASSIGN_OR_RETURN(Timestamp now, tso_.Allocate());
      std::vector<int64_t> parts;
      if (partition_id != 0) parts.push_back(partition_id);
      QV_RETURN_IF_ERROR(data_.Store(c)->Read(now, parts, f.filter, [&](const std::vector<RowRef>& rows) {
        for (const RowRef& r : rows) segment::AppendPk(*r.chunk, r.row, del->mutable_pks());
        count = static_cast<int64_t>(rows.size());
        return Status::Ok();
      }, /*sorted=*/false));
    }
    Timestamp ts = 0;
    if (count > 0) {
      QV_ASSIGN_OR_RETURN(ts, data_.Write(c, std::move(entry)));
    } else {
      QV_ASSIGN_OR_RETURN(ts, tso_.Allocate());
    }
    resp->set_delete_cnt(count);
    resp->set_timestamp(ts);
    return Status::Ok();
  };
  Status st = run();
  if (!st.ok()) resp->Clear();
  return Reply(st, resp->mutable_status());
}

Status MilvusServiceImpl::RunQuery(ServerContext* ctx, const mpb::QueryRequest& req,
                                   mpb::QueryResults* resp) {
  std::string db = DbOf(ctx, req.db_name());
  QV_ASSIGN_OR_RETURN(CollectionRecord c, catalog_.GetCollection(db, req.collection_name()));
  if (!AnyLoaded(c)) return CollectionNotLoaded(c);
  QV_ASSIGN_OR_RETURN(std::vector<int64_t> partitions, ReadPartitions(c, req.partition_names()));

  int64_t limit = -1, offset = 0;
  bool ignore_growing = false;
  for (const auto& kv : req.query_params()) {
    if (kv.key() == "ignore_growing") {
      ignore_growing = Truthy(kv.value());
    } else if (kv.key() == "limit") {
      auto v = ParseInt(kv.value());
      if (!v) return InvalidParam("limit [{}] is invalid", kv.value());
      limit = *v;
    } else if (kv.key() == "offset") {
      auto v = ParseInt(kv.value());
      if (!v) return InvalidParam("offset [{}] is invalid", kv.value());
      offset = *v;
    }
  }
  bool count_star = false;
  for (const auto& f : req.output_fields()) {
    if (Lower(f) == "count(*)") count_star = true;
  }
  if (count_star && req.output_fields_size() > 1) {
    return InvalidParam("count entities with pagination is not allowed");
  }
  bool empty_expr = req.expr().find_first_not_of(" \t\n") == std::string::npos;
  if (!count_star) {
    if (empty_expr && limit < 0) return InvalidParam("empty expression should be used with limit");
    if (limit >= 0 && (limit <= 0 || limit + offset > kMaxQueryWindow || offset < 0)) {
      return InvalidParam(
          "invalid max query result window, (offset+limit) should be in range [1, {}], but got {}",
          kMaxQueryWindow, limit + offset);
    }
  }
  QV_ASSIGN_OR_RETURN(CompiledFilter f,
                      empty_expr ? Result<CompiledFilter>(CompiledFilter{})
                                 : CompileFilter(req.expr(), c.schema(), req.expr_template_values()));
  QV_ASSIGN_OR_RETURN(Timestamp ts, tso_.Allocate());
  f.filter = WithTtl(c, std::move(f.filter), ts);
  if (ignore_growing) f.filter = WithoutGrowing(std::move(f.filter), data_.Store(c)->PersistedSeq());
  resp->set_collection_name(c.name());
  resp->set_session_ts(ts);
  const milvus::proto::schema::FieldSchema* pk = FindFieldById(c, datanode::PrimaryKeyFieldId(c));
  resp->set_primary_field_name(pk->name());

  if (count_star) {
    int64_t n = 0;
    QV_RETURN_IF_ERROR(data_.Store(c)->Read(ts, partitions, f.filter, [&](const std::vector<RowRef>& rows) {
      n = static_cast<int64_t>(rows.size());
      return Status::Ok();
    }, /*sorted=*/false));
    auto* col = resp->add_fields_data();
    col->set_type(spb::DataType::Int64);
    col->set_field_name("count(*)");
    col->mutable_scalars()->mutable_long_data()->add_data(n);
    resp->add_output_fields("count(*)");
    return Status::Ok();
  }

  QV_ASSIGN_OR_RETURN(OutputPlan plan, PlanOutput(c, req.output_fields()));
  return data_.Store(c)->Read(ts, partitions, f.filter, [&](const std::vector<RowRef>& all) {
    size_t begin = std::min(all.size(), static_cast<size_t>(offset));
    size_t end = limit < 0 ? all.size() : std::min(all.size(), begin + static_cast<size_t>(limit));
    std::vector<RowRef> rows(all.begin() + static_cast<std::ptrdiff_t>(begin),
                             all.begin() + static_cast<std::ptrdiff_t>(end));
    AppendOutputColumns(plan, rows, resp->mutable_fields_data());
    for (const auto& n : plan.names) resp->add_output_fields(n);
    return Status::Ok();
  });
}

grpc::Status MilvusServiceImpl::Query(ServerContext* ctx, const mpb::QueryRequest* req,
                                      mpb::QueryResults* resp) {
  Status st = RunQuery(ctx, *req, resp);
  if (!st.ok()) {
    resp->Clear();
  }
  return Reply(st, resp->mutable_status());
}

grpc::Status MilvusServiceImpl::Flush(ServerContext* ctx, const mpb::FlushRequest* req,
                                      mpb::FlushResponse* resp) {
  // Acknowledged writes are already durable in the WAL; Flush persists them as a segment and
  // moves the WAL checkpoint, synchronously, so GetFlushState is immediately true.
  auto run = [&]() -> Status {
    std::string db = DbOf(ctx, req->db_name());
    QV_ASSIGN_OR_RETURN(Timestamp ts, tso_.Allocate());
    for (const auto& name : req->collection_names()) {
      QV_ASSIGN_OR_RETURN(CollectionRecord c, catalog_.GetCollection(db, name));
      QV_ASSIGN_OR_RETURN(format::SegmentManifest m, data_.Flush(c));
      auto& ids = (*resp->mutable_coll_segids())[name];
      auto& flushed = (*resp->mutable_flush_coll_segids())[name];
      for (const auto& ref : m.segments()) {
        ids.add_data(ref.id());
        flushed.add_data(ref.id());
      }
      (*resp->mutable_coll_seal_times())[name] = PhysicalMs(ts) / 1000;
      (*resp->mutable_coll_flush_ts())[name] = ts;
    }
    resp->set_db_name(db);
    return Status::Ok();
  };
  return Reply(run(), resp->mutable_status());
}

grpc::Status MilvusServiceImpl::FlushAll(ServerContext*, const mpb::FlushAllRequest*,
                                         mpb::FlushAllResponse* resp) {
  // Every collection of every database, synchronously (see Flush).
  auto run = [&]() -> Status {
    for (const auto& c : catalog_.ListAllCollections()) {
      QV_RETURN_IF_ERROR(data_.Flush(c).TakeStatus());
    }
    QV_ASSIGN_OR_RETURN(Timestamp ts, tso_.Allocate());
    resp->set_flush_all_ts(ts);
    return Status::Ok();
  };
  return Reply(run(), resp->mutable_status());
}

grpc::Status MilvusServiceImpl::GetFlushAllState(ServerContext*, const mpb::GetFlushAllStateRequest*,
                                                 mpb::GetFlushAllStateResponse* resp) {
  resp->set_flushed(true);  // FlushAll answers only once everything is persisted
  resp->mutable_status();
  return grpc::Status::OK;
}

grpc::Status MilvusServiceImpl::GetFlushState(ServerContext*, const mpb::GetFlushStateRequest*,
                                              mpb::GetFlushStateResponse* resp) {
  resp->set_flushed(true);
  resp->mutable_status();
  return grpc::Status::OK;
}

}  // namespace quiver::proxy

namespace quiver::proxy {

grpc::Status MilvusServiceImpl::TruncateCollection(ServerContext* ctx,
                                                   const mpb::TruncateCollectionRequest* req,
                                                   mpb::TruncateCollectionResponse* resp) {
  auto run = [&]() -> Status {
    QV_ASSIGN_OR_RETURN(CollectionRecord c,
                        catalog_.GetCollection(DbOf(ctx, req->db_name()), req->collection_name()));
    wal::WalEntry entry;
    entry.set_truncate(true);
    return data_.Write(c, std::move(entry)).TakeStatus();
  };
  return Reply(run(), resp->mutable_status());
}

grpc::Status MilvusServiceImpl::ManualCompaction(ServerContext* ctx,
                                                 const mpb::ManualCompactionRequest* req,
                                                 mpb::ManualCompactionResponse* resp) {
  // Compaction runs synchronously (DataService::Compact): when the call returns, deleted and
  // expired rows are gone from memory and from the persisted segments, so the state is
  // Completed at once.
  auto run = [&]() -> Status {
    std::string db = DbOf(ctx, req->db_name());
    std::optional<CollectionRecord> target;
    if (!req->collection_name().empty()) {
      QV_ASSIGN_OR_RETURN(target, catalog_.GetCollection(db, req->collection_name()));
    } else {
      for (const auto& c : catalog_.ListAllCollections()) {
        if (c.id() == req->collectionid()) target = c;
      }
    }
    if (!target) {
      return Status::NotFound("collection not found[collection={}]", req->collectionid())
          .About(Subject::kCollection);
    }
    QV_ASSIGN_OR_RETURN(datanode::DataService::CompactionResult r, data_.Compact(*target));
    QV_ASSIGN_OR_RETURN(int64_t id, catalog_.AllocateId());
    resp->set_compactionid(id);
    resp->set_compactionplancount(r.rows_removed > 0 || r.segments_before != r.segments_after ||
                                          r.chunks_before != r.chunks_after
                                      ? 1
                                      : 0);
    return Status::Ok();
  };
  return Reply(run(), resp->mutable_status());
}

grpc::Status MilvusServiceImpl::GetCompactionState(ServerContext*,
                                                   const mpb::GetCompactionStateRequest*,
                                                   mpb::GetCompactionStateResponse* resp) {
  resp->set_state(cpb::CompactionState::Completed);
  resp->mutable_status();
  return grpc::Status::OK;
}

grpc::Status MilvusServiceImpl::GetPersistentSegmentInfo(
    ServerContext* ctx, const mpb::GetPersistentSegmentInfoRequest* req,
    mpb::GetPersistentSegmentInfoResponse* resp) {
  auto c = catalog_.GetCollection(DbOf(ctx, req->dbname()), req->collectionname());
  if (!c.ok()) return Reply(c.status(), resp->mutable_status());
  const format::SegmentManifest manifest = data_.Manifest(*c);  // the loop must not outlive it
  for (const auto& ref : manifest.segments()) {
    auto* info = resp->add_infos();
    info->set_segmentid(ref.id());
    info->set_collectionid(c->id());
    info->set_num_rows(ref.rows());
    info->set_state(cpb::SegmentState::Flushed);
  }
  resp->mutable_status();
  return grpc::Status::OK;
}

}  // namespace quiver::proxy
