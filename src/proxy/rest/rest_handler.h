// RestHandler serves Milvus's RESTful API v2 (`POST /v2/vectordb/<area>/<action>`, JSON bodies)
// by mapping each endpoint onto MilvusServiceImpl, exactly as Milvus's httpserver
// (handler_v2.go) maps it onto its gRPC proxy: the proto request is built from the JSON body
// (db name from `dbName`, else the `DB-Name` header, else `default`), the service method is
// called in-process, and the answer is Milvus's envelope — HTTP 200 with {"code":0,"data":...}
// or {"code":<milvus code>,"message":...}; unknown paths get 404. docs/rest.md lists the
// endpoints served. Thread-safe (stateless); borrows the service, which must outlive it.
#pragma once

#include <string>

#include "proxy/milvus_service.h"

namespace quiver::proxy::rest {

struct RestRequest {
  std::string method;  // "POST", "OPTIONS", ...
  std::string path;    // without the query string
  std::string body;
  std::string db_name_header;    // `DB-Name`
  std::string allow_int64_header;  // `Accept-Type-Allow-Int64`: "true"/"false"/"" (default true)
};

struct RestResponse {
  int http_status = 200;
  std::string content_type = "application/json; charset=utf-8";
  std::string body;
};

class RestHandler {
 public:
  explicit RestHandler(MilvusServiceImpl& service) : service_(service) {}
  RestHandler(const RestHandler&) = delete;
  RestHandler& operator=(const RestHandler&) = delete;

  RestResponse Handle(const RestRequest& request);

 private:
  MilvusServiceImpl& service_;
};

}  // namespace quiver::proxy::rest
