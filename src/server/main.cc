// quiver: the single binary. `quiver serve` runs every role in one process on local storage
// and serves the Milvus gRPC API.
#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/server_posix.h>
#include <signal.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <thread>

#include "common/crash_point.h"
#include "common/logging.h"
#include "common/version.h"
#include "proxy/milvus_service.h"
#include "proxy/rest/rest_handler.h"
#include "server/acceptor.h"
#include "server/config.h"
#include "server/engine.h"

namespace quiver::server {
namespace {

int Serve(const ServerConfig& config) {
  // Block the stop signals before any thread starts (threads inherit the mask); one thread
  // waits for them below.
  sigset_t sigs;
  sigemptyset(&sigs);
  sigaddset(&sigs, SIGINT);
  sigaddset(&sigs, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &sigs, nullptr);
  // Logs go to stderr; stdout stays free for the user.
  spdlog::set_default_logger(spdlog::stderr_color_mt("quiver"));
  spdlog::set_level(spdlog::level::from_str(config.log_level));
  EngineOptions engine_options;
  engine_options.wal_sync = config.wal_sync;
  engine_options.flush_rows = config.flush_rows;
  engine_options.exact_scan_max_cost = config.exact_scan_max_cost;
  engine_options.wal_max_file_bytes = static_cast<size_t>(config.wal_max_file_bytes);
  engine_options.min_free_bytes = config.min_free_bytes;
  if (Status st = ArmFromEnvironment(); !st.ok()) {
    QV_LOG_ERROR("{}", st.message());
    return 2;
  }
  if (!config.crash_at.empty()) {
    if (Status st = ArmCrashPoint(config.crash_at); !st.ok()) {
      QV_LOG_ERROR("{}", st.message());
      return 2;
    }
    QV_LOG_WARN("crash point {} armed: the server will exit with code {} there", config.crash_at,
                kCrashPointExitCode);
  }
  for (const auto& name : config.unsafe) {
    if (Status st = EnableUnsafeBehaviour(name); !st.ok()) {
      QV_LOG_ERROR("{}", st.message());
      return 2;
    }
    QV_LOG_WARN("UNSAFE behaviour {} enabled: acknowledged data may be lost (crash tests only)",
                name);
  }
  auto engine = Engine::Open(config.data_dir, engine_options);
  if (!engine.ok()) {
    QV_LOG_ERROR("{}", engine.status().message());
    return 1;
  }
  proxy::MilvusServiceImpl& service = (*engine)->service();
  proxy::rest::RestHandler& rest = (*engine)->rest();
  std::error_code ec;

  // Quiver owns the TCP port: gRPC (HTTP/2) connections are handed to the gRPC server, which
  // itself listens on nothing but the optional unix socket; HTTP/1.1 goes to the REST API.
  std::unique_ptr<Acceptor> acceptor;
  if (config.port >= 0) {
    AcceptorOptions options;
    options.host = config.host;
    options.port = config.port;
    options.http.max_body_bytes = static_cast<size_t>(config.max_recv_message_bytes);
    auto listening = Acceptor::Listen(options);
    if (!listening.ok()) {
      QV_LOG_ERROR("{}", listening.status().message());
      return 1;
    }
    acceptor = std::move(*listening);
  }

  grpc::EnableDefaultHealthCheckService(true);
  grpc::ServerBuilder builder;
  if (!config.unix_socket.empty()) {
    // A stale socket file from a killed server would make the bind fail.
    std::filesystem::remove(config.unix_socket, ec);
    builder.AddListeningPort("unix:" + config.unix_socket, grpc::InsecureServerCredentials());
  }
  builder.SetMaxReceiveMessageSize(config.max_recv_message_bytes);
  builder.SetMaxSendMessageSize(config.max_send_message_bytes);
  // Clients ping every 10 s (pymilvus) and may ping without calls in flight; accept that.
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS, 5000);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MAX_PING_STRIKES, 0);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  builder.RegisterService(&service);
  // Two threads wait on the completion queue at all times (gRPC's default is one), so the thread
  // that takes a request runs it without first waking a replacement poller: load_bench measured
  // 10-30 % less server CPU per search and up to 1.7x the one-client QPS.
  builder.SetSyncServerOption(grpc::ServerBuilder::SyncServerOption::MIN_POLLERS, 2);
  builder.SetSyncServerOption(grpc::ServerBuilder::SyncServerOption::MAX_POLLERS, 4);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (!server) {
    QV_LOG_ERROR("cannot start the gRPC server{}",
                 config.unix_socket.empty() ? "" : " on unix:" + config.unix_socket);
    return 1;
  }
  if (acceptor) {
    acceptor->Start([&server](int fd) { grpc::AddInsecureChannelFromFd(server.get(), fd); },
                    [&rest](const HttpRequest& http) {
                      proxy::rest::RestRequest req;
                      req.method = http.method;
                      req.path = http.target.substr(0, http.target.find('?'));
                      req.body = http.body;
                      req.db_name_header = http.Header("db-name");
                      req.allow_int64_header = http.Header("accept-type-allow-int64");
                      proxy::rest::RestResponse res = rest.Handle(req);
                      return HttpResponse{res.http_status, res.content_type, std::move(res.body)};
                    });
    QV_LOG_INFO("quiver {} serving Milvus gRPC on {}:{} (data {})", kQuiverVersion, config.host,
                acceptor->port(), config.data_dir);
    QV_LOG_INFO("quiver {} serving Milvus REST v2 on http://{}:{}/v2/vectordb", kQuiverVersion,
                config.host, acceptor->port());
  }
  if (!config.unix_socket.empty()) {
    QV_LOG_INFO("quiver {} serving Milvus gRPC on unix:{} (data {})", kQuiverVersion,
                config.unix_socket, config.data_dir);
  }

