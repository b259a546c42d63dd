#include "server/acceptor.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>

#include <gtest/gtest.h>

namespace quiver::server {
namespace {

TEST(ClassifyPreface, Http2PrefaceIsGrpcPrefixNeedsMoreAnythingElseIsHttp1) {
  const std::string preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
  EXPECT_EQ(ClassifyPreface(preface), Preface::kHttp2);
  EXPECT_EQ(ClassifyPreface(preface + "\x00\x00\x12"), Preface::kHttp2);
  EXPECT_EQ(ClassifyPreface("P"), Preface::kNeedMore);
  EXPECT_EQ(ClassifyPreface("PRI * HTTP/2.0\r\n"), Preface::kNeedMore);
  EXPECT_EQ(ClassifyPreface("POST /v2/vectordb/collections/list HTTP/1.1\r\n"), Preface::kHttp1);
  EXPECT_EQ(ClassifyPreface("GET / HTTP/1.1\r\n\r\n"), Preface::kHttp1);
  EXPECT_EQ(ClassifyPreface("PRI * HTTP/1.1"), Preface::kHttp1);
}

int Connect(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  ::inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  return fd;
}

void SendAll(int fd, const std::string& s) {
  size_t off = 0;
  while (off < s.size()) {
    ssize_t n = ::send(fd, s.data() + off, s.size() - off, MSG_NOSIGNAL);
    ASSERT_GT(n, 0);
    off += static_cast<size_t>(n);
  }
}

// Reads until `n` complete responses (by "\r\n\r\n" + Content-Length) or EOF.
std::string ReadResponses(int fd, int n) {
  std::string got;
  char buf[4096];
  int complete = 0;
  while (complete < n) {
    ssize_t r = ::recv(fd, buf, sizeof(buf), 0);
    if (r <= 0) break;
    got.append(buf, static_cast<size_t>(r));
    complete = 0;
    size_t pos = 0;
    for (;;) {
      size_t head_end = got.find("\r\n\r\n", pos);
      if (head_end == std::string::npos) break;
      size_t cl = got.find("Content-Length: ", pos);
      size_t len = cl != std::string::npos && cl < head_end ? std::stoul(got.substr(cl + 16)) : 0;
      if (got.size() < head_end + 4 + len) break;
      pos = head_end + 4 + len;
      ++complete;
    }
  }
  return got;
}

class AcceptorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    AcceptorOptions options;
    options.port = 0;
    options.http.max_body_bytes = 1024;
    auto a = Acceptor::Listen(options);
    ASSERT_TRUE(a.ok()) << a.status().ToString();
    acceptor_ = std::move(*a);
    acceptor_->Start(
        [this](int fd) {
          http2_fds_++;
          ::close(fd);
        },
        [](const HttpRequest& req) {
          HttpResponse res;
          res.body = req.method + " " + req.target + " [" + req.body + "] " + req.Header("x-test");
          return res;
        });
  }
  void TearDown() override { acceptor_->Stop(); }

  std::unique_ptr<Acceptor> acceptor_;
  std::atomic<int> http2_fds_{0};
};

TEST_F(AcceptorTest, ServesKeepAliveRequestsOnOneConnection) {
  int fd = Connect(acceptor_->port());
  SendAll(fd, "POST /a HTTP/1.1\r\nHost: x\r\nX-Test: one\r\nContent-Length: 5\r\n\r\nhello"
              "POST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}");
  std::string got = ReadResponses(fd, 2);
  EXPECT_NE(got.find("POST /a [hello] one"), std::string::npos) << got;
  EXPECT_NE(got.find("POST /b [{}] "), std::string::npos) << got;
  EXPECT_NE(got.find("Access-Control-Allow-Origin: *"), std::string::npos) << got;
  ::close(fd);
}

TEST_F(AcceptorTest, ReadsChunkedBodies) {
  int fd = Connect(acceptor_->port());
  SendAll(fd, "POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n");
  std::string got = ReadResponses(fd, 1);
  EXPECT_NE(got.find("POST /c [abcde]"), std::string::npos) << got;
  ::close(fd);
}

TEST_F(AcceptorTest, AnswersContinueBeforeTheBody) {
  int fd = Connect(acceptor_->port());
  timeval tv{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  SendAll(fd, "POST /e HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n");
  auto read_until = [&](std::string& got, const std::string& what) {
    char buf[256];
    while (got.find(what) == std::string::npos) {
      ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
      if (n <= 0) return;
      got.append(buf, static_cast<size_t>(n));
    }
  };
  std::string got;
  read_until(got, "\r\n\r\n");
  EXPECT_EQ(got.rfind("HTTP/1.1 100 Continue\r\n\r\n", 0), 0u) << got;
  SendAll(fd, "xyz");
  read_until(got, "[xyz]");
  EXPECT_NE(got.find("POST /e [xyz]"), std::string::npos) << got;
  ::close(fd);
}

TEST_F(AcceptorTest, RejectsBodiesOverTheLimit) {
  int fd = Connect(acceptor_->port());
  SendAll(fd, "POST /big HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n");
  std::string got = ReadResponses(fd, 1);
  EXPECT_EQ(got.rfind("HTTP/1.1 413", 0), 0u) << got;
  ::close(fd);
}

TEST_F(AcceptorTest, HandsHttp2ConnectionsOff) {
  int fd = Connect(acceptor_->port());
  SendAll(fd, std::string("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"));
  for (int i = 0; i < 200 && http2_fds_ == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ(http2_fds_, 1);
  ::close(fd);
}

TEST_F(AcceptorTest, ProbeThatSendsNothingIsClosedQuietlyAndStopEndsIdleConnections) {
  int probe = Connect(acceptor_->port());
  ::close(probe);
  int idle = Connect(acceptor_->port());
  SendAll(idle, "POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");
  ReadResponses(idle, 1);
  acceptor_->Stop();  // must not wait for the idle keep-alive connection
  char c;
  EXPECT_LE(::recv(idle, &c, 1, 0), 0);
  ::close(idle);
}

}  // namespace
}  // namespace quiver::server
