// BenchServer starts `quiver serve` as a child process on a free loopback port and a fresh data
// directory, connects a MilvusService stub, restarts it on the same directory on request, and
// stops the server (SIGTERM) and removes the directory when destroyed. For benchmarks only; not thread-safe.
#pragma once

#include <fcntl.h>
#include <grpcpp/grpcpp.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "milvus.grpc.pb.h"

// Appends key = value to a request's KeyValuePair list (index and search parameters).
inline void Kv(google::protobuf::RepeatedPtrField<milvus::proto::common::KeyValuePair>* kvs,
               const std::string& k, const std::string& v) {
  auto* kv = kvs->Add();
  kv->set_key(k);
  kv->set_value(v);
}

// True when both the RPC and Milvus's status succeeded; otherwise says which call failed.
inline bool Ok(const grpc::Status& s, const milvus::proto::common::Status& st, const char* what) {
  if (s.ok() && st.code() == 0) return true;
  std::fprintf(stderr, "%s failed: %s %s\n", what, s.error_message().c_str(), st.reason().c_str());
  return false;
}

class BenchServer {
 public:
  BenchServer(const std::string& bin, const std::string& name)
      : bin_(bin), dir_(std::filesystem::temp_directory_path() / (name + "-" + std::to_string(getpid()))),
        port_(FreePort()) {
    StartImpl();
  }
  ~BenchServer() {
    StopImpl();
    if (std::getenv("QUIVER_BENCH_KEEP") == nullptr) std::filesystem::remove_all(dir_);
  }
  // Stops the server (SIGTERM, waits) and starts it again on the same directory and port;
  // returns once the port accepts connections (or after 60 s).
  void Restart() {
    StopImpl();
    StartImpl();
  }
  pid_t pid() const { return pid_; }
  int port() const { return port_; }
  void Start() { StartImpl(); }
  void Stop() { StopImpl(); }
  BenchServer(const BenchServer&) = delete;
  BenchServer& operator=(const BenchServer&) = delete;

  // Null when the server did not come up.
  milvus::proto::milvus::MilvusService::Stub* stub() { return stub_.get(); }
  const std::string& dir() const { return dir_; }

 private:
  bool PortOpen() const {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(static_cast<uint16_t>(port_));
    bool ok = connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    close(fd);
    return ok;
  }

  static int FreePort() {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    int port = ntohs(a.sin_port);
    close(fd);
    return port;
  }

  void StartImpl() {
    pid_ = fork();
    if (pid_ == 0) {
      int null = open("/dev/null", O_WRONLY);
      dup2(null, 2);
      execl(bin_.c_str(), bin_.c_str(), "serve", "--data", dir_.c_str(), "--port",
            std::to_string(port_).c_str(), nullptr);
      _exit(127);
    }
    // Poll the port with plain connects (gRPC's reconnect backoff would round the start-up
    // time up to whole seconds), then connect the channel.
    stub_.reset();
    for (int i = 0; i < 12000 && !PortOpen(); ++i) usleep(5000);
    auto channel = grpc::CreateChannel("127.0.0.1:" + std::to_string(port_),
                                       grpc::InsecureChannelCredentials());
    if (channel->WaitForConnected(std::chrono::system_clock::now() + std::chrono::seconds(60))) {
      stub_ = milvus::proto::milvus::MilvusService::NewStub(channel);
    }
  }
  void StopImpl() {
    if (pid_ <= 0) return;
    kill(pid_, stub_ ? SIGTERM : SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }

  std::string bin_;
  std::string dir_;
  int port_;
  pid_t pid_ = -1;
  std::unique_ptr<milvus::proto::milvus::MilvusService::Stub> stub_;
};
