#include "segment/field_data.h"

#include "index/distance.h"

#include <cmath>
#include <cstring>
#include <map>

#include <nlohmann/json.hpp>

namespace quiver::segment {

using milvus::proto::schema::DataType;
using milvus::proto::schema::ScalarField;
using milvus::proto::schema::ValueField;

namespace {

template <typename... Args>
Status Invalid(fmt::format_string<Args...> f, Args&&... args) {
  return Status::InvalidArgument("{}: invalid parameter", fmt::format(f, std::forward<Args>(args)...));
}

bool IsVector(DataType t) {
  return t == DataType::FloatVector || t == DataType::BinaryVector ||
         t == DataType::Float16Vector || t == DataType::BFloat16Vector ||
         t == DataType::SparseFloatVector || t == DataType::Int8Vector;
}

std::string TypeName(DataType t) { return milvus::proto::schema::DataType_Name(t); }

// Calls fn with the mutable repeated container that holds values of type `t` in `s`.
template <typename Fn>
void WithScalars(ScalarField* s, DataType t, Fn&& fn) {
  switch (t) {
    case DataType::Bool: fn(s->mutable_bool_data()->mutable_data()); break;
    case DataType::Int8:
    case DataType::Int16:
    case DataType::Int32: fn(s->mutable_int_data()->mutable_data()); break;
    case DataType::Int64: fn(s->mutable_long_data()->mutable_data()); break;
    case DataType::Float: fn(s->mutable_float_data()->mutable_data()); break;
    case DataType::Double: fn(s->mutable_double_data()->mutable_data()); break;
    case DataType::String:
    case DataType::VarChar: fn(s->mutable_string_data()->mutable_data()); break;
    case DataType::JSON: fn(s->mutable_json_data()->mutable_data()); break;
    case DataType::Array: fn(s->mutable_array_data()->mutable_data()); break;
    default: break;
  }
}

template <typename Fn>
void WithScalarsConst(const ScalarField& s, DataType t, Fn&& fn) {
  switch (t) {
    case DataType::Bool: fn(s.bool_data().data()); break;
    case DataType::Int8:
    case DataType::Int16:
    case DataType::Int32: fn(s.int_data().data()); break;
    case DataType::Int64: fn(s.long_data().data()); break;
    case DataType::Float: fn(s.float_data().data()); break;
    case DataType::Double: fn(s.double_data().data()); break;
    case DataType::String:
    case DataType::VarChar: fn(s.string_data().data()); break;
    case DataType::JSON: fn(s.json_data().data()); break;
    case DataType::Array: fn(s.array_data().data()); break;
    default: break;
  }
}

bool ScalarCaseMatches(const ScalarField& s, DataType t) {
  switch (t) {
    case DataType::Bool: return s.data_case() == ScalarField::kBoolData;
    case DataType::Int8:
    case DataType::Int16:
    case DataType::Int32: return s.data_case() == ScalarField::kIntData;
    case DataType::Int64: return s.data_case() == ScalarField::kLongData;
    case DataType::Float: return s.data_case() == ScalarField::kFloatData;
    case DataType::Double: return s.data_case() == ScalarField::kDoubleData;
    case DataType::String:
    case DataType::VarChar: return s.data_case() == ScalarField::kStringData;
    case DataType::JSON: return s.data_case() == ScalarField::kJsonData;
    case DataType::Array: return s.data_case() == ScalarField::kArrayData;
    default: return false;
  }
}

int64_t ScalarCount(const ScalarField& s, DataType t) {
  int64_t n = 0;
  WithScalarsConst(s, t, [&](const auto& r) { n = r.size(); });
  return n;
}

std::optional<std::string> Param(const FieldSchema& f, std::string_view key) {
  for (const auto& kv : f.type_params()) {
    if (kv.key() == key) return kv.value();
  }
  return std::nullopt;
}

int64_t IntParam(const FieldSchema& f, std::string_view key) {
  auto v = Param(f, key);
  return v ? std::strtoll(v->c_str(), nullptr, 10) : 0;
}

// Appends the field's default value, or a zero value, to the container.
template <typename R>
void AppendDefault(R* r, const FieldSchema& f) {
  const ValueField& d = f.default_value();
  using T = typename std::decay_t<decltype(*r)>::value_type;
  if constexpr (std::is_same_v<T, bool>) {
    r->Add(d.bool_data());
  } else if constexpr (std::is_same_v<T, int32_t>) {
    r->Add(d.int_data());
  } else if constexpr (std::is_same_v<T, int64_t>) {
    r->Add(d.long_data());
  } else if constexpr (std::is_same_v<T, float>) {
    r->Add(d.float_data());
  } else if constexpr (std::is_same_v<T, double>) {
    r->Add(d.double_data());
  } else if constexpr (std::is_same_v<T, std::string>) {
    *r->Add() = d.data_case() == ValueField::kBytesData ? d.bytes_data() : d.string_data();
  } else {
    r->Add();  // ScalarField (array rows): empty
  }
}

bool ValidUtf8(std::string_view s) {
  size_t i = 0;
  const size_t n = s.size();
  while (i < n) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (len == 0 || i + len > n) return false;
    for (size_t k = 1; k < len; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) >> 6) != 0x2) return false;
    }
    i += len;
  }
  return true;
}

