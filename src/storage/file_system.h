// FileSystem is the seam between the storage layers and the disk: every file and directory
// operation of the WAL (LocalLogStore) and of the object store (LocalObjectStore) goes through
// it, so tests can substitute FaultyFileSystem (storage/faulty_file_system.h), which records which
// bytes, creates, removes and renames are durable and simulates a power cut, a failing fsync or a
// full disk. PosixFileSystem is the production implementation. Implementations are thread-safe;
// a WritableFile is used by one thread at a time.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/file_io.h"
#include "common/status.h"

namespace quiver::storage {

// An open, append-only file. Closing it (destruction) makes nothing durable.
class WritableFile {
 public:
  virtual ~WritableFile() = default;
  // Appends all of `data`. A failure may leave any prefix of `data` written. A full disk is
  // ResourceExhausted, other failures Unavailable.
  [[nodiscard]] virtual Status Append(std::string_view data) = 0;
  // fdatasync: the bytes appended so far survive a power cut once this returns OK.
  [[nodiscard]] virtual Status Sync() = 0;
};

struct DirEntry {
  std::string name;
  bool is_dir = false;
};

class FileSystem {
 public:
  virtual ~FileSystem() = default;
  [[nodiscard]] virtual Status CreateDirs(const std::string& dir) = 0;
  [[nodiscard]] virtual Result<std::vector<DirEntry>> ListDir(const std::string& dir) = 0;
  // NotFound when `path` does not exist, Unavailable on other errors.
  [[nodiscard]] virtual Result<std::string> ReadFile(const std::string& path) = 0;
  // The whole file as read-only bytes: a memory mapping where the file system has one (Posix),
  // else ReadFile's copy. Same errors as ReadFile.
  [[nodiscard]] virtual Result<FileBytes> ReadFileBytes(const std::string& path) {
    QV_ASSIGN_OR_RETURN(std::string bytes, ReadFile(path));
    return FileBytes(std::move(bytes));
  }
  // Opens `path` for appending; with `create`, creates it or empties an existing file.
  [[nodiscard]] virtual Result<std::unique_ptr<WritableFile>> OpenAppend(const std::string& path,
                                                                         bool create) = 0;
  // Shortens `path` to `size` bytes; durable after a Sync of a handle on that file.
  [[nodiscard]] virtual Status Truncate(const std::string& path, size_t size) = 0;
  [[nodiscard]] virtual Status Remove(const std::string& path) = 0;
  [[nodiscard]] virtual Status RemoveAll(const std::string& dir) = 0;
  // rename(2) within one directory: atomically replaces `to`; durable after SyncDir.
  [[nodiscard]] virtual Status Rename(const std::string& from, const std::string& to) = 0;
  // fsync of a directory: creates, removes and renames of its entries survive a power cut.
  [[nodiscard]] virtual Status SyncDir(const std::string& dir) = 0;
};

// The real file system (POSIX calls, std::filesystem for directories). Stateless.
class PosixFileSystem final : public FileSystem {
 public:
  Status CreateDirs(const std::string& dir) override;
  Result<std::vector<DirEntry>> ListDir(const std::string& dir) override;
  Result<std::string> ReadFile(const std::string& path) override;
  Result<FileBytes> ReadFileBytes(const std::string& path) override;
  Result<std::unique_ptr<WritableFile>> OpenAppend(const std::string& path, bool create) override;
  Status Truncate(const std::string& path, size_t size) override;
  Status Remove(const std::string& path) override;
  Status RemoveAll(const std::string& dir) override;
  Status Rename(const std::string& from, const std::string& to) override;
  Status SyncDir(const std::string& dir) override;
};

}  // namespace quiver::storage
