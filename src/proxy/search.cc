// MilvusService Search: top-k over the visible rows for every vector type and metric, with
// filters, partitions, offset, range and grouping search, the search iterator and output fields.
// Rows covered by the field's ANN index (index::VectorIndex, built in the background) are
// searched through it unless the planner finds an exact scan of the survivors cheaper; every
// other row is scored exactly.
#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <set>
#include <span>
#include <nlohmann/json.hpp>

#include "common.pb.h"
#include "index/distance.h"
#include "index/flat_scan.h"
#include "proxy/filter.h"
#include "proxy/milvus_service.h"
#include "proxy/output.h"
#include "proxy/service_util.h"
#include "segment/field_data.h"

namespace quiver::proxy {
namespace {

using index::Metric;
using segment::FieldData;
using segment::RowRef;

constexpr int64_t kMaxTopK = 16384;
constexpr int64_t kMaxNq = 16384;

struct SearchParams {
  std::string anns_field;
  std::string metric;
  int64_t topk = -1;
  int64_t offset = 0;
  int64_t round_decimal = -1;
  std::optional<double> radius;
  std::optional<double> range_filter;
  std::string group_by_field;
  int64_t group_size = 1;
  bool strict_group_size = false;
  // Milvus: search sealed segments only (here: persisted chunks).
  bool ignore_growing = false;
  // HNSW search list size when the request names none: high enough for ~0.95 recall@10 on
  // hard (uniform 128-d) data; users trade it down with `ef`.
  size_t ef = 256;
  // IVF lists probed when the request names none (Milvus's default).
  size_t nprobe = 8;
  // Sparse: share of the query's smallest values ignored (Milvus's default 0).
  double drop_ratio_search = 0;
  // Quantised indexes: candidates fetched per wanted hit before exact rescoring (Milvus's
  // refine_k, default 1).
  double refine_k = 1;
  // Search iterator v2 (`iterator` + `search_iter_v2`): each batch continues strictly after
  // `last_bound` (rows tied with it that the previous batch returned are listed in the token).
  bool iterator_v2 = false;
  std::optional<float> last_bound;
  std::string token;
  Timestamp guarantee_ts = 0;
};

Result<SearchParams> ParseSearchParams(
    const google::protobuf::RepeatedPtrField<milvus::proto::common::KeyValuePair>& kvs) {
  SearchParams p;
  std::map<std::string, std::string> top;
  for (const auto& kv : kvs) top[kv.key()] = kv.value();
  nlohmann::json params = nlohmann::json::object();
  if (auto it = top.find("params"); it != top.end() && !it->second.empty()) {
    params = nlohmann::json::parse(it->second, nullptr, false);
    if (params.is_discarded() || !params.is_object()) {
      return InvalidParam("search params is not a JSON object: {}", it->second);
    }
  }
  auto get = [&](const std::string& k) -> std::optional<std::string> {
    if (auto it = top.find(k); it != top.end()) return it->second;
    if (params.contains(k)) {
      const auto& v = params[k];
      return v.is_string() ? v.get<std::string>() : v.dump();
    }
    return std::nullopt;
  };
  auto get_int = [&](const std::string& k, int64_t* out) -> Status {
    auto v = get(k);
    if (!v) return Status::Ok();
    auto n = ParseInt(*v);
    if (!n) return InvalidParam("{} [{}] is invalid", k, *v);
    *out = *n;
    return Status::Ok();
  };
  p.anns_field = get("anns_field").value_or("");
  p.metric = get("metric_type").value_or("");
  QV_RETURN_IF_ERROR(get_int("topk", &p.topk));
  if (p.topk < 0) QV_RETURN_IF_ERROR(get_int("limit", &p.topk));
  QV_RETURN_IF_ERROR(get_int("offset", &p.offset));
  QV_RETURN_IF_ERROR(get_int("round_decimal", &p.round_decimal));
  auto num = [&](const std::string& k) -> Result<std::optional<double>> {
    if (!params.contains(k)) return std::optional<double>();
    if (!params[k].is_number()) return InvalidParam("{} must be a number", k);
    return std::optional<double>(params[k].get<double>());
  };
  QV_ASSIGN_OR_RETURN(p.radius, num("radius"));
  QV_ASSIGN_OR_RETURN(p.range_filter, num("range_filter"));
  p.group_by_field = get("group_by_field").value_or("");
  QV_RETURN_IF_ERROR(get_int("group_size", &p.group_size));
  if (p.group_size <= 0 || p.group_size > 1024) {
    return InvalidParam("group_size [{}] is invalid, it should be in range [1, 1024]", p.group_size);
  }
  p.strict_group_size = Truthy(get("strict_group_size").value_or("false"));
  p.ignore_growing = Truthy(get("ignore_growing").value_or("false"));
  int64_t ef = 0;
  QV_RETURN_IF_ERROR(get_int("ef", &ef));
  if (ef < 0) return InvalidParam("ef [{}] is invalid", ef);
  if (ef > 0) p.ef = static_cast<size_t>(ef);
  int64_t nprobe = 0;
  QV_RETURN_IF_ERROR(get_int("nprobe", &nprobe));
  if (nprobe < 0 || nprobe > 65536) {
    return InvalidParam("param 'nprobe' ({}) should be in range [1, 65536]", nprobe);
  }
  if (nprobe > 0) p.nprobe = static_cast<size_t>(nprobe);
  QV_ASSIGN_OR_RETURN(std::optional<double> refine_k, num("refine_k"));
  if (refine_k) {
    if (!(*refine_k >= 1) || *refine_k > 1000) return InvalidParam("refine_k ({}) should be in range [1, 1000]", *refine_k);
    p.refine_k = *refine_k;
  }
  QV_ASSIGN_OR_RETURN(std::optional<double> drop, num("drop_ratio_search"));
  if (drop) {
    if (*drop < 0 || *drop >= 1) {
      return InvalidParam("param 'drop_ratio_search' ({}) should be in range [0.000000, 1.000000)", *drop);
    }
    p.drop_ratio_search = *drop;
  }
  auto truthy = [&](const std::string& k) { return Truthy(get(k).value_or("false")); };
  p.iterator_v2 = truthy("iterator") && truthy("search_iter_v2");
  if (p.iterator_v2) {
    int64_t batch = 0;
    QV_RETURN_IF_ERROR(get_int("search_iter_batch_size", &batch));
    if (batch > 0) p.topk = batch;
    if (auto lb = get("search_iter_last_bound"); lb && !lb->empty() && *lb != "null") {
      char* end = nullptr;
      float v = std::strtof(lb->c_str(), &end);
      if (end == lb->c_str()) return InvalidParam("search_iter_last_bound [{}] is invalid", *lb);
      p.last_bound = v;
    }
    p.token = get("search_iter_id").value_or("");
    if (p.token == "null") p.token.clear();
    int64_t gts = 0;
    QV_RETURN_IF_ERROR(get_int("guarantee_timestamp", &gts));
    p.guarantee_ts = static_cast<Timestamp>(std::max<int64_t>(0, gts));
  }
  if (p.topk < 0) return InvalidParam("topk not found in search_params");
  if (p.topk <= 0 || p.topk > kMaxTopK) {
    return InvalidParam("topk [{}] is invalid, it should be in range [1, {}]", p.topk, kMaxTopK);
  }
  if (p.offset < 0 || p.topk + p.offset > kMaxTopK) {
    return InvalidParam("topk+offset [{}] is invalid, it should be in range [1, {}]", p.topk + p.offset, kMaxTopK);
  }
  return p;
}

// One query vector decoded into the form its kernel needs.
struct QueryVector {
  std::vector<float> dense;  // float, float16, bfloat16 and int8 queries
  std::string bytes;         // binary and sparse queries
  float norm = 0;
};

Result<std::vector<QueryVector>> DecodeQueries(const std::string& group_bytes,
                                               const milvus::proto::schema::FieldSchema& field,
                                               Metric metric) {
  milvus::proto::common::PlaceholderGroup group;
  if (!group.ParseFromString(group_bytes) || group.placeholders_size() != 1) {
    return InvalidParam("the placeholder group of the search request is malformed");
  }
  const auto& ph = group.placeholders(0);
  using milvus::proto::common::PlaceholderType;
  using milvus::proto::schema::DataType;
  const int64_t dim = segment::VectorDim(field);
  std::vector<QueryVector> out;
  if (ph.values_size() == 0) return InvalidParam("nq [0] is invalid, nq (number of search vector per search request) should be in range [1, {}]", kMaxNq);
  if (ph.values_size() > kMaxNq) {
    return InvalidParam("nq [{}] is invalid, nq (number of search vector per search request) should be in range [1, {}]",
                        ph.values_size(), kMaxNq);
  }
  auto expect = [&](PlaceholderType t) -> Status {
    if (ph.type() != t) {
      return InvalidParam("the type of the search vectors ({}) does not match the field {} ({})",
                          PlaceholderType_Name(ph.type()), field.name(), DataTypeName(field.data_type()));
    }
    return Status::Ok();
  };
  for (const auto& v : ph.values()) {
    QueryVector q;
    switch (field.data_type()) {
      case DataType::FloatVector: {
        QV_RETURN_IF_ERROR(expect(PlaceholderType::FloatVector));
        if (static_cast<int64_t>(v.size()) != dim * 4) {
          return InvalidParam("the dimension of the search vector ({}) does not match the field {} ({})",
                              v.size() / 4, field.name(), dim);
        }
        q.dense.resize(static_cast<size_t>(dim));
        std::memcpy(q.dense.data(), v.data(), v.size());
        break;
      }
      case DataType::Float16Vector:
      case DataType::BFloat16Vector: {
        bool half = field.data_type() == DataType::Float16Vector;
        if (ph.type() == PlaceholderType::FloatVector && static_cast<int64_t>(v.size()) == dim * 4) {
          q.dense.resize(static_cast<size_t>(dim));
          std::memcpy(q.dense.data(), v.data(), v.size());
          break;
        }
        QV_RETURN_IF_ERROR(expect(half ? PlaceholderType::Float16Vector : PlaceholderType::BFloat16Vector));
        if (static_cast<int64_t>(v.size()) != dim * 2) {
          return InvalidParam("the dimension of the search vector ({}) does not match the field {} ({})",
                              v.size() / 2, field.name(), dim);
        }
        q.dense.resize(static_cast<size_t>(dim));
        for (int64_t i = 0; i < dim; ++i) {
          uint16_t h;
          std::memcpy(&h, v.data() + 2 * i, 2);
          q.dense[static_cast<size_t>(i)] = half ? index::HalfToFloat(h) : index::BFloat16ToFloat(h);
        }
        break;
      }
      case DataType::Int8Vector: {
        QV_RETURN_IF_ERROR(expect(PlaceholderType::Int8Vector));
        if (static_cast<int64_t>(v.size()) != dim) {
          return InvalidParam("the dimension of the search vector ({}) does not match the field {} ({})",
                              v.size(), field.name(), dim);
        }
        q.dense.resize(static_cast<size_t>(dim));
        for (int64_t i = 0; i < dim; ++i) q.dense[static_cast<size_t>(i)] = static_cast<int8_t>(v[static_cast<size_t>(i)]);
        break;
      }
      case DataType::BinaryVector:
        QV_RETURN_IF_ERROR(expect(PlaceholderType::BinaryVector));
        if (static_cast<int64_t>(v.size()) != dim / 8) {
          return InvalidParam("the dimension of the search vector ({}) does not match the field {} ({})",
                              v.size() * 8, field.name(), dim);
        }
        q.bytes = v;
        break;
      case DataType::SparseFloatVector:
        QV_RETURN_IF_ERROR(expect(PlaceholderType::SparseFloatVector));
        if (v.size() % 8 != 0) return InvalidParam("a sparse search vector must be (index, value) pairs");
        q.bytes = v;
        break;
      default:
        return InvalidParam("field {} is not a vector field", field.name());
    }
    if (metric == Metric::kCosine) q.norm = index::Norm(q.dense.data(), static_cast<int64_t>(q.dense.size()));
    out.push_back(std::move(q));
  }
  return out;
}

// Scores every row of `rows` against one query. Stored rows are decoded per chunk column.
class Scorer {
 public:
  Scorer(const milvus::proto::schema::FieldSchema& field, Metric metric)
      : field_(field), metric_(metric), dim_(segment::VectorDim(field)) {}

