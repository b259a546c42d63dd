#include "proxy/rest/entity_codec.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <set>

namespace quiver::proxy::rest {
namespace {

using nlohmann::json;
using spb::DataType;
namespace cpb = milvus::proto::common;

template <typename... Args>
Status Invalid(fmt::format_string<Args...> f, Args&&... args) {
  return Status::InvalidArgument(f, std::forward<Args>(args)...);
}

constexpr char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string Base64Encode(std::string_view in) {
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
    out += kB64[v >> 18];
    out += kB64[(v >> 12) & 63];
    out += kB64[(v >> 6) & 63];
    out += kB64[v & 63];
  }
  if (i < in.size()) {
    uint32_t v = uint8_t(in[i]) << 16;
    if (i + 1 < in.size()) v |= uint8_t(in[i + 1]) << 8;
    out += kB64[v >> 18];
    out += kB64[(v >> 12) & 63];
    out += i + 1 < in.size() ? kB64[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

Result<std::string> Base64Decode(std::string_view in) {
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    if (c == '=') break;
    const char* p = std::strchr(kB64, c);
    if (c == '\0' || p == nullptr) return Invalid("invalid base64 data");
    acc = (acc << 6) | static_cast<uint32_t>(p - kB64);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xff);
    }
  }
  return out;
}

uint16_t FloatToHalf(float f) {
  uint32_t x;
  std::memcpy(&x, &f, 4);
  uint32_t sign = (x >> 16) & 0x8000;
  uint32_t mant = x & 0x7fffff;
  int exp = static_cast<int>((x >> 23) & 0xff);
  if (exp == 0xff) return static_cast<uint16_t>(sign | 0x7c00 | (mant ? 0x200 : 0));
  int e = exp - 127 + 15;
  if (e >= 0x1f) return static_cast<uint16_t>(sign | 0x7c00);
  if (e <= 0) {
    if (e < -10) return static_cast<uint16_t>(sign);
    mant |= 0x800000;
    int shift = 14 - e;
    uint32_t h = mant >> shift;
    uint32_t rem = mant & ((1u << shift) - 1);
    uint32_t half = 1u << (shift - 1);
    if (rem > half || (rem == half && (h & 1))) ++h;
    return static_cast<uint16_t>(sign | h);
  }
  uint32_t h = (static_cast<uint32_t>(e) << 10) | (mant >> 13);
  uint32_t rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem == 0x1000 && (h & 1))) ++h;  // may carry into the exponent: correct
  return static_cast<uint16_t>(sign | h);
}

uint16_t FloatToBFloat16(float f) {
  uint32_t x;
  std::memcpy(&x, &f, 4);
  if (std::isnan(f)) return static_cast<uint16_t>((x >> 16) | 0x40);
  x += 0x7fff + ((x >> 16) & 1);
  return static_cast<uint16_t>(x >> 16);
}

bool IsVector(DataType t) {
  switch (t) {
    case DataType::FloatVector:
    case DataType::BinaryVector:
    case DataType::Float16Vector:
    case DataType::BFloat16Vector:
    case DataType::SparseFloatVector:
    case DataType::Int8Vector:
      return true;
    default:
      return false;
  }
}

int64_t DimOf(const spb::FieldSchema& f) {
  for (const auto& kv : f.type_params()) {
    if (kv.key() == "dim") {
      int64_t d = 0;
      std::from_chars(kv.value().data(), kv.value().data() + kv.value().size(), d);
      return d;
    }
  }
  return 0;
}

