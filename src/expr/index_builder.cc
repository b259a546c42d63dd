#include "expr/index_builder.h"

#include <cmath>

#include "expr/json_path.h"

namespace quiver::expr {
namespace {

namespace pb = milvus::proto::schema;
using index::ScalarIndexInput;
using index::ScalarKeyType;
using nlohmann::json;

void SetBit(std::vector<uint64_t>& words, int64_t row) {
  words[static_cast<size_t>(row >> 6)] |= uint64_t{1} << (row & 63);
}

// Non-null rows as bitmap words (empty when every row is non-null).
std::vector<uint64_t> ValidWords(const Column& c, int64_t rows) {
  std::vector<uint64_t> words;
  if (c.valid.empty()) return words;
  words.assign(static_cast<size_t>((rows + 63) / 64), 0);
  for (int64_t r = 0; r < rows; ++r) {
    if (c.valid[static_cast<size_t>(r)]) SetBit(words, r);
  }
  return words;
}

void AddDouble(ScalarIndexInput& in, uint32_t row, double v) {
  if (std::isnan(v)) {
    in.nan_rows.push_back(row);
    return;
  }
  in.key_rows.push_back(row);
  in.doubles.push_back(v);
}

// Plain columns: one key per non-null row.
Status AddColumn(const Column& c, int64_t rows, ScalarIndexInput& in) {
  for (int64_t r = 0; r < rows; ++r) {
    if (c.IsNull(r)) continue;
    const auto row = static_cast<uint32_t>(r);
    const auto i = static_cast<size_t>(r);
    switch (c.type) {
      case pb::Bool:
        in.key_rows.push_back(row);
        in.ints.push_back(c.bools[i] ? 1 : 0);
        break;
      case pb::Int8:
      case pb::Int16:
      case pb::Int32:
      case pb::Int64:
        in.key_rows.push_back(row);
        in.ints.push_back(c.ints[i]);
        break;
      case pb::Float:
        AddDouble(in, row, c.floats[i]);
        break;
      case pb::Double:
        AddDouble(in, row, c.doubles[i]);
        break;
      case pb::String:
      case pb::VarChar:
        in.key_rows.push_back(row);
        in.strings.push_back(c.strings[i]);
        break;
      case pb::Array: {
        const ArrayData& a = c.array;
        for (uint32_t e = a.offsets[i]; e < a.offsets[i + 1]; ++e) {
          switch (a.element_type) {
            case pb::Bool:
              in.key_rows.push_back(row);
              in.ints.push_back(a.bools[e] ? 1 : 0);
              break;
            case pb::Float:
            case pb::Double:
              AddDouble(in, row, a.doubles[e]);
              break;
            case pb::String:
            case pb::VarChar:
              in.key_rows.push_back(row);
              in.strings.push_back(a.strings[e]);
              break;
            default:
              in.key_rows.push_back(row);
              in.ints.push_back(a.ints[e]);
              break;
          }
        }
        break;
      }
      default:
        return Status::InvalidArgument("a scalar index cannot be built over a {} column",
                                       TypeName(c.type));
    }
  }
  return Status::Ok();
}

ScalarKeyType KeyTypeOf(DataType t) {
  switch (t) {
    case pb::Bool:
      return ScalarKeyType::kBool;
    case pb::Float:
    case pb::Double:
      return ScalarKeyType::kDouble;
    case pb::String:
    case pb::VarChar:
      return ScalarKeyType::kString;
    default:
      return ScalarKeyType::kInt;
  }
}

bool BeyondExactDouble(const json& j) {
  constexpr int64_t kExact = int64_t{1} << 53;
  int64_t x = 0;
  return JsonInt(j, &x) && (x > kExact || x < -kExact);
}

// Adds `j` as a key of the cast's scalar type; false when it has another type.
bool AddJsonKey(const json& j, ScalarKeyType type, uint32_t row, ScalarIndexInput& in) {
  switch (type) {
    case ScalarKeyType::kBool:
      if (!j.is_boolean()) return false;
      in.key_rows.push_back(row);
      in.ints.push_back(j.get<bool>() ? 1 : 0);
      return true;
    case ScalarKeyType::kDouble:
      if (!j.is_number()) return false;
      in.inexact_ints |= BeyondExactDouble(j);
      AddDouble(in, row, j.get<double>());
      return true;
    case ScalarKeyType::kString:
      if (!j.is_string()) return false;
      in.key_rows.push_back(row);
      in.strings.push_back(j.get<std::string>());
      return true;
    case ScalarKeyType::kInt:
      return false;
  }
  return false;
}

Status AddJson(const Column& c, int64_t rows, const std::vector<std::string>& path, JsonCast cast,
               ScalarIndexInput& in) {
  const bool array = cast == JsonCast::kArrayBool || cast == JsonCast::kArrayDouble ||
                     cast == JsonCast::kArrayVarchar;
  in.elements = array;
  switch (cast) {
    case JsonCast::kBool:
    case JsonCast::kArrayBool:
      in.type = ScalarKeyType::kBool;
      break;
    case JsonCast::kDouble:
    case JsonCast::kArrayDouble:
      in.type = ScalarKeyType::kDouble;
      break;
    case JsonCast::kVarchar:
    case JsonCast::kArrayVarchar:
      in.type = ScalarKeyType::kString;
      break;
  }
  const auto words = static_cast<size_t>((rows + 63) / 64);
  in.valid.assign(words, 0);
  in.present.assign(words, 0);
  for (int64_t r = 0; r < rows; ++r) {
    if (c.IsNull(r)) continue;
    const json doc = ParseJsonOrNull(c.strings[static_cast<size_t>(r)]);
    const json* j = ResolveJsonPath(doc, path);
    if (j == nullptr || j->is_null()) continue;
    SetBit(in.present, r);
    const auto row = static_cast<uint32_t>(r);
    if (!array) {
      if (AddJsonKey(*j, in.type, row, in)) SetBit(in.valid, r);
      continue;
    }
    // Array casts: the rows whose value is an array are known; its elements of the cast's
    // type are the keys (other elements can never equal a constant of that type).
    if (!j->is_array()) continue;
    SetBit(in.valid, r);
    for (const json& e : *j) AddJsonKey(e, in.type, row, in);
  }
  return Status::Ok();
}

}  // namespace

std::optional<JsonCast> ParseJsonCast(std::string_view name) {
  if (name == "BOOL") return JsonCast::kBool;
  if (name == "DOUBLE") return JsonCast::kDouble;
  if (name == "VARCHAR") return JsonCast::kVarchar;
  if (name == "ARRAY_BOOL") return JsonCast::kArrayBool;
  if (name == "ARRAY_DOUBLE") return JsonCast::kArrayDouble;
  if (name == "ARRAY_VARCHAR") return JsonCast::kArrayVarchar;
  return std::nullopt;
}

Result<std::unique_ptr<const index::ScalarIndex>> BuildScalarIndex(
    index::ScalarIndexKind kind, const Column& column, const std::vector<std::string>& path,
    JsonCast cast) {
  const int64_t rows = column.Size();
  if (rows > int64_t{UINT32_MAX}) {
    return Status::InvalidArgument("a scalar index covers at most 2^32 rows, got {}", rows);
  }
  ScalarIndexInput in;
  in.rows = rows;
  if (column.type == pb::JSON) {
    QV_RETURN_IF_ERROR(AddJson(column, rows, path, cast, in));
  } else {
    in.type = KeyTypeOf(column.type == pb::Array ? column.array.element_type : column.type);
    in.elements = column.type == pb::Array;
    in.valid = ValidWords(column, rows);
    QV_RETURN_IF_ERROR(AddColumn(column, rows, in));
  }
  return index::ScalarIndex::Build(kind, std::move(in));
}

}  // namespace quiver::expr