  float Score(const QueryVector& q, const RowRef& r) {
    // Rows arrive grouped by chunk; look the column up once per chunk.
    if (r.chunk != last_chunk_) {
      last_chunk_ = r.chunk;
      last_col_ = r.chunk->Column(field_.fieldid());
    }
    const FieldData* col = last_col_;
    if (!col) return NAN;
    const auto& v = col->vectors();
    using milvus::proto::schema::VectorField;
    switch (v.data_case()) {
      case VectorField::kFloatVector:
        return Dense(q, v.float_vector().data().data() + r.row * dim_);
      case VectorField::kFloat16Vector:
      case VectorField::kBfloat16Vector:
      case VectorField::kInt8Vector:
        scratch_.resize(static_cast<size_t>(dim_));
        if (!segment::DecodeDenseRows(v, r.row, 1, dim_, scratch_.data())) return NAN;
        return Dense(q, scratch_.data());
      case VectorField::kBinaryVector: {
        const auto* row = reinterpret_cast<const uint8_t*>(v.binary_vector().data()) + r.row * (dim_ / 8);
        const auto* qb = reinterpret_cast<const uint8_t*>(q.bytes.data());
        if (metric_ == Metric::kJaccard) return index::JaccardDistance(qb, row, dim_ / 8);
        return static_cast<float>(index::Hamming(qb, row, dim_ / 8));
      }
      case VectorField::kSparseFloatVector:
        return index::SparseInnerProduct(q.bytes, v.sparse_float_vector().contents(static_cast<int>(r.row)));
      default:
        return NAN;
    }
  }

