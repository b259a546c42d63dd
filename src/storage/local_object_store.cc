#include "storage/local_object_store.h"

#include <vector>

#include "common/file_io.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace quiver::storage {
namespace fs = std::filesystem;

namespace {

Status SyncPath(const std::string& path, int flags) {
  int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) return Status::Unavailable("open {}: {}", path, std::strerror(errno));
  int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return Status::Unavailable("fsync {}: {}", path, std::strerror(errno));
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<LocalObjectStore>> LocalObjectStore::Open(const std::string& root) {
  std::error_code ec;
  fs::create_directories(root, ec);
  if (ec) return Status::Unavailable("create {}: {}", root, ec.message());
  // Temporary files of interrupted puts are garbage.
  for (const auto& e : fs::recursive_directory_iterator(root, ec)) {
    if (e.is_regular_file() && e.path().filename().string().starts_with(".tmp-")) fs::remove(e.path(), ec);
  }
  return std::unique_ptr<LocalObjectStore>(new LocalObjectStore(root));
}

Result<std::string> LocalObjectStore::PathOf(const std::string& key) const {
  if (key.empty() || key[0] == '/' || key.find("..") != std::string::npos) {
    return Status::InvalidArgument("bad object key '{}'", key);
  }
  return root_ + "/" + key;
}

Status LocalObjectStore::Put(const std::string& key, std::string_view bytes) {
  QV_ASSIGN_OR_RETURN(std::string path, PathOf(key));
  fs::path p(path);
  std::error_code ec;
  // Directories created here must themselves be durable: fsync each new one's parent, up to
  // the first that already existed (else a power cut could drop a new prefix with its objects).
  std::vector<fs::path> created;
  for (fs::path d = p.parent_path(); !d.empty() && !fs::exists(d, ec); d = d.parent_path()) created.push_back(d);
  fs::create_directories(p.parent_path(), ec);
  if (ec) return Status::Unavailable("create {}: {}", p.parent_path().string(), ec.message());
  for (const fs::path& d : created) {
    QV_RETURN_IF_ERROR(SyncPath(d.parent_path().string(), O_RDONLY | O_DIRECTORY));
  }
  std::string tmp = (p.parent_path() / (".tmp-" + std::to_string(getpid()) + "-" +
                                        std::to_string(tmp_seq_.fetch_add(1)))).string();
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Status::Unavailable("create {}: {}", tmp, std::strerror(errno));
  size_t off = 0;
  while (off < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + off, bytes.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      Status st = errno == ENOSPC ? Status::ResourceExhausted("write {}: disk full", tmp)
                                  : Status::Unavailable("write {}: {}", tmp, std::strerror(errno));
      ::close(fd);
      fs::remove(tmp, ec);
      return st;
    }
    off += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) {
    Status st = Status::Unavailable("fsync {}: {}", tmp, std::strerror(errno));
    ::close(fd);
    fs::remove(tmp, ec);
    return st;
  }
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    Status st = Status::Unavailable("rename {} -> {}: {}", tmp, path, std::strerror(errno));
    fs::remove(tmp, ec);
    return st;
  }
  return SyncPath(p.parent_path().string(), O_RDONLY | O_DIRECTORY);
}

Result<std::string> LocalObjectStore::Get(const std::string& key) {
  QV_ASSIGN_OR_RETURN(std::string path, PathOf(key));
  auto bytes = ReadFileContents(path);
  if (!bytes.ok() && bytes.status().code() == StatusCode::kNotFound) {
    return Status::NotFound("object {} not found", key);
  }
  return bytes;
}

Status LocalObjectStore::Delete(const std::string& key) {
  QV_ASSIGN_OR_RETURN(std::string path, PathOf(key));
  std::error_code ec;
  fs::remove(path, ec);
  if (ec) return Status::Unavailable("remove {}: {}", path, ec.message());
  return Status::Ok();
}

Result<std::vector<std::string>> LocalObjectStore::List(const std::string& prefix) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : fs::recursive_directory_iterator(root_, ec)) {
    if (!e.is_regular_file()) continue;
    std::string rel = fs::relative(e.path(), root_).string();
    if (rel.starts_with(prefix) && !e.path().filename().string().starts_with(".tmp-")) out.push_back(rel);
  }
  if (ec) return Status::Unavailable("list {}: {}", root_, ec.message());
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace quiver::storage
