// MilvusService HybridSearch: runs each sub-search (its own vectors, field, filter and limit),
// fuses the ranked lists with RRF or weighted scores as Milvus's rankers do, and returns the
// top `limit` (after `offset`) with the requested output fields.
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <numbers>
#include <set>
#include <unordered_map>

#include "proxy/milvus_service.h"
#include "proxy/output.h"
#include "proxy/service_util.h"
#include "segment/field_data.h"

namespace quiver::proxy {
namespace {

struct RankParams {
  std::string strategy = "rrf";
  double rrf_k = 60;
  std::vector<double> weights;
  bool norm_score = true;
  int64_t limit = -1;
  int64_t offset = 0;
  int64_t round_decimal = -1;
};

Result<RankParams> ParseRankParams(
    const google::protobuf::RepeatedPtrField<cpb::KeyValuePair>& kvs) {
  RankParams p;
  for (const auto& kv : kvs) {
    if (kv.key() == "strategy") {
      p.strategy = kv.value();
      std::transform(p.strategy.begin(), p.strategy.end(), p.strategy.begin(), ::tolower);
    } else if (kv.key() == "limit" || kv.key() == "offset" || kv.key() == "round_decimal") {
      auto v = ParseInt(kv.value());
      if (!v) return InvalidParam("{} [{}] is invalid", kv.key(), kv.value());
      (kv.key() == "limit" ? p.limit : kv.key() == "offset" ? p.offset : p.round_decimal) = *v;
    } else if (kv.key() == "params") {
      nlohmann::json j = nlohmann::json::parse(kv.value(), nullptr, false);
      if (j.is_null()) j = nlohmann::json::object();  // a client sending no params at all
      if (j.is_discarded() || !j.is_object()) return InvalidParam("rank params is not a JSON object");
      if (j.contains("k")) {
        if (!j["k"].is_number() || j["k"].get<double>() <= 0 || j["k"].get<double>() >= 16384) {
          return InvalidParam("The rank params k should be in range (0, 16384)");
        }
        p.rrf_k = j["k"].get<double>();
      }
      if (j.contains("weights")) {
        if (!j["weights"].is_array()) return InvalidParam("weights must be an array");
        for (const auto& w : j["weights"]) {
          if (!w.is_number() || w.get<double>() < 0 || w.get<double>() > 1) {
            return InvalidParam("rank param weight should be in range [0, 1]");
          }
          p.weights.push_back(w.get<double>());
        }
      }
      if (j.contains("norm_score") && j["norm_score"].is_boolean()) p.norm_score = j["norm_score"].get<bool>();
    }
  }
  if (p.strategy != "rrf" && p.strategy != "weighted") {
    return InvalidParam("unsupported rank type {}", p.strategy);
  }
  if (p.limit <= 0) return InvalidParam("limit [{}] is invalid, it should be in range [1, 16384]", p.limit);
  if (p.offset < 0 || p.limit + p.offset > 16384) {
    return InvalidParam("topk+offset [{}] is invalid, it should be in range [1, 16384]", p.limit + p.offset);
  }
  return p;
}

// Milvus's weighted-ranker normalisation: every metric mapped onto [0, 1], larger = better.
double Normalise(const std::string& metric, double s) {
  if (metric == "COSINE") return (1 + s) / 2;
  if (metric == "IP" || metric == "BM25") return 0.5 + std::atan(s) / std::numbers::pi;
  return 1.0 - 2 * std::atan(s) / std::numbers::pi;  // distances: smaller is better
}

std::string MetricOf(const CollectionRecord& c, const mpb::SearchRequest& req) {
  std::string field;
  std::string metric;
  for (const auto& kv : req.search_params()) {
    if (kv.key() == "anns_field") field = kv.value();
    if (kv.key() == "metric_type") metric = kv.value();
  }
  if (!metric.empty()) {
    std::transform(metric.begin(), metric.end(), metric.begin(), ::toupper);
    return metric;
  }
  for (const auto& idx : c.indexes()) {
    const auto* f = FindFieldById(c, idx.field_id());
    if (!f || !IsVectorType(f->data_type()) || (!field.empty() && f->name() != field)) continue;
    for (const auto& kv : idx.params()) {
      if (kv.key() == "metric_type") return kv.value();
    }
  }
  return "COSINE";
}

std::string IdKey(const spb::IDs& ids, int i) {
  return ids.has_int_id() ? segment::PkKey(ids.int_id().data(i)) : segment::PkKey(ids.str_id().data(i));
}

}  // namespace

grpc::Status MilvusServiceImpl::HybridSearch(ServerContext* ctx, const mpb::HybridSearchRequest* req,
                                             mpb::SearchResults* resp) {
  auto run = [&]() -> Status {
    if (req->has_function_score() && req->function_score().functions_size() > 0) {
      return Status::Unimplemented("function-based rerankers are not supported yet");
    }
    if (req->requests_size() == 0) return InvalidParam("hybrid search requires at least one search request");
    if (req->requests_size() > 1024) return InvalidParam("the number of search requests exceeds 1024");
    std::string db = DbOf(ctx, req->db_name());
    QV_ASSIGN_OR_RETURN(CollectionRecord c, catalog_.GetCollection(db, req->collection_name()));
    QV_ASSIGN_OR_RETURN(RankParams rank, ParseRankParams(req->rank_params()));
    if (rank.strategy == "weighted" && rank.weights.size() != static_cast<size_t>(req->requests_size())) {
      return InvalidParam("the length of weights param mismatch with ann search requests: invalid "
                          "parameter[expected={}][actual={}]",
                          req->requests_size(), rank.weights.size());
    }
    // Each sub-search, then fuse per query.
    int64_t nq = -1;
    // fused[q]: pk key -> (score, ids, index into ids)
    std::vector<std::unordered_map<std::string, double>> fused;
    std::map<std::string, std::pair<const spb::IDs*, int>> id_of;
    std::vector<mpb::SearchResults> subs(static_cast<size_t>(req->requests_size()));
    for (int i = 0; i < req->requests_size(); ++i) {
      mpb::SearchRequest sub = req->requests(i);
      sub.set_db_name(db);
      sub.set_collection_name(req->collection_name());
      *sub.mutable_partition_names() = req->partition_names();
      sub.clear_output_fields();
      QV_RETURN_IF_ERROR(RunSearch(ctx, sub, &subs[static_cast<size_t>(i)]));
      const auto& r = subs[static_cast<size_t>(i)].results();
      if (nq < 0) {
        nq = r.num_queries();
        fused.resize(static_cast<size_t>(nq));
      } else if (nq != r.num_queries()) {
        return InvalidParam("nq of every search request in a hybrid search must be the same");
      }
      std::string metric = MetricOf(c, sub);
      int offset = 0;
      for (int64_t q = 0; q < nq; ++q) {
        int64_t n = r.topks(static_cast<int>(q));
        for (int64_t rank_pos = 0; rank_pos < n; ++rank_pos) {
          int at = offset + static_cast<int>(rank_pos);
          std::string key = IdKey(r.ids(), at);
          double add = rank.strategy == "rrf"
                           ? 1.0 / (rank.rrf_k + static_cast<double>(rank_pos + 1))
                           : rank.weights[static_cast<size_t>(i)] *
                                 (rank.norm_score ? Normalise(metric, r.scores(at)) : r.scores(at));
          fused[static_cast<size_t>(q)][key] += add;
          id_of.emplace(key, std::make_pair(&r.ids(), at));
        }
        offset += static_cast<int>(n);
      }
    }

    // Rank, keep `offset..offset+limit`, and collect the winners' keys.
    auto* results = resp->mutable_results();
    results->set_num_queries(nq);
    results->set_top_k(rank.limit);
    std::vector<std::vector<std::pair<double, std::string>>> ranked(static_cast<size_t>(nq));
    std::set<std::string> wanted;
    for (int64_t q = 0; q < nq; ++q) {
      auto& list = ranked[static_cast<size_t>(q)];
      for (auto& [k, s] : fused[static_cast<size_t>(q)]) list.emplace_back(s, k);
      std::sort(list.begin(), list.end(), [](const auto& a, const auto& b) {
        return a.first != b.first ? a.first > b.first : a.second < b.second;
      });
      size_t begin = std::min(list.size(), static_cast<size_t>(rank.offset));
      size_t end = std::min(list.size(), begin + static_cast<size_t>(rank.limit));
      list = {list.begin() + static_cast<std::ptrdiff_t>(begin), list.begin() + static_cast<std::ptrdiff_t>(end)};
      for (const auto& [s, k] : list) wanted.insert(k);
    }

    // Fetch output fields of the winners at a fresh timestamp.
    QV_ASSIGN_OR_RETURN(OutputPlan plan, PlanOutput(c, req->output_fields()));
    QV_ASSIGN_OR_RETURN(Timestamp ts, tso_.Allocate());
    const int64_t pk_id = datanode::PrimaryKeyFieldId(c);
    const auto* pk = FindFieldById(c, pk_id);
    results->set_primary_field_name(pk->name());
    resp->set_collection_name(c.name());
    resp->set_session_ts(ts);
    return data_.Store(c)->Read(ts, {}, segment::PkKeyFilter(wanted), [&](const std::vector<segment::RowRef>& rows) -> Status {
      std::unordered_map<std::string, segment::RowRef> row_of;
      for (const auto& r : rows) row_of.emplace(segment::RowPkKey(*r.chunk, r.row), r);
      std::vector<segment::RowRef> hits;
      auto* ids = results->mutable_ids();
      for (const auto& list : ranked) {
        int64_t n = 0;
        for (const auto& [s, k] : list) {
          auto it = row_of.find(k);
          if (it == row_of.end()) continue;  // deleted since the sub-search
          hits.push_back(it->second);
          float score = static_cast<float>(s);
          if (rank.round_decimal >= 0) {
            double m = std::pow(10.0, static_cast<double>(rank.round_decimal));
            score = static_cast<float>(std::round(s * m) / m);
          }
          results->add_scores(score);
          auto [src, at] = id_of[k];
          if (src->has_int_id()) ids->mutable_int_id()->add_data(src->int_id().data(at));
          else *ids->mutable_str_id()->add_data() = src->str_id().data(at);
          ++n;
        }
        results->add_topks(n);
      }
      if (hits.empty()) {
        if (pk->data_type() == spb::DataType::Int64) ids->mutable_int_id();
        else ids->mutable_str_id();
      }
      AppendOutputColumns(plan, hits, results->mutable_fields_data());
      for (const auto& n : plan.names) results->add_output_fields(n);
      return Status::Ok();
    }, /*sorted=*/false);
  };
  Status st = run();
  if (!st.ok()) resp->Clear();
  return Reply(st, resp->mutable_status());
}

}  // namespace quiver::proxy
