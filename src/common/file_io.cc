#include "common/file_io.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace quiver {

Result<std::string> ReadFileContents(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return Status::NotFound("{} does not exist", path);
    return Status::Unavailable("open {}: {}", path, std::strerror(errno));
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    Status s = Status::Unavailable("stat {}: {}", path, std::strerror(errno));
    ::close(fd);
    return s;
  }
  std::string out;
  out.resize(static_cast<size_t>(st.st_size));
  size_t off = 0;
  // Reads to end of file even if it grew since fstat; the end is found with a small read into
  // `probe`, so a file of the size fstat saw is never copied into a larger buffer.
  char probe[4096];
  for (;;) {
    const bool full = off == out.size();
    ssize_t n =
        full ? ::read(fd, probe, sizeof probe) : ::read(fd, out.data() + off, out.size() - off);
    if (full && n > 0) out.append(probe, static_cast<size_t>(n));
    if (n < 0) {
      if (errno == EINTR) continue;
      Status s = Status::Unavailable("read {}: {}", path, std::strerror(errno));
      ::close(fd);
      return s;
    }
    if (n == 0) break;
    off += static_cast<size_t>(n);
  }
  ::close(fd);
  out.resize(off);
  return out;
}

FileBytes& FileBytes::operator=(FileBytes&& other) noexcept {
  if (this == &other) return *this;
  Release();
  const bool owned = other.map_ == nullptr;
  owned_ = std::move(other.owned_);
  map_ = std::exchange(other.map_, nullptr);
  map_size_ = std::exchange(other.map_size_, 0);
  view_ = owned ? std::string_view(owned_) : other.view_;
  other.owned_.clear();
  other.view_ = {};
  return *this;
}

void FileBytes::Release() {
  if (map_ != nullptr) ::munmap(map_, map_size_);
  map_ = nullptr;
  map_size_ = 0;
  owned_.clear();
  view_ = {};
}

Result<FileBytes> MapFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return Status::NotFound("{} does not exist", path);
    return Status::Unavailable("open {}: {}", path, std::strerror(errno));
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    Status s = Status::Unavailable("stat {}: {}", path, std::strerror(errno));
    ::close(fd);
    return s;
  }
  FileBytes out;
  if (st.st_size > 0) {
    const auto size = static_cast<size_t>(st.st_size);
    void* map = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
    if (map == MAP_FAILED) {
      Status s = Status::Unavailable("mmap {}: {}", path, std::strerror(errno));
      ::close(fd);
      return s;
    }
    out.map_ = map;
    out.map_size_ = size;
    out.view_ = std::string_view(static_cast<const char*>(map), size);
  }
  ::close(fd);
  return out;
}

}  // namespace quiver
