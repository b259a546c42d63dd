#include "proxy/output.h"

#include <nlohmann/json.hpp>
#include <set>

#include "proxy/service_util.h"
#include "segment/field_data.h"

namespace quiver::proxy {

using segment::FieldData;
using segment::RowRef;

milvus::proto::schema::IDs PkIds(const FieldData& pk) {
  milvus::proto::schema::IDs ids;
  if (pk.scalars().has_long_data()) {
    *ids.mutable_int_id()->mutable_data() = pk.scalars().long_data().data();
  } else {
    *ids.mutable_str_id()->mutable_data() = pk.scalars().string_data().data();
  }
  return ids;
}

const coord::PartitionRecord* FindPartition(const CollectionRecord& c, const std::string& name) {
  for (const auto& p : c.partitions()) {
    if (p.name() == name) return &p;
  }
  return nullptr;
}

// Partition ids a read covers: the named ones, else all.
Result<std::vector<int64_t>> ReadPartitions(const CollectionRecord& c,
                                            const google::protobuf::RepeatedPtrField<std::string>& names) {
  std::vector<int64_t> ids;
  for (const auto& n : names) {
    const coord::PartitionRecord* p = FindPartition(c, n);
    if (!p) return PartitionNotFound(n, c.name());
    if (!PartitionLoaded(c, *p)) {
      return Status::FailedPrecondition("partition not loaded[partition={}]", n).About(Subject::kPartition);
    }
    ids.push_back(p->id());
  }
  if (names.empty()) {
    for (const auto& p : c.partitions()) {
      if (PartitionLoaded(c, p)) ids.push_back(p.id());
    }
  }
  return ids;
}

Result<OutputPlan> PlanOutput(const CollectionRecord& c,
                              const google::protobuf::RepeatedPtrField<std::string>& requested,
                              bool include_pk) {
  OutputPlan plan;
  std::set<int64_t> chosen;
  const milvus::proto::schema::FieldSchema* pk = nullptr;
  for (const auto& f : c.schema().fields()) {
    if (f.is_primary_key()) pk = &f;
    if (f.is_dynamic()) plan.dynamic = &f;
  }
  auto add = [&](const milvus::proto::schema::FieldSchema* f) {
    if (chosen.insert(f->fieldid()).second) plan.fields.push_back(f);
  };
  if (include_pk) add(pk);
  for (const auto& raw : requested) {
    std::string name = raw;
    name.erase(0, name.find_first_not_of(' '));
    name.erase(name.find_last_not_of(' ') + 1);
    if (name.empty()) continue;
    if (name == "*") {
      for (const auto& f : c.schema().fields()) {
        if (!f.is_dynamic()) add(&f);
      }
      if (plan.dynamic) plan.dynamic_all = true;
      continue;
    }
    if (name == "$meta") {
      if (!plan.dynamic) return Status::InvalidArgument("field $meta not exist: invalid parameter");
      plan.dynamic_all = true;
      continue;
    }
    if (const auto* f = FindField(c, name)) {
      add(f);
      continue;
    }
    if (plan.dynamic) {
      plan.dynamic_keys.push_back(name);
      continue;
    }
    return Status::InvalidArgument("field {} not exist: invalid parameter", name);
  }
  for (const auto* f : plan.fields) plan.names.push_back(f->name());
  for (const auto& k : plan.dynamic_keys) plan.names.push_back(k);
  if (plan.dynamic_all) plan.names.push_back("$meta");
  return plan;
}

namespace {

// Keeps only `keys` of each row's dynamic JSON object.
void FilterDynamicKeys(FieldData* col, const std::vector<std::string>& keys) {
  for (auto& row : *col->mutable_scalars()->mutable_json_data()->mutable_data()) {
    nlohmann::json j = nlohmann::json::parse(row, nullptr, false);
    nlohmann::json out = nlohmann::json::object();
    if (j.is_object()) {
      for (const auto& k : keys) {
        auto it = j.find(k);
        if (it != j.end()) out[k] = *it;
      }
    }
    row = out.dump();
  }
}

}  // namespace

// Builds the result column of `field` for `rows`, filling rows whose chunk predates the field.
FieldData OutputColumn(const milvus::proto::schema::FieldSchema& field, const std::vector<RowRef>& rows) {
  FieldData out = segment::EmptyColumn(field);
  out.clear_valid_data();
  FieldData null_row;
  bool have_null_row = false;
  for (const RowRef& r : rows) {
    const FieldData* src = r.chunk->Column(field.fieldid());
    const int64_t one[1] = {r.row};
    if (src) {
      if (field.nullable() && src->valid_data_size() == 0) {
        segment::GatherRows(*src, one, &out);
        out.add_valid_data(true);
      } else {
        segment::GatherRows(*src, one, &out);
      }
    } else {
      if (!have_null_row) {
        null_row = segment::NullColumn(field, 1);
        have_null_row = true;
      }
      const int64_t zero[1] = {0};
      segment::GatherRows(null_row, zero, &out);
      if (null_row.valid_data_size() == 0 && field.nullable()) out.add_valid_data(false);
    }
  }
  out.set_field_name(field.name());
  return out;
}



void AppendOutputColumns(const OutputPlan& plan, const std::vector<RowRef>& rows,
                         google::protobuf::RepeatedPtrField<FieldData>* out) {
  for (const auto* field : plan.fields) *out->Add() = OutputColumn(*field, rows);
  if (plan.dynamic && (plan.dynamic_all || !plan.dynamic_keys.empty())) {
    FieldData meta = OutputColumn(*plan.dynamic, rows);
    meta.set_is_dynamic(true);
    if (!plan.dynamic_all) FilterDynamicKeys(&meta, plan.dynamic_keys);
    *out->Add() = std::move(meta);
  }
}

}  // namespace quiver::proxy