Result<int64_t> Integer(const json& v, const std::string& field, int64_t lo, int64_t hi) {
  int64_t n = 0;
  if (v.is_number_integer()) {
    if (v.is_number_unsigned() && v.get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)) {
      return Invalid("field {}: {} is out of range", field, v.dump());
    }
    n = v.get<int64_t>();
  } else if (v.is_number_float()) {
    double d = v.get<double>();
    if (d != std::floor(d) || d < -9.2e18 || d > 9.2e18) return Invalid("field {}: {} is not an integer", field, v.dump());
    n = static_cast<int64_t>(d);
  } else if (v.is_string()) {
    const std::string& s = v.get_ref<const std::string&>();
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
    if (ec != std::errc() || p != s.data() + s.size() || s.empty()) {
      return Invalid("field {}: \"{}\" is not an integer", field, s);
    }
  } else {
    return Invalid("field {}: {} is not an integer", field, v.dump());
  }
  if (n < lo || n > hi) return Invalid("field {}: {} is out of range", field, n);
  return n;
}

Result<double> Number(const json& v, const std::string& field) {
  if (!v.is_number()) return Invalid("field {}: {} is not a number", field, v.dump());
  return v.get<double>();
}

// Appends one non-null value of scalar type `t` to `s`.
Status AppendScalar(DataType t, DataType element, const json& v, const std::string& name, spb::ScalarField* s) {
  switch (t) {
    case DataType::Bool:
      if (!v.is_boolean()) return Invalid("field {}: {} is not a bool", name, v.dump());
      s->mutable_bool_data()->add_data(v.get<bool>());
      return Status::Ok();
    case DataType::Int8:
    case DataType::Int16:
    case DataType::Int32: {
      int64_t lo = t == DataType::Int8 ? INT8_MIN : t == DataType::Int16 ? INT16_MIN : INT32_MIN;
      int64_t hi = t == DataType::Int8 ? INT8_MAX : t == DataType::Int16 ? INT16_MAX : INT32_MAX;
      QV_ASSIGN_OR_RETURN(int64_t n, Integer(v, name, lo, hi));
      s->mutable_int_data()->add_data(static_cast<int32_t>(n));
      return Status::Ok();
    }
    case DataType::Int64: {
      QV_ASSIGN_OR_RETURN(int64_t n, Integer(v, name, INT64_MIN, INT64_MAX));
      s->mutable_long_data()->add_data(n);
      return Status::Ok();
    }
    case DataType::Float: {
      QV_ASSIGN_OR_RETURN(double d, Number(v, name));
      s->mutable_float_data()->add_data(static_cast<float>(d));
      return Status::Ok();
    }
    case DataType::Double: {
      QV_ASSIGN_OR_RETURN(double d, Number(v, name));
      s->mutable_double_data()->add_data(d);
      return Status::Ok();
    }
    case DataType::String:
    case DataType::VarChar:
    case DataType::Text:
      if (!v.is_string()) return Invalid("field {}: {} is not a string", name, v.dump());
      s->mutable_string_data()->add_data(v.get<std::string>());
      return Status::Ok();
    case DataType::JSON:
      // As in Milvus, a JSON string is taken as the document's text.
      s->mutable_json_data()->add_data(v.is_string() ? v.get<std::string>() : v.dump());
      return Status::Ok();
    case DataType::Array: {
      if (!v.is_array()) return Invalid("field {}: {} is not an array", name, v.dump());
      spb::ScalarField* row = s->mutable_array_data()->add_data();
      s->mutable_array_data()->set_element_type(element);
      // Select the element container even for an empty array.
      switch (element) {
        case DataType::Bool: row->mutable_bool_data(); break;
        case DataType::Int8: case DataType::Int16: case DataType::Int32: row->mutable_int_data(); break;
        case DataType::Int64: row->mutable_long_data(); break;
        case DataType::Float: row->mutable_float_data(); break;
        case DataType::Double: row->mutable_double_data(); break;
        default: row->mutable_string_data(); break;
      }
      for (const auto& e : v) {
        if (e.is_null()) return Invalid("field {}: array elements cannot be null", name);
        QV_RETURN_IF_ERROR(AppendScalar(element, DataType::None, e, name, row));
      }
      return Status::Ok();
    }
    default:
      return Invalid("field {}: data type {} is not supported over REST", name, spb::DataType_Name(t));
  }
}

