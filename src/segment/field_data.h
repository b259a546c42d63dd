// Column helpers over Milvus's FieldData, the representation Quiver keeps for inserted data
// from the wire through the WAL into growing segments and back out in results:
//  - NormalizeInsert checks an Insert/Upsert's columns against the schema (types, lengths,
//    dims, max_length, max_capacity, JSON, sparse format) and returns full-length columns in
//    schema order: nullable and defaulted scalars padded (valid_data per row, defaults filled),
//    the pk column filled with auto ids when the schema asks for them, `$meta` last;
//  - GatherRows copies chosen rows of a stored column into a result column;
//  - EmptyColumn makes the typed zero-row column results need.
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "common/status.h"
#include "schema.pb.h"

namespace quiver::segment {

using milvus::proto::schema::CollectionSchema;
using milvus::proto::schema::FieldData;
using milvus::proto::schema::FieldSchema;

// Columns of one batch in schema field order (the dynamic field, if any, included).
struct InsertColumns {
  std::vector<FieldData> columns;
  int64_t num_rows = 0;
  int pk_index = -1;  // position of the primary key column in `columns`
};

struct NormalizeOptions {
  bool upsert = false;
  bool partial_update = false;
  // Hands out `n` consecutive auto ids and returns the first.
  std::function<Result<int64_t>(int64_t n)> allocate_ids;
};

Result<InsertColumns> NormalizeInsert(const CollectionSchema& schema,
                                      const google::protobuf::RepeatedPtrField<FieldData>& in,
                                      int64_t num_rows, const NormalizeOptions& options);

// Appends `rows` of `src` to `dst` (same field). Scalars keep valid_data when `src` has it;
// vectors are appended compactly.
void GatherRows(const FieldData& src, std::span<const int64_t> rows, FieldData* dst);

// `rows` rows of nulls (the default value where the field has one), as stored for rows written
// before the field existed.
FieldData NullColumn(const FieldSchema& field, int64_t rows);

// A zero-row column of the field's type, named after it.
FieldData EmptyColumn(const FieldSchema& field);

// Number of rows a column holds.
int64_t ColumnRows(const FieldData& column, int64_t dim_hint = 0);

int64_t VectorDim(const FieldSchema& field);

// Writes `count` rows of a dense vector column (float, float16, bfloat16 or int8) starting at
// `first` as `count * dim` floats into `out`; false (nothing written) when the column holds no
// dense vectors of `dim` or fewer than first + count rows.
bool DecodeDenseRows(const milvus::proto::schema::VectorField& v, int64_t first, int64_t count,
                     int64_t dim, float* out);

}  // namespace quiver::segment
