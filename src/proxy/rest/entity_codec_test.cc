#include "proxy/rest/entity_codec.h"

#include <gtest/gtest.h>

namespace quiver::proxy::rest {
namespace {

using nlohmann::json;
using spb::DataType;

spb::CollectionSchema TestSchema() {
  spb::CollectionSchema s;
  auto add = [&](const std::string& name, DataType t) {
    auto* f = s.add_fields();
    f->set_name(name);
    f->set_data_type(t);
    return f;
  };
  add("id", DataType::Int64)->set_is_primary_key(true);
  auto* v = add("vec", DataType::FloatVector);
  auto* kv = v->add_type_params();
  kv->set_key("dim");
  kv->set_value("2");
  add("name", DataType::VarChar)->set_nullable(true);
  auto* tags = add("tags", DataType::Array);
  tags->set_element_type(DataType::Int64);
  add("sv", DataType::SparseFloatVector);
  auto* meta = add("$meta", DataType::JSON);
  meta->set_is_dynamic(true);
  s.set_enable_dynamic_field(true);
  return s;
}

TEST(EntityCodec, RowsRoundTripThroughColumns) {
  json rows = json::parse(R"([
    {"id": 1, "vec": [0.5, -1], "name": "a", "tags": [1, 2], "sv": {"3": 0.5, "1": 2}, "color": "red"},
    {"id": 9007199254740993, "vec": [0.1, 2], "name": null, "tags": [], "sv": {}, "n": 7}
  ])");
  auto cols = RowsToColumns(rows, TestSchema(), true, false);
  ASSERT_TRUE(cols.ok()) << cols.status().ToString();
  ASSERT_EQ(cols->num_rows, 2);
  ASSERT_EQ(cols->columns.size(), 6u);
  const auto& name = cols->columns[2];
  EXPECT_EQ(name.valid_data_size(), 2);
  EXPECT_EQ(name.scalars().string_data().data_size(), 1);  // compact

  google::protobuf::RepeatedPtrField<spb::FieldData> fields(cols->columns.begin(), cols->columns.end());
  google::protobuf::RepeatedPtrField<std::string> outputs;
  for (const char* n : {"id", "vec", "name", "tags", "sv", "$meta"}) outputs.Add(n);
  auto out = ColumnsToRows(fields, outputs, nullptr, nullptr, 0, 2, RowsOptions{});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  const json& r0 = (*out)[0];
  EXPECT_EQ(r0["id"], 1);
  EXPECT_EQ(r0["vec"], json::parse("[0.5, -1.0]"));
  EXPECT_EQ(r0["name"], "a");
  EXPECT_EQ(r0["tags"], json::parse("[1, 2]"));
  EXPECT_EQ(r0["sv"], json::parse(R"({"1": 2.0, "3": 0.5})"));
  EXPECT_EQ(r0["color"], "red");
  const json& r1 = (*out)[1];
  EXPECT_EQ(r1["id"].get<int64_t>(), 9007199254740993);
  EXPECT_EQ(r1["vec"][0].get<double>(), 0.1);  // float32 printed shortest, as Go does
  EXPECT_TRUE(r1["name"].is_null());
  EXPECT_EQ(r1["n"], 7);

  RowsOptions strings;
  strings.int64_as_number = false;
  auto as_strings = ColumnsToRows(fields, outputs, nullptr, nullptr, 1, 1, strings);
  ASSERT_TRUE(as_strings.ok());
  EXPECT_EQ((*as_strings)[0]["id"], "9007199254740993");
}

TEST(EntityCodec, RejectsMissingRequiredFieldsAndWrongDims) {
  auto missing = RowsToColumns(json::parse(R"([{"id": 1, "tags": [], "sv": {}}])"), TestSchema(), true, false);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("vec"), std::string::npos);
  auto dim = RowsToColumns(json::parse(R"([{"id": 1, "vec": [1, 2, 3], "tags": [], "sv": {}}])"), TestSchema(), true, false);
  ASSERT_FALSE(dim.ok());
  auto type = RowsToColumns(json::parse(R"([{"id": "x", "vec": [1, 2], "tags": [], "sv": {}}])"), TestSchema(), true, false);
  ASSERT_FALSE(type.ok());
}

TEST(EntityCodec, AutoIdPrimaryKeyIsSkippedOnInsertOnly) {
  spb::CollectionSchema s = TestSchema();
  s.mutable_fields(0)->set_autoid(true);
  json rows = json::parse(R"([{"vec": [1, 2], "tags": [], "sv": {}}])");
  auto cols = RowsToColumns(rows, s, true, false);
  ASSERT_TRUE(cols.ok()) << cols.status().ToString();
  EXPECT_EQ(cols->columns[0].field_name(), "vec");
  EXPECT_FALSE(RowsToColumns(rows, s, false, false).ok());
}

TEST(EntityCodec, SearchVectorsBecomeAPlaceholderGroup) {
  spb::CollectionSchema s = TestSchema();
  auto group = QueriesToPlaceholderGroup(json::parse("[[1, 2], [3, 4]]"), s.fields(1));
  ASSERT_TRUE(group.ok());
  milvus::proto::common::PlaceholderGroup g;
  ASSERT_TRUE(g.ParseFromString(*group));
  ASSERT_EQ(g.placeholders(0).values_size(), 2);
  EXPECT_EQ(g.placeholders(0).values(0).size(), 8u);
  EXPECT_FALSE(QueriesToPlaceholderGroup(json::parse("[[1, 2, 3]]"), s.fields(1)).ok());
}

}  // namespace
}  // namespace quiver::proxy::rest