Status CheckStrings(const FieldSchema& f, const google::protobuf::RepeatedPtrField<std::string>& v,
                    int64_t max_length) {
  for (int i = 0; i < v.size(); ++i) {
    if (static_cast<int64_t>(v[i].size()) > max_length) {
      return Invalid("length of varchar field {} exceeds max length, row number: {}, length: {}, max length: {}",
                     f.name(), i, v[i].size(), max_length);
    }
    if (!ValidUtf8(v[i])) return Invalid("string data of field {} at row {} is not valid UTF-8", f.name(), i);
  }
  return Status::Ok();
}

Status CheckScalarValues(const FieldSchema& f, const ScalarField& s) {
  switch (f.data_type()) {
    case DataType::Int8:
    case DataType::Int16: {
      int64_t lo = f.data_type() == DataType::Int8 ? -128 : -32768;
      int64_t hi = -lo - 1;
      for (int32_t v : s.int_data().data()) {
        if (v < lo || v > hi) return Invalid("the value {} of field {} is out of range of {}", v, f.name(), TypeName(f.data_type()));
      }
      return Status::Ok();
    }
    case DataType::VarChar:
      return CheckStrings(f, s.string_data().data(), IntParam(f, "max_length"));
    case DataType::JSON:
      for (int i = 0; i < s.json_data().data_size(); ++i) {
        const std::string& j = s.json_data().data(i);
        // Milvus's common.JSONMaxLength (64 KiB); it also bounds the nesting depth.
        constexpr size_t kJsonMaxLength = 64 << 10;
        if (j.size() > kJsonMaxLength) {
          if (f.is_dynamic()) {
            return Invalid("the length ({}) of dynamic field exceeds max length ({})", j.size(), kJsonMaxLength);
          }
          return Invalid("the length ({}) of json field ({}) exceeds max length ({})", j.size(), f.name(),
                         kJsonMaxLength);
        }
        if (!nlohmann::json::accept(j)) {
          return Invalid("invalid JSON data of field {} at row {}: {}", f.name(), i, j.substr(0, 64));
        }
        if (f.is_dynamic() && !nlohmann::json::parse(j).is_object()) {
          return Invalid("dynamic field data must be a JSON object, row {}", i);
        }
      }
      return Status::Ok();
    case DataType::Array: {
      int64_t cap = IntParam(f, "max_capacity");
      for (int i = 0; i < s.array_data().data_size(); ++i) {
        const ScalarField& row = s.array_data().data(i);
        int64_t n = row.data_case() == ScalarField::DATA_NOT_SET ? 0 : ScalarCount(row, f.element_type());
        if (row.data_case() != ScalarField::DATA_NOT_SET && !ScalarCaseMatches(row, f.element_type())) {
          return Invalid("array field {} row {} has elements of the wrong type, expected {}", f.name(), i, TypeName(f.element_type()));
        }
        if (n > cap) {
          return Invalid("the length ({}) of {}th array exceeds max capacity ({}) of field {}", n, i, cap, f.name());
        }
        if (f.element_type() == DataType::VarChar) {
          QV_RETURN_IF_ERROR(CheckStrings(f, row.string_data().data(), IntParam(f, "max_length")));
        }
      }
      return Status::Ok();
    }
    default:
      return Status::Ok();
  }
}