void SelectScalarCase(DataType t, spb::ScalarField* s, DataType element) {
  switch (t) {
    case DataType::Bool: s->mutable_bool_data(); break;
    case DataType::Int8: case DataType::Int16: case DataType::Int32: s->mutable_int_data(); break;
    case DataType::Int64: s->mutable_long_data(); break;
    case DataType::Float: s->mutable_float_data(); break;
    case DataType::Double: s->mutable_double_data(); break;
    case DataType::JSON: s->mutable_json_data(); break;
    case DataType::Array: s->mutable_array_data()->set_element_type(element); break;
    default: s->mutable_string_data(); break;
  }
}

Result<std::string> SparseRow(const json& v, const std::string& name) {
  std::map<uint32_t, float> entries;
  auto add = [&](int64_t idx, double val) -> Status {
    if (idx < 0 || idx >= static_cast<int64_t>(UINT32_MAX)) return Invalid("field {}: sparse index {} is out of range", name, idx);
    entries[static_cast<uint32_t>(idx)] = static_cast<float>(val);
    return Status::Ok();
  };
  if (!v.is_object()) return Invalid("field {}: a sparse vector is an object of index: value", name);
  if (v.contains("indices") && v.contains("values")) {
    const json& idx = v["indices"];
    const json& val = v["values"];
    if (!idx.is_array() || !val.is_array() || idx.size() != val.size()) {
      return Invalid("field {}: sparse indices and values must be arrays of one length", name);
    }
    for (size_t i = 0; i < idx.size(); ++i) {
      QV_ASSIGN_OR_RETURN(int64_t k, Integer(idx[i], name, 0, UINT32_MAX));
      QV_ASSIGN_OR_RETURN(double d, Number(val[i], name));
      QV_RETURN_IF_ERROR(add(k, d));
    }
  } else {
    for (const auto& [key, val] : v.items()) {
      int64_t k = 0;
      auto [p, ec] = std::from_chars(key.data(), key.data() + key.size(), k);
      if (ec != std::errc() || p != key.data() + key.size()) return Invalid("field {}: sparse index \"{}\" is not an integer", name, key);
      QV_ASSIGN_OR_RETURN(double d, Number(val, name));
      QV_RETURN_IF_ERROR(add(k, d));
    }
  }
  std::string row;
  for (const auto& [k, val] : entries) {
    char buf[8];
    std::memcpy(buf, &k, 4);
    std::memcpy(buf + 4, &val, 4);
    row.append(buf, 8);
  }
  return row;
}

