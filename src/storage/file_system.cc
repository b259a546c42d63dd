#include "storage/file_system.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "common/file_io.h"

namespace quiver::storage {
namespace fs = std::filesystem;

namespace {

// A full disk is a configured limit the operator can lift, not a retryable fault of this call.
Status IoError(const char* op, const std::string& path, int err) {
  if (err == ENOSPC || err == EDQUOT) {
    return Status::ResourceExhausted("{} {}: disk full ({})", op, path, std::strerror(err))
        .About(Subject::kDisk);
  }
  return Status::Unavailable("{} {}: {}", op, path, std::strerror(err));
}

class PosixWritableFile final : public WritableFile {
 public:
  PosixWritableFile(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  ~PosixWritableFile() override { ::close(fd_); }
  PosixWritableFile(const PosixWritableFile&) = delete;
  PosixWritableFile& operator=(const PosixWritableFile&) = delete;

  Status Append(std::string_view data) override {
    size_t off = 0;
    while (off < data.size()) {
      ssize_t n = ::write(fd_, data.data() + off, data.size() - off);
      if (n < 0) {
        if (errno == EINTR) continue;
        return IoError("write", path_, errno);
      }
      off += static_cast<size_t>(n);
    }
    return Status::Ok();
  }

  Status Sync() override {
    if (::fdatasync(fd_) != 0) return IoError("fdatasync", path_, errno);
    return Status::Ok();
  }

 private:
  const int fd_;
  const std::string path_;
};

}  // namespace

Status PosixFileSystem::CreateDirs(const std::string& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Status::Unavailable("create {}: {}", dir, ec.message());
  return Status::Ok();
}

Result<std::vector<DirEntry>> PosixFileSystem::ListDir(const std::string& dir) {
  std::error_code ec;
  std::vector<DirEntry> out;
  for (auto it = fs::directory_iterator(dir, ec); !ec && it != fs::directory_iterator();
       it.increment(ec)) {
    out.push_back({it->path().filename().string(), it->is_directory()});
  }
  if (ec) return Status::Unavailable("list {}: {}", dir, ec.message());
  return out;
}

namespace {
// Read errors other than "not found" become Unavailable naming the path.
template <typename T>
Result<T> FileRead(Result<T> bytes, const std::string& path) {
  if (!bytes.ok() && bytes.status().code() != StatusCode::kNotFound) {
    return Status::Unavailable("cannot read {}: {}", path, bytes.status().message());
  }
  return bytes;
}
}  // namespace

Result<std::string> PosixFileSystem::ReadFile(const std::string& path) {
  return FileRead(ReadFileContents(path), path);
}

Result<FileBytes> PosixFileSystem::ReadFileBytes(const std::string& path) {
  return FileRead(MapFile(path), path);
}

Result<std::unique_ptr<WritableFile>> PosixFileSystem::OpenAppend(const std::string& path,
                                                                  bool create) {
  int flags = O_WRONLY | O_APPEND | O_CLOEXEC | (create ? O_CREAT | O_TRUNC : 0);
  int fd = ::open(path.c_str(), flags, 0644);
  if (fd < 0) return IoError(create ? "create" : "open", path, errno);
  return std::unique_ptr<WritableFile>(std::make_unique<PosixWritableFile>(fd, path));
}

Status PosixFileSystem::Truncate(const std::string& path, size_t size) {
  if (::truncate(path.c_str(), static_cast<off_t>(size)) != 0) {
    return IoError("truncate", path, errno);
  }
  return Status::Ok();
}

Status PosixFileSystem::Remove(const std::string& path) {
  std::error_code ec;
  fs::remove(path, ec);
  if (ec) return Status::Unavailable("remove {}: {}", path, ec.message());
  return Status::Ok();
}

Status PosixFileSystem::RemoveAll(const std::string& dir) {
  std::error_code ec;
  fs::remove_all(dir, ec);
  if (ec) return Status::Unavailable("remove {}: {}", dir, ec.message());
  return Status::Ok();
}

Status PosixFileSystem::Rename(const std::string& from, const std::string& to) {
  if (::rename(from.c_str(), to.c_str()) != 0) return IoError("rename", from + " -> " + to, errno);
  return Status::Ok();
}

Status PosixFileSystem::SyncDir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Status::Unavailable("open dir {}: {}", dir, std::strerror(errno));
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0) return IoError("fsync dir", dir, err);
  return Status::Ok();
}

}  // namespace quiver::storage