Status CheckSparseRow(const FieldSchema& f, const std::string& row, int64_t i) {
  if (row.size() % 8 != 0) return Invalid("sparse vector row {} of field {} has {} bytes, not a multiple of 8", i, f.name(), row.size());
  uint32_t prev = 0;
  for (size_t k = 0; k < row.size(); k += 8) {
    uint32_t idx;
    float val;
    std::memcpy(&idx, row.data() + k, 4);
    std::memcpy(&val, row.data() + k + 4, 4);
    if (idx == UINT32_MAX) return Invalid("sparse vector index must be less than 2^32-1, field {} row {}", f.name(), i);
    if (k > 0 && idx <= prev) return Invalid("sparse vector indices must be sorted and unique, field {} row {}", f.name(), i);
    if (std::isnan(val) || std::isinf(val)) return Invalid("sparse vector value must be finite, field {} row {}", f.name(), i);
    prev = idx;
  }
  return Status::Ok();
}

Status CheckVector(const FieldSchema& f, const FieldData& c, int64_t num_rows) {
  if (c.field_case() != FieldData::kVectors) return Invalid("field {} expects vector data", f.name());
  const auto& v = c.vectors();
  int64_t dim = VectorDim(f);
  auto mismatch = [&](int64_t got, int64_t want) {
    return Invalid("the num_rows ({}) of field ({}) is not equal to passed num_rows ({}): [expected={}][actual={}]",
                   got, f.name(), num_rows, want, got);
  };
  switch (f.data_type()) {
    case DataType::FloatVector: {
      if (v.data_case() != milvus::proto::schema::VectorField::kFloatVector) return Invalid("field {} expects float vectors", f.name());
      if (v.dim() != 0 && v.dim() != dim) return Invalid("the dim ({}) of field data({}) is not equal to schema dim ({})", v.dim(), f.name(), dim);
      int64_t n = v.float_vector().data_size();
      if (n != dim * num_rows) return mismatch(n / std::max<int64_t>(dim, 1), num_rows);
      for (float x : v.float_vector().data()) {
        if (std::isnan(x) || std::isinf(x)) return Invalid("float vector field {} contains NaN or Inf", f.name());
      }
      return Status::Ok();
    }
    case DataType::BinaryVector:
    case DataType::Float16Vector:
    case DataType::BFloat16Vector:
    case DataType::Int8Vector: {
      const std::string* bytes = nullptr;
      int64_t per_row = 0;
      if (f.data_type() == DataType::BinaryVector && v.data_case() == v.kBinaryVector) bytes = &v.binary_vector(), per_row = dim / 8;
      if (f.data_type() == DataType::Float16Vector && v.data_case() == v.kFloat16Vector) bytes = &v.float16_vector(), per_row = dim * 2;
      if (f.data_type() == DataType::BFloat16Vector && v.data_case() == v.kBfloat16Vector) bytes = &v.bfloat16_vector(), per_row = dim * 2;
      if (f.data_type() == DataType::Int8Vector && v.data_case() == v.kInt8Vector) bytes = &v.int8_vector(), per_row = dim;
      if (!bytes) return Invalid("field {} expects {} data", f.name(), TypeName(f.data_type()));
      if (v.dim() != 0 && v.dim() != dim) return Invalid("the dim ({}) of field data({}) is not equal to schema dim ({})", v.dim(), f.name(), dim);
      int64_t n = static_cast<int64_t>(bytes->size());
      if (n != per_row * num_rows) return mismatch(per_row ? n / per_row : 0, num_rows);
      return Status::Ok();
    }
    case DataType::SparseFloatVector: {
      if (v.data_case() != v.kSparseFloatVector) return Invalid("field {} expects sparse float vectors", f.name());
      const auto& rows = v.sparse_float_vector().contents();
      if (rows.size() != num_rows) return mismatch(rows.size(), num_rows);
      for (int i = 0; i < rows.size(); ++i) QV_RETURN_IF_ERROR(CheckSparseRow(f, rows[i], i));
      return Status::Ok();
    }
    default:
      return Invalid("unsupported vector type {}", TypeName(f.data_type()));
  }
}

