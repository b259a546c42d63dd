#include "proxy/rest/rest_handler.h"

#include <algorithm>
#include <functional>
#include <map>
#include <set>
#include <type_traits>

#include <nlohmann/json.hpp>

#include "proxy/error_mapping.h"
#include "proxy/rest/entity_codec.h"

namespace quiver::proxy::rest {
namespace {

using nlohmann::json;

// Milvus's REST-only error codes (pkg/util/merr).
constexpr int32_t kIncorrectParameterFormat = 1801;  // "can only accept json format request"
constexpr int32_t kMissingRequiredParameters = 1802;
constexpr int32_t kInvalidInsertData = 1804;
constexpr int32_t kInvalidSearchResult = 1805;
constexpr int32_t kCheckPrimaryKey = 1806;

// An endpoint's failure as Milvus reports it. Thrown only inside this file: every endpoint
// runs under Handle(), which turns it (and nlohmann's own exceptions on malformed bodies) into
// the JSON envelope, so nothing escapes the REST layer.
struct Failure {
  int32_t code;
  std::string message;
};

[[noreturn]] void Fail(int32_t code, std::string message) { throw Failure{code, std::move(message)}; }

struct Call {
  MilvusServiceImpl& service;
  const json& body;
  std::string db;
  bool int64_as_number;
};

json Ok(json data) { return json{{"code", 0}, {"data", std::move(data)}}; }
json OkEmpty() { return Ok(json::object()); }

// ---------- body accessors (Go binding semantics: absent = zero value) ----------

std::string Str(const json& b, const char* key, bool required = false) {
  auto it = b.find(key);
  if (it == b.end() || it->is_null()) {
    if (required) {
      Fail(kMissingRequiredParameters, fmt::format("missing required parameters, error: Key: '{}' Error:Field "
                                                   "validation for '{}' failed on the 'required' tag", key, key));
    }
    return "";
  }
  if (!it->is_string()) {
    Fail(kIncorrectParameterFormat, fmt::format("can only accept json format request, error: json: cannot unmarshal "
                                                "{} into Go struct field .{} of type string", it->type_name(), key));
  }
  std::string s = it->get<std::string>();
  if (required && s.empty()) {
    Fail(kMissingRequiredParameters, fmt::format("missing required parameters, error: Key: '{}' Error:Field "
                                                 "validation for '{}' failed on the 'required' tag", key, key));
  }
  return s;
}

std::vector<std::string> StrList(const json& b, const char* key, bool required = false) {
  auto it = b.find(key);
  if (it == b.end() || it->is_null()) {
    if (required) Fail(kMissingRequiredParameters, fmt::format("missing required parameters, error: {} is required", key));
    return {};
  }
  if (!it->is_array()) Fail(kIncorrectParameterFormat, fmt::format("can only accept json format request, error: {} must be an array of strings", key));
  std::vector<std::string> out;
  for (const auto& e : *it) {
    if (!e.is_string()) Fail(kIncorrectParameterFormat, fmt::format("can only accept json format request, error: {} must be an array of strings", key));
    out.push_back(e.get<std::string>());
  }
  return out;
}

int64_t Int(const json& b, const char* key, int64_t fallback) {
  auto it = b.find(key);
  if (it == b.end() || it->is_null()) return fallback;
  if (!it->is_number_integer()) Fail(kIncorrectParameterFormat, fmt::format("can only accept json format request, error: {} must be an integer", key));
  return it->get<int64_t>();
}

bool Bool(const json& b, const char* key, bool fallback = false) {
  auto it = b.find(key);
  if (it == b.end() || it->is_null()) return fallback;
  if (!it->is_boolean()) Fail(kIncorrectParameterFormat, fmt::format("can only accept json format request, error: {} must be a bool", key));
  return it->get<bool>();
}

// Go's fmt "%v" of a decoded JSON value, as Milvus renders property values.
std::string ValueText(const json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

template <typename Repeated>
void AddProperties(const json& b, const char* key, Repeated* out) {
  auto it = b.find(key);
  if (it == b.end() || it->is_null()) return;
  if (!it->is_object()) Fail(kIncorrectParameterFormat, fmt::format("can only accept json format request, error: {} must be an object", key));
  for (const auto& [k, v] : it->items()) {
    auto* kv = out->Add();
    kv->set_key(k);
    kv->set_value(ValueText(v));
  }
}

json KeyValues(const google::protobuf::RepeatedPtrField<cpb::KeyValuePair>& kvs) {
  json out = json::array();
  for (const auto& kv : kvs) out.push_back({{"key", kv.key()}, {"value", kv.value()}});
  return out;
}

std::vector<std::string> Names(const google::protobuf::RepeatedPtrField<std::string>& names) {
  return {names.begin(), names.end()};
}

// ---------- calling the service ----------

void Check(const cpb::Status& s) {
  if (s.code() != 0 || s.error_code() != cpb::ErrorCode::Success) {
    Fail(s.code() != 0 ? s.code() : 65535, s.reason());
  }
}

template <typename Req, typename Resp>
Resp Invoke(Call& c, grpc::Status (MilvusServiceImpl::*method)(grpc::ServerContext*, const Req*, Resp*),
            const Req& req, bool check = true) {
  grpc::ServerContext ctx;
  Resp resp;
  grpc::Status st = (c.service.*method)(&ctx, &req, &resp);
  if (!st.ok()) Fail(st.error_code() == grpc::StatusCode::UNIMPLEMENTED ? 10 : 65535, st.error_message());
  if (check) {
    if constexpr (std::is_same_v<Resp, cpb::Status>) {
      Check(resp);
    } else {
      Check(resp.status());
    }
  }
  return resp;
}

template <typename Req>
Req WithDb(const Call& c) {
  Req r;
  r.set_db_name(c.db);
  return r;
}

template <typename Req>
Req WithCollection(const Call& c) {
  Req r = WithDb<Req>(c);
  r.set_collection_name(Str(c.body, "collectionName", true));
  return r;
}

spb::CollectionSchema Schema(Call& c, const std::string& collection) {
  auto req = WithDb<mpb::DescribeCollectionRequest>(c);
  req.set_collection_name(collection);
  return Invoke(c, &MilvusServiceImpl::DescribeCollection, req).schema();
}

const spb::FieldSchema* PrimaryField(const spb::CollectionSchema& s) {
  for (const auto& f : s.fields()) {
    if (f.is_primary_key()) return &f;
  }
  return nullptr;
}

bool IsVectorType(spb::DataType t) {
  return t == spb::DataType::FloatVector || t == spb::DataType::BinaryVector || t == spb::DataType::Float16Vector ||
         t == spb::DataType::BFloat16Vector || t == spb::DataType::SparseFloatVector || t == spb::DataType::Int8Vector;
}

cpb::ConsistencyLevel Consistency(const json& b, bool* use_default) {
  std::string level = Str(b, "consistencyLevel");
  *use_default = level.empty();
  if (level.empty()) return cpb::ConsistencyLevel::Bounded;
  cpb::ConsistencyLevel out;
  if (!cpb::ConsistencyLevel_Parse(level, &out)) {
    Fail(kParameterInvalid, fmt::format("consistencyLevel can only be [Strong, Session, Bounded, Eventually, "
                                        "Customized], default: Bounded, err:parameter:'{}' is incorrect, please "
                                        "check it", level));
  }
  return out;
}

// ---------- schema JSON ----------

spb::DataType ParseType(const std::string& name, const char* what) {
  spb::DataType t;
  if (!spb::DataType_Parse(name, &t)) {
    Fail(kParameterInvalid, fmt::format("invalid parameter, {} {} is invalid(case sensitive).", what, name));
  }
  return t;
}

void SetDefaultValue(const json& v, spb::FieldSchema* f) {
  if (v.is_null()) return;
  auto* d = f->mutable_default_value();
  auto bad = [&] { Fail(kParameterInvalid, fmt::format("convert defaultValue fail, err:invalid default value {} for field {}", v.dump(), f->name())); };
  switch (f->data_type()) {
    case spb::DataType::Bool:
      if (!v.is_boolean()) bad();
      d->set_bool_data(v.get<bool>());
      break;
    case spb::DataType::Int8: case spb::DataType::Int16: case spb::DataType::Int32:
      if (!v.is_number_integer()) bad();
      d->set_int_data(v.get<int32_t>());
      break;
    case spb::DataType::Int64:
      if (!v.is_number_integer()) bad();
      d->set_long_data(v.get<int64_t>());
      break;
    case spb::DataType::Float:
      if (!v.is_number()) bad();
      d->set_float_data(v.get<float>());
      break;
    case spb::DataType::Double:
      if (!v.is_number()) bad();
      d->set_double_data(v.get<double>());
      break;
    case spb::DataType::VarChar: case spb::DataType::String:
      if (!v.is_string()) bad();
      d->set_string_data(v.get<std::string>());
      break;
    case spb::DataType::JSON: d->set_bytes_data(v.is_string() ? v.get<std::string>() : v.dump()); break;
    default: bad();
  }
}

spb::FieldSchema FieldFromJson(const json& j) {
  if (!j.is_object()) Fail(kIncorrectParameterFormat, "can only accept json format request, error: a field must be an object");
  spb::FieldSchema f;
  f.set_name(Str(j, "fieldName", true));
  f.set_data_type(ParseType(Str(j, "dataType", true), "data type"));
  f.set_description(Str(j, "description"));
  f.set_is_primary_key(Bool(j, "isPrimary"));
  f.set_is_partition_key(Bool(j, "isPartitionKey"));
  f.set_is_clustering_key(Bool(j, "isClusteringKey"));
  f.set_nullable(Bool(j, "nullable"));
  if (f.data_type() == spb::DataType::Array) {
    f.set_element_type(ParseType(Str(j, "elementDataType"), "element data type"));
  }
  if (auto it = j.find("elementTypeParams"); it != j.end() && it->is_object()) {
    for (const auto& [k, v] : it->items()) {
      auto* kv = f.add_type_params();
      kv->set_key(k);
      kv->set_value(ValueText(v));
    }
  }
  if (auto it = j.find("defaultValue"); it != j.end()) SetDefaultValue(*it, &f);
  return f;
}

json DefaultValueJson(const spb::ValueField& v) {
  // Go's encoding/json of *schemapb.ValueField: the oneof wrapper's struct shape.
  switch (v.data_case()) {
    case spb::ValueField::kBoolData: return {{"Data", {{"BoolData", v.bool_data()}}}};
    case spb::ValueField::kIntData: return {{"Data", {{"IntData", v.int_data()}}}};
    case spb::ValueField::kLongData: return {{"Data", {{"LongData", v.long_data()}}}};
    case spb::ValueField::kFloatData: return {{"Data", {{"FloatData", Float32ToJson(v.float_data())}}}};
    case spb::ValueField::kDoubleData: return {{"Data", {{"DoubleData", v.double_data()}}}};
    case spb::ValueField::kStringData: return {{"Data", {{"StringData", v.string_data()}}}};
    case spb::ValueField::kBytesData: return {{"Data", {{"BytesData", v.bytes_data()}}}};
    default: return json::object();
  }
}

json FieldJson(const spb::FieldSchema& f) {
  json d = {{"name", f.name()},
            {"id", f.fieldid()},
            {"type", spb::DataType_Name(f.data_type())},
            {"primaryKey", f.is_primary_key()},
            {"partitionKey", f.is_partition_key()},
            {"clusteringKey", f.is_clustering_key()},
            {"autoId", f.autoid()},
            {"description", f.description()},
            {"nullable", f.nullable()}};
  if (f.has_default_value()) d["defaultValue"] = DefaultValueJson(f.default_value());
  if (f.is_function_output()) d["isFunctionOutput"] = true;
  if (f.type_params_size() > 0) d["params"] = KeyValues(f.type_params());
  if (f.data_type() == spb::DataType::Array) d["elementType"] = spb::DataType_Name(f.element_type());
  return d;
}

std::string MetricOf(const google::protobuf::RepeatedPtrField<cpb::KeyValuePair>& params) {
  for (const auto& kv : params) {
    if (kv.key() == "metric_type") return kv.value();
  }
  return "COSINE";
}

void CreateIndexFromJson(Call& c, const std::string& collection, const json& p) {
  if (!p.is_object()) Fail(kIncorrectParameterFormat, "can only accept json format request, error: indexParams must be objects");
  auto req = WithDb<mpb::CreateIndexRequest>(c);
  req.set_collection_name(collection);
  req.set_field_name(Str(p, "fieldName", true));
  req.set_index_name(Str(p, "indexName"));
  std::string index_type = Str(p, "indexType");
  json params = p.contains("params") && p["params"].is_object() ? p["params"] : json::object();
  if (index_type.empty() && params.contains("index_type")) index_type = ValueText(params["index_type"]);
  auto add = [&](const std::string& k, const std::string& v) {
    auto* kv = req.add_extra_params();
    kv->set_key(k);
    kv->set_value(v);
  };
  if (!index_type.empty()) add("index_type", index_type);
  if (std::string metric = Str(p, "metricType"); !metric.empty()) add("metric_type", metric);
  if (!params.empty()) add("params", params.dump());
  Invoke(c, &MilvusServiceImpl::CreateIndex, req);
}

// ---------- collections ----------

json ListCollections(Call& c) {
  auto resp = Invoke(c, &MilvusServiceImpl::ShowCollections, WithDb<mpb::ShowCollectionsRequest>(c));
  return Ok(Names(resp.collection_names()));
}

json HasCollection(Call& c) {
  auto resp = Invoke(c, &MilvusServiceImpl::HasCollection, WithCollection<mpb::HasCollectionRequest>(c));
  return Ok({{"has", resp.value()}});
}

json DescribeCollection(Call& c) {
  auto req = WithCollection<mpb::DescribeCollectionRequest>(c);
  auto coll = Invoke(c, &MilvusServiceImpl::DescribeCollection, req);
  const std::string& name = req.collection_name();
  std::string message;
  std::string load;
  {
    auto r = WithDb<mpb::GetLoadStateRequest>(c);
    r.set_collection_name(name);
    auto st = Invoke(c, &MilvusServiceImpl::GetLoadState, r, /*check=*/false);
    if (st.status().code() == 0) {
      load = cpb::LoadState_Name(st.state());
    } else {
      message += st.status().reason() + ";";
    }
  }
  json indexes = json::array();
  {
    auto r = WithDb<mpb::DescribeIndexRequest>(c);
    r.set_collection_name(name);
    for (const auto& f : coll.schema().fields()) {
      if (IsVectorType(f.data_type())) {
        r.set_field_name(f.name());
        break;
      }
    }
    auto idx = Invoke(c, &MilvusServiceImpl::DescribeIndex, r, /*check=*/false);
    if (idx.status().code() == 0) {
      for (const auto& d : idx.index_descriptions()) {
        indexes.push_back({{"indexName", d.index_name()}, {"fieldName", d.field_name()}, {"metricType", MetricOf(d.params())}});
      }
    } else {
      message += idx.status().reason() + ";";
    }
  }
  json aliases = json::array();
  {
    auto r = WithDb<mpb::ListAliasesRequest>(c);
    r.set_collection_name(name);
    auto al = Invoke(c, &MilvusServiceImpl::ListAliases, r, /*check=*/false);
    if (al.status().code() == 0) {
      for (const auto& a : al.aliases()) aliases.push_back(a);
    } else {
      message += al.status().reason() + ".";
    }
  }
  bool auto_id = false;
  json fields = json::array();
  for (const auto& f : coll.schema().fields()) {
    if (f.is_primary_key()) auto_id = f.autoid();
    if (f.name() == "$meta" || f.is_dynamic()) continue;
    fields.push_back(FieldJson(f));
  }
  json functions = json::array();
  for (const auto& fn : coll.schema().functions()) {
    functions.push_back({{"name", fn.name()},
                         {"description", fn.description()},
                         {"type", static_cast<int>(fn.type())},
                         {"id", fn.id()},
                         {"inputFieldNames", Names(fn.input_field_names())},
                         {"outputFieldNames", Names(fn.output_field_names())},
                         {"params", KeyValues(fn.params())}});
  }
  json data = {{"collectionName", coll.collection_name()},
               {"collectionID", coll.collectionid()},
               {"description", coll.schema().description()},
               {"autoId", auto_id},
               {"fields", fields},
               {"functions", functions},
               {"aliases", aliases},
               {"indexes", indexes},
               {"load", load},
               {"shardsNum", coll.shards_num()},
               {"partitionsNum", coll.num_partitions()},
               {"consistencyLevel", cpb::ConsistencyLevel_Name(coll.consistency_level())},
               {"enableDynamicField", coll.schema().enable_dynamic_field()},
               {"properties", KeyValues(coll.properties())}};
  return json{{"code", 0}, {"data", data}, {"message", message}};
}

json RowCount(const google::protobuf::RepeatedPtrField<cpb::KeyValuePair>& stats) {
  std::string value = "0";
  for (const auto& kv : stats) {
    if (kv.key() == "row_count") value = kv.value();
  }
  char* end = nullptr;
  long long n = std::strtoll(value.c_str(), &end, 10);
  if (end == value.c_str() || *end != '\0') return Ok({{"rowCount", value}});
  return Ok({{"rowCount", static_cast<int64_t>(n)}});
}

json CollectionStats(Call& c) {
  auto resp = Invoke(c, &MilvusServiceImpl::GetCollectionStatistics, WithCollection<mpb::GetCollectionStatisticsRequest>(c));
  return RowCount(resp.stats());
}

json CollectionLoadState(Call& c) {
  auto req = WithCollection<mpb::GetLoadStateRequest>(c);
  for (const auto& p : StrList(c.body, "partitionNames")) req.add_partition_names(p);
  auto resp = Invoke(c, &MilvusServiceImpl::GetLoadState, req);
  if (resp.state() == cpb::LoadState::LoadStateNotExist) {
    Fail(kCollectionNotFound, fmt::format("collection not found[collection={}]", req.collection_name()));
  }
  if (resp.state() == cpb::LoadState::LoadStateNotLoad) return Ok({{"loadState", "LoadStateNotLoad"}});
  auto progress_req = WithDb<mpb::GetLoadingProgressRequest>(c);
  progress_req.set_collection_name(req.collection_name());
  *progress_req.mutable_partition_names() = req.partition_names();
  auto progress = Invoke(c, &MilvusServiceImpl::GetLoadingProgress, progress_req, /*check=*/false);
  int64_t pct = -1;
  std::string message;
  if (progress.status().code() == 0) {
    pct = progress.progress();
  } else {
    message = progress.status().reason() + ".";
  }
  return json{{"code", 0},
              {"data", {{"loadState", pct >= 100 ? "LoadStateLoaded" : "LoadStateLoading"}, {"loadProgress", pct}}},
              {"message", message}};
}

json CreateCollection(Call& c) {
  const json& b = c.body;
  auto req = WithCollection<mpb::CreateCollectionRequest>(c);
  const std::string name = req.collection_name();
  json params = b.contains("params") && b["params"].is_object() ? b["params"] : json::object();
  json schema_json = b.contains("schema") && b["schema"].is_object() ? b["schema"] : json::object();
  const bool quick = !schema_json.contains("fields") || !schema_json["fields"].is_array() || schema_json["fields"].empty();
  spb::CollectionSchema schema;
  schema.set_name(name);
  schema.set_description(Str(b, "description"));
  std::string vector_field, metric;
  std::set<std::string> field_names;
  int64_t partitions_num = -1;
  if (quick) {
    std::string vtype = Str(b, "vectorFieldType");
    spb::DataType vt = spb::DataType::FloatVector;
    if (vtype == "BinaryVector") vt = spb::DataType::BinaryVector;
    else if (vtype == "Float16Vector") vt = spb::DataType::Float16Vector;
    else if (vtype == "BFloat16Vector") vt = spb::DataType::BFloat16Vector;
    else if (vtype == "SparseFloatVector") vt = spb::DataType::SparseFloatVector;
    else if (!vtype.empty() && vtype != "FloatVector") {
      Fail(kParameterInvalid, "invalid parameter[expected=FloatVector, BinaryVector, Float16Vector, BFloat16Vector, "
                              "SparseFloatVector][actual=" + vtype + "]");
    }
    int64_t dim = Int(b, "dimension", 0);
    if (vt != spb::DataType::SparseFloatVector && dim == 0) {
      Fail(kParameterInvalid, "invalid parameter[expected=collectionName & dimension][actual=collectionName]: "
                              "dimension is required for quickly create collection(default metric type: COSINE)");
    }
    metric = Str(b, "metricType");
    if (metric.empty()) {
      metric = vt == spb::DataType::BinaryVector ? "HAMMING" : vt == spb::DataType::SparseFloatVector ? "IP" : "COSINE";
    }
    std::string id_type = Str(b, "idType");
    auto* pk = schema.add_fields();
    pk->set_fieldid(100);
    pk->set_name(Str(b, "primaryFieldName").empty() ? "id" : Str(b, "primaryFieldName"));
    pk->set_is_primary_key(true);
    pk->set_autoid(Bool(b, "autoID"));
    if (id_type == "VarChar" || id_type == "Varchar") {
      pk->set_data_type(spb::DataType::VarChar);
      auto* kv = pk->add_type_params();
      kv->set_key("max_length");
      kv->set_value(params.contains("max_length") ? ValueText(params["max_length"]) : "<nil>");
    } else if (id_type.empty() || id_type == "Int64" || id_type == "int64") {
      pk->set_data_type(spb::DataType::Int64);
    } else {
      Fail(kParameterInvalid, "invalid parameter[expected=Int64, Varchar][actual=" + id_type +
                                  "]: idType can only be [Int64, VarChar], default: Int64");
    }
    vector_field = Str(b, "vectorFieldName").empty() ? "vector" : Str(b, "vectorFieldName");
    auto* vec = schema.add_fields();
    vec->set_fieldid(101);
    vec->set_name(vector_field);
    vec->set_data_type(vt);
    if (vt != spb::DataType::SparseFloatVector) {
      auto* kv = vec->add_type_params();
      kv->set_key("dim");
      kv->set_value(std::to_string(dim));
    }
    bool dynamic = true;
    if (params.contains("enableDynamicField")) {
      const json& v = params["enableDynamicField"];
      std::string s = ValueText(v);
      if (s == "true" || s == "1" || s == "True" || s == "TRUE" || s == "t") dynamic = true;
      else if (s == "false" || s == "0" || s == "False" || s == "FALSE" || s == "f") dynamic = false;
      else Fail(kParameterInvalid, "parse enableDynamicField fail, err:strconv.ParseBool: parsing \"" + s + "\": invalid syntax");
    }
    schema.set_enable_dynamic_field(dynamic);
  } else {
    schema.set_autoid(Bool(schema_json, "autoID"));
    schema.set_enable_dynamic_field(Bool(schema_json, "enableDynamicField"));
    for (const auto& fj : schema_json["fields"]) {
      spb::FieldSchema f = FieldFromJson(fj);
      if (f.is_primary_key()) f.set_autoid(schema.autoid());
      if (f.is_partition_key() && params.contains("partitionsNum")) {
        const json& pn = params["partitionsNum"];
        if (pn.is_number_integer()) partitions_num = pn.get<int64_t>();
        else if (pn.is_string()) partitions_num = std::strtoll(pn.get<std::string>().c_str(), nullptr, 10);
      }
      field_names.insert(f.name());
      *schema.add_fields() = std::move(f);
    }
    if (auto it = schema_json.find("functions"); it != schema_json.end() && it->is_array()) {
      for (const auto& fn : *it) {
        auto* f = schema.add_functions();
        f->set_name(Str(fn, "name", true));
        f->set_description(Str(fn, "description"));
        std::string type = Str(fn, "type");
        spb::FunctionType ft;
        if (!spb::FunctionType_Parse(type, &ft)) Fail(kParameterInvalid, "invalid parameter, function type " + type + " is invalid");
        f->set_type(ft);
        for (const auto& n : StrList(fn, "inputFieldNames")) f->add_input_field_names(n);
        for (const auto& n : StrList(fn, "outputFieldNames")) f->add_output_field_names(n);
        AddProperties(fn, "params", f->mutable_params());
      }
      for (auto& f : *schema.mutable_fields()) {
        for (const auto& fn : schema.functions()) {
          for (const auto& out : fn.output_field_names()) {
            if (out == f.name()) f.set_is_function_output(true);
          }
        }
      }
    }
  }
  req.set_schema(schema.SerializeAsString());
  req.set_shards_num(1);
  if (params.contains("shardsNum")) req.set_shards_num(static_cast<int32_t>(std::strtoll(ValueText(params["shardsNum"]).c_str(), nullptr, 10)));
  // consistencyLevel: top level or params (must agree).
  std::string level = Str(b, "consistencyLevel");
  if (params.contains("consistencyLevel")) {
    std::string p = ValueText(params["consistencyLevel"]);
    if (!level.empty() && level != p) {
      Fail(kParameterInvalid, "invalid parameter[expected=same consistencyLevel][actual=" + p +
                                  "]: top-level consistencyLevel conflicts with params.consistencyLevel");
    }
    level = p;
  }
  if (!level.empty()) {
    cpb::ConsistencyLevel cl;
    if (!cpb::ConsistencyLevel_Parse(level, &cl)) {
      Fail(kParameterInvalid, "invalid parameter[expected=Strong, Session, Bounded, Eventually, Customized][actual=" +
                                  level + "]: consistencyLevel can only be [Strong, Session, Bounded, Eventually, "
                                  "Customized], default: Bounded");
    }
    req.set_consistency_level(cl);
  } else {
    req.set_consistency_level(cpb::ConsistencyLevel::Bounded);
  }
  if (partitions_num > 0) req.set_num_partitions(partitions_num);
  auto add_prop = [&](const std::string& k, const std::string& v) {
    auto* kv = req.add_properties();
    kv->set_key(k);
    kv->set_value(v);
  };
  if (params.contains("ttlSeconds")) add_prop("collection.ttl.seconds", ValueText(params["ttlSeconds"]));
  if (params.contains("partitionKeyIsolation")) add_prop("partitionkey.isolation", ValueText(params["partitionKeyIsolation"]));
  if (params.contains("mmap.enabled")) add_prop("mmap.enabled", ValueText(params["mmap.enabled"]));
  AddProperties(b, "properties", req.mutable_properties());
  Invoke(c, &MilvusServiceImpl::CreateCollection, req);

  if (quick) {
    json p = {{"fieldName", vector_field}, {"indexName", vector_field}, {"metricType", metric}};
    CreateIndexFromJson(c, name, p);
  } else {
    auto it = b.find("indexParams");
    if (it == b.end() || !it->is_array() || it->empty()) return OkEmpty();
    for (const auto& p : *it) {
      std::string field = p.is_object() ? Str(p, "fieldName") : "";
      if (!field_names.contains(field)) {
        Fail(kMissingRequiredParameters, "missing required parameters, error: `" + field + "` hasn't defined in schema");
      }
      CreateIndexFromJson(c, name, p);
    }
  }
  auto load = WithDb<mpb::LoadCollectionRequest>(c);
  load.set_collection_name(name);
  Invoke(c, &MilvusServiceImpl::LoadCollection, load);
  return OkEmpty();
}

json DropCollection(Call& c) {
  Invoke(c, &MilvusServiceImpl::DropCollection, WithCollection<mpb::DropCollectionRequest>(c));
  return OkEmpty();
}

json RenameCollection(Call& c) {
  auto req = WithDb<mpb::RenameCollectionRequest>(c);
  req.set_oldname(Str(c.body, "collectionName", true));
  req.set_newname(Str(c.body, "newCollectionName", true));
  std::string new_db = Str(c.body, "newDbName");
  req.set_newdbname(new_db.empty() ? c.db : new_db);
  Invoke(c, &MilvusServiceImpl::RenameCollection, req);
  return OkEmpty();
}

json LoadCollection(Call& c) {
  Invoke(c, &MilvusServiceImpl::LoadCollection, WithCollection<mpb::LoadCollectionRequest>(c));
  return OkEmpty();
}

json RefreshLoadCollection(Call& c) {
  auto req = WithCollection<mpb::LoadCollectionRequest>(c);
  req.set_refresh(true);
  Invoke(c, &MilvusServiceImpl::LoadCollection, req);
  return OkEmpty();
}

json ReleaseCollection(Call& c) {
  Invoke(c, &MilvusServiceImpl::ReleaseCollection, WithCollection<mpb::ReleaseCollectionRequest>(c));
  return OkEmpty();
}

json AlterCollectionProperties(Call& c) {
  auto req = WithCollection<mpb::AlterCollectionRequest>(c);
  AddProperties(c.body, "properties", req.mutable_properties());
  Invoke(c, &MilvusServiceImpl::AlterCollection, req);
  return OkEmpty();
}

json DropCollectionProperties(Call& c) {
  auto req = WithCollection<mpb::AlterCollectionRequest>(c);
  for (const auto& k : StrList(c.body, "propertyKeys")) req.add_delete_keys(k);
  Invoke(c, &MilvusServiceImpl::AlterCollection, req);
  return OkEmpty();
}

json AddCollectionField(Call& c) {
  auto req = WithCollection<mpb::AddCollectionFieldRequest>(c);
  auto it = c.body.find("schema");
  if (it == c.body.end() || it->is_null()) Fail(kMissingRequiredParameters, "missing required parameters, error: schema is required");
  req.set_schema(FieldFromJson(*it).SerializeAsString());
  Invoke(c, &MilvusServiceImpl::AddCollectionField, req);
  return OkEmpty();
}

json FlushCollection(Call& c) {
  auto req = WithDb<mpb::FlushRequest>(c);
  req.add_collection_names(Str(c.body, "collectionName", true));
  Invoke(c, &MilvusServiceImpl::Flush, req);
  return OkEmpty();
}

// ---------- partitions ----------

template <typename Req>
Req WithPartition(const Call& c) {
  Req r = WithCollection<Req>(c);
  r.set_partition_name(Str(c.body, "partitionName", true));
  return r;
}

json ListPartitions(Call& c) {
  auto resp = Invoke(c, &MilvusServiceImpl::ShowPartitions, WithCollection<mpb::ShowPartitionsRequest>(c));
  return Ok(Names(resp.partition_names()));
}

json HasPartition(Call& c) {
  auto resp = Invoke(c, &MilvusServiceImpl::HasPartition, WithPartition<mpb::HasPartitionRequest>(c));
  return Ok({{"has", resp.value()}});
}

json PartitionStats(Call& c) {
  auto resp = Invoke(c, &MilvusServiceImpl::GetPartitionStatistics, WithPartition<mpb::GetPartitionStatisticsRequest>(c));
  return RowCount(resp.stats());
}

json CreatePartition(Call& c) {
  Invoke(c, &MilvusServiceImpl::CreatePartition, WithPartition<mpb::CreatePartitionRequest>(c));
  return OkEmpty();
}

json DropPartition(Call& c) {
  Invoke(c, &MilvusServiceImpl::DropPartition, WithPartition<mpb::DropPartitionRequest>(c));
  return OkEmpty();
}

json LoadPartitions(Call& c) {
  auto req = WithCollection<mpb::LoadPartitionsRequest>(c);
  for (const auto& p : StrList(c.body, "partitionNames", true)) req.add_partition_names(p);
  Invoke(c, &MilvusServiceImpl::LoadPartitions, req);
  return OkEmpty();
}

json ReleasePartitions(Call& c) {
  auto req = WithCollection<mpb::ReleasePartitionsRequest>(c);
  for (const auto& p : StrList(c.body, "partitionNames", true)) req.add_partition_names(p);
  Invoke(c, &MilvusServiceImpl::ReleasePartitions, req);
  return OkEmpty();
}

// ---------- aliases ----------

json CreateAlias(Call& c) {
  auto req = WithCollection<mpb::CreateAliasRequest>(c);
  req.set_alias(Str(c.body, "aliasName", true));
  Invoke(c, &MilvusServiceImpl::CreateAlias, req);
  return OkEmpty();
}

json AlterAlias(Call& c) {
  auto req = WithCollection<mpb::AlterAliasRequest>(c);
  req.set_alias(Str(c.body, "aliasName", true));
  Invoke(c, &MilvusServiceImpl::AlterAlias, req);
  return OkEmpty();
}

json DropAlias(Call& c) {
  auto req = WithDb<mpb::DropAliasRequest>(c);
  req.set_alias(Str(c.body, "aliasName", true));
  Invoke(c, &MilvusServiceImpl::DropAlias, req);
  return OkEmpty();
}

json DescribeAlias(Call& c) {
  auto req = WithDb<mpb::DescribeAliasRequest>(c);
  req.set_alias(Str(c.body, "aliasName", true));
  auto resp = Invoke(c, &MilvusServiceImpl::DescribeAlias, req);
  return Ok({{"dbName", resp.db_name()}, {"collectionName", resp.collection()}, {"aliasName", resp.alias()}});
}

json ListAliases(Call& c) {
  auto req = WithDb<mpb::ListAliasesRequest>(c);
  req.set_collection_name(Str(c.body, "collectionName"));
  auto resp = Invoke(c, &MilvusServiceImpl::ListAliases, req);
  return Ok(Names(resp.aliases()));
}

// ---------- indexes ----------

json CreateIndex(Call& c) {
  std::string collection = Str(c.body, "collectionName", true);
  auto it = c.body.find("indexParams");
  if (it == c.body.end() || !it->is_array()) {
    Fail(kMissingRequiredParameters, "missing required parameters, error: Key: 'IndexParamReq.IndexParams' Error:Field "
                                     "validation for 'IndexParams' failed on the 'required' tag");
  }
  for (const auto& p : *it) CreateIndexFromJson(c, collection, p);
  return OkEmpty();
}

json DescribeIndex(Call& c) {
  auto req = WithCollection<mpb::DescribeIndexRequest>(c);
  req.set_index_name(Str(c.body, "indexName", true));
  auto resp = Invoke(c, &MilvusServiceImpl::DescribeIndex, req);
  json out = json::array();
  for (const auto& d : resp.index_descriptions()) {
    std::string metric, type, mmap, offset_cache, warmup;
    for (const auto& kv : d.params()) {
      if (kv.key() == "metric_type") metric = kv.value();
      else if (kv.key() == "index_type") type = kv.value();
      else if (kv.key() == "mmap.enabled") mmap = kv.value();
      else if (kv.key() == "indexoffsetcache.enabled") offset_cache = kv.value();
      else if (kv.key() == "warmup") warmup = kv.value();
    }
    out.push_back({{"indexName", d.index_name()},
                   {"fieldName", d.field_name()},
                   {"indexType", type},
                   {"metricType", metric},
                   {"mmap.enabled", mmap},
                   {"indexoffsetcache.enabled", offset_cache},
                   {"warmup", warmup},
                   {"totalRows", d.total_rows()},
                   {"pendingRows", d.pending_index_rows()},
                   {"indexedRows", d.indexed_rows()},
                   {"indexState", cpb::IndexState_Name(d.state())},
                   {"failReason", d.index_state_fail_reason()},
                   {"minIndexVersion", d.min_index_version()},
                   {"maxIndexVersion", d.max_index_version()},
                   {"indexParams", KeyValues(d.params())}});
  }
  return Ok(out);
}

json ListIndexes(Call& c) {
  auto req = WithCollection<mpb::DescribeIndexRequest>(c);
  auto resp = Invoke(c, &MilvusServiceImpl::DescribeIndex, req, /*check=*/false);
  json names = json::array();
  if (resp.status().code() == kIndexNotFound) return Ok(names);
  Check(resp.status());
  for (const auto& d : resp.index_descriptions()) names.push_back(d.index_name());
  return Ok(names);
}

json DropIndex(Call& c) {
  auto req = WithCollection<mpb::DropIndexRequest>(c);
  req.set_index_name(Str(c.body, "indexName", true));
  Invoke(c, &MilvusServiceImpl::DropIndex, req);
  return OkEmpty();
}

// ---------- databases ----------

std::string RequiredDb(const Call& c) { return Str(c.body, "dbName", true); }

json CreateDatabase(Call& c) {
  mpb::CreateDatabaseRequest req;
  req.set_db_name(RequiredDb(c));
  AddProperties(c.body, "properties", req.mutable_properties());
  Invoke(c, &MilvusServiceImpl::CreateDatabase, req);
  return OkEmpty();
}

json DropDatabase(Call& c) {
  mpb::DropDatabaseRequest req;
  req.set_db_name(RequiredDb(c));
  Invoke(c, &MilvusServiceImpl::DropDatabase, req);
  return OkEmpty();
}

json ListDatabases(Call& c) {
  auto resp = Invoke(c, &MilvusServiceImpl::ListDatabases, mpb::ListDatabasesRequest());
  return Ok(Names(resp.db_names()));
}

json DescribeDatabase(Call& c) {
  mpb::DescribeDatabaseRequest req;
  req.set_db_name(RequiredDb(c));
  auto resp = Invoke(c, &MilvusServiceImpl::DescribeDatabase, req);
  return Ok({{"dbName", resp.db_name()}, {"dbID", resp.dbid()}, {"properties", KeyValues(resp.properties())}});
}

json AlterDatabase(Call& c) {
  mpb::AlterDatabaseRequest req;
  req.set_db_name(RequiredDb(c));
  AddProperties(c.body, "properties", req.mutable_properties());
  Invoke(c, &MilvusServiceImpl::AlterDatabase, req);
  return OkEmpty();
}

json DropDatabaseProperties(Call& c) {
  mpb::AlterDatabaseRequest req;
  req.set_db_name(RequiredDb(c));
  for (const auto& k : StrList(c.body, "propertyKeys")) req.add_delete_keys(k);
  Invoke(c, &MilvusServiceImpl::AlterDatabase, req);
  return OkEmpty();
}

// ---------- entities ----------

json RowsOf(const json& body) {
  auto it = body.find("data");
  if (it == body.end() || it->is_null() || (it->is_array() && it->empty())) {
    Fail(kInvalidInsertData, "fail to deal the insert data, error: missing required parameters");
  }
  if (it->is_object()) return json::array({*it});  // a single row, as gjson's Array() reads it
  return *it;
}

json IdsJson(const spb::IDs& ids, bool int64_as_number) {
  json out = json::array();
  if (ids.has_int_id()) {
    for (int64_t v : ids.int_id().data()) out.push_back(int64_as_number ? json(v) : json(std::to_string(v)));
  } else if (ids.has_str_id()) {
    for (const auto& v : ids.str_id().data()) out.push_back(v);
  } else {
    Fail(kCheckPrimaryKey, "please check the primary key and its' type can only in [int, string], error: unsupported "
                           "primary key data type");
  }
  return out;
}

template <typename Req>
json Write(Call& c, bool upsert) {
  auto req = WithCollection<Req>(c);
  req.set_partition_name(Str(c.body, "partitionName"));
  spb::CollectionSchema schema = Schema(c, req.collection_name());
  bool partial = false;
  if constexpr (std::is_same_v<Req, mpb::UpsertRequest>) {
    partial = Bool(c.body, "partialUpdate");
    req.set_partial_update(partial);
  }
  auto cols = RowsToColumns(RowsOf(c.body), schema, /*insert=*/!upsert, partial);
  if (!cols.ok()) Fail(kInvalidInsertData, "fail to deal the insert data, error: " + cols.status().message());
  req.set_num_rows(static_cast<uint32_t>(cols->num_rows));
  for (auto& col : cols->columns) *req.add_fields_data() = std::move(col);
  mpb::MutationResult resp;
  if constexpr (std::is_same_v<Req, mpb::UpsertRequest>) {
    resp = Invoke(c, &MilvusServiceImpl::Upsert, req);
  } else {
    resp = Invoke(c, &MilvusServiceImpl::Insert, req);
  }
  json ids = IdsJson(resp.ids(), c.int64_as_number);
  json data = upsert ? json{{"upsertCount", resp.upsert_cnt()}, {"upsertIds", ids}}
                     : json{{"insertCount", resp.insert_cnt()}, {"insertIds", ids}};
  return json{{"code", 0}, {"data", data}, {"cost", 0}};
}

json Insert(Call& c) { return Write<mpb::InsertRequest>(c, false); }
json Upsert(Call& c) { return Write<mpb::UpsertRequest>(c, true); }

// `pk in {__pk_ids}` with the ids as a template value, as Milvus builds it (checkGetPrimaryKey),
// so no id is ever parsed as expression text.
std::string PrimaryKeyFilter(const spb::CollectionSchema& schema, const json& id,
                             google::protobuf::Map<std::string, spb::TemplateValue>* templates) {
  const spb::FieldSchema* pk = PrimaryField(schema);
  if (pk == nullptr) Fail(kCheckPrimaryKey, "collection has no primary field");
  json list = id.is_array() ? id : json::array({id});
  spb::TemplateArrayValue* array = (*templates)["__pk_ids"].mutable_array_val();
  const std::string bad = "please check the primary key and its' type can only in [int, string], error: ";
  if (pk->data_type() == spb::DataType::Int64) {
    auto* data = array->mutable_long_data();
    for (const auto& v : list) {
      if (v.is_number_integer()) {
        data->add_data(v.get<int64_t>());
      } else if (v.is_string()) {
        char* end = nullptr;
        const std::string& s = v.get_ref<const std::string&>();
        long long n = std::strtoll(s.c_str(), &end, 10);
        if (s.empty() || *end != '\0') Fail(kCheckPrimaryKey, bad + "invalid int64 id " + s);
        data->add_data(n);
      } else {
        Fail(kCheckPrimaryKey, bad + "invalid id " + v.dump());
      }
    }
  } else {
    auto* data = array->mutable_string_data();
    for (const auto& v : list) {
      if (!v.is_string()) Fail(kCheckPrimaryKey, bad + "invalid id " + v.dump());
      data->add_data(v.get<std::string>());
    }
  }
  return pk->name() + " in {__pk_ids}";
}

void AddExprParams(const json& body, google::protobuf::Map<std::string, spb::TemplateValue>* templates);

json QueryRows(Call& c, const mpb::QueryResults& resp, const spb::CollectionSchema& schema) {
  RowsOptions o;
  o.int64_as_number = c.int64_as_number;
  int64_t rows = 0;
  if (resp.fields_data_size() > 0) {
    const auto& first = resp.fields_data(0);
    if (first.valid_data_size() > 0) {
      rows = first.valid_data_size();
    } else if (first.has_scalars()) {
      const auto& s = first.scalars();
      rows = s.has_long_data() ? s.long_data().data_size() : s.has_string_data() ? s.string_data().data_size()
             : s.has_int_data() ? s.int_data().data_size() : s.has_bool_data() ? s.bool_data().data_size()
             : s.has_float_data() ? s.float_data().data_size() : s.has_double_data() ? s.double_data().data_size()
             : s.has_json_data() ? s.json_data().data_size() : s.array_data().data_size();
    } else if (first.has_vectors()) {
      const auto& v = first.vectors();
      if (v.has_float_vector()) rows = v.dim() > 0 ? v.float_vector().data_size() / v.dim() : 0;
      else if (v.has_sparse_float_vector()) rows = v.sparse_float_vector().contents_size();
    }
  }
  // Prefer the primary key column's length: it is never compact.
  if (const spb::FieldSchema* pk = PrimaryField(schema)) {
    for (const auto& col : resp.fields_data()) {
      if (col.field_name() == pk->name() && col.has_scalars()) {
        rows = col.scalars().has_long_data() ? col.scalars().long_data().data_size() : col.scalars().string_data().data_size();
      }
    }
  }
  auto out = ColumnsToRows(resp.fields_data(), resp.output_fields(), nullptr, nullptr, 0, rows, o);
  if (!out.ok()) Fail(kInvalidSearchResult, "fail to parse search result, error: " + out.status().message());
  return json{{"code", 0}, {"data", *out}, {"cost", 0}};
}

std::vector<std::string> OutputFields(const json& body) {
  if (!body.contains("outputFields") || body["outputFields"].is_null()) return {"*"};
  return StrList(body, "outputFields");
}

json Query(Call& c) {
  auto req = WithCollection<mpb::QueryRequest>(c);
  spb::CollectionSchema schema = Schema(c, req.collection_name());
  req.set_expr(Str(c.body, "filter"));
  std::vector<std::string> outputs = OutputFields(c.body);
  for (const auto& f : outputs) req.add_output_fields(f);
  for (const auto& p : StrList(c.body, "partitionNames")) req.add_partition_names(p);
  bool use_default = true;
  req.set_consistency_level(Consistency(c.body, &use_default));
  req.set_use_default_consistency(use_default);
  AddExprParams(c.body, req.mutable_expr_template_values());
  int64_t limit = Int(c.body, "limit", 100);
  int64_t offset = Int(c.body, "offset", 0);
  auto add = [&](const std::string& k, const std::string& v) {
    auto* kv = req.add_query_params();
    kv->set_key(k);
    kv->set_value(v);
  };
  if (offset > 0) add("offset", std::to_string(offset));
  std::string lone = outputs.size() == 1 ? outputs[0] : "";
  std::transform(lone.begin(), lone.end(), lone.begin(), [](unsigned char ch) { return std::tolower(ch); });
  bool count_only = lone == "count(*)";
  if (limit > 0 && !count_only) add("limit", std::to_string(limit));
  auto resp = Invoke(c, &MilvusServiceImpl::Query, req);
  return QueryRows(c, resp, schema);
}

json Get(Call& c) {
  auto req = WithCollection<mpb::QueryRequest>(c);
  spb::CollectionSchema schema = Schema(c, req.collection_name());
  auto it = c.body.find("id");
  if (it == c.body.end() || it->is_null()) {
    Fail(kMissingRequiredParameters, "missing required parameters, error: Key: 'CollectionIDReq.ID' Error:Field "
                                     "validation for 'ID' failed on the 'required' tag");
  }
  req.set_expr(PrimaryKeyFilter(schema, *it, req.mutable_expr_template_values()));
  for (const auto& f : OutputFields(c.body)) req.add_output_fields(f);
  for (const auto& p : StrList(c.body, "partitionNames")) req.add_partition_names(p);
  bool use_default = true;
  req.set_consistency_level(Consistency(c.body, &use_default));
  req.set_use_default_consistency(use_default);
  auto resp = Invoke(c, &MilvusServiceImpl::Query, req);
  return QueryRows(c, resp, schema);
}

json Delete(Call& c) {
  auto req = WithCollection<mpb::DeleteRequest>(c);
  spb::CollectionSchema schema = Schema(c, req.collection_name());
  req.set_partition_name(Str(c.body, "partitionName"));
  req.set_expr(Str(c.body, "filter"));
  AddExprParams(c.body, req.mutable_expr_template_values());
  if (req.expr().empty()) {
    auto it = c.body.find("id");
    if (it == c.body.end() || it->is_null()) {
      Fail(kMissingRequiredParameters, "missing required parameters, error: Key: 'CollectionFilterReq.Filter' "
                                       "Error:Field validation for 'Filter' failed on the 'required' tag");
    }
    req.set_expr(PrimaryKeyFilter(schema, *it, req.mutable_expr_template_values()));
  }
  auto resp = Invoke(c, &MilvusServiceImpl::Delete, req);
  return Ok({{"deleteCount", resp.delete_cnt()}});
}

// searchParams: root keys are merged into "params" and also passed on their own
// (generateSearchParams); Milvus's camelCase metricType is Quiver's metric_type.
void AddSearchParams(const json& search_params, mpb::SearchRequest* req) {
  auto add = [&](const std::string& k, const std::string& v) {
    auto* kv = req->add_search_params();
    kv->set_key(k);
    kv->set_value(v);
  };
  json sp = search_params.is_object() ? search_params : json::object();
  json params = sp.contains("params") ? sp["params"] : json::object();
  if (params.is_null()) params = json::object();
  if (!params.is_object()) Fail(kParameterInvalid, "invalid parameter: searchParams.params must be a dict");
  for (const auto& [k, v] : sp.items()) {
    if (k == "params") continue;
    if (params.contains(k) && params[k] != v) {
      Fail(kParameterInvalid, fmt::format("invalid parameter: ambiguous parameter: {}, in search_param: {}, in "
                                          "search_param.params: {}", k, v.dump(), params[k].dump()));
    }
    params[k] = v;
  }
  add("params", params.dump());
  for (const auto& [k, v] : sp.items()) {
    if (k == "params") continue;
    add(k == "ignoreGrowing" ? "ignore_growing" : k, ValueText(v));
    if (k == "metricType") add("metric_type", ValueText(v));
  }
}

// The vector field a search names (`anns` may be empty when the schema has one vector field);
// null when none matches.
const spb::FieldSchema* AnnsField(const spb::CollectionSchema& schema, const std::string& anns) {
  const spb::FieldSchema* field = nullptr;
  for (const auto& f : schema.fields()) {
    if (!IsVectorType(f.data_type())) continue;
    if (anns.empty()) {
      if (field != nullptr) {
        Fail(kParameterInvalid, fmt::format("invalid parameter: search without annsField, but already found multiple "
                                            "vector fields: [{}, {},,,]", field->name(), f.name()));
      }
      field = &f;
    } else if (f.name() == anns) {
      field = &f;
    }
  }
  return field;
}

// Search results as REST rows (`topks` per query), as Milvus's search and hybrid_search answer.
json SearchAnswer(const Call& c, const spb::CollectionSchema& schema, const mpb::SearchResults& resp) {
  const auto& r = resp.results();
  if (r.top_k() == 0) return json{{"code", 0}, {"data", json::array()}, {"cost", 0}};
  RowsOptions o;
  o.int64_as_number = c.int64_as_number;
  if (const spb::FieldSchema* pk = PrimaryField(schema)) o.pk_name = pk->name();
  int64_t rows = r.ids().has_int_id() ? r.ids().int_id().data_size() : r.ids().str_id().data_size();
  auto out = ColumnsToRows(r.fields_data(), r.output_fields(), &r.ids(), &r.scores(), 0, rows, o);
  if (!out.ok()) Fail(kInvalidSearchResult, "fail to parse search result, error: " + out.status().message());
  json topks = json::array();
  for (int64_t k : r.topks()) topks.push_back(k);
  return json{{"code", 0}, {"data", *out}, {"cost", 0}, {"topks", topks}};
}

json Search(Call& c) {
  auto req = WithCollection<mpb::SearchRequest>(c);
  spb::CollectionSchema schema = Schema(c, req.collection_name());
  req.set_dsl(Str(c.body, "filter"));
  req.set_dsl_type(cpb::DslType::BoolExprV1);
  for (const auto& f : StrList(c.body, "outputFields")) req.add_output_fields(f);
  for (const auto& p : StrList(c.body, "partitionNames")) req.add_partition_names(p);
  bool use_default = true;
  req.set_consistency_level(Consistency(c.body, &use_default));
  req.set_use_default_consistency(use_default);
  AddExprParams(c.body, req.mutable_expr_template_values());

  const bool has_ids = c.body.contains("ids") && c.body["ids"].is_array() && !c.body["ids"].empty();
  const bool has_data = c.body.contains("data") && c.body["data"].is_array() && !c.body["data"].empty();
  if (has_ids && has_data) {
    Fail(kParameterInvalid, "primary keys (ids) and query vectors (data) are mutually exclusive. Please provide "
                            "either 'ids' or 'data', not both");
  }
  if (!has_ids && !has_data) {
    Fail(kMissingRequiredParameters, "either 'ids' (for primary key search) or 'data' (for vector search) must be provided");
  }
  std::string anns = Str(c.body, "annsField");
  const spb::FieldSchema* field = AnnsField(schema, anns);

  auto add = [&](const std::string& k, const std::string& v) {
    auto* kv = req.add_search_params();
    kv->set_key(k);
    kv->set_value(v);
  };
  AddSearchParams(c.body.contains("searchParams") ? c.body["searchParams"] : json(), &req);
  add("round_decimal", "-1");
  add("topk", std::to_string(Int(c.body, "limit", 100)));
  add("offset", std::to_string(Int(c.body, "offset", 0)));
  std::string group = Str(c.body, "groupingField");
  if (!group.empty()) {
    add("group_by_field", group);
    if (c.body.contains("groupSize")) add("group_size", std::to_string(Int(c.body, "groupSize", 1)));
    if (c.body.contains("strictGroupSize")) add("strict_group_size", Bool(c.body, "strictGroupSize") ? "true" : "false");
  } else if (c.body.contains("groupSize") || c.body.contains("strictGroupSize")) {
    Fail(kParameterInvalid, "invalid parameter: groupSize and strictGroupSize require groupingField");
  }

  if (has_ids) {
    const spb::FieldSchema* pk = PrimaryField(schema);
    if (pk == nullptr) Fail(kParameterInvalid, "collection has no primary key field");
    auto* ids = req.mutable_ids();
    for (const auto& v : c.body["ids"]) {
      if (pk->data_type() == spb::DataType::Int64) {
        if (!v.is_number_integer()) Fail(kParameterInvalid, "invalid parameter, error: invalid id " + v.dump());
        ids->mutable_int_id()->add_data(v.get<int64_t>());
      } else {
        if (!v.is_string()) Fail(kParameterInvalid, "invalid parameter, error: invalid id " + v.dump());
        ids->mutable_str_id()->add_data(v.get<std::string>());
      }
    }
    if (!anns.empty()) add("anns_field", anns);
  } else {
    if (field == nullptr) {
      Fail(kIncorrectParameterFormat, fmt::format("can only accept json format request, error: field not found[field={}]: "
                                                  "cannot find a vector field", anns));
    }
    add("anns_field", anns);
    auto group_bytes = QueriesToPlaceholderGroup(c.body["data"], *field);
    if (!group_bytes.ok()) {
      Fail(kIncorrectParameterFormat, "can only accept json format request, error: " + group_bytes.status().message());
    }
    req.set_placeholder_group(*group_bytes);
    req.set_nq(static_cast<int64_t>(c.body["data"].size()));
  }
  return SearchAnswer(c, schema, Invoke(c, &MilvusServiceImpl::Search, req));
}

// hybrid_search / advanced_search: one SearchRequest per element of `search` (its own data,
// annsField, filter, limit, offset, params, exprParams), fused by `rerank` (strategy + params).
// As in Milvus, a sub-search's metricType is not forwarded (the index decides).
json HybridSearch(Call& c) {
  auto req = WithCollection<mpb::HybridSearchRequest>(c);
  spb::CollectionSchema schema = Schema(c, req.collection_name());
  for (const auto& f : StrList(c.body, "outputFields")) req.add_output_fields(f);
  for (const auto& p : StrList(c.body, "partitionNames")) req.add_partition_names(p);
  bool use_default = true;
  req.set_consistency_level(Consistency(c.body, &use_default));
  req.set_use_default_consistency(use_default);
  auto unsupported = [](const json& j, const char* key, const char* what) {
    auto it = j.find(key);
    if (it != j.end() && !it->is_null() && !(it->is_array() && it->empty())) {
      Fail(kParameterInvalid, fmt::format("invalid parameter: {}", what));
    }
  };
  unsupported(c.body, "searchAggregation", "searchAggregation is not supported for hybrid search");
  unsupported(c.body, "functionChains", "functionChains is not supported for hybrid search yet");
  auto searches = c.body.find("search");
  if (searches == c.body.end() || searches->is_null()) searches = c.body.end();
  if (searches != c.body.end() && !searches->is_array()) {
    Fail(kIncorrectParameterFormat, "can only accept json format request, error: search must be a list");
  }
  if (searches != c.body.end()) {
    for (const auto& sub : *searches) {
      if (!sub.is_object()) Fail(kIncorrectParameterFormat, "can only accept json format request, error: search items must be objects");
      unsupported(sub, "searchAggregation", "searchAggregation is not supported for hybrid search");
      if (!sub.contains("data") || sub["data"].is_null()) {
        Fail(kMissingRequiredParameters, "missing required parameters, error: Key: 'SubSearchReq.Data' Error:Field "
                                         "validation for 'Data' failed on the 'required' tag");
      }
      mpb::SearchRequest* s = req.add_requests();
      s->set_db_name(req.db_name());
      s->set_collection_name(req.collection_name());
      s->set_dsl(Str(sub, "filter"));
      s->set_dsl_type(cpb::DslType::BoolExprV1);
      *s->mutable_output_fields() = req.output_fields();
      *s->mutable_partition_names() = req.partition_names();
      AddExprParams(sub, s->mutable_expr_template_values());
      AddSearchParams(sub.contains("params") ? json{{"params", sub["params"]}} : json(), s);
      std::string anns = Str(sub, "annsField");
      auto add = [&](const std::string& k, const std::string& v) {
        auto* kv = s->add_search_params();
        kv->set_key(k);
        kv->set_value(v);
      };
      add("topk", std::to_string(Int(sub, "limit", 0)));
      add("offset", std::to_string(Int(sub, "offset", 0)));
      add("anns_field", anns);
      const spb::FieldSchema* field = AnnsField(schema, anns);
      if (field == nullptr) {
        Fail(kIncorrectParameterFormat, fmt::format("can only accept json format request, error: field not found[field={}]: "
                                                    "cannot find a vector field", anns));
      }
      if (!sub["data"].is_array()) Fail(kIncorrectParameterFormat, "can only accept json format request, error: data must be a list");
      auto group_bytes = QueriesToPlaceholderGroup(sub["data"], *field);
      if (!group_bytes.ok()) {
        Fail(kIncorrectParameterFormat, "can only accept json format request, error: " + group_bytes.status().message());
      }
      s->set_placeholder_group(*group_bytes);
      s->set_nq(static_cast<int64_t>(sub["data"].size()));
    }
  }
  auto rank = [&](const std::string& k, const std::string& v) {
    auto* kv = req.add_rank_params();
    kv->set_key(k);
    kv->set_value(v);
  };
  json rerank = c.body.contains("rerank") && c.body["rerank"].is_object() ? c.body["rerank"] : json::object();
  rank("strategy", Str(rerank, "strategy"));
  json params = rerank.contains("params") ? rerank["params"] : json();
  rank("params", params.is_null() ? "null" : params.dump());
  rank("limit", std::to_string(Int(c.body, "limit", 0)));
  rank("offset", std::to_string(Int(c.body, "offset", 0)));
  rank("round_decimal", "-1");
  std::string group = Str(c.body, "groupingField");
  group.erase(0, group.find_first_not_of(' '));
  group.erase(group.find_last_not_of(' ') + 1);
  if (!group.empty()) {
    rank("group_by_field", group);
    if (c.body.contains("groupSize") && !c.body["groupSize"].is_null()) {
      int64_t size = Int(c.body, "groupSize", 1);
      if (size <= 0) Fail(kParameterInvalid, fmt::format("invalid parameter: groupSize must be a positive integer, got: {}", size));
      rank("group_size", std::to_string(size));
    }
    if (c.body.contains("strictGroupSize") && !c.body["strictGroupSize"].is_null()) {
      rank("strict_group_size", Bool(c.body, "strictGroupSize") ? "true" : "false");
    }
  } else if ((c.body.contains("groupSize") && !c.body["groupSize"].is_null()) ||
             (c.body.contains("strictGroupSize") && !c.body["strictGroupSize"].is_null())) {
    Fail(kParameterInvalid, "invalid parameter: groupSize and strictGroupSize require groupingField");
  }
  return SearchAnswer(c, schema, Invoke(c, &MilvusServiceImpl::HybridSearch, req));
}

json TruncateCollection(Call& c) {
  Invoke(c, &MilvusServiceImpl::TruncateCollection, WithCollection<mpb::TruncateCollectionRequest>(c));
  return OkEmpty();
}

json CompactCollection(Call& c) {
  auto req = WithCollection<mpb::ManualCompactionRequest>(c);
  req.set_majorcompaction(Bool(c.body, "isClustering"));
  auto resp = Invoke(c, &MilvusServiceImpl::ManualCompaction, req);
  return Ok(json{{"compactionID", resp.compactionid()}});
}

json CompactionState(Call& c) {
  mpb::GetCompactionStateRequest req;
  int64_t job = Int(c.body, "jobID", 0);
  req.set_compactionid(job);
  auto resp = Invoke(c, &MilvusServiceImpl::GetCompactionState, req);
  return Ok(json{{"compactionID", job},
                 {"state", cpb::CompactionState_Name(resp.state())},
                 {"executingPlanNumber", resp.executingplanno()},
                 {"timeoutPlanNumber", resp.timeoutplanno()},
                 {"completedPlanNumber", resp.completedplanno()}});
}

json AlterFieldProperties(Call& c) {
  auto req = WithCollection<mpb::AlterCollectionFieldRequest>(c);
  req.set_field_name(Str(c.body, "fieldName", true));
  AddProperties(c.body, "fieldParams", req.mutable_properties());
  Invoke(c, &MilvusServiceImpl::AlterCollectionField, req);
  return OkEmpty();
}

json AlterIndexProperties(Call& c) {
  auto req = WithCollection<mpb::AlterIndexRequest>(c);
  req.set_index_name(Str(c.body, "indexName", true));
  AddProperties(c.body, "properties", req.mutable_extra_params());
  Invoke(c, &MilvusServiceImpl::AlterIndex, req);
  return OkEmpty();
}

json DropIndexProperties(Call& c) {
  auto req = WithCollection<mpb::AlterIndexRequest>(c);
  req.set_index_name(Str(c.body, "indexName", true));
  for (const auto& k : StrList(c.body, "propertyKeys")) req.add_delete_keys(k);
  Invoke(c, &MilvusServiceImpl::AlterIndex, req);
  return OkEmpty();
}

// exprParams: {"name": value} → template values (scalars and arrays of one element type).
void AddExprParams(const json& body, google::protobuf::Map<std::string, spb::TemplateValue>* templates) {
  auto it = body.find("exprParams");
  if (it == body.end() || it->is_null()) return;
  if (!it->is_object()) Fail(kParameterInvalid, "invalid parameter: exprParams must be an object");
  std::function<void(const json&, spb::TemplateValue*)> scalar;
  std::function<void(const json&, spb::TemplateArrayValue*)> array = [&](const json& v, spb::TemplateArrayValue* a) {
    if (v.empty()) {
      a->mutable_long_data();
      return;
    }
    const json& first = v.front();
    for (const auto& e : v) {
      if (first.is_boolean()) {
        if (!e.is_boolean()) Fail(kParameterInvalid, "invalid parameter: exprParams arrays must hold one type");
        a->mutable_bool_data()->add_data(e.get<bool>());
      } else if (first.is_number_integer() && e.is_number_integer()) {
        a->mutable_long_data()->add_data(e.get<int64_t>());
      } else if (first.is_number()) {
        if (!e.is_number()) Fail(kParameterInvalid, "invalid parameter: exprParams arrays must hold one type");
        a->mutable_double_data()->add_data(e.get<double>());
      } else if (first.is_string()) {
        if (!e.is_string()) Fail(kParameterInvalid, "invalid parameter: exprParams arrays must hold one type");
        a->mutable_string_data()->add_data(e.get<std::string>());
      } else if (first.is_array()) {
        array(e, a->mutable_array_data()->add_data());
      } else {
        a->mutable_json_data()->add_data(e.dump());
      }
    }
  };
  scalar = [&](const json& v, spb::TemplateValue* t) {
    if (v.is_boolean()) t->set_bool_val(v.get<bool>());
    else if (v.is_number_integer()) t->set_int64_val(v.get<int64_t>());
    else if (v.is_number()) t->set_float_val(v.get<double>());
    else if (v.is_string()) t->set_string_val(v.get<std::string>());
    else if (v.is_array()) array(v, t->mutable_array_val());
    else Fail(kParameterInvalid, "invalid parameter: unsupported exprParams value " + v.dump());
  };
  for (const auto& [k, v] : it->items()) scalar(v, &(*templates)[k]);
}

using Endpoint = json (*)(Call&);

const std::map<std::string, Endpoint, std::less<>>& Routes() {
  static const auto* routes = new std::map<std::string, Endpoint, std::less<>>{
      {"/v2/vectordb/collections/list", ListCollections},
      {"/v2/vectordb/collections/has", HasCollection},
      {"/v2/vectordb/collections/describe", DescribeCollection},
      {"/v2/vectordb/collections/get_stats", CollectionStats},
      {"/v2/vectordb/collections/get_load_state", CollectionLoadState},
      {"/v2/vectordb/collections/create", CreateCollection},
      {"/v2/vectordb/collections/drop", DropCollection},
      {"/v2/vectordb/collections/rename", RenameCollection},
      {"/v2/vectordb/collections/load", LoadCollection},
      {"/v2/vectordb/collections/refresh_load", RefreshLoadCollection},
      {"/v2/vectordb/collections/release", ReleaseCollection},
      {"/v2/vectordb/collections/flush", FlushCollection},
      {"/v2/vectordb/collections/alter_properties", AlterCollectionProperties},
      {"/v2/vectordb/collections/drop_properties", DropCollectionProperties},
      {"/v2/vectordb/collections/fields/add", AddCollectionField},
      {"/v2/vectordb/partitions/list", ListPartitions},
      {"/v2/vectordb/partitions/has", HasPartition},
      {"/v2/vectordb/partitions/get_stats", PartitionStats},
      {"/v2/vectordb/partitions/create", CreatePartition},
      {"/v2/vectordb/partitions/drop", DropPartition},
      {"/v2/vectordb/partitions/load", LoadPartitions},
      {"/v2/vectordb/partitions/release", ReleasePartitions},
      {"/v2/vectordb/aliases/create", CreateAlias},
      {"/v2/vectordb/aliases/drop", DropAlias},
      {"/v2/vectordb/aliases/alter", AlterAlias},
      {"/v2/vectordb/aliases/describe", DescribeAlias},
      {"/v2/vectordb/aliases/list", ListAliases},
      {"/v2/vectordb/indexes/create", CreateIndex},
      {"/v2/vectordb/indexes/describe", DescribeIndex},
      {"/v2/vectordb/indexes/list", ListIndexes},
      {"/v2/vectordb/indexes/drop", DropIndex},
      {"/v2/vectordb/databases/create", CreateDatabase},
      {"/v2/vectordb/databases/drop", DropDatabase},
      {"/v2/vectordb/databases/list", ListDatabases},
      {"/v2/vectordb/databases/describe", DescribeDatabase},
      {"/v2/vectordb/databases/alter", AlterDatabase},
      {"/v2/vectordb/databases/alter_properties", AlterDatabase},
      {"/v2/vectordb/databases/drop_properties", DropDatabaseProperties},
      {"/v2/vectordb/entities/insert", Insert},
      {"/v2/vectordb/entities/upsert", Upsert},
      {"/v2/vectordb/entities/delete", Delete},
      {"/v2/vectordb/entities/query", Query},
      {"/v2/vectordb/entities/get", Get},
      {"/v2/vectordb/entities/search", Search},
      {"/v2/vectordb/entities/hybrid_search", HybridSearch},
      {"/v2/vectordb/entities/advanced_search", HybridSearch},
      {"/v2/vectordb/collections/truncate", TruncateCollection},
      {"/v2/vectordb/collections/compact", CompactCollection},
      {"/v2/vectordb/collections/get_compaction_state", CompactionState},
      {"/v2/vectordb/collections/fields/alter_properties", AlterFieldProperties},
      {"/v2/vectordb/indexes/alter_properties", AlterIndexProperties},
      {"/v2/vectordb/indexes/drop_properties", DropIndexProperties},
  };
  return *routes;
}

RestResponse JsonResponse(const json& j) {
  RestResponse r;
  // Invalid UTF-8 in stored strings is replaced rather than failing the whole answer.
  r.body = j.dump(-1, ' ', false, json::error_handler_t::replace);
  return r;
}

RestResponse ErrorResponse(int32_t code, const std::string& message) {
  return JsonResponse(json{{"code", code}, {"message", message}});
}

}  // namespace

RestResponse RestHandler::Handle(const RestRequest& request) {
  if (request.method == "OPTIONS") {
    RestResponse r;
    r.http_status = 204;
    r.content_type.clear();
    return r;
  }
  const auto& routes = Routes();
  auto route = routes.find(request.path);
  if (route == routes.end() || request.method != "POST") {
    // gin's default for an unregistered route (Milvus sets no NoRoute handler).
    RestResponse r;
    r.http_status = 404;
    r.content_type = "text/plain";
    r.body = "404 page not found";
    return r;
  }
  if (request.body.empty()) {
    return ErrorResponse(kIncorrectParameterFormat,
                         "can only accept json format request, the request body should be nil, however {} is valid");
  }
  json body = json::parse(request.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded() || !body.is_object()) {
    return ErrorResponse(kIncorrectParameterFormat, "can only accept json format request, error: invalid JSON body");
  }
  std::string allow = request.allow_int64_header;
  bool int64_as_number = !(allow == "false" || allow == "0" || allow == "f" || allow == "F" || allow == "FALSE" ||
                           allow == "False");
  try {
    std::string db = Str(body, "dbName");
    if (db.empty()) db = request.db_name_header;
    if (db.empty()) db = "default";
    Call call{service_, body, db, int64_as_number};
    return JsonResponse(route->second(call));
  } catch (const Failure& f) {
    return ErrorResponse(f.code, f.message);
  } catch (const json::exception& e) {
    return ErrorResponse(kIncorrectParameterFormat, std::string("can only accept json format request, error: ") + e.what());
  } catch (const std::exception& e) {
    return ErrorResponse(65535, e.what());
  }
}

}  // namespace quiver::proxy::rest