// Appends one vector to `v` (dense types: exactly `dim` values).
Status AppendVector(const spb::FieldSchema& f, const json& value, spb::VectorField* v) {
  const std::string& name = f.name();
  const int64_t dim = DimOf(f);
  auto numbers = [&](size_t expected) -> Status {
    if (!value.is_array()) return Invalid("field {}: {} is not a vector", name, value.dump().substr(0, 64));
    if (value.size() != expected) {
      return Invalid("field {}: the vector has {} values, the field's dim is {}", name, value.size(), dim);
    }
    return Status::Ok();
  };
  switch (f.data_type()) {
    case DataType::FloatVector: {
      QV_RETURN_IF_ERROR(numbers(static_cast<size_t>(dim)));
      auto* out = v->mutable_float_vector();
      for (const auto& e : value) {
        QV_ASSIGN_OR_RETURN(double d, Number(e, name));
        out->add_data(static_cast<float>(d));
      }
      return Status::Ok();
    }
    case DataType::BinaryVector:
    case DataType::Float16Vector:
    case DataType::BFloat16Vector:
    case DataType::Int8Vector: {
      const DataType t = f.data_type();
      const size_t bytes = t == DataType::BinaryVector ? static_cast<size_t>(dim / 8)
                           : t == DataType::Int8Vector ? static_cast<size_t>(dim)
                                                       : static_cast<size_t>(dim * 2);
      std::string* out = t == DataType::BinaryVector    ? v->mutable_binary_vector()
                         : t == DataType::Float16Vector ? v->mutable_float16_vector()
                         : t == DataType::BFloat16Vector ? v->mutable_bfloat16_vector()
                                                         : v->mutable_int8_vector();
      if (value.is_string()) {  // raw bytes, base64 (as Milvus returns them)
        QV_ASSIGN_OR_RETURN(std::string raw, Base64Decode(value.get_ref<const std::string&>()));
        if (raw.size() != bytes) return Invalid("field {}: the vector has {} bytes, expected {}", name, raw.size(), bytes);
        out->append(raw);
        return Status::Ok();
      }
      if (t == DataType::BinaryVector || t == DataType::Int8Vector) {
        QV_RETURN_IF_ERROR(numbers(bytes));
        for (const auto& e : value) {
          QV_ASSIGN_OR_RETURN(int64_t n, t == DataType::BinaryVector ? Integer(e, name, 0, 255) : Integer(e, name, -128, 127));
          out->push_back(static_cast<char>(static_cast<uint8_t>(n)));
        }
        return Status::Ok();
      }
      QV_RETURN_IF_ERROR(numbers(static_cast<size_t>(dim)));
      for (const auto& e : value) {
        QV_ASSIGN_OR_RETURN(double d, Number(e, name));
        uint16_t h = t == DataType::Float16Vector ? FloatToHalf(static_cast<float>(d)) : FloatToBFloat16(static_cast<float>(d));
        out->push_back(static_cast<char>(h & 0xff));
        out->push_back(static_cast<char>(h >> 8));
      }
      return Status::Ok();
    }
    case DataType::SparseFloatVector: {
      QV_ASSIGN_OR_RETURN(std::string row, SparseRow(value, name));
      auto* sparse = v->mutable_sparse_float_vector();
      int64_t max_dim = sparse->dim();
      if (row.size() >= 8) {
        uint32_t last;
        std::memcpy(&last, row.data() + row.size() - 8, 4);
        max_dim = std::max<int64_t>(max_dim, static_cast<int64_t>(last) + 1);
      }
      sparse->set_dim(max_dim);
      sparse->add_contents(std::move(row));
      return Status::Ok();
    }
    default:
      return Invalid("field {}: data type {} is not supported over REST", name, spb::DataType_Name(f.data_type()));
  }
}

// ---------- output ----------

json Int64Value(int64_t v, bool as_number) { return as_number ? json(v) : json(std::to_string(v)); }

json ScalarArrayToJson(const spb::ScalarField& s, bool int64_as_number) {
  json out = json::array();
  switch (s.data_case()) {
    case spb::ScalarField::kBoolData: for (bool b : s.bool_data().data()) out.push_back(b); break;
    case spb::ScalarField::kIntData: for (int32_t i : s.int_data().data()) out.push_back(i); break;
    case spb::ScalarField::kLongData: for (int64_t i : s.long_data().data()) out.push_back(Int64Value(i, int64_as_number)); break;
    case spb::ScalarField::kFloatData: for (float f : s.float_data().data()) out.push_back(Float32ToJson(f)); break;
    case spb::ScalarField::kDoubleData: for (double d : s.double_data().data()) out.push_back(d); break;
    case spb::ScalarField::kStringData: for (const auto& x : s.string_data().data()) out.push_back(x); break;
    default: break;
  }
  return out;
}

int64_t ScalarCount(const spb::ScalarField& s) {
  switch (s.data_case()) {
    case spb::ScalarField::kBoolData: return s.bool_data().data_size();
    case spb::ScalarField::kIntData: return s.int_data().data_size();
    case spb::ScalarField::kLongData: return s.long_data().data_size();
    case spb::ScalarField::kFloatData: return s.float_data().data_size();
    case spb::ScalarField::kDoubleData: return s.double_data().data_size();
    case spb::ScalarField::kStringData: return s.string_data().data_size();
    case spb::ScalarField::kJsonData: return s.json_data().data_size();
    case spb::ScalarField::kArrayData: return s.array_data().data_size();
    default: return 0;
  }
}


json ParseJsonOr(const std::string& text) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  return j.is_discarded() ? json(text) : j;
}