// Turns a wire column (compact when valid_data is set) into a full-length stored column.
Result<FieldData> NormalizeScalar(const FieldSchema& f, const FieldData* in, int64_t num_rows) {
  FieldData out;
  out.set_type(f.data_type());
  out.set_field_name(f.name());
  out.set_field_id(f.fieldid());
  out.set_is_dynamic(f.is_dynamic());
  ScalarField* s = out.mutable_scalars();
  if (f.data_type() == DataType::Array) s->mutable_array_data()->set_element_type(f.element_type());
  const bool has_default = f.has_default_value();
  const bool keeps_validity = f.nullable();

  if (!in) {
    // Missing column: allowed for nullable or defaulted fields only.
    WithScalars(s, f.data_type(), [&](auto* r) {
      for (int64_t i = 0; i < num_rows; ++i) AppendDefault(r, f);
    });
    if (keeps_validity) {
      for (int64_t i = 0; i < num_rows; ++i) out.add_valid_data(has_default);
    }
    return out;
  }
  if (in->field_case() != FieldData::kScalars || !ScalarCaseMatches(in->scalars(), f.data_type())) {
    if (in->field_case() == FieldData::kScalars && in->scalars().data_case() == ScalarField::DATA_NOT_SET &&
        (keeps_validity || has_default)) {
      // All rows null: some clients send no value container at all.
    } else {
      return Invalid("the data type of field {} is {}, but the data sent is of another type", f.name(),
                     TypeName(f.data_type()));
    }
  }
  QV_RETURN_IF_ERROR(CheckScalarValues(f, in->scalars()));
  int64_t values = ScalarCount(in->scalars(), f.data_type());
  if (in->valid_data_size() == 0) {
    if (values != num_rows) {
      return Invalid("the num_rows ({}) of field ({}) is not equal to passed num_rows ({})", values, f.name(), num_rows);
    }
    *s = in->scalars();
    if (f.data_type() == DataType::Array) s->mutable_array_data()->set_element_type(f.element_type());
    if (keeps_validity) {
      for (int64_t i = 0; i < num_rows; ++i) out.add_valid_data(true);
    }
    return out;
  }
  if (!keeps_validity && !has_default) {
    return Invalid("the field {} is not nullable and has no default value, but valid_data was sent", f.name());
  }
  if (in->valid_data_size() != num_rows) {
    return Invalid("the length of valid_data of field ({}) is {}, expected {}", f.name(), in->valid_data_size(), num_rows);
  }
  int64_t valid = 0;
  for (bool b : in->valid_data()) valid += b;
  // Clients send either compact values (only the valid rows) or one value per row.
  bool compact = values == valid;
  if (!compact && values != num_rows) {
    return Invalid("the number of values ({}) of field ({}) matches neither its valid rows ({}) nor num_rows ({})",
                   values, f.name(), valid, num_rows);
  }
  WithScalarsConst(in->scalars(), f.data_type(), [&](const auto& src) {
    WithScalars(s, f.data_type(), [&](auto* dst) {
      if constexpr (std::is_same_v<std::decay_t<decltype(src)>, std::decay_t<decltype(*dst)>>) {
        int64_t next = 0;
        for (int64_t i = 0; i < num_rows; ++i) {
          bool ok = in->valid_data(static_cast<int>(i));
          if (ok) {
            *dst->Add() = src[static_cast<int>(compact ? next : i)];
          } else {
            AppendDefault(dst, f);
          }
          if (ok || !compact) ++next;
        }
      }
    });
  });
  if (keeps_validity) {
    for (int64_t i = 0; i < num_rows; ++i) out.add_valid_data(in->valid_data(static_cast<int>(i)) || has_default);
  }
  return out;
}

}  // namespace

