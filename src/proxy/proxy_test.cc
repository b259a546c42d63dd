#include <gtest/gtest.h>

#include "proxy/error_mapping.h"
#include "proxy/index_params.h"
#include "proxy/schema_validation.h"

namespace quiver::proxy {
namespace {

using milvus::proto::schema::DataType;
using milvus::proto::schema::FieldSchema;

FieldSchema Vector(DataType t, const std::string& dim) {
  FieldSchema f;
  f.set_name("v");
  f.set_data_type(t);
  if (!dim.empty()) {
    auto* kv = f.add_type_params();
    kv->set_key("dim");
    kv->set_value(dim);
  }
  return f;
}

google::protobuf::RepeatedPtrField<milvus::proto::common::KeyValuePair> Kvs(
    std::initializer_list<std::pair<std::string, std::string>> kvs) {
  google::protobuf::RepeatedPtrField<milvus::proto::common::KeyValuePair> out;
  for (const auto& [k, v] : kvs) {
    auto* kv = out.Add();
    kv->set_key(k);
    kv->set_value(v);
  }
  return out;
}

TEST(ValidateName, MilvusRules) {
  EXPECT_TRUE(ValidateCollectionName("_abc_1").ok());
  EXPECT_FALSE(ValidateCollectionName("").ok());
  EXPECT_FALSE(ValidateCollectionName("1abc").ok());
  EXPECT_FALSE(ValidateCollectionName("a-b").ok());
  EXPECT_FALSE(ValidateCollectionName(std::string(256, 'a')).ok());
  EXPECT_TRUE(ValidateCollectionName(std::string(255, 'a')).ok());
}

TEST(ValidateField, VectorDimensions) {
  EXPECT_TRUE(ValidateField(Vector(DataType::FloatVector, "8")).ok());
  EXPECT_FALSE(ValidateField(Vector(DataType::FloatVector, "")).ok());
  EXPECT_FALSE(ValidateField(Vector(DataType::FloatVector, "0")).ok());
  EXPECT_FALSE(ValidateField(Vector(DataType::FloatVector, "32769")).ok());
  EXPECT_FALSE(ValidateField(Vector(DataType::BinaryVector, "12")).ok());
  EXPECT_TRUE(ValidateField(Vector(DataType::BinaryVector, "16")).ok());
  EXPECT_TRUE(ValidateField(Vector(DataType::SparseFloatVector, "")).ok());
  EXPECT_FALSE(ValidateField(Vector(DataType::SparseFloatVector, "8")).ok());
}

TEST(ValidateCollectionSchema, NeedsExactlyOnePrimaryKey) {
  milvus::proto::schema::CollectionSchema s;
  *s.add_fields() = Vector(DataType::FloatVector, "8");
  int32_t shards = 0;
  int64_t parts = 0;
  EXPECT_FALSE(ValidateCollectionSchema(s, &shards, &parts).ok());
  auto* pk = s.add_fields();
  pk->set_name("id");
  pk->set_data_type(DataType::Int64);
  pk->set_is_primary_key(true);
  EXPECT_TRUE(ValidateCollectionSchema(s, &shards, &parts).ok());
  EXPECT_EQ(shards, 1);
  auto* pk2 = s.add_fields();
  *pk2 = *pk;
  pk2->set_name("id2");
  EXPECT_FALSE(ValidateCollectionSchema(s, &shards, &parts).ok());
}

TEST(IndexParams, FlatAndNestedFormsNormaliseAlike) {
  FieldSchema v = Vector(DataType::FloatVector, "8");
  auto flat = NormalizeIndexParams(
      Kvs({{"index_type", "HNSW"}, {"metric_type", "l2"}, {"M", "16"}}), v);
  auto nested = NormalizeIndexParams(
      Kvs({{"index_type", "HNSW"}, {"metric_type", "L2"}, {"params", R"({"M": 16})"}}), v);
  ASSERT_TRUE(flat.ok());
  ASSERT_TRUE(nested.ok());
  EXPECT_EQ(ParamValue(*flat, "M"), "16");
  EXPECT_EQ(ParamValue(*nested, "M"), "16");
  EXPECT_EQ(ParamValue(*nested, "metric_type"), "L2");
}

TEST(IndexParams, DefaultsToAutoindexAndCosine) {
  auto p = NormalizeIndexParams(Kvs({}), Vector(DataType::FloatVector, "8"));
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(ParamValue(*p, "index_type"), "AUTOINDEX");
  EXPECT_EQ(ParamValue(*p, "metric_type"), "COSINE");
  auto b = NormalizeIndexParams(Kvs({}), Vector(DataType::BinaryVector, "16"));
  EXPECT_EQ(ParamValue(*b, "metric_type"), "HAMMING");
}

TEST(IndexParams, RejectsWrongMetricTypeAndRanges) {
  FieldSchema v = Vector(DataType::FloatVector, "8");
  EXPECT_FALSE(NormalizeIndexParams(Kvs({{"metric_type", "HAMMING"}}), v).ok());
  EXPECT_FALSE(NormalizeIndexParams(Kvs({{"index_type", "NOPE"}}), v).ok());
  EXPECT_FALSE(NormalizeIndexParams(Kvs({{"index_type", "BIN_FLAT"}}), v).ok());
  EXPECT_FALSE(NormalizeIndexParams(Kvs({{"index_type", "IVF_FLAT"}, {"nlist", "0"}}), v).ok());
  EXPECT_FALSE(NormalizeIndexParams(Kvs({{"index_type", "IVF_PQ"}, {"m", "3"}}), v).ok());
  EXPECT_FALSE(NormalizeIndexParams(Kvs({{"params", "{not json"}}), v).ok());
}

// Milvus 2.6's scalar index checks (indexparamcheck/*_checker.go), field type by index type.
TEST(IndexParams, ScalarIndexTypesFollowMilvusFieldTypeRules) {
  auto field = [](DataType t, DataType elem = DataType::None) {
    FieldSchema f;
    f.set_name("f");
    f.set_data_type(t);
    f.set_element_type(elem);
    return f;
  };
  auto check = [&](const char* type, const FieldSchema& f) {
    return NormalizeIndexParams(Kvs({{"index_type", type}}), f).status();
  };
  for (DataType t : {DataType::Bool, DataType::Int8, DataType::Int64, DataType::Float,
                     DataType::Double, DataType::VarChar}) {
    EXPECT_TRUE(check("INVERTED", field(t)).ok()) << t;
    EXPECT_TRUE(check("AUTOINDEX", field(t)).ok()) << t;
  }
  EXPECT_TRUE(check("INVERTED", field(DataType::Array, DataType::Double)).ok());
  EXPECT_TRUE(check("STL_SORT", field(DataType::Int32)).ok());
  EXPECT_TRUE(check("STL_SORT", field(DataType::VarChar)).ok());
  EXPECT_TRUE(check("Trie", field(DataType::VarChar)).ok());
  EXPECT_TRUE(check("BITMAP", field(DataType::Array, DataType::Int16)).ok());
  const std::vector<std::pair<Status, std::string>> refused = {
      {check("STL_SORT", field(DataType::Bool)),
       "STL_SORT are only supported on numeric, varchar or timestamptz field, got Bool"},
      {check("Trie", field(DataType::Int64)), "TRIE are only supported on varchar field"},
      {check("BITMAP", field(DataType::Double)),
       "bitmap index are only supported on bool, int, string and array field"},
      {check("BITMAP", field(DataType::Array, DataType::Float)),
       "bitmap index are only supported on bool, int, string for array field"},
      {check("HYBRID", field(DataType::Int64)), "invalid index type: HYBRID"},
      {check("INVERTED", field(DataType::JSON)), "json index must specify cast type"},
      {NormalizeIndexParams(Kvs({{"index_type", "INVERTED"}, {"json_cast_type", "int"}}),
                            field(DataType::JSON))
           .status(),
       "json_cast_type INT is not supported"},
      {NormalizeIndexParams(Kvs({{"index_type", "INVERTED"}, {"json_cast_type", "varchar"},
                                 {"json_cast_function", "STRING_TO_DOUBLE"}}),
                            field(DataType::JSON))
           .status(),
       "json_cast_function STRING_TO_DOUBLE is not supported for json_cast_type VARCHAR"},
  };
  for (const auto& [st, message] : refused) {
    EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << message;
    EXPECT_NE(st.message().find(message), std::string::npos) << st.message();
  }
  FieldSchema pk = field(DataType::Int64);
  pk.set_is_primary_key(true);
  EXPECT_NE(check("BITMAP", pk).message().find("create bitmap index on primary key not supported"),
            std::string::npos);
  auto json = NormalizeIndexParams(
      Kvs({{"index_type", "INVERTED"}, {"params", R"({"json_cast_type": " double "})"}}),
      field(DataType::JSON));
  ASSERT_TRUE(json.ok()) << json.status().ToString();
  EXPECT_EQ(ParamValue(*json, "json_cast_type"), "DOUBLE");
}

TEST(ErrorMapping, SubjectsSelectMilvusCodes) {
  auto code = [](Status st) { return MakeStatus(st).code(); };
  EXPECT_EQ(code(Status::NotFound("x").About(Subject::kCollection)), 100);
  EXPECT_EQ(code(Status::NotFound("x").About(Subject::kIndex)), 700);
  EXPECT_EQ(code(Status::NotFound("x").About(Subject::kDatabase)), 800);
  EXPECT_EQ(code(Status::InvalidArgument("x")), 1100);
  EXPECT_EQ(MakeStatus(Status::InvalidArgument("x")).error_code(),
            milvus::proto::common::ErrorCode::IllegalArgument);
  EXPECT_EQ(code(Status::Ok()), 0);
  EXPECT_EQ(MakeStatus(Status::NotFound("x").About(Subject::kCollection)).reason(), "x");
}

}  // namespace
}  // namespace quiver::proxy
