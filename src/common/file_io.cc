#include "common/file_io.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace quiver {
namespace {

// An open file descriptor and the size fstat saw; closed when destroyed.
struct OpenFile {
  int fd = -1;
  size_t size = 0;
  OpenFile() = default;
  OpenFile(OpenFile&& other) noexcept : fd(std::exchange(other.fd, -1)), size(other.size) {}
  OpenFile(const OpenFile&) = delete;
  OpenFile& operator=(const OpenFile&) = delete;
  ~OpenFile() {
    if (fd >= 0) ::close(fd);
  }
};

// NotFound when the file does not exist, Unavailable on other errors.
Result<OpenFile> OpenForRead(const std::string& path) {
  OpenFile f;
  f.fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (f.fd < 0) {
    if (errno == ENOENT) return Status::NotFound("{} does not exist", path);
    return Status::Unavailable("open {}: {}", path, std::strerror(errno));
  }
  struct stat st {};
  if (::fstat(f.fd, &st) != 0)
    return Status::Unavailable("stat {}: {}", path, std::strerror(errno));
  f.size = static_cast<size_t>(st.st_size);
  return f;
}

}  // namespace

Result<std::string> ReadFileContents(const std::string& path) {
  QV_ASSIGN_OR_RETURN(OpenFile f, OpenForRead(path));
  std::string out;
  out.resize(f.size);
  size_t off = 0;
  // Reads to end of file even if it grew since fstat; the end is found with a small read into
  // `probe`, so a file of the size fstat saw is never copied into a larger buffer.
  char probe[4096];
  for (;;) {
    const bool full = off == out.size();
    ssize_t n =
        full ? ::read(f.fd, probe, sizeof probe) : ::read(f.fd, out.data() + off, out.size() - off);
    if (full && n > 0) out.append(probe, static_cast<size_t>(n));
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::Unavailable("read {}: {}", path, std::strerror(errno));
    }
    if (n == 0) break;
    off += static_cast<size_t>(n);
  }
  out.resize(off);
  return out;
}

FileBytes& FileBytes::operator=(FileBytes&& other) noexcept {
  if (this == &other) return *this;
  Release();
  const bool owned = other.map_ == nullptr;
  owned_ = std::move(other.owned_);
  map_ = std::exchange(other.map_, nullptr);
  view_ = owned ? std::string_view(owned_) : other.view_;
  other.owned_.clear();
  other.view_ = {};
  return *this;
}

void FileBytes::Release() {
  if (map_ != nullptr) ::munmap(map_, view_.size());
  map_ = nullptr;
  owned_.clear();
  view_ = {};
}

Result<FileBytes> MapFile(const std::string& path) {
  QV_ASSIGN_OR_RETURN(OpenFile f, OpenForRead(path));
  FileBytes out;
  if (f.size == 0) return out;
  void* map = ::mmap(nullptr, f.size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, f.fd, 0);
  if (map == MAP_FAILED) return Status::Unavailable("mmap {}: {}", path, std::strerror(errno));
  out.map_ = map;
  out.view_ = std::string_view(static_cast<const char*>(map), f.size);
  return out;
}

}  // namespace quiver
