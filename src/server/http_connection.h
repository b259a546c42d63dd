// HTTP/1.1 on one accepted TCP connection: parses requests with Boost.Beast (Content-Length
// and chunked bodies, `Expect: 100-continue`, keep-alive), hands each one to an HttpHandler and
// writes its answer. Plain value types plus one blocking function; the function runs on the
// connection's own thread and borrows the handler, which must outlive the call.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <string>
#include <string_view>

namespace quiver::server {

struct HttpRequest {
  std::string method;  // "POST", "GET", ...
  std::string target;  // path and query as sent
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;

  // The header's value, or "" when absent; `name` lower-case.
  std::string Header(std::string_view name) const;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json; charset=utf-8";
  std::string body;
};

using HttpHandler = std::function<HttpResponse(const HttpRequest&)>;

struct HttpLimits {
  size_t max_body_bytes = 64u << 20;
  size_t max_header_bytes = 64u << 10;
  // A keep-alive connection with no request for this long is closed.
  std::chrono::milliseconds idle_timeout{120'000};
  // A request or response stalled for this long mid-transfer is abandoned.
  std::chrono::milliseconds io_timeout{60'000};
};

// Serves requests on `fd` until the peer closes, asks to close, errs or times out. Does not
// close `fd` (the caller owns it); shutting the socket down from another thread makes it return.
void ServeHttpConnection(int fd, const HttpHandler& handler, const HttpLimits& limits);

}  // namespace quiver::server
