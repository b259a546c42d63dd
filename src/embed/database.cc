// quiver::Database: an Engine on the data directory, driven through the REST v2 handler in
// process (JSON in, JSON out; no sockets), so the embedded API has exactly the server's
// semantics, validation and error codes.
#include "quiver/quiver.h"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <mutex>

#include "server/engine.h"

namespace quiver {
namespace {

// Milvus's error code (and reason) as a Status code a C++ caller can act on; the message keeps
// both.
Status FromMilvus(int64_t code, const std::string& reason) {
  std::string message = fmt::format("{} (milvus code {})", reason, code);
  auto status = [&](StatusCode c) { return Status(c, message); };
  switch (code) {
    case 100: case 200: case 700: case 800: case 1600: case 1700:  // collection ... field not found
      return status(StatusCode::kNotFound);
    case 702: case 1601: case 1602:  // duplicate index, alias conflicts
      return status(StatusCode::kAlreadyExists);
    case 101: case 104: case 201:  // (not) loaded
      return status(StatusCode::kFailedPrecondition);
    case 102: case 801:  // collection / database count limits
      return status(StatusCode::kResourceExhausted);
    case 10: return status(StatusCode::kUnimplemented);
    case 10000: return status(StatusCode::kCancelled);
    case 10001: return status(StatusCode::kDeadlineExceeded);
    case 2: return status(StatusCode::kUnavailable);
    case 5: case 65535: return status(StatusCode::kInternal);
    default: break;
  }
  if (reason.find("already exist") != std::string::npos) return status(StatusCode::kAlreadyExists);
  return status(StatusCode::kInvalidArgument);  // 1100, the REST 18xx codes and the rest
}

Json Strings(const std::vector<std::string>& v) {
  Json out = Json::array();
  for (const auto& s : v) out.push_back(s);
  return out;
}

}  // namespace

struct Database::Impl {
  std::unique_ptr<server::Engine> engine;
};

Result<std::unique_ptr<Database>> Database::Open(const std::string& dir, const DatabaseOptions& options) {
  if (!options.log_level.empty()) {
    static std::once_flag once;
    std::call_once(once, [] { spdlog::set_default_logger(spdlog::stderr_color_mt("quiver")); });
    spdlog::set_level(spdlog::level::from_str(options.log_level));
  }
  server::EngineOptions engine_options;
  engine_options.wal_sync = options.sync_writes;
  engine_options.flush_rows = options.flush_rows;
  engine_options.exact_scan_max_cost = options.exact_scan_max_cost;
  auto impl = std::make_unique<Impl>();
  QV_ASSIGN_OR_RETURN(impl->engine, server::Engine::Open(dir, engine_options));
  return std::unique_ptr<Database>(new Database(std::move(impl)));
}

Database::Database(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Database::~Database() = default;

Result<Json> Database::Call(const std::string& path, const Json& body) {
  proxy::rest::RestRequest req;
  req.method = "POST";
  req.path = "/v2/vectordb/" + path;
  req.body = body.dump();
  req.allow_int64_header = "true";
  proxy::rest::RestResponse res = impl_->engine->rest().Handle(req);
  if (res.http_status == 404) return Status::NotFound("no REST v2 endpoint {}", path);
  Json answer = Json::parse(res.body, nullptr, false);
  if (answer.is_discarded() || !answer.is_object()) {
    return Status::Internal("unreadable answer from {}: {}", path, res.body.substr(0, 200));
  }
  int64_t code = answer.value("code", int64_t{0});
  if (code != 0) return FromMilvus(code, answer.value("message", std::string()));
  Json data = answer.contains("data") ? std::move(answer["data"]) : Json::object();
  if (answer.contains("topks")) return Json{{"rows", std::move(data)}, {"topks", std::move(answer["topks"])}};
  return data;
}

Status Database::CreateCollection(const std::string& name, int64_t dimension, const std::string& metric_type,
                                  const Json& extra) {
  Json body = {{"collectionName", name}, {"dimension", dimension}, {"metricType", metric_type}};
  if (extra.is_object()) body.update(extra);
  return Call("collections/create", body).TakeStatus();
}

Result<bool> Database::HasCollection(const std::string& name) {
  QV_ASSIGN_OR_RETURN(Json data, Call("collections/has", {{"collectionName", name}}));
  return data.value("has", false);
}

Result<std::vector<std::string>> Database::ListCollections() {
  QV_ASSIGN_OR_RETURN(Json data, Call("collections/list", Json::object()));
  std::vector<std::string> out;
  for (const auto& n : data) out.push_back(n.get<std::string>());
  return out;
}

Status Database::DropCollection(const std::string& name) {
  return Call("collections/drop", {{"collectionName", name}}).TakeStatus();
}
Status Database::LoadCollection(const std::string& name) {
  return Call("collections/load", {{"collectionName", name}}).TakeStatus();
}
Status Database::ReleaseCollection(const std::string& name) {
  return Call("collections/release", {{"collectionName", name}}).TakeStatus();
}
Status Database::Flush(const std::string& name) {
  return Call("collections/flush", {{"collectionName", name}}).TakeStatus();
}

Status Database::CreateIndex(const std::string& collection, const Json& index_params) {
  return Call("indexes/create", {{"collectionName", collection}, {"indexParams", index_params}}).TakeStatus();
}
Status Database::DropIndex(const std::string& collection, const std::string& index_name) {
  return Call("indexes/drop", {{"collectionName", collection}, {"indexName", index_name}}).TakeStatus();
}

Result<Json> Database::Insert(const std::string& collection, const Json& rows) {
  QV_ASSIGN_OR_RETURN(Json data, Call("entities/insert", {{"collectionName", collection}, {"data", rows}}));
  return data.contains("insertIds") ? data["insertIds"] : Json::array();
}
Result<Json> Database::Upsert(const std::string& collection, const Json& rows) {
  QV_ASSIGN_OR_RETURN(Json data, Call("entities/upsert", {{"collectionName", collection}, {"data", rows}}));
  return data.contains("upsertIds") ? data["upsertIds"] : Json::array();
}
Status Database::Delete(const std::string& collection, const std::string& filter) {
  return Call("entities/delete", {{"collectionName", collection}, {"filter", filter}}).TakeStatus();
}

Result<Json> Database::Query(const std::string& collection, const std::string& filter, const QueryOptions& options) {
  Json body = {{"collectionName", collection}, {"filter", filter}, {"outputFields", Strings(options.output_fields)}};
  if (options.limit >= 0) body["limit"] = options.limit;
  if (options.offset > 0) body["offset"] = options.offset;
  return Call("entities/query", body);
}

Result<Json> Database::Get(const std::string& collection, const Json& ids, const std::vector<std::string>& output_fields) {
  return Call("entities/get", {{"collectionName", collection}, {"id", ids}, {"outputFields", Strings(output_fields)}});
}

Result<Json> Database::Search(const std::string& collection, const Json& vectors, const SearchOptions& options) {
  Json body = {{"collectionName", collection},
               {"data", vectors},
               {"limit", options.limit},
               {"filter", options.filter},
               {"outputFields", Strings(options.output_fields)},
               {"searchParams", options.search_params}};
  if (!options.anns_field.empty()) body["annsField"] = options.anns_field;
  QV_ASSIGN_OR_RETURN(Json answer, Call("entities/search", body));
  // Split the flat hit list into one list per query vector.
  Json per_query = Json::array();
  if (!answer.contains("rows")) {
    for (size_t i = 0; i < vectors.size(); ++i) per_query.push_back(Json::array());
    return per_query;
  }
  const Json& rows = answer["rows"];
  size_t at = 0;
  for (const auto& k : answer["topks"]) {
    Json hits = Json::array();
    for (int64_t i = 0; i < k.get<int64_t>() && at < rows.size(); ++i) hits.push_back(rows[at++]);
    per_query.push_back(std::move(hits));
  }
  return per_query;
}

}  // namespace quiver
