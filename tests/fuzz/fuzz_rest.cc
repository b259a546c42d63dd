// libFuzzer target: REST v2 entity decoding (src/proxy/rest/entity_codec): JSON bodies as
// `data` rows for insert/upsert/partial upsert (RowsToColumns) and as search vectors
// (QueriesToPlaceholderGroup) over a fixed schema with every field type; decoded rows are
// encoded back to JSON (ColumnsToRows). The first byte picks the mode and the vector field.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "proxy/rest/entity_codec.h"

namespace {

namespace spb = milvus::proto::schema;
using spb::DataType;

spb::CollectionSchema MakeSchema() {
  spb::CollectionSchema s;
  s.set_name("c");
  s.set_enable_dynamic_field(true);
  int64_t id = 100;
  auto add = [&](const char* name, DataType t, const char* key = nullptr, const char* v = nullptr) {
    auto* f = s.add_fields();
    f->set_fieldid(id++);
    f->set_name(name);
    f->set_data_type(t);
    if (key) {
      auto* kv = f->add_type_params();
      kv->set_key(key);
      kv->set_value(v);
    }
    return f;
  };
  add("id", DataType::Int64)->set_is_primary_key(true);
  add("b", DataType::Bool);
  add("i8", DataType::Int8)->set_nullable(true);
  add("i16", DataType::Int16);
  add("i32", DataType::Int32);
  add("f", DataType::Float);
  add("d", DataType::Double)->set_nullable(true);
  add("name", DataType::VarChar, "max_length", "16")->set_nullable(true);
  add("j", DataType::JSON)->set_nullable(true);
  auto* tags = add("tags", DataType::Array, "max_capacity", "4");
  tags->set_element_type(DataType::VarChar);
  auto* ml = tags->add_type_params();
  ml->set_key("max_length");
  ml->set_value("8");
  add("nums", DataType::Array, "max_capacity", "4")->set_element_type(DataType::Int64);
  add("vec", DataType::FloatVector, "dim", "4");
  add("bvec", DataType::BinaryVector, "dim", "16");
  add("hvec", DataType::Float16Vector, "dim", "2");
  add("bfvec", DataType::BFloat16Vector, "dim", "2");
  add("i8vec", DataType::Int8Vector, "dim", "2");
  add("sv", DataType::SparseFloatVector);
  auto* meta = add("$meta", DataType::JSON);
  meta->set_is_dynamic(true);
  return s;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using nlohmann::json;
  namespace rest = quiver::proxy::rest;
  static const spb::CollectionSchema kSchema = MakeSchema();
  if (size == 0) return 0;
  uint8_t mode = data[0];
  json body = json::parse(data + 1, data + size, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded()) return 0;
  if (mode & 0x80) {
    const auto& fields = kSchema.fields();
    const spb::FieldSchema& field = fields[(mode & 0x7f) % fields.size()];
    (void)rest::QueriesToPlaceholderGroup(body, field).ok();
    return 0;
  }
  // What the handler's RowsOf passes on: a lone object becomes one row; null and [] are
  // rejected before decoding; anything else goes to the decoder as it is.
  if (body.is_null() || (body.is_array() && body.empty())) return 0;
  if (body.is_object()) body = json::array({body});
  bool insert = mode & 1, partial = mode & 2;
  auto cols = rest::RowsToColumns(body, kSchema, insert, partial);
  if (!cols.ok()) return 0;
  google::protobuf::RepeatedPtrField<spb::FieldData> columns;
  google::protobuf::RepeatedPtrField<std::string> names;
  for (auto& c : cols->columns) {
    names.Add(std::string(c.field_name()));
    *columns.Add() = c;
  }
  rest::RowsOptions options;
  options.int64_as_number = mode & 4;
  (void)rest::ColumnsToRows(columns, names, nullptr, nullptr, 0, cols->num_rows, options).ok();
  return 0;
}
