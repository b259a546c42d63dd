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
const std::set<std::string> kScalarIndexes = {"INVERTED", "STL_SORT", "Trie", "TRIE", "BITMAP",
                                              "HYBRID",   "NGRAM",    "AUTOINDEX"};

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

  if (!kScalarIndexes.contains(type)) {
    if (kFloatIndexes.contains(type) || kBinaryIndexes.contains(type) || kSparseIndexes.contains(type)) {
      return InvalidParam("data type {} can't build with this index {}", DataTypeName(dt), type);
    }
    return InvalidParam("invalid index type: {}", type);
  }
  auto numeric = dt == DataType::Int8 || dt == DataType::Int16 || dt == DataType::Int32 ||
                 dt == DataType::Int64 || dt == DataType::Float || dt == DataType::Double;
  bool ok = true;
  if (type == "STL_SORT") ok = numeric;
  if (type == "Trie" || type == "TRIE") ok = dt == DataType::VarChar;
  if (type == "BITMAP") {
    ok = dt == DataType::Bool || dt == DataType::VarChar ||
         (numeric && dt != DataType::Float && dt != DataType::Double) ||
         (dt == DataType::Array && field.element_type() != DataType::Float &&
          field.element_type() != DataType::Double);
    if (field.is_primary_key()) ok = false;
  }
  if (type == "NGRAM") ok = dt == DataType::VarChar || dt == DataType::JSON;
  if (type == "HYBRID") ok = numeric || dt == DataType::VarChar || dt == DataType::Bool;
  if (!ok) {
    return InvalidParam("{} are not supported on {} field", type, DataTypeName(dt));
  }
  if (!metric.empty()) Set(p, "metric_type", metric);
  return p;
}

}  // namespace quiver::proxy
