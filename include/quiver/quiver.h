// Quiver embedded: the engine of `quiver serve` as a C++ library, with no RPC. A Database is
// one data directory, the same files the server reads and writes (a directory written by one
// opens in the other; never both at once: the directory is locked).
//
// Calls take and return JSON in the shapes of Milvus's RESTful API v2 (rows as objects, vectors
// as arrays, `filter` strings in Milvus's expression language), so a Milvus user's knowledge
// carries over; the typed helpers cover the common calls and Call() reaches every endpoint of
// the REST API by its path ("collections/describe", "entities/hybrid_search", ...).
//
// Errors come back as a Status (never thrown) whose message carries Milvus's reason and
// error code, e.g. "collection not found[collection=x] (milvus code 100)".
//
// Thread-safety: a Database may be used from many threads at once. Closing it (destruction)
// must not race with calls.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "quiver/status.h"

namespace quiver {

using Json = nlohmann::json;

struct DatabaseOptions {
  // fdatasync the write-ahead log before a write returns (the server's default).
  bool sync_writes = true;
  // Unflushed rows per collection before they are written out as a segment.
  int64_t flush_rows = 200000;
  // A search scans rows exactly instead of walking the vector index when rows x dim is at most
  // this (the server's --exact-scan-max-cost); 0 uses the index whenever it covers 1,000 rows.
  int64_t exact_scan_max_cost = int64_t{1} << 22;
  // Quiver's log (spdlog's default logger) goes to stderr at this level ("off" silences it);
  // empty leaves the process's spdlog set-up alone.
  std::string log_level = "warn";
};

struct SearchOptions {
  int64_t limit = 10;
  std::string filter;                     // Milvus expression; empty = every row
  std::vector<std::string> output_fields;  // besides the primary key and distance
  std::string anns_field;                 // the vector field; may be empty when there is one
  Json search_params = Json::object();    // e.g. {"metricType": "L2", "params": {"ef": 64}}
};

struct QueryOptions {
  std::vector<std::string> output_fields;
  int64_t limit = -1;  // -1: no limit (a filter is then required, as in Milvus)
  int64_t offset = 0;
};

class Database {
 public:
  // Opens (creating if needed) the data directory and recovers it.
  static Result<std::unique_ptr<Database>> Open(const std::string& dir, const DatabaseOptions& options = {});
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // Any REST v2 endpoint: `path` below /v2/vectordb/ ("collections/create", ...), `body` its
  // request. Returns the answer's `data` (an empty object for calls that return none).
  Result<Json> Call(const std::string& path, const Json& body);

  // Quick setup as MilvusClient.create_collection(name, dimension): an int64 primary key "id",
  // a float vector "vector" with an AUTOINDEX index and `metric_type` (COSINE by default), a
  // dynamic field, loaded. `extra` adds or overrides request keys (e.g. "schema",
  // "indexParams", "idType", "autoId").
  Status CreateCollection(const std::string& name, int64_t dimension, const std::string& metric_type = "COSINE",
                          const Json& extra = Json::object());
  Result<bool> HasCollection(const std::string& name);
  Result<std::vector<std::string>> ListCollections();
  Status DropCollection(const std::string& name);
  Status LoadCollection(const std::string& name);
  Status ReleaseCollection(const std::string& name);
  Status Flush(const std::string& name);

  // `index_params`: a list of {"fieldName", "indexName", "metricType", "indexType", "params"}.
  Status CreateIndex(const std::string& collection, const Json& index_params);
  Status DropIndex(const std::string& collection, const std::string& index_name);

  // Rows as JSON objects; returns the primary keys written, in order.
  Result<Json> Insert(const std::string& collection, const Json& rows);
  Result<Json> Upsert(const std::string& collection, const Json& rows);
  // Deletes the rows matching `filter`.
  Status Delete(const std::string& collection, const std::string& filter);
  // Rows matching `filter` (output fields as asked; "count(*)" counts).
  Result<Json> Query(const std::string& collection, const std::string& filter, const QueryOptions& options = {});
  // Rows by primary key (a JSON array of ids).
  Result<Json> Get(const std::string& collection, const Json& ids, const std::vector<std::string>& output_fields = {});
  // One result list per query vector; each hit carries the primary key, "distance" and the
  // output fields.
  Result<Json> Search(const std::string& collection, const Json& vectors, const SearchOptions& options = {});

 private:
  struct Impl;
  explicit Database(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace quiver
