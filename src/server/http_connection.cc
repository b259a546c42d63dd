#include "server/http_connection.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <algorithm>
#include <cerrno>

#include <boost/asio/buffer.hpp>
#include <boost/asio/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

namespace quiver::server {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using boost::system::error_code;

// A blocking socket as a Beast SyncReadStream/SyncWriteStream. Timeouts come from
// SO_RCVTIMEO/SO_SNDTIMEO, so a stalled peer surfaces as `timed_out` instead of blocking the
// connection's thread forever.
class FdStream {
 public:
  explicit FdStream(int fd) : fd_(fd) {}

  template <class MutableBufferSequence>
  size_t read_some(const MutableBufferSequence& buffers, error_code& ec) {
    ec = {};
    for (auto it = net::buffer_sequence_begin(buffers); it != net::buffer_sequence_end(buffers); ++it) {
      net::mutable_buffer b = *it;
      if (b.size() == 0) continue;
      for (;;) {
        ssize_t n = ::recv(fd_, b.data(), b.size(), 0);
        if (n > 0) return static_cast<size_t>(n);
        if (n == 0) {
          ec = net::error::eof;
          return 0;
        }
        if (errno == EINTR) continue;
        ec = (errno == EAGAIN || errno == EWOULDBLOCK) ? error_code(net::error::timed_out)
                                                       : error_code(errno, boost::system::system_category());
        return 0;
      }
    }
    return 0;
  }
  template <class MutableBufferSequence>
  size_t read_some(const MutableBufferSequence& buffers) {
    error_code ec;
    size_t n = read_some(buffers, ec);
    if (ec) throw boost::system::system_error(ec);  // Beast's throwing overloads are never used
    return n;
  }

  template <class ConstBufferSequence>
  size_t write_some(const ConstBufferSequence& buffers, error_code& ec) {
    ec = {};
    for (auto it = net::buffer_sequence_begin(buffers); it != net::buffer_sequence_end(buffers); ++it) {
      net::const_buffer b = *it;
      if (b.size() == 0) continue;
      for (;;) {
        ssize_t n = ::send(fd_, b.data(), b.size(), MSG_NOSIGNAL);
        if (n >= 0) return static_cast<size_t>(n);
        if (errno == EINTR) continue;
        ec = (errno == EAGAIN || errno == EWOULDBLOCK) ? error_code(net::error::timed_out)
                                                       : error_code(errno, boost::system::system_category());
        return 0;
      }
    }
    return 0;
  }
  template <class ConstBufferSequence>
  size_t write_some(const ConstBufferSequence& buffers) {
    error_code ec;
    size_t n = write_some(buffers, ec);
    if (ec) throw boost::system::system_error(ec);
    return n;
  }

 private:
  int fd_;
};

void SetTimeout(int fd, int option, std::chrono::milliseconds timeout) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(timeout.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((timeout.count() % 1000) * 1000);
  ::setsockopt(fd, SOL_SOCKET, option, &tv, sizeof(tv));
}

// Waits until the peer sends something (or closes); false on idle timeout or error.
bool WaitReadable(int fd, std::chrono::milliseconds timeout) {
  pollfd p{fd, POLLIN, 0};
  for (;;) {
    int r = ::poll(&p, 1, static_cast<int>(timeout.count()));
    if (r < 0 && errno == EINTR) continue;
    return r > 0;
  }
}

void WriteError(FdStream& stream, http::status status, unsigned version, std::string_view text) {
  http::response<http::string_body> res{status, version};
  res.set(http::field::content_type, "text/plain; charset=utf-8");
  res.keep_alive(false);
  res.body() = std::string(text);
  res.prepare_payload();
  error_code ec;
  http::write(stream, res, ec);
}

}  // namespace

std::string HttpRequest::Header(std::string_view name) const {
  auto it = headers.find(std::string(name));
  return it == headers.end() ? std::string() : it->second;
}

void ServeHttpConnection(int fd, const HttpHandler& handler, const HttpLimits& limits) {
  SetTimeout(fd, SO_RCVTIMEO, limits.io_timeout);
  SetTimeout(fd, SO_SNDTIMEO, limits.io_timeout);
  FdStream stream(fd);
  beast::flat_buffer buffer;
  for (;;) {
    if (buffer.size() == 0 && !WaitReadable(fd, limits.idle_timeout)) return;
    http::request_parser<http::string_body> parser;
    parser.header_limit(static_cast<uint32_t>(limits.max_header_bytes));
    parser.body_limit(limits.max_body_bytes);
    error_code ec;
    http::read_header(stream, buffer, parser, ec);
    if (ec == http::error::end_of_stream || ec == net::error::eof) return;
    if (ec == http::error::body_limit) {
      WriteError(stream, http::status::payload_too_large, 11, "request body too large");
      return;
    }
    if (ec == http::error::header_limit) {
      WriteError(stream, http::status::request_header_fields_too_large, 11, "request header too large");
      return;
    }
    if (ec) {
      if (ec != net::error::timed_out) WriteError(stream, http::status::bad_request, 11, "malformed request");
      return;
    }
    const auto& head = parser.get();
    if (!parser.is_done() && beast::iequals(head[http::field::expect], "100-continue")) {
      http::response<http::empty_body> cont{http::status::continue_, head.version()};
      http::write(stream, cont, ec);
      if (ec) return;
    }
    http::read(stream, buffer, parser, ec);
    if (ec == http::error::body_limit) {
      WriteError(stream, http::status::payload_too_large, head.version(), "request body too large");
      return;
    }
    if (ec) {
      if (ec != net::error::timed_out && ec != net::error::eof && ec != http::error::end_of_stream &&
          ec != http::error::partial_message) {
        WriteError(stream, http::status::bad_request, head.version(), "malformed request");
      }
      return;
    }
    http::request<http::string_body> req = parser.release();
    HttpRequest request;
    request.method = std::string(req.method_string());
    request.target = std::string(req.target());
    for (const auto& field : req) {
      std::string name(field.name_string());
      std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
      request.headers[name] = std::string(field.value());
    }
    request.body = std::move(req.body());
    HttpResponse answer = handler(request);

    http::response<http::string_body> res{static_cast<http::status>(answer.status), req.version()};
    if (!answer.content_type.empty()) res.set(http::field::content_type, answer.content_type);
    // Milvus's REST server answers every request with these (RequestHandlerFunc).
    res.set(http::field::access_control_allow_origin, "*");
    res.set(http::field::access_control_allow_credentials, "true");
    res.set(http::field::access_control_allow_headers,
            "Content-Type, Content-Length, Accept-Encoding, X-CSRF-Token, Authorization, accept, origin, "
            "Cache-Control, X-Requested-With");
    res.set(http::field::access_control_allow_methods, "GET, HEAD, POST, PUT, DELETE, OPTIONS, PATCH");
    res.set("X-Content-Type-Options", "nosniff");
    res.keep_alive(req.keep_alive());
    res.body() = std::move(answer.body);
    res.prepare_payload();
    http::write(stream, res, ec);
    if (ec || !res.keep_alive()) return;
  }
}

}  // namespace quiver::server