  std::thread stopper([&] {
    int sig = 0;
    sigwait(&sigs, &sig);
    QV_LOG_INFO("signal {} received, shutting down", sig);
    // Stop taking connections and close REST ones first; then gRPC drains its calls.
    if (acceptor) acceptor->Stop();
    server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
  });
  server->Wait();
  stopper.join();
  QV_LOG_INFO("quiver stopped");
  return 0;
}

}  // namespace
}  // namespace quiver::server

int main(int argc, char** argv) {
  CLI::App app{"Quiver: a Milvus-compatible vector database in one binary"};
  app.set_version_flag("--version", std::string("quiver ") + quiver::kQuiverVersion +
                                        " (Milvus " + quiver::kMilvusCompatVersion + " protocol)");
  app.require_subcommand(1);
  quiver::server::ServerConfig config;
  std::string config_file;
  std::string data_dir, host, log_level;
  int port = 0;
  CLI::App* serve = app.add_subcommand("serve", "run the standalone server");
  serve->add_option("--config", config_file, "YAML configuration file");
  serve->add_option("--data", data_dir, "data directory (default ./quiver-data)");
  serve->add_option("--host", host, "address to listen on (default 127.0.0.1)");
  serve->add_option("--port", port, "gRPC port (default 19530)")->check(CLI::Range(0, 65535));
  serve->add_option("--log-level", log_level, "trace, debug, info, warn, error");
  std::string unix_socket;
  serve->add_option("--unix-socket", unix_socket,
                    "also serve on this unix domain socket; without --port, only there");
  int64_t exact_scan_max_cost = -1;
  serve->add_option("--exact-scan-max-cost", exact_scan_max_cost,
                    "search planner: scan filtered rows exactly up to this many multiply-adds per query")
      ->check(CLI::NonNegativeNumber);
  int64_t flush_rows = -1, wal_max_file_bytes = -1, min_free_bytes = -1;
  serve
      ->add_option("--flush-rows", flush_rows,
                   "flush a collection once it holds this many unflushed rows")
      ->check(CLI::PositiveNumber);
  serve
      ->add_option("--wal-max-file-bytes", wal_max_file_bytes,
                   "start a new WAL file past this size")
      ->check(CLI::PositiveNumber);
  serve
      ->add_option(
          "--min-free-bytes", min_free_bytes,
          "refuse inserts and upserts while the data directory has less free space (0 = off)")
      ->check(CLI::NonNegativeNumber);
  std::string crash_at;
  std::vector<std::string> unsafe;
  serve->add_option("--crash-at", crash_at,
                    "crash tests: exit with code 9 at this crash point (<name>[:<n>])");
  serve->add_option("--unsafe", unsafe,
                    "crash tests' negative controls: enable a deliberate durability bug");
  CLI::App* crash_points =
      app.add_subcommand("crash-points", "list the crash points and unsafe behaviours");
  CLI11_PARSE(app, argc, argv);
  if (crash_points->parsed()) {
    for (auto name : quiver::CrashPointNames()) std::cout << name << "\n";
    for (auto name : quiver::UnsafeBehaviourNames()) std::cout << "unsafe:" << name << "\n";
    return 0;
  }

  if (!config_file.empty()) {
    quiver::Status st = quiver::server::LoadConfigFile(config_file, config);
    if (!st.ok()) {
      std::cerr << st.message() << "\n";
      return 2;
    }
  }
  if (!data_dir.empty()) config.data_dir = data_dir;
  if (!host.empty()) config.host = host;
  if (serve->count("--port")) config.port = port;
  if (!unix_socket.empty()) {
    config.unix_socket = unix_socket;
    if (!serve->count("--port") && config_file.empty()) config.port = -1;
  }
  if (!log_level.empty()) config.log_level = log_level;
  if (exact_scan_max_cost >= 0) config.exact_scan_max_cost = exact_scan_max_cost;
  if (flush_rows > 0) config.flush_rows = flush_rows;
  if (wal_max_file_bytes > 0) config.wal_max_file_bytes = wal_max_file_bytes;
  if (min_free_bytes >= 0) config.min_free_bytes = min_free_bytes;
  if (!crash_at.empty()) config.crash_at = crash_at;
  if (!unsafe.empty()) config.unsafe = unsafe;
  return quiver::server::Serve(config);
}
