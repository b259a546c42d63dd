// Acceptor owns Quiver's TCP listening socket and serves gRPC and the REST API on the same
// port, as Milvus does with cmux: for each accepted connection it peeks at the first bytes;
// the HTTP/2 client preface means gRPC and the connection is handed, switched to non-blocking,
// to `on_http2` (which takes ownership of the fd, e.g. grpc::AddInsecureChannelFromFd); anything else is served as
// HTTP/1.1 by the `on_http` handler. Each connection gets its own thread until it is handed
// off or closed, at most `max_connections` at a time (further connections wait in the
// kernel's backlog). Thread-safe; Stop() closes the listener and every HTTP connection and
// joins all threads. The handlers are borrowed and must stay valid until Stop() returns.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "common/status.h"
#include "server/http_connection.h"

namespace quiver::server {

// What the first bytes of a connection say about its protocol.
enum class Preface {
  kNeedMore,  // every byte so far matches the HTTP/2 preface; read more
  kHttp2,     // the full HTTP/2 client preface (gRPC)
  kHttp1,     // anything else
};
Preface ClassifyPreface(std::string_view first_bytes);

struct AcceptorOptions {
  std::string host = "127.0.0.1";
  int port = 19530;  // 0: any free port (see Acceptor::port())
  int max_connections = 1024;
  // A connection that has not sent enough bytes to be classified by then is closed.
  std::chrono::milliseconds sniff_timeout{30'000};
  HttpLimits http;
};

class Acceptor {
 public:
  using Http2Sink = std::function<void(int fd)>;

  // Binds and listens; nothing is accepted until Start().
  static Result<std::unique_ptr<Acceptor>> Listen(const AcceptorOptions& options);
  ~Acceptor();
  Acceptor(const Acceptor&) = delete;
  Acceptor& operator=(const Acceptor&) = delete;

  int port() const { return port_; }

  void Start(Http2Sink on_http2, HttpHandler on_http);
  // Idempotent.
  void Stop();

 private:
  Acceptor(AcceptorOptions options, int listen_fd, int port, int wake_read, int wake_write);
  void AcceptLoop(std::stop_token stop);
  void ServeConnection(uint64_t id, int fd);
  void ReapFinished();

  const AcceptorOptions options_;
  const int listen_fd_;
  const int port_;
  const int wake_read_;   // a byte on the pipe wakes AcceptLoop's poll
  const int wake_write_;
  Http2Sink on_http2_;
  HttpHandler on_http_;
  std::atomic<bool> stopping_{false};
  std::jthread accept_thread_;

  std::mutex mu_;
  std::condition_variable slot_free_;
  uint64_t next_id_ = 0;
  std::map<uint64_t, std::jthread> connections_;  // guarded by mu_
  std::vector<uint64_t> finished_;                // guarded by mu_: threads ready to join
  std::set<int> open_fds_;                        // guarded by mu_: fds still ours (not handed off)
};

}  // namespace quiver::server