int64_t VectorDim(const FieldSchema& field) { return IntParam(field, "dim"); }

bool DecodeDenseRows(const milvus::proto::schema::VectorField& v, int64_t first, int64_t count,
                     int64_t dim, float* out) {
  using milvus::proto::schema::VectorField;
  if (first < 0 || count < 0 || dim <= 0) return false;
  const auto begin = static_cast<size_t>(first * dim), n = static_cast<size_t>(count * dim);
  switch (v.data_case()) {
    case VectorField::kFloatVector: {
      const auto& d = v.float_vector().data();
      if (static_cast<size_t>(d.size()) < begin + n) return false;
      std::memcpy(out, d.data() + begin, n * sizeof(float));
      return true;
    }
    case VectorField::kFloat16Vector:
    case VectorField::kBfloat16Vector: {
      const bool half = v.data_case() == VectorField::kFloat16Vector;
      const std::string& b = half ? v.float16_vector() : v.bfloat16_vector();
      if (b.size() < 2 * (begin + n)) return false;
      for (size_t i = 0; i < n; ++i) {
        uint16_t h;
        std::memcpy(&h, b.data() + 2 * (begin + i), 2);
        out[i] = half ? index::HalfToFloat(h) : index::BFloat16ToFloat(h);
      }
      return true;
    }
    case VectorField::kInt8Vector: {
      const std::string& b = v.int8_vector();
      if (b.size() < begin + n) return false;
      for (size_t i = 0; i < n; ++i) out[i] = static_cast<float>(static_cast<int8_t>(b[begin + i]));
      return true;
    }
    default:
      return false;
  }
}