Result<json> CellToJson(const spb::FieldData& c, int64_t i, const RowsOptions& o) {
  const std::string& name = c.field_name();
  if (c.has_scalars()) {
    const auto& s = c.scalars();
    const int k = static_cast<int>(i);
    if (i >= ScalarCount(s)) return Invalid("column {} has too few values", name);
    switch (c.type()) {
      case DataType::Bool: return json(s.bool_data().data(k));
      case DataType::Int8: case DataType::Int16: case DataType::Int32: return json(s.int_data().data(k));
      case DataType::Int64: return Int64Value(s.long_data().data(k), o.int64_as_number);
      case DataType::Float: return json(Float32ToJson(s.float_data().data(k)));
      case DataType::Double: return json(s.double_data().data(k));
      case DataType::String: case DataType::VarChar: case DataType::Text: return json(s.string_data().data(k));
      case DataType::JSON: return ParseJsonOr(s.json_data().data(k));
      case DataType::Array: return ScalarArrayToJson(s.array_data().data(k), o.int64_as_number);
      default: return json("");
    }
  }
  const auto& v = c.vectors();
  const int64_t dim = v.dim();
  switch (c.type()) {
    case DataType::FloatVector: {
      json out = json::array();
      for (int64_t d = 0; d < dim; ++d) out.push_back(Float32ToJson(v.float_vector().data(static_cast<int>(i * dim + d))));
      return out;
    }
    case DataType::BinaryVector: return json(Base64Encode(std::string_view(v.binary_vector()).substr(i * dim / 8, dim / 8)));
    case DataType::Float16Vector: return json(Base64Encode(std::string_view(v.float16_vector()).substr(i * dim * 2, dim * 2)));
    case DataType::BFloat16Vector: return json(Base64Encode(std::string_view(v.bfloat16_vector()).substr(i * dim * 2, dim * 2)));
    case DataType::Int8Vector: return json(Base64Encode(std::string_view(v.int8_vector()).substr(i * dim, dim)));
    case DataType::SparseFloatVector: {
      json out = json::object();
      const std::string& row = v.sparse_float_vector().contents(static_cast<int>(i));
      for (size_t p = 0; p + 8 <= row.size(); p += 8) {
        uint32_t idx;
        float val;
        std::memcpy(&idx, row.data() + p, 4);
        std::memcpy(&val, row.data() + p + 4, 4);
        out[std::to_string(idx)] = Float32ToJson(val);
      }
      return out;
    }
    default: return json("");
  }
}

}  // namespace

double Float32ToJson(float v) {
  if (!std::isfinite(v)) return static_cast<double>(v);
  char buf[64];
  auto [p, ec] = std::to_chars(buf, buf + sizeof(buf), v);
  *p = '\0';
  return std::strtod(buf, nullptr);
}

