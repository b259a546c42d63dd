#include "server/config.h"

#include <yaml-cpp/yaml.h>

namespace quiver::server {

Status LoadConfigFile(const std::string& path, ServerConfig& config) {
  try {
    YAML::Node root = YAML::LoadFile(path);
    if (auto n = root["data"]) config.data_dir = n.as<std::string>();
    if (auto n = root["host"]) config.host = n.as<std::string>();
    if (auto n = root["port"]) config.port = n.as<int>();
    if (auto n = root["unix_socket"]) config.unix_socket = n.as<std::string>();
    if (auto n = root["log_level"]) config.log_level = n.as<std::string>();
    if (auto wal = root["wal"]) {
      if (auto n = wal["sync"]) config.wal_sync = n.as<bool>();
      if (auto n = wal["max_file_bytes"]) config.wal_max_file_bytes = n.as<int64_t>();
    }
    if (auto storage = root["storage"]) {
      if (auto n = storage["min_free_bytes"]) config.min_free_bytes = n.as<int64_t>();
    }
    if (auto seg = root["segment"]) {
      if (auto n = seg["flush_rows"]) config.flush_rows = n.as<int64_t>();
    }
    if (auto search = root["search"]) {
      if (auto n = search["exact_scan_max_cost"]) config.exact_scan_max_cost = n.as<int64_t>();
    }
    if (auto grpc = root["grpc"]) {
      if (auto n = grpc["max_recv_message_bytes"]) config.max_recv_message_bytes = n.as<int>();
      if (auto n = grpc["max_send_message_bytes"]) config.max_send_message_bytes = n.as<int>();
    }
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument("config file {}: {}", path, e.what());
  }
  return Status::Ok();
}

}  // namespace quiver::server