Result<InsertColumns> NormalizeInsert(const CollectionSchema& schema,
                                      const google::protobuf::RepeatedPtrField<FieldData>& in,
                                      int64_t num_rows, const NormalizeOptions& options) {
  if (num_rows <= 0) return Invalid("the number of rows ({}) must be positive", num_rows);
  std::map<std::string, const FieldData*> by_name;
  const FieldData* dynamic_in = nullptr;
  for (const auto& c : in) {
    if (c.is_dynamic()) {
      dynamic_in = &c;
      continue;
    }
    if (!by_name.emplace(c.field_name(), &c).second) {
      return Invalid("duplicated field name in insert data: {}", c.field_name());
    }
  }
  InsertColumns out;
  out.num_rows = num_rows;
  for (const auto& f : schema.fields()) {
    if (f.is_dynamic()) {
      FieldData col;
      col.set_type(DataType::JSON);
      col.set_field_name(f.name());
      col.set_field_id(f.fieldid());
      col.set_is_dynamic(true);
      auto* data = col.mutable_scalars()->mutable_json_data();
      if (dynamic_in) {
        if (dynamic_in->field_case() != FieldData::kScalars ||
            dynamic_in->scalars().data_case() != ScalarField::kJsonData ||
            dynamic_in->scalars().json_data().data_size() != num_rows) {
          return Invalid("the dynamic field data must hold one JSON object per row");
        }
        QV_RETURN_IF_ERROR(CheckScalarValues(f, dynamic_in->scalars()));
        *data = dynamic_in->scalars().json_data();
      } else {
        for (int64_t i = 0; i < num_rows; ++i) data->add_data("{}");
      }
      out.columns.push_back(std::move(col));
      continue;
    }
    auto it = by_name.find(f.name());
    const FieldData* c = it == by_name.end() ? nullptr : it->second;
    if (c) by_name.erase(it);
    if (f.is_primary_key()) out.pk_index = static_cast<int>(out.columns.size());

    if (f.is_primary_key() && f.autoid() && !options.upsert) {
      if (c) return Invalid("the primary key field {} is auto_id, its values must not be provided", f.name());
      if (!options.allocate_ids) return Status::Internal("no id allocator for auto_id");
      QV_ASSIGN_OR_RETURN(int64_t first, options.allocate_ids(num_rows));
      FieldData col;
      col.set_type(DataType::Int64);
      col.set_field_name(f.name());
      col.set_field_id(f.fieldid());
      auto* d = col.mutable_scalars()->mutable_long_data();
      for (int64_t i = 0; i < num_rows; ++i) d->add_data(first + i);
      out.columns.push_back(std::move(col));
      continue;
    }
    if (!c && f.is_function_output()) continue;
    if (!c && !f.nullable() && !f.has_default_value()) {
      return Invalid("Insert missed an field `{}` to collection without set nullable==true or set default_value",
                     f.name());
    }
    if (IsVector(f.data_type())) {
      if (!c) return Invalid("vector field {} is missing", f.name());
      QV_RETURN_IF_ERROR(CheckVector(f, *c, num_rows));
      FieldData col = *c;
      col.set_field_name(f.name());
      col.set_field_id(f.fieldid());
      col.set_type(f.data_type());
      col.mutable_vectors()->set_dim(VectorDim(f));
      col.clear_valid_data();
      out.columns.push_back(std::move(col));
      continue;
    }
    if (c && c->type() != f.data_type() && c->type() != DataType::None) {
      return Invalid("the data type of field {} is {}, but {} was sent", f.name(), TypeName(f.data_type()),
                     TypeName(c->type()));
    }
    QV_ASSIGN_OR_RETURN(FieldData col, NormalizeScalar(f, c, num_rows));
    if (f.is_primary_key() && f.data_type() == DataType::VarChar) {
      for (const auto& s : col.scalars().string_data().data()) {
        if (s.empty()) return Invalid("primary key of VarChar type must not be empty");
      }
    }
    out.columns.push_back(std::move(col));
  }
  if (!by_name.empty()) {
    return Invalid("field {} does not exist in the collection schema", by_name.begin()->first);
  }
  if (out.pk_index < 0) return Status::Internal("schema has no primary key");
  return out;
}

void GatherRows(const FieldData& src, std::span<const int64_t> rows, FieldData* dst) {
  if (src.field_case() == FieldData::kScalars) {
    DataType t = src.type();
    ScalarField* out = dst->mutable_scalars();
    if (t == DataType::Array) {
      out->mutable_array_data()->set_element_type(src.scalars().array_data().element_type());
    }
    WithScalarsConst(src.scalars(), t, [&](const auto& from) {
      WithScalars(out, t, [&](auto* to) {
        if constexpr (std::is_same_v<std::decay_t<decltype(from)>, std::decay_t<decltype(*to)>>) {
          for (int64_t r : rows) *to->Add() = from[static_cast<int>(r)];
        }
      });
    });
    if (src.valid_data_size() > 0) {
      for (int64_t r : rows) dst->add_valid_data(src.valid_data(static_cast<int>(r)));
    }
    return;
  }
  if (src.field_case() != FieldData::kVectors) return;
  const auto& v = src.vectors();
  auto* out = dst->mutable_vectors();
  out->set_dim(v.dim());
  const int64_t dim = v.dim();
  auto copy_bytes = [&](const std::string& from, std::string* to, int64_t per_row) {
    for (int64_t r : rows) to->append(from, static_cast<size_t>(r * per_row), static_cast<size_t>(per_row));
  };
  switch (v.data_case()) {
    case milvus::proto::schema::VectorField::kFloatVector: {
      auto* to = out->mutable_float_vector()->mutable_data();
      for (int64_t r : rows) {
        const float* p = v.float_vector().data().data() + r * dim;
        to->Add(p, p + dim);
      }
      break;
    }
    case milvus::proto::schema::VectorField::kBinaryVector:
      copy_bytes(v.binary_vector(), out->mutable_binary_vector(), dim / 8);
      break;
    case milvus::proto::schema::VectorField::kFloat16Vector:
      copy_bytes(v.float16_vector(), out->mutable_float16_vector(), dim * 2);
      break;
    case milvus::proto::schema::VectorField::kBfloat16Vector:
      copy_bytes(v.bfloat16_vector(), out->mutable_bfloat16_vector(), dim * 2);
      break;
    case milvus::proto::schema::VectorField::kInt8Vector:
      copy_bytes(v.int8_vector(), out->mutable_int8_vector(), dim);
      break;
    case milvus::proto::schema::VectorField::kSparseFloatVector: {
      auto* to = out->mutable_sparse_float_vector();
      int64_t max_dim = 0;
      for (int64_t r : rows) {
        const std::string& row = v.sparse_float_vector().contents(static_cast<int>(r));
        *to->add_contents() = row;
        if (row.size() >= 8) {
          uint32_t idx;
          std::memcpy(&idx, row.data() + row.size() - 8, 4);
          max_dim = std::max<int64_t>(max_dim, int64_t{idx} + 1);
        }
      }
      to->set_dim(std::max(to->dim(), max_dim));
      out->set_dim(to->dim());
      break;
    }
    default:
      break;
  }
}