Result<RowColumns> RowsToColumns(const json& rows, const spb::CollectionSchema& schema, bool insert, bool partial) {
  if (!rows.is_array() || rows.empty()) return Invalid("data must be a non-empty array of rows");
  RowColumns out;
  out.num_rows = static_cast<int64_t>(rows.size());
  const spb::FieldSchema* dynamic = nullptr;
  std::set<std::string> known;
  for (const auto& f : schema.fields()) {
    if (f.is_dynamic()) dynamic = &f;
    known.insert(f.name());
  }
  for (const auto& row : rows) {
    if (!row.is_object()) return Invalid("every row must be a JSON object");
  }
  for (const auto& f : schema.fields()) {
    if (f.is_dynamic() || f.is_function_output()) continue;
    if (f.is_primary_key() && f.autoid() && insert) continue;
    const std::string& name = f.name();
    size_t present = 0;
    for (const auto& row : rows) present += row.contains(name);
    if (partial) {
      if (present == 0) continue;
      if (present != rows.size()) return Invalid("partial update: every row must carry field {} or none", name);
    }
    spb::FieldData col;
    col.set_type(f.data_type());
    col.set_field_name(name);
    col.set_field_id(f.fieldid());
    const bool optional = f.nullable() || f.has_default_value();
    if (IsVector(f.data_type())) {
      auto* v = col.mutable_vectors();
      v->set_dim(f.data_type() == DataType::SparseFloatVector ? 0 : DimOf(f));
      for (size_t r = 0; r < rows.size(); ++r) {
        auto it = rows[r].find(name);
        if (it == rows[r].end() || it->is_null()) return Invalid("row {} does not has field {}", r, name);
        QV_RETURN_IF_ERROR(AppendVector(f, *it, v));
      }
    } else {
      auto* s = col.mutable_scalars();
      SelectScalarCase(f.data_type(), s, f.element_type());
      for (size_t r = 0; r < rows.size(); ++r) {
        auto it = rows[r].find(name);
        bool missing = it == rows[r].end() || it->is_null();
        if (missing) {
          if (!optional) return Invalid("row {} does not has field {}", r, name);
          col.add_valid_data(false);
          continue;
        }
        if (optional) col.add_valid_data(true);
        QV_RETURN_IF_ERROR(AppendScalar(f.data_type(), f.element_type(), *it, name, s));
      }
    }
    out.columns.push_back(std::move(col));
  }
  // DescribeCollection may leave the `$meta` field out of the schema it reports.
  spb::FieldSchema implicit_meta;
  if (dynamic == nullptr && schema.enable_dynamic_field()) {
    implicit_meta.set_name("$meta");
    implicit_meta.set_is_dynamic(true);
    dynamic = &implicit_meta;
    known.insert("$meta");
  }
  if (dynamic != nullptr) {
    spb::FieldData meta;
    meta.set_type(DataType::JSON);
    meta.set_field_name(dynamic->name());
    if (dynamic->fieldid() != 0) meta.set_field_id(dynamic->fieldid());
    meta.set_is_dynamic(true);
    auto* data = meta.mutable_scalars()->mutable_json_data();
    for (const auto& row : rows) {
      json extra = json::object();
      for (const auto& [k, v] : row.items()) {
        if (!known.contains(k)) extra[k] = v;
      }
      // `$meta` given explicitly (as the SDKs accept) is merged in.
      if (auto it = row.find(dynamic->name()); it != row.end() && it->is_object()) {
        for (const auto& [k, v] : it->items()) extra[k] = v;
      }
      data->add_data(extra.dump());
    }
    out.columns.push_back(std::move(meta));
  }
  return out;
}

