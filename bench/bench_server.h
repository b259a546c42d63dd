// BenchServer starts `quiver serve` as a child process on a free loopback port and a fresh data
// directory, connects a MilvusService stub, and stops the server (SIGTERM) and removes the
// directory when destroyed. For benchmarks only; not thread-safe.
#pragma once

#include <fcntl.h>
#include <grpcpp/grpcpp.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>

#include "milvus.grpc.pb.h"

class BenchServer {
 public:
  BenchServer(const std::string& bin, const std::string& name)
      : dir_(std::filesystem::temp_directory_path() / (name + "-" + std::to_string(getpid()))) {
    int port = FreePort();
    pid_ = fork();
    if (pid_ == 0) {
      int null = open("/dev/null", O_WRONLY);
      dup2(null, 2);
      execl(bin.c_str(), bin.c_str(), "serve", "--data", dir_.c_str(), "--port",
            std::to_string(port).c_str(), nullptr);
      _exit(127);
    }
    auto channel = grpc::CreateChannel("127.0.0.1:" + std::to_string(port),
                                       grpc::InsecureChannelCredentials());
    if (channel->WaitForConnected(std::chrono::system_clock::now() + std::chrono::seconds(10))) {
      stub_ = milvus::proto::milvus::MilvusService::NewStub(channel);
    }
  }
  ~BenchServer() {
    kill(pid_, stub_ ? SIGTERM : SIGKILL);
    waitpid(pid_, nullptr, 0);
    std::filesystem::remove_all(dir_);
  }
  BenchServer(const BenchServer&) = delete;
  BenchServer& operator=(const BenchServer&) = delete;

  // Null when the server did not come up.
  milvus::proto::milvus::MilvusService::Stub* stub() { return stub_.get(); }
  const std::string& dir() const { return dir_; }

 private:
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

  std::string dir_;
  pid_t pid_ = -1;
  std::unique_ptr<milvus::proto::milvus::MilvusService::Stub> stub_;
};
