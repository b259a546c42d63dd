// Conversion between Milvus REST v2 entity JSON and protobuf columns, following Milvus's
// httpserver (utils.go: anyToColumns, buildQueryResp, convertQueries2Placeholder): JSON rows
// become one FieldData per schema field (nullable/defaulted fields compact with valid_data,
// keys outside the schema gathered into the `$meta` JSON column), and result columns become
// row objects. Pure functions; thread-safe.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common.pb.h"
#include "common/status.h"
#include "schema.pb.h"

namespace quiver::proxy::rest {

namespace spb = milvus::proto::schema;

struct RowColumns {
  std::vector<spb::FieldData> columns;
  int64_t num_rows = 0;
};

// `rows` must be a non-empty array of objects. With `insert`, an auto-id primary key is
// skipped; with `partial` (partial upsert), fields a row leaves out are not required, but every
// row must then name the same fields.
Result<RowColumns> RowsToColumns(const nlohmann::json& rows, const spb::CollectionSchema& schema,
                                 bool insert, bool partial);

struct RowsOptions {
  bool int64_as_number = true;  // false: int64 values as JSON strings
  std::string pk_name = "id";   // key of `ids` in each row
};

// Result rows: one object per row of `columns` (or of `ids`, when there are no columns).
// `output_fields` are the names the server reported; they pick which `$meta` keys to expand.
// `scores`, when given, adds "distance".
Result<nlohmann::json> ColumnsToRows(const google::protobuf::RepeatedPtrField<spb::FieldData>& columns,
                                     const google::protobuf::RepeatedPtrField<std::string>& output_fields,
                                     const spb::IDs* ids, const google::protobuf::RepeatedField<float>* scores,
                                     int64_t first, int64_t count, const RowsOptions& options);

// The search vectors of `data` for `field` as a serialized PlaceholderGroup.
Result<std::string> QueriesToPlaceholderGroup(const nlohmann::json& data, const spb::FieldSchema& field);

// A float as its shortest round-trip decimal (as Go prints a float32), read back as double.
double Float32ToJson(float v);

}  // namespace quiver::proxy::rest