Result<json> ColumnsToRows(const google::protobuf::RepeatedPtrField<spb::FieldData>& columns,
                           const google::protobuf::RepeatedPtrField<std::string>& output_fields,
                           const spb::IDs* ids, const google::protobuf::RepeatedField<float>* scores,
                           int64_t first, int64_t count, const RowsOptions& options) {
  // Dynamic keys to expand: the reported output names that are not regular columns.
  std::set<std::string> regular;
  for (const auto& c : columns) {
    if (!c.is_dynamic()) regular.insert(c.field_name());
  }
  std::vector<std::string> dynamic_keys;
  for (const auto& n : output_fields) {
    if (!regular.contains(n)) dynamic_keys.push_back(n);
  }
  // Positions of the valid rows in compact columns.
  std::vector<std::vector<int64_t>> index(columns.size());
  for (int c = 0; c < columns.size(); ++c) {
    const auto& col = columns[c];
    if (col.valid_data_size() == 0 || !col.has_scalars()) continue;
    int64_t valid = 0;
    for (bool b : col.valid_data()) valid += b;
    if (ScalarCount(col.scalars()) != valid || valid == col.valid_data_size()) continue;
    int64_t next = 0;
    for (bool b : col.valid_data()) index[c].push_back(b ? next++ : -1);
  }
  json rows = json::array();
  for (int64_t i = first; i < first + count; ++i) {
    json row = json::object();
    for (int c = 0; c < columns.size(); ++c) {
      const auto& col = columns[c];
      if (col.valid_data_size() > i && !col.valid_data(static_cast<int>(i))) {
        if (!col.is_dynamic()) row[col.field_name()] = nullptr;
        continue;
      }
      int64_t at = index[c].empty() ? i : index[c][i];
      if (col.is_dynamic()) {
        const auto& docs = col.scalars().json_data();
        if (at >= docs.data_size()) return Invalid("column {} has too few values", col.field_name());
        json doc = json::parse(docs.data(static_cast<int>(at)), nullptr, false);
        if (doc.is_discarded() || !doc.is_object()) return Invalid("dynamic field does not hold a single JSON document");
        bool all = std::find(dynamic_keys.begin(), dynamic_keys.end(), col.field_name()) != dynamic_keys.end();
        if (all) {
          for (const auto& [k, v] : doc.items()) row[k] = v;
        } else {
          for (const auto& k : dynamic_keys) {
            if (doc.contains(k)) row[k] = doc[k];
          }
        }
        continue;
      }
      QV_ASSIGN_OR_RETURN(json cell, CellToJson(col, at, options));
      row[col.field_name()] = std::move(cell);
    }
    if (ids != nullptr) {
      if (ids->has_int_id() && i < ids->int_id().data_size()) {
        row[options.pk_name] = Int64Value(ids->int_id().data(static_cast<int>(i)), options.int64_as_number);
      } else if (ids->has_str_id() && i < ids->str_id().data_size()) {
        row[options.pk_name] = ids->str_id().data(static_cast<int>(i));
      }
    }
    if (scores != nullptr && i < scores->size()) row["distance"] = Float32ToJson((*scores)[static_cast<int>(i)]);
    rows.push_back(std::move(row));
  }
  return rows;
}

Result<std::string> QueriesToPlaceholderGroup(const json& data, const spb::FieldSchema& field) {
  if (!data.is_array() || data.empty()) return Invalid("data must be a non-empty array of vectors");
  cpb::PlaceholderGroup group;
  cpb::PlaceholderValue* ph = group.add_placeholders();
  ph->set_tag("$0");
  switch (field.data_type()) {
    case DataType::FloatVector: ph->set_type(cpb::PlaceholderType::FloatVector); break;
    case DataType::BinaryVector: ph->set_type(cpb::PlaceholderType::BinaryVector); break;
    case DataType::Float16Vector: ph->set_type(cpb::PlaceholderType::Float16Vector); break;
    case DataType::BFloat16Vector: ph->set_type(cpb::PlaceholderType::BFloat16Vector); break;
    case DataType::SparseFloatVector: ph->set_type(cpb::PlaceholderType::SparseFloatVector); break;
    case DataType::Int8Vector: ph->set_type(cpb::PlaceholderType::Int8Vector); break;
    default: return Invalid("field {} is not a vector field", field.name());
  }
  for (const auto& q : data) {
    if (q.is_string() && field.is_function_output()) {
      ph->set_type(cpb::PlaceholderType::VarChar);
      ph->add_values(q.get<std::string>());
      continue;
    }
    spb::VectorField v;
    QV_RETURN_IF_ERROR(AppendVector(field, q, &v));
    switch (v.data_case()) {
      case spb::VectorField::kFloatVector:
        ph->add_values(std::string(reinterpret_cast<const char*>(v.float_vector().data().data()),
                                   static_cast<size_t>(v.float_vector().data_size()) * sizeof(float)));
        break;
      case spb::VectorField::kBinaryVector: ph->add_values(v.binary_vector()); break;
      case spb::VectorField::kFloat16Vector: ph->add_values(v.float16_vector()); break;
      case spb::VectorField::kBfloat16Vector: ph->add_values(v.bfloat16_vector()); break;
      case spb::VectorField::kInt8Vector: ph->add_values(v.int8_vector()); break;
      case spb::VectorField::kSparseFloatVector: ph->add_values(v.sparse_float_vector().contents(0)); break;
      default: return Invalid("unsupported query vector");
    }
  }
  return group.SerializeAsString();
}

}  // namespace quiver::proxy::rest
