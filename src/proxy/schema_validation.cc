#include "proxy/schema_validation.h"

#include <charconv>
#include <set>

namespace quiver::proxy {

using milvus::proto::schema::CollectionSchema;
using milvus::proto::schema::DataType;
using milvus::proto::schema::FieldSchema;
using milvus::proto::schema::ValueField;

namespace {

bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool IsScalarElementType(DataType t) {
  switch (t) {
    case DataType::Bool:
    case DataType::Int8:
    case DataType::Int16:
    case DataType::Int32:
    case DataType::Int64:
    case DataType::Float:
    case DataType::Double:
    case DataType::VarChar:
      return true;
    default:
      return false;
  }
}

bool IsKnownType(DataType t) {
  return IsScalarElementType(t) || t == DataType::Array || t == DataType::JSON || IsVectorType(t);
}

Status ValidateDim(const FieldSchema& f, const SchemaLimits& limits) {
  auto dim_s = TypeParam(f, "dim");
  if (f.data_type() == DataType::SparseFloatVector) {
    if (dim_s) return InvalidParam("dim should not be specified for sparse vector field {}", f.name());
    return Status::Ok();
  }
  if (!dim_s) return InvalidParam("dimension is not defined in field type params of field {}, please check it", f.name());
  auto dim = ParseInt(*dim_s);
  if (!dim) return InvalidParam("dimension is not a valid integer: {}, field {}", *dim_s, f.name());
  if (f.data_type() == DataType::BinaryVector) {
    if (*dim % 8 != 0) {
      return InvalidParam("invalid dimension: {} of field {}. binary vector dimension should be multiple of 8. ", *dim, f.name());
    }
    if (*dim < 8 || *dim > int64_t{limits.max_dim} * 8) {
      return InvalidParam("invalid dimension: {} of field {}. binary vector dimension should be in range 8 ~ {}", *dim, f.name(), int64_t{limits.max_dim} * 8);
    }
    return Status::Ok();
  }
  if (*dim < 2 || *dim > limits.max_dim) {
    return InvalidParam("invalid dimension: {} of field {}. float vector dimension should be in range 2 ~ {}", *dim, f.name(), limits.max_dim);
  }
  return Status::Ok();
}

Status ValidateMaxLength(const FieldSchema& f, const SchemaLimits& limits) {
  auto s = TypeParam(f, "max_length");
  if (!s) return InvalidParam("type param(max_length) should be specified for the field({}) of collection", f.name());
  auto n = ParseInt(*s);
  if (!n || *n <= 0 || *n > limits.max_varchar_length) {
    return InvalidParam("the maximum length specified for the field({}) should be in (0, {}], but got {} instead", f.name(), limits.max_varchar_length, *s);
  }
  return Status::Ok();
}

Status ValidateDefaultValue(const FieldSchema& f) {
  if (!f.has_default_value()) return Status::Ok();
  const ValueField& v = f.default_value();
  auto mismatch = [&]() {
    return InvalidParam("type ({}) of field ({}) is not equal to the type({}) of default_value",
                        DataTypeName(f.data_type()), f.name(), static_cast<int>(v.data_case()));
  };
  switch (f.data_type()) {
    case DataType::Bool:
      if (v.data_case() != ValueField::kBoolData) return mismatch();
      break;
    case DataType::Int8:
    case DataType::Int16:
    case DataType::Int32: {
      if (v.data_case() != ValueField::kIntData) return mismatch();
      int64_t lo = f.data_type() == DataType::Int8 ? -128 : f.data_type() == DataType::Int16 ? -32768 : INT32_MIN;
      int64_t hi = f.data_type() == DataType::Int8 ? 127 : f.data_type() == DataType::Int16 ? 32767 : INT32_MAX;
      if (v.int_data() < lo || v.int_data() > hi) {
        return InvalidParam("default value {} of field {} is out of range of {}", v.int_data(), f.name(), DataTypeName(f.data_type()));
      }
      break;
    }
    case DataType::Int64:
      if (v.data_case() != ValueField::kLongData) return mismatch();
      break;
    case DataType::Float:
      if (v.data_case() != ValueField::kFloatData) return mismatch();
      break;
    case DataType::Double:
      if (v.data_case() != ValueField::kDoubleData) return mismatch();
      break;
    case DataType::VarChar: {
      if (v.data_case() != ValueField::kStringData) return mismatch();
      auto max = ParseInt(TypeParam(f, "max_length").value_or("0"));
      if (max && static_cast<int64_t>(v.string_data().size()) > *max) {
        return InvalidParam("the length ({}) of string exceeds max length ({})", v.string_data().size(), *max);
      }
      break;
    }
    case DataType::JSON:
      if (v.data_case() != ValueField::kStringData && v.data_case() != ValueField::kBytesData) return mismatch();
      break;
    default:
      return InvalidParam("{} field ({}) does not support default_value", DataTypeName(f.data_type()), f.name());
  }
  return Status::Ok();
}

}  // namespace

std::optional<int64_t> ParseInt(std::string_view s) {
  int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

std::optional<std::string> TypeParam(const FieldSchema& f, std::string_view key) {
  for (const auto& kv : f.type_params()) {
    if (kv.key() == key) return kv.value();
  }
  return std::nullopt;
}

bool IsVectorType(DataType t) {
  return t == DataType::FloatVector || t == DataType::BinaryVector ||
         t == DataType::Float16Vector || t == DataType::BFloat16Vector ||
         t == DataType::SparseFloatVector || t == DataType::Int8Vector;
}

bool IsDenseVectorType(DataType t) { return IsVectorType(t) && t != DataType::SparseFloatVector; }

const char* DataTypeName(DataType t) {
  const std::string& n = milvus::proto::schema::DataType_Name(t);
  return n.empty() ? "Unknown" : n.c_str();
}

Status ValidateName(std::string_view name, std::string_view kind, const SchemaLimits& limits) {
  if (name.empty()) return InvalidParam("{} should not be empty", kind);
  if (static_cast<int>(name.size()) > limits.max_name_length) {
    return InvalidParam("Invalid {}: {}.  the length of a {} must be less than {} characters",
                        kind, name, kind, limits.max_name_length);
  }
  if (name[0] != '_' && !IsAlpha(name[0])) {
    return InvalidParam("Invalid {}: {}.  the first character of a {} must be an underscore or letter.",
                        kind, name, kind);
  }
  for (char c : name.substr(1)) {
    if (c != '_' && !IsAlpha(c) && !IsDigit(c)) {
      return InvalidParam("Invalid {}: {}.  {} can only contain numbers, letters and underscores.",
                          kind, name, kind);
    }
  }
  return Status::Ok();
}

Status ValidateDatabaseName(std::string_view name, const SchemaLimits& limits) {
  auto bad = [&](std::string_view why) {
    return Status::InvalidArgument("{}: invalid database name[database={}]", why, name)
        .About(Subject::kDatabase);
  };
  if (name.empty()) return bad("database name couldn't be empty");
  if (static_cast<int>(name.size()) > limits.max_name_length) {
    return bad(fmt::format("the length of a database name must be less than {} characters",
                           limits.max_name_length));
  }
  if (name[0] != '_' && !IsAlpha(name[0])) {
    return bad("the first character of a database name must be an underscore or letter");
  }
  for (char c : name.substr(1)) {
    if (c != '_' && !IsAlpha(c) && !IsDigit(c)) {
      return bad("database name can only contain numbers, letters and underscores");
    }
  }
  return Status::Ok();
}

Status ValidateCollectionName(std::string_view name, const SchemaLimits& limits) {
  return ValidateName(name, "collection name", limits);
}

Status ValidateField(const FieldSchema& f, const SchemaLimits& limits) {
  QV_RETURN_IF_ERROR(ValidateName(f.name(), "field name", limits));
  if (f.is_dynamic()) return InvalidParam("cannot explicitly set a field as a dynamic field");
  if (!IsKnownType(f.data_type())) {
    return InvalidParam("field data type {} is not supported", DataTypeName(f.data_type()));
  }
  if (IsVectorType(f.data_type())) {
    QV_RETURN_IF_ERROR(ValidateDim(f, limits));
    if (f.has_default_value()) return InvalidParam("vector field {} does not support default_value", f.name());
  }
  if (f.data_type() == DataType::VarChar) QV_RETURN_IF_ERROR(ValidateMaxLength(f, limits));
  if (f.data_type() == DataType::Array) {
    if (!IsScalarElementType(f.element_type())) {
      return InvalidParam("element type {} is not supported", DataTypeName(f.element_type()));
    }
    auto cap_s = TypeParam(f, "max_capacity");
    if (!cap_s) return InvalidParam("type param(max_capacity) should be specified for array field {}", f.name());
    auto cap = ParseInt(*cap_s);
    if (!cap || *cap <= 0 || *cap > limits.max_array_capacity) {
      return InvalidParam("the maximum capacity specified for a Array should be in (0, {}], but got {}",
                          limits.max_array_capacity, *cap_s);
    }
    if (f.element_type() == DataType::VarChar) QV_RETURN_IF_ERROR(ValidateMaxLength(f, limits));
    if (f.has_default_value()) return InvalidParam("Array field {} does not support default_value", f.name());
  }
  QV_RETURN_IF_ERROR(ValidateDefaultValue(f));
  return Status::Ok();
}

Status ValidateCollectionSchema(const CollectionSchema& schema, int32_t* shards_num,
                                int64_t* num_partitions, const SchemaLimits& limits) {
  if (schema.fields_size() > limits.max_fields) {
    return InvalidParam("maximum field's number should be limited to {}", limits.max_fields);
  }
  std::set<std::string> names;
  int vector_fields = 0;
  const FieldSchema* pk = nullptr;
  const FieldSchema* partition_key = nullptr;
  for (const auto& f : schema.fields()) {
    if (!names.insert(f.name()).second) return InvalidParam("duplicated field name {} found", f.name());
    QV_RETURN_IF_ERROR(ValidateField(f, limits));
    if (IsVectorType(f.data_type())) ++vector_fields;
    if (f.is_primary_key()) {
      if (pk) return InvalidParam("there are more than one primary key, field name = {}, {}", pk->name(), f.name());
      pk = &f;
    }
    if (f.is_partition_key()) {
      if (partition_key) {
        return InvalidParam("there are more than one partition key, field name = {}, {}", partition_key->name(), f.name());
      }
      partition_key = &f;
    }
    if (f.autoid() && !f.is_primary_key()) {
      return InvalidParam("only primary field can speficy AutoID with true, field name = {}", f.name());
    }
  }
  if (!pk) return InvalidParam("primary key is not specified");
  if (pk->data_type() != DataType::Int64 && pk->data_type() != DataType::VarChar) {
    return InvalidParam("the data type of primary key should be Int64 or VarChar");
  }
  if (pk->nullable()) return InvalidParam("primary field not support null");
  if (pk->has_default_value()) return InvalidParam("primary field not support default_value");
  if (vector_fields == 0) return InvalidParam("schema does not contain vector field");
  if (vector_fields > limits.max_vector_fields) {
    return InvalidParam("maximum vector field's number should be limited to {}", limits.max_vector_fields);
  }
  if (partition_key) {
    if (partition_key->is_primary_key()) return InvalidParam("the partition key field must not be primary field");
    if (partition_key->data_type() != DataType::Int64 && partition_key->data_type() != DataType::VarChar) {
      return InvalidParam("the data type of partition key should be Int64 or VarChar");
    }
    if (partition_key->nullable()) return InvalidParam("partition key field not support nullable");
    if (*num_partitions == 0) *num_partitions = limits.default_partitions_with_key;
    if (*num_partitions < 0 || *num_partitions > limits.max_partitions) {
      return InvalidParam("partition number ({}) exceeds max configuration ({})", *num_partitions, limits.max_partitions);
    }
  } else if (*num_partitions != 0) {
    return InvalidParam("num_partitions should only be specified with partition key field enabled");
  }
  if (*shards_num <= 0) *shards_num = 1;
  if (*shards_num > limits.max_shards) {
    return InvalidParam("maximum shards's number should be limited to {}", limits.max_shards);
  }
  return Status::Ok();
}

}  // namespace quiver::proxy
