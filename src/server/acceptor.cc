#include "server/acceptor.h"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/logging.h"

namespace quiver::server {
namespace {

constexpr std::string_view kHttp2Preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

}  // namespace

Preface ClassifyPreface(std::string_view first_bytes) {
  size_t n = std::min(first_bytes.size(), kHttp2Preface.size());
  if (first_bytes.substr(0, n) != kHttp2Preface.substr(0, n)) return Preface::kHttp1;
  return n == kHttp2Preface.size() ? Preface::kHttp2 : Preface::kNeedMore;
}

Result<std::unique_ptr<Acceptor>> Acceptor::Listen(const AcceptorOptions& options) {
  std::string host = options.host;
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* addrs = nullptr;
  std::string port = std::to_string(options.port);
  if (int rc = ::getaddrinfo(host.empty() ? nullptr : host.c_str(), port.c_str(), &hints, &addrs); rc != 0) {
    return Status::InvalidArgument("cannot resolve {}: {}", options.host, ::gai_strerror(rc));
  }
  int fd = -1;
  std::string error = "no address";
  for (addrinfo* a = addrs; a != nullptr; a = a->ai_next) {
    fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) {
      error = std::strerror(errno);
      continue;
    }
    int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (::bind(fd, a->ai_addr, a->ai_addrlen) == 0 && ::listen(fd, 1024) == 0) break;
    error = std::strerror(errno);
    ::close(fd);
    fd = -1;
  }
  ::freeaddrinfo(addrs);
  if (fd < 0) return Status::Unavailable("cannot listen on {}:{}: {}", options.host, options.port, error);

  sockaddr_storage bound{};
  socklen_t len = sizeof(bound);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &len);
  int bound_port = bound.ss_family == AF_INET6 ? ntohs(reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port)
                                               : ntohs(reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC | O_NONBLOCK) != 0) {
    ::close(fd);
    return Status::Internal("pipe2: {}", std::strerror(errno));
  }
  return std::unique_ptr<Acceptor>(new Acceptor(options, fd, bound_port, pipe_fds[0], pipe_fds[1]));
}

Acceptor::Acceptor(AcceptorOptions options, int listen_fd, int port, int wake_read, int wake_write)
    : options_(std::move(options)), listen_fd_(listen_fd), port_(port), wake_read_(wake_read), wake_write_(wake_write) {}

Acceptor::~Acceptor() {
  Stop();
  ::close(listen_fd_);
  ::close(wake_read_);
  ::close(wake_write_);
}

void Acceptor::Start(Http2Sink on_http2, HttpHandler on_http) {
  on_http2_ = std::move(on_http2);
  on_http_ = std::move(on_http);
  accept_thread_ = std::jthread([this](std::stop_token stop) { AcceptLoop(stop); });
}

void Acceptor::Stop() {
  if (stopping_.exchange(true)) return;
  char byte = 1;
  (void)!::write(wake_write_, &byte, 1);
  slot_free_.notify_all();
  if (accept_thread_.joinable()) {
    accept_thread_.request_stop();
    accept_thread_.join();
  }
  std::map<uint64_t, std::jthread> connections;
  {
    std::lock_guard lock(mu_);
    // Wakes every connection thread blocked in recv/poll; each then closes its own fd.
    for (int fd : open_fds_) ::shutdown(fd, SHUT_RDWR);
    connections.swap(connections_);
    finished_.clear();
  }
  connections.clear();  // joins
}

void Acceptor::ReapFinished() {
  std::vector<std::jthread> done;
  {
    std::lock_guard lock(mu_);
    for (uint64_t id : finished_) {
      auto it = connections_.find(id);
      if (it == connections_.end()) continue;
      done.push_back(std::move(it->second));
      connections_.erase(it);
    }
    finished_.clear();
  }
  done.clear();  // joins threads that have already left ServeConnection
}

void Acceptor::AcceptLoop(std::stop_token stop) {
  while (!stop.stop_requested()) {
    ReapFinished();
    {
      std::unique_lock lock(mu_);
      slot_free_.wait(lock, [&] {
        return stopping_.load() || !finished_.empty() ||
               static_cast<int>(connections_.size()) < options_.max_connections;
      });
      if (stopping_) return;
      if (static_cast<int>(connections_.size()) >= options_.max_connections) continue;  // reap first
    }
    pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {wake_read_, POLLIN, 0}};
    int r = ::poll(fds, 2, -1);
    if (r < 0) {
      if (errno == EINTR) continue;
      QV_LOG_ERROR("poll on the listening socket failed: {}", std::strerror(errno));
      return;
    }
    if (fds[1].revents != 0 || stopping_) return;
    int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
        QV_LOG_WARN("accept failed: {}; retrying", std::strerror(errno));
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
      continue;  // EINTR, ECONNABORTED, EAGAIN, ...: nothing to do
    }
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    std::lock_guard lock(mu_);
    uint64_t id = next_id_++;
    open_fds_.insert(fd);
    // Emplaced under mu_, so the thread cannot report itself finished before it is in the map.
    connections_.emplace(id, std::jthread([this, id, fd] { ServeConnection(id, fd); }));
  }
}

void Acceptor::ServeConnection(uint64_t id, int fd) {
  Preface kind = Preface::kNeedMore;
  char peek[32];
  ssize_t seen = 0;
  auto deadline = std::chrono::steady_clock::now() + options_.sniff_timeout;
  while (kind == Preface::kNeedMore && !stopping_) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    pollfd p{fd, POLLIN, 0};
    int r = ::poll(&p, 1, static_cast<int>(std::min<int64_t>(left.count(), 1000)));
    if (r < 0 && errno != EINTR) break;
    if (r <= 0) continue;
    ssize_t n = ::recv(fd, peek, 24, MSG_PEEK);
    if (n <= 0) {
      if (n < 0 && errno == EINTR) continue;
      break;  // closed before sending anything (e.g. a port probe)
    }
    kind = ClassifyPreface(std::string_view(peek, static_cast<size_t>(n)));
    // Part of the preface is buffered and poll keeps reporting it: wait for the rest.
    if (kind == Preface::kNeedMore && n == seen) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    seen = n;
  }

  bool handed_off = false;
  if (kind == Preface::kHttp2) {
    std::lock_guard lock(mu_);
    if (!stopping_) {
      open_fds_.erase(fd);
      handed_off = true;
    }
  }
  if (handed_off) {
    // gRPC's endpoint reads until EAGAIN: a blocking socket would park a poller thread in
    // recvmsg (large requests then stalled until the completion-queue timeout, 10 s).
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
    on_http2_(fd);  // the gRPC server owns fd from here
  } else if (kind == Preface::kHttp1 && !stopping_) {
    ServeHttpConnection(fd, on_http_, options_.http);
  }

  std::lock_guard lock(mu_);
  if (!handed_off) {
    open_fds_.erase(fd);
    ::close(fd);
  }
  finished_.push_back(id);
  slot_free_.notify_all();
}

}  // namespace quiver::server