 private:
  float Dense(const QueryVector& q, const float* row) {
    switch (metric_) {
      case Metric::kL2: return index::L2Squared(q.dense.data(), row, dim_);
      case Metric::kIP: return index::InnerProduct(q.dense.data(), row, dim_);
      case Metric::kCosine: {
        float n = index::Norm(row, dim_) * q.norm;
        return n == 0 ? 0.0f : index::InnerProduct(q.dense.data(), row, dim_) / n;
      }
      default: return NAN;
    }
  }

  const milvus::proto::schema::FieldSchema& field_;
  Metric metric_;
  int64_t dim_;
  std::vector<float> scratch_;
  const segment::Chunk* last_chunk_ = nullptr;
  const FieldData* last_col_ = nullptr;
};

const milvus::proto::schema::FieldSchema* ResolveAnnsField(const CollectionRecord& c,
                                                           const std::string& name, Status* err) {
  const milvus::proto::schema::FieldSchema* found = nullptr;
  int vectors = 0;
  for (const auto& f : c.schema().fields()) {
    if (!IsVectorType(f.data_type())) continue;
    ++vectors;
    if (name.empty() || f.name() == name) found = &f;
  }
  if (name.empty() && vectors > 1) {
    *err = InvalidParam("multiple anns_fields exist, please specify a anns_field in search_params");
    return nullptr;
  }
  if (!found) {
    *err = name.empty() ? InvalidParam("there is no vector field in collection {}", c.name())
                        : InvalidParam("failed to get field schema by name: fieldName({}) not found", name);
  }
  return found;
}

}  // namespace

Status MilvusServiceImpl::RunSearch(ServerContext* ctx, const mpb::SearchRequest& req,
                                    mpb::SearchResults* resp) {
  std::string db = DbOf(ctx, req.db_name());
  QV_ASSIGN_OR_RETURN(CollectionRecord c, catalog_.GetCollection(db, req.collection_name()));
  if (!AnyLoaded(c)) return CollectionNotLoaded(c);
  QV_ASSIGN_OR_RETURN(SearchParams sp, ParseSearchParams(req.search_params()));
  const milvus::proto::schema::FieldSchema* group_field = nullptr;
  if (!sp.group_by_field.empty()) {
    group_field = FindField(c, sp.group_by_field);
    if (!group_field) return InvalidParam("failed to get field schema by name: fieldName({}) not found", sp.group_by_field);
    using milvus::proto::schema::DataType;
    switch (group_field->data_type()) {
      case DataType::Bool: case DataType::Int8: case DataType::Int16: case DataType::Int32:
      case DataType::Int64: case DataType::VarChar:
        break;
      default:
        return InvalidParam("group by field {} of type {} is not supported", group_field->name(),
                            DataTypeName(group_field->data_type()));
    }
  }
  if (req.search_input_case() != mpb::SearchRequest::kPlaceholderGroup) {
    return Status::Unimplemented("search by primary keys is not supported yet");
  }
  Status err;
  const auto* field = ResolveAnnsField(c, sp.anns_field, &err);
  if (!field) return err;
  std::string index_metric;
  for (const auto& idx : c.indexes()) {
    if (idx.field_id() != field->fieldid()) continue;
    for (const auto& kv : idx.params()) {
      if (kv.key() == "metric_type") index_metric = kv.value();
    }
  }
  std::string metric_name = index_metric;
  if (!sp.metric.empty()) {
    std::string requested = sp.metric;
    std::transform(requested.begin(), requested.end(), requested.begin(), ::toupper);
    if (!index_metric.empty() && requested != index_metric) {
      return InvalidParam("metric type not match: invalid parameter[expected={}][actual={}]", index_metric, requested);
    }
    metric_name = requested;
  }
  Metric metric;
  if (metric_name.empty() || !index::ParseMetric(metric_name, &metric)) {
    return InvalidParam("metric type {} is not supported", metric_name);
  }
  if (metric == Metric::kBm25) return Status::Unimplemented("BM25 search is not supported yet");
  QV_ASSIGN_OR_RETURN(std::vector<QueryVector> queries, DecodeQueries(req.placeholder_group(), *field, metric));
  QV_ASSIGN_OR_RETURN(std::vector<int64_t> partitions, ReadPartitions(c, req.partition_names()));
  QV_ASSIGN_OR_RETURN(CompiledFilter f, CompileFilter(req.dsl(), c.schema(), req.expr_template_values()));
  // Milvus adds the primary key to every search's output fields; SDKs read it from there.
  QV_ASSIGN_OR_RETURN(OutputPlan plan, PlanOutput(c, req.output_fields()));
  QV_ASSIGN_OR_RETURN(Timestamp ts, tso_.Allocate());
  if (sp.iterator_v2) {
    if (queries.size() != 1) return InvalidParam("Not support search iteration over multiple vectors at present");
    // Later batches read the snapshot of the first one (the SDK passes its session_ts back),
    // while it is younger than compaction's grace period; older snapshots may have lost rows to
    // compaction, so those batches read the current state instead.
    const Timestamp oldest = ComposeTimestamp(
        std::max<int64_t>(0, PhysicalMs(ts) - datanode::DataService::kCompactionGraceMs + 500), 0);
    if (sp.guarantee_ts > oldest && sp.guarantee_ts < ts) ts = sp.guarantee_ts;
  }
  f.filter = WithTtl(c, std::move(f.filter), ts);
  if (sp.ignore_growing) f.filter = WithoutGrowing(std::move(f.filter), data_.Store(c)->PersistedSeq());
  // Iterator token: the pks the previous batch returned with a score equal to last_bound.
  std::set<std::string> tied;
  milvus::proto::schema::IDs prev;
  if (!sp.token.empty()) {
    std::string raw;
    for (size_t i = 0; i + 1 < sp.token.size(); i += 2) {
      raw.push_back(static_cast<char>(std::stoi(sp.token.substr(i, 2), nullptr, 16)));
    }
    if (sp.token.size() % 2 != 0 || sp.token.find_first_not_of("0123456789abcdef") != std::string::npos ||
        !prev.ParseFromString(raw)) {
      return InvalidParam("search_iter_id [{}] is not a token of this server", sp.token.substr(0, 64));
    }
    if (prev.has_int_id()) {
      for (int64_t v : prev.int_id().data()) tied.insert(segment::PkKey(v));
    } else {
      for (const auto& v : prev.str_id().data()) tied.insert(segment::PkKey(v));
    }
  }

  const bool higher = index::HigherIsBetter(metric);
  if (sp.radius && sp.range_filter) {
    if (higher && !(*sp.range_filter > *sp.radius)) {
      return InvalidParam("range_filter must be greater than radius for IP/COSINE");
    }
    if (!higher && !(*sp.range_filter < *sp.radius)) {
      return InvalidParam("range_filter must be less than radius for L2/HAMMING/JACCARD");
    }
  }
  // Sparse inner product: rows sharing no dimension with the query are not hits (as Milvus's
  // sparse index returns only positive scores).
  const bool sparse = field->data_type() == milvus::proto::schema::DataType::SparseFloatVector;
  const int64_t want = sp.topk + sp.offset;
  auto in_range = [&](float s) {
    if (!sp.radius) return true;
    // Milvus: L2-like keeps range_filter <= d < radius; IP-like keeps radius < d <= range_filter.
    if (higher) return s > *sp.radius && (!sp.range_filter || s <= *sp.range_filter);
    return s < *sp.radius && (!sp.range_filter || s >= *sp.range_filter);
  };
  auto* results = resp->mutable_results();
  results->set_num_queries(static_cast<int64_t>(queries.size()));
  results->set_top_k(sp.topk);
  const auto* pk = FindFieldById(c, datanode::PrimaryKeyFieldId(c));
  results->set_primary_field_name(pk->name());
  resp->set_collection_name(c.name());
  resp->set_session_ts(ts);

  auto search = [&](const std::vector<RowRef>& rows, const segment::ChunkMasks& masks,
                    const segment::AnnView& ann) -> Status {
    std::vector<RowRef> hits;
    // Rows the ANN index covers are searched through it; the rest (`rows`: with an index, the
    // store lists only the rows it does not cover) are scanned exactly. The index is skipped
    // when the filter keeps few rows (an exact scan of those is cheaper and exact) and for
    // range searches; the covered rows are then listed too.
    const size_t covered = ann.index ? static_cast<size_t>(ann.covered_rows) : 0;
    const bool use_ann_index =
        ann.index && !sp.radius && !sp.iterator_v2 && !group_field && ann.labels->size() >= 1000;
    const double selectivity =
        use_ann_index ? static_cast<double>(covered) / static_cast<double>(ann.labels->size()) : 0;
    // The planner: an exact scan of the survivors costs about survivors x dim multiply-adds and
    // is exact; the index pays a fixed graph/list walk plus over-fetching 1/selectivity times.
    // Below ~4M floats (31k rows at 128-d, 5k at 784-d) or 5 % selectivity, scanning wins.
    // Per-row exact cost in multiply-add equivalents: a dense dimension each, a 64-bit popcount
    // per word of a binary vector, a merge step per sparse pair.
    int64_t row_cost = 1;
    if (!queries.empty()) {
      row_cost = !queries[0].dense.empty() ? static_cast<int64_t>(queries[0].dense.size())
                 : sparse                  ? static_cast<int64_t>(queries[0].bytes.size()) / 4
                                           : static_cast<int64_t>(queries[0].bytes.size()) / 8;
    }
    const bool small_scan =
        static_cast<int64_t>(covered) * std::max<int64_t>(row_cost, 1) <= data_.options().exact_scan_max_cost;
    const bool ann_on = use_ann_index && covered > 0 && selectivity >= 0.05 && !small_scan;
    std::vector<RowRef> all_rows;
    if (!ann_on && ann.index) {
      all_rows = segment::CoveredRows(ann, masks);
      all_rows.insert(all_rows.end(), rows.begin(), rows.end());
    }
    const std::vector<RowRef>& exact_rows = ann_on || !ann.index ? rows : all_rows;
    auto passes = [&](const RowRef& r) {
      auto it = masks.find(r.chunk);
      return it != masks.end() && it->second[static_cast<size_t>(r.row)];
    };
    auto better = [&](const std::pair<float, RowRef>& a, const std::pair<float, RowRef>& b) {
      if (a.first != b.first) return higher ? a.first > b.first : a.first < b.first;
      if (a.second.chunk != b.second.chunk) return a.second.chunk->seq < b.second.chunk->seq;
      return a.second.row < b.second.row;
    };
    using Candidate = std::pair<float, RowRef>;
    // Whether an exactly scored row is a candidate: range bounds, and for iterator batches the
    // previous batch's bound (rows tied with it that were returned are in the token).
    auto accept = [&](float s, const RowRef& r) {
      if (std::isnan(s) || !in_range(s) || (sparse && s <= 0)) return false;
      if (sp.last_bound) {
        const float lb = *sp.last_bound;
        if (higher ? s > lb : s < lb) return false;
        if (s == lb && tied.contains(segment::RowPkKey(*r.chunk, r.row))) return false;
      }
      return true;
    };
    // Candidate lists stay bounded: only the best `want` can be chosen (the order is total, so
    // this is exact), except for grouping, which needs every candidate.
    using Best = index::BestK<Candidate, decltype(better)>;
    auto make_best = [&] {
      return Best(group_field ? std::numeric_limits<size_t>::max() : static_cast<size_t>(want), higher, better);
    };
    // Dense float-like fields under L2/IP/COSINE are scored a tile at a time (index::ScoreTile:
    // AVX2 kernels, or one BLAS product when a block holds many queries); other vector types
    // row by row.
    const bool tiled = !queries.empty() && !queries[0].dense.empty() &&
                       (metric == Metric::kL2 || metric == Metric::kIP || metric == Metric::kCosine);
    const int64_t dim = segment::VectorDim(*field);
    // Exact candidates of queries [q0, q1) over `part` of the exact rows, into out[q - q0].
    auto scan_exact = [&](size_t q0, size_t q1, std::span<const RowRef> part,
                          std::vector<std::vector<Candidate>>& out) {
      const int64_t nq = static_cast<int64_t>(q1 - q0);
      const size_t tile_rows = static_cast<size_t>(index::TileRows(nq));
      std::vector<Best> best;
      for (size_t qi = q0; qi < q1; ++qi) best.push_back(make_best());
      auto offer = [&](Best& b, float s, const RowRef& r) {
        if (b.Worthy(s) && accept(s, r)) b.Add(Candidate(s, r));
      };
      if (!tiled) {
        Scorer scorer(*field, metric);
        for (size_t qi = q0; qi < q1; ++qi) {
          for (const RowRef& r : part) offer(best[qi - q0], scorer.Score(queries[qi], r), r);
        }
      } else {
        std::vector<float> block(static_cast<size_t>(nq * dim)), norms(static_cast<size_t>(nq));
        for (size_t qi = q0; qi < q1; ++qi) {
          std::copy(queries[qi].dense.begin(), queries[qi].dense.end(),
                    block.begin() + static_cast<std::ptrdiff_t>((qi - q0) * static_cast<size_t>(dim)));
          norms[qi - q0] = queries[qi].norm;
        }
        std::vector<float> gathered, scores;
        for (size_t i = 0; i < part.size();) {
          // A tile: consecutive rows of one chunk, read in place when they are adjacent float
          // rows, else gathered (and decoded from float16/bfloat16/int8).
          const segment::Chunk* chunk = part[i].chunk;
          size_t end = i + 1;
          bool contiguous = true;
          while (end < part.size() && end - i < tile_rows && part[end].chunk == chunk) {
            contiguous = contiguous && part[end].row == part[end - 1].row + 1;
            ++end;
          }
          const size_t n = end - i;
          const FieldData* col = chunk->Column(field->fieldid());
          const float* rows_ptr = nullptr;
          if (col && contiguous && col->vectors().data_case() == milvus::proto::schema::VectorField::kFloatVector &&
              col->vectors().float_vector().data_size() >= (part[end - 1].row + 1) * dim) {
            rows_ptr = col->vectors().float_vector().data().data() + part[i].row * dim;
          } else if (col) {
            gathered.resize(n * static_cast<size_t>(dim));
            bool ok = true;
            for (size_t j = 0; j < n && ok; ++j) {
              ok = segment::DecodeDenseRows(col->vectors(), part[i + j].row, 1, dim,
                                            gathered.data() + j * static_cast<size_t>(dim));
            }
            if (ok) rows_ptr = gathered.data();
          }
          if (rows_ptr) {
            scores.resize(static_cast<size_t>(nq) * n);
            index::ScoreTile(metric, block.data(), norms.data(), nq, rows_ptr, static_cast<int64_t>(n), dim,
                             scores.data());
            for (int64_t q = 0; q < nq; ++q) {
              const float* row_scores = scores.data() + static_cast<size_t>(q) * n;
              Best& b = best[static_cast<size_t>(q)];
              index::OfferScores(row_scores, n, higher, b, [&](size_t j) {
                if (accept(row_scores[j], part[i + j])) b.Add(Candidate(row_scores[j], part[i + j]));
              });
            }
          }
          i = end;
        }
      }
      for (size_t qi = q0; qi < q1; ++qi) out[qi - q0] = std::move(best[qi - q0]).Take();
    };
    // The exact scan is split into tasks over the search executor: blocks of queries (one BLAS
    // product per tile when a block holds many) and, when there are fewer blocks than threads,
    // parts of the rows. Per-query lists of the parts are merged after.
    const size_t nq_all = queries.size();
    const size_t threads = static_cast<size_t>(executor_.threads()) + 1;
    const size_t per_block =
        tiled && static_cast<int64_t>(nq_all) >= index::kBlasMinQueries
            ? std::clamp<size_t>((nq_all + threads - 1) / threads, static_cast<size_t>(index::kBlasMinQueries), 256)
            : 1;
    const size_t blocks = (nq_all + per_block - 1) / per_block;
    constexpr size_t kRowsPerPart = 16384;
    const size_t parts = blocks < threads ? std::max<size_t>(1, std::min(threads, exact_rows.size() / kRowsPerPart)) : 1;
    const size_t rows_per_part = (exact_rows.size() + parts - 1) / parts;
    // exact[part][query]
    std::vector<std::vector<std::vector<Candidate>>> exact(parts, std::vector<std::vector<Candidate>>(nq_all));
    executor_.ParallelFor(blocks * parts, [&](size_t task) {
      const size_t b = task / parts, p = task % parts;
      const size_t q0 = b * per_block, q1 = std::min(nq_all, q0 + per_block);
      const size_t from = std::min(exact_rows.size(), p * rows_per_part);
      const size_t to = std::min(exact_rows.size(), from + rows_per_part);
      std::vector<std::vector<Candidate>> out(q1 - q0);
      scan_exact(q0, q1, std::span<const RowRef>(exact_rows).subspan(from, to - from), out);
      for (size_t qi = q0; qi < q1; ++qi) exact[p][qi] = std::move(out[qi - q0]);
    });
    // Every candidate of one query: its exact ones and the index's hits that pass the filter.
    auto candidates = [&](size_t qi, std::vector<Candidate>& scored) {
      const QueryVector& q = queries[qi];
      for (auto& part : exact) {
        scored.insert(scored.end(), part[qi].begin(), part[qi].end());
        std::vector<Candidate>().swap(part[qi]);
      }
      if (ann_on) {
        Scorer scorer(*field, metric);
        // Ask the graph for enough candidates that `want` of them survive the filter. Quantised
        // indexes (HNSW_SQ, IVF_SQ8, IVF_PQ) score approximately: their hits are rescored
        // exactly from the raw vectors, which Quiver holds anyway, after fetching `refine_k`
        // times as many (Milvus's refine step at full precision).
        const bool refine = ann.index->Approximate();
        size_t k = static_cast<size_t>(static_cast<double>(want) / selectivity * 1.2 * (refine ? sp.refine_k : 1.0)) + 10;
        size_t passed = 0;
        const size_t before = scored.size();
        for (int attempt = 0; attempt < 4; ++attempt) {
          k = std::min(k, ann.labels->size());
          index::IndexSearchParams ip;
          ip.ef = std::max<size_t>(k, sp.ef);
          ip.nprobe = sp.nprobe;
          ip.drop_ratio_search = sp.drop_ratio_search;
          index::QueryRef qr;
          qr.dense = q.dense.empty() ? nullptr : q.dense.data();
          qr.bytes = q.bytes;
          auto found = ann.index->Search(qr, k, ip);
          for (const auto& [score, label] : found) {
            if (label >= ann.labels->size()) continue;
            const RowRef& r = (*ann.labels)[label];
            if (passes(r)) scored.emplace_back(refine ? scorer.Score(q, r) : score, r);
          }
          passed = scored.size() - before;
          if (passed >= static_cast<size_t>(want) || k >= ann.labels->size()) break;
          scored.resize(before);
          k *= 4;
        }
        if (passed < static_cast<size_t>(want) && passed < covered) {
          // The graph could not produce enough filtered rows: scan the covered rows exactly
          // instead of its hits.
          scored.resize(before);
          for (const RowRef& r : segment::CoveredRows(ann, masks)) {
            float s = scorer.Score(q, r);
            if (!std::isnan(s)) scored.emplace_back(s, r);
          }
        }
      }
    };
    // The hits of one query, from its candidates: grouped, or the best `want` past `offset`.
    auto choose = [&](std::vector<Candidate>& scored) {
      std::vector<Candidate> chosen;
      if (group_field) {
        // Best-first over every candidate: a row joins its group while the group has room;
        // a new group opens while fewer than `want` groups exist. Hits come out group by group,
        // groups in the order of their best hit.
        std::sort(scored.begin(), scored.end(), better);
        std::map<std::string, size_t> group_of;
        std::vector<std::vector<std::pair<float, RowRef>>> groups;
        for (const auto& hit : scored) {
          const FieldData* col = hit.second.chunk->Column(group_field->fieldid());
          if (!col) continue;
          FieldData one;
          const int64_t row[1] = {hit.second.row};
          segment::GatherRows(*col, row, &one);
          if (one.valid_data_size() > 0 && !one.valid_data(0)) continue;  // null keys form no group
          std::string key = one.scalars().SerializeAsString();
          auto it = group_of.find(key);
          if (it == group_of.end()) {
            if (static_cast<int64_t>(groups.size()) >= want) continue;
            it = group_of.emplace(key, groups.size()).first;
            groups.emplace_back();
          }
          auto& g = groups[it->second];
          if (static_cast<int64_t>(g.size()) < sp.group_size) g.push_back(hit);
        }
        for (size_t gi = static_cast<size_t>(std::min<int64_t>(sp.offset, static_cast<int64_t>(groups.size())));
             gi < groups.size(); ++gi) {
          chosen.insert(chosen.end(), groups[gi].begin(), groups[gi].end());
        }
      } else {
        size_t keep = std::min(scored.size(), static_cast<size_t>(want));
        std::partial_sort(scored.begin(), scored.begin() + static_cast<std::ptrdiff_t>(keep), scored.end(), better);
        size_t first = static_cast<size_t>(std::min<int64_t>(sp.offset, static_cast<int64_t>(keep)));
        chosen.assign(scored.begin() + static_cast<std::ptrdiff_t>(first), scored.begin() + static_cast<std::ptrdiff_t>(keep));
      }
      return chosen;
    };
    std::vector<std::vector<Candidate>> chosen_of(queries.size());
    auto run_query = [&](size_t qi) {
      std::vector<Candidate> scored;
      candidates(qi, scored);
      chosen_of[qi] = choose(scored);
    };
    // Queries of one request run in parallel on the search executor.
    executor_.ParallelFor(queries.size(), run_query);
    for (size_t qi = 0; qi < queries.size(); ++qi) {
      const std::vector<Candidate>& chosen = chosen_of[qi];
      if (sp.iterator_v2) {
        // The next batch starts after this one's last score; rows tied with it that were
        // returned go into the token (with the previous ties when the bound did not move).
        float bound = chosen.empty() ? sp.last_bound.value_or(0.0f) : chosen.back().first;
        milvus::proto::schema::IDs next_tied;
        if (pk->data_type() == milvus::proto::schema::DataType::Int64) next_tied.mutable_int_id();
        else next_tied.mutable_str_id();
        for (const auto& [score, row] : chosen) {
          if (score == bound) segment::AppendPk(*row.chunk, row.row, &next_tied);
        }
        if (sp.last_bound && *sp.last_bound == bound) {
          if (next_tied.has_int_id()) next_tied.mutable_int_id()->mutable_data()->MergeFrom(prev.int_id().data());
          else next_tied.mutable_str_id()->mutable_data()->MergeFrom(prev.str_id().data());
        }
        std::string raw = next_tied.SerializeAsString(), hex;
        for (unsigned char ch : raw) hex += fmt::format("{:02x}", ch);
        auto* it = results->mutable_search_iterator_v2_results();
        it->set_token(hex);
        it->set_last_bound(bound);
      }
      int64_t n = 0;
      for (const auto& [score, row] : chosen) {
        float s = score;
        if (sp.round_decimal >= 0) {
          double m = std::pow(10.0, static_cast<double>(sp.round_decimal));
          s = static_cast<float>(std::round(s * m) / m);
        }
        results->add_scores(s);
        hits.push_back(row);
        ++n;
      }
      results->add_topks(n);
    }
    // Hit ids, in query order.
    auto* ids = results->mutable_ids();
    for (const RowRef& r : hits) segment::AppendPk(*r.chunk, r.row, ids);
    if (hits.empty()) {
      if (pk->data_type() == milvus::proto::schema::DataType::Int64) ids->mutable_int_id();
      else ids->mutable_str_id();
    }
    AppendOutputColumns(plan, hits, results->mutable_fields_data());
    for (const auto& n : plan.names) results->add_output_fields(n);
    if (group_field) *results->mutable_group_by_field_value() = OutputColumn(*group_field, hits);
    return Status::Ok();
  };
  return data_.Store(c)->ReadForSearch(ts, partitions, f.filter, field->fieldid(), search);
}

grpc::Status MilvusServiceImpl::Search(ServerContext* ctx, const mpb::SearchRequest* req,
                                       mpb::SearchResults* resp) {
  Status st = RunSearch(ctx, *req, resp);
  if (!st.ok()) resp->Clear();
  return Reply(st, resp->mutable_status());
}

}  // namespace quiver::proxy
