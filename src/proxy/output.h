// Result assembly shared by Query and Search: which columns a request returns
// (output_fields with `*`, `$meta` and dynamic keys), building those columns for chosen rows,
// and the partitions a read covers. Pure functions over catalog records and chunks.
#pragma once

#include <string>
#include <vector>

#include "coord/catalog.h"
#include "segment/growing_store.h"

namespace quiver::proxy {

struct OutputPlan {
  std::vector<const milvus::proto::schema::FieldSchema*> fields;  // pk first
  const milvus::proto::schema::FieldSchema* dynamic = nullptr;
  bool dynamic_all = false;
  std::vector<std::string> dynamic_keys;
  std::vector<std::string> names;  // what output_fields reports
};

// `include_pk`: Query always returns the pk column; Search reports it in `ids` instead.
Result<OutputPlan> PlanOutput(const coord::CollectionRecord& c,
                              const google::protobuf::RepeatedPtrField<std::string>& requested,
                              bool include_pk = true);

// Appends the plan's columns for `rows` to `out`.
void AppendOutputColumns(const OutputPlan& plan, const std::vector<segment::RowRef>& rows,
                         google::protobuf::RepeatedPtrField<milvus::proto::schema::FieldData>* out);

// The column of `field` for `rows`: scalars full length (with valid_data when nullable),
// vectors compact; rows written before the field existed read as null/default.
milvus::proto::schema::FieldData OutputColumn(const milvus::proto::schema::FieldSchema& field,
                                              const std::vector<segment::RowRef>& rows);

const coord::PartitionRecord* FindPartition(const coord::CollectionRecord& c, const std::string& name);

// Partition ids a read covers: the named ones (each must exist and be loaded), else every
// loaded partition.
Result<std::vector<int64_t>> ReadPartitions(
    const coord::CollectionRecord& c, const google::protobuf::RepeatedPtrField<std::string>& names);

milvus::proto::schema::IDs PkIds(const milvus::proto::schema::FieldData& pk);

}  // namespace quiver::proxy