FieldData NullColumn(const FieldSchema& f, int64_t rows) {
  auto r = NormalizeScalar(f, nullptr, rows);
  if (r.ok()) return std::move(r).value();
  return EmptyColumn(f);
}

FieldData EmptyColumn(const FieldSchema& f) {
  FieldData out;
  out.set_type(f.data_type());
  out.set_field_name(f.name());
  out.set_field_id(f.fieldid());
  out.set_is_dynamic(f.is_dynamic());
  if (IsVector(f.data_type())) {
    auto* v = out.mutable_vectors();
    v->set_dim(VectorDim(f));
    switch (f.data_type()) {
      case DataType::FloatVector: v->mutable_float_vector(); break;
      case DataType::BinaryVector: v->mutable_binary_vector(); break;
      case DataType::Float16Vector: v->mutable_float16_vector(); break;
      case DataType::BFloat16Vector: v->mutable_bfloat16_vector(); break;
      case DataType::Int8Vector: v->mutable_int8_vector(); break;
      case DataType::SparseFloatVector: v->mutable_sparse_float_vector(); break;
      default: break;
    }
  } else {
    WithScalars(out.mutable_scalars(), f.data_type(), [](auto*) {});
    if (f.data_type() == DataType::Array) {
      out.mutable_scalars()->mutable_array_data()->set_element_type(f.element_type());
    }
  }
  return out;
}

int64_t ColumnRows(const FieldData& c, int64_t dim_hint) {
  if (c.field_case() == FieldData::kScalars) return ScalarCount(c.scalars(), c.type());
  if (c.field_case() != FieldData::kVectors) return 0;
  const auto& v = c.vectors();
  int64_t dim = v.dim() ? v.dim() : dim_hint;
  if (dim <= 0 && v.data_case() != v.kSparseFloatVector) return 0;
  switch (v.data_case()) {
    case milvus::proto::schema::VectorField::kFloatVector: return v.float_vector().data_size() / dim;
    case milvus::proto::schema::VectorField::kBinaryVector: return static_cast<int64_t>(v.binary_vector().size()) / (dim / 8);
    case milvus::proto::schema::VectorField::kFloat16Vector: return static_cast<int64_t>(v.float16_vector().size()) / (dim * 2);
    case milvus::proto::schema::VectorField::kBfloat16Vector: return static_cast<int64_t>(v.bfloat16_vector().size()) / (dim * 2);
    case milvus::proto::schema::VectorField::kInt8Vector: return static_cast<int64_t>(v.int8_vector().size()) / dim;
    case milvus::proto::schema::VectorField::kSparseFloatVector: return v.sparse_float_vector().contents_size();
    default: return 0;
  }
}

}  // namespace quiver::segment
