#include "proxy/index_params.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <set>

#include "proxy/schema_validation.h"

namespace quiver::proxy {

using milvus::proto::schema::DataType;
using milvus::proto::schema::FieldSchema;

namespace {

std::string Upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::toupper(c); });
  return s;
}

void Set(IndexParams& p, const std::string& k, const std::string& v) {
  for (auto& kv : p) {
    if (kv.first == k) {
      kv.second = v;
      return;
    }
  }
  p.emplace_back(k, v);
}

const std::set<std::string> kFloatIndexes = {"FLAT",     "IVF_FLAT", "IVF_SQ8", "IVF_PQ",
                                             "IVF_RABITQ", "HNSW",   "HNSW_SQ", "HNSW_PQ",
                                             "HNSW_PRQ", "SCANN",    "DISKANN", "AUTOINDEX"};
const std::set<std::string> kHalfIndexes = {"FLAT",    "IVF_FLAT", "IVF_SQ8", "IVF_PQ",  "HNSW",
                                            "HNSW_SQ", "HNSW_PQ",  "HNSW_PRQ", "SCANN", "DISKANN",
                                            "AUTOINDEX"};
const std::set<std::string> kInt8Indexes = {"HNSW", "HNSW_SQ", "HNSW_PQ", "HNSW_PRQ", "AUTOINDEX"};
const std::set<std::string> kBinaryIndexes = {"BIN_FLAT", "BIN_IVF_FLAT", "MINHASH_LSH", "AUTOINDEX"};
const std::set<std::string> kSparseIndexes = {"SPARSE_INVERTED_INDEX", "SPARSE_WAND", "AUTOINDEX"};
const std::set<std::string> kScalarIndexes = {"INVERTED", "STL_SORT", "Trie",     "TRIE",
                                              "BITMAP",   "NGRAM",    "AUTOINDEX"};
const std::set<std::string> kJsonCastTypes = {
    "BOOL", "DOUBLE", "VARCHAR", "ARRAY_BOOL", "ARRAY_DOUBLE", "ARRAY_VARCHAR", "JSON"};

const std::set<std::string> kDenseMetrics = {"L2", "IP", "COSINE"};
const std::set<std::string> kBinaryMetrics = {"HAMMING", "JACCARD", "SUBSTRUCTURE",
                                              "SUPERSTRUCTURE", "MHJACCARD"};
const std::set<std::string> kSparseMetrics = {"IP", "BM25"};

std::string JsonToParam(const nlohmann::json& v) {
  if (v.is_string()) return v.get<std::string>();
  return v.dump();
}

Status CheckIntRange(const IndexParams& p, const std::string& key, int64_t lo, int64_t hi,
                     bool required = false) {
  std::string v = ParamValue(p, key);
  if (v.empty()) {
    if (required) return InvalidParam("param '{}' is required", key);
    return Status::Ok();
  }
  auto n = ParseInt(v);
  if (!n || *n < lo || *n > hi) {
    return InvalidParam("param '{}' ({}) should be in range [{}, {}]", key, v, lo, hi);
  }
  return Status::Ok();
}

Status CheckVectorParams(const std::string& type, const IndexParams& p, const FieldSchema& f) {
  if (type == "IVF_FLAT" || type == "IVF_SQ8" || type == "IVF_PQ" || type == "IVF_RABITQ" ||
      type == "SCANN" || type == "BIN_IVF_FLAT") {
    QV_RETURN_IF_ERROR(CheckIntRange(p, "nlist", 1, 65536));
  }
  if (type.starts_with("HNSW")) {
    QV_RETURN_IF_ERROR(CheckIntRange(p, "M", 2, 2048));
    QV_RETURN_IF_ERROR(CheckIntRange(p, "efConstruction", 1, INT32_MAX));
  }
  if (type == "IVF_PQ" || type == "HNSW_PQ" || type == "HNSW_PRQ") {
    QV_RETURN_IF_ERROR(CheckIntRange(p, "nbits", 1, 16));
    std::string m = ParamValue(p, "m");
    auto dim = ParseInt(TypeParam(f, "dim").value_or(""));
    if (!m.empty()) {
      auto mv = ParseInt(m);
      if (!mv || *mv <= 0 || (dim && *dim % *mv != 0)) {
        return InvalidParam("dimension must be able to be divided by `m`, dimension: {}, m: {}",
                            dim.value_or(0), m);
      }
    }
  }
  if (type == "DISKANN") QV_RETURN_IF_ERROR(CheckIntRange(p, "max_degree", 1, 512));
  return Status::Ok();
}

}  // namespace

std::string ParamValue(const IndexParams& params, const std::string& key) {
  for (const auto& [k, v] : params) {
    if (k == key) return v;
  }
  return "";
}

Result<IndexParams> NormalizeIndexParams(
    const google::protobuf::RepeatedPtrField<milvus::proto::common::KeyValuePair>& extra,
    const FieldSchema& field) {
  IndexParams p;
  for (const auto& kv : extra) {
    if (kv.key() == "params") {
      if (kv.value().empty()) continue;
      nlohmann::json j = nlohmann::json::parse(kv.value(), nullptr, /*allow_exceptions=*/false);
      if (j.is_discarded() || !j.is_object()) {
        return InvalidParam("index params is not a JSON object: {}", kv.value());
      }
      for (const auto& [k, v] : j.items()) Set(p, k, JsonToParam(v));
    } else {
      Set(p, kv.key(), kv.value());
    }
  }

  std::string type = ParamValue(p, "index_type");
  if (type.empty()) type = "AUTOINDEX";
  if (type != "Trie") type = Upper(type);
  Set(p, "index_type", type);
  std::string metric = Upper(ParamValue(p, "metric_type"));

  const DataType dt = field.data_type();
  if (IsVectorType(dt)) {
    const std::set<std::string>* types = &kFloatIndexes;
    const std::set<std::string>* metrics = &kDenseMetrics;
    std::string default_metric = "COSINE";
    if (dt == DataType::BinaryVector) {
      types = &kBinaryIndexes;
      metrics = &kBinaryMetrics;
      default_metric = "HAMMING";
    } else if (dt == DataType::SparseFloatVector) {
      types = &kSparseIndexes;
      metrics = &kSparseMetrics;
      default_metric = "IP";
    } else if (dt == DataType::Float16Vector || dt == DataType::BFloat16Vector) {
      types = &kHalfIndexes;
    } else if (dt == DataType::Int8Vector) {
      types = &kInt8Indexes;
    }
    if (!types->contains(type)) {
      if (kScalarIndexes.contains(type) || kFloatIndexes.contains(type) ||
          kBinaryIndexes.contains(type) || kSparseIndexes.contains(type)) {
        return InvalidParam("data type {} can't build with this index {}", DataTypeName(dt), type);
      }
      return InvalidParam("invalid index type: {}", type);
    }
    if (metric.empty()) metric = default_metric;
    if (!metrics->contains(metric)) {
      return InvalidParam("metric type {} not found or not supported, supported: [{}]", metric,
                          fmt::join(*metrics, " "));
    }
    if (type == "MINHASH_LSH" && metric != "MHJACCARD") {
      return InvalidParam("metric type {} not supported by MINHASH_LSH, supported: [MHJACCARD]", metric);
    }
    if (type == "BIN_IVF_FLAT" && metric != "HAMMING" && metric != "JACCARD") {
      return InvalidParam("metric type {} not supported by BIN_IVF_FLAT, supported: [HAMMING JACCARD]", metric);
    }
    Set(p, "metric_type", metric);
    QV_RETURN_IF_ERROR(CheckVectorParams(type, p, field));
    return p;
  }

  // HYBRID is Milvus-internal (what scalar AUTOINDEX resolves to): users may not ask for it.
  if (!kScalarIndexes.contains(type)) {
    if (kFloatIndexes.contains(type) || kBinaryIndexes.contains(type) || kSparseIndexes.contains(type)) {
      return InvalidParam("data type {} can't build with this index {}", DataTypeName(dt), type);
    }
    return InvalidParam("invalid index type: {}", type);
  }
  // Milvus 2.6's per-type checks (indexparamcheck: *_checker.go), with their messages.
  auto integer = [](DataType t) {
    return t == DataType::Int8 || t == DataType::Int16 || t == DataType::Int32 ||
           t == DataType::Int64;
  };
  auto floating = [](DataType t) { return t == DataType::Float || t == DataType::Double; };
  auto string = [](DataType t) { return t == DataType::VarChar || t == DataType::String; };
  if (type == "STL_SORT" && !integer(dt) && !floating(dt) && !string(dt)) {
    return InvalidParam(
        "STL_SORT are only supported on numeric, varchar or timestamptz field, got {}",
        DataTypeName(dt));
  }
  if ((type == "Trie" || type == "TRIE") && !string(dt)) {
    return InvalidParam("TRIE are only supported on varchar field");
  }
  if (type == "BITMAP") {
    if (field.is_primary_key())
      return InvalidParam("create bitmap index on primary key not supported");
    const DataType e = field.element_type();
    if (dt != DataType::Bool && !integer(dt) && !string(dt) && dt != DataType::Array) {
      return InvalidParam("bitmap index are only supported on bool, int, string and array field");
    }
    if (dt == DataType::Array && e != DataType::Bool && !integer(e) && !string(e)) {
      return InvalidParam("bitmap index are only supported on bool, int, string for array field");
    }
  }
  if (type == "INVERTED" && dt != DataType::Bool && !integer(dt) && !floating(dt) && !string(dt) &&
      dt != DataType::Array && dt != DataType::JSON) {
    return InvalidParam("INVERTED are not supported on {} field", DataTypeName(dt));
  }
  if (type == "NGRAM" && !string(dt) && dt != DataType::JSON) {
    return InvalidParam("Ngram index can only be created on VARCHAR or JSON field");
  }
  if (dt == DataType::JSON && (type == "INVERTED" || type == "AUTOINDEX")) {
    // json_cast_type is required, compared upper case; json_path defaults to the field name
    // (filled in by CreateIndex, which knows the name the request used).
    std::string cast = ParamValue(p, "json_cast_type");
    cast.erase(0, cast.find_first_not_of(" \t"));
    cast.erase(cast.find_last_not_of(" \t") + 1);
    if (ParamValue(p, "json_cast_type").empty()) {
      return Status::InvalidArgument(
          "json index must specify cast type: missing parameter[missing_param=json_cast_type]");
    }
    cast = Upper(cast);
    if (!kJsonCastTypes.contains(cast)) {
      return InvalidParam("json_cast_type {} is not supported", cast);
    }
    Set(p, "json_cast_type", cast);
    std::string fn = ParamValue(p, "json_cast_function");
    if (!fn.empty()) {
      fn = Upper(fn);
      if (fn != "STRING_TO_DOUBLE")
        return InvalidParam("json_cast_function {} is not supported", fn);
      if (cast != "DOUBLE") {
        return InvalidParam("json_cast_function {} is not supported for json_cast_type {}", fn,
                            cast);
      }
      Set(p, "json_cast_function", fn);
    }
  } else if (dt != DataType::JSON && !ParamValue(p, "json_path").empty()) {
    return InvalidParam("json_path is only supported on JSON fields, {} is {}", field.name(),
                        DataTypeName(dt));
  }
  if (type == "AUTOINDEX" && !integer(dt) && !floating(dt) && !string(dt) && dt != DataType::Bool &&
      dt != DataType::Array && dt != DataType::JSON) {
    return InvalidParam("create auto index on type:{} is not supported", DataTypeName(dt));
  }
  if (!metric.empty()) Set(p, "metric_type", metric);
  return p;
}

}  // namespace quiver::proxy
