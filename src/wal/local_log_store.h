// LocalLogStore is the standalone LogStore: one directory per channel holding WAL files named
// by the LSN of their first record (docs/wal_format.md). Appends use group commit: the first
// waiting appender becomes the leader, writes every pending record with one write() and one
// fdatasync(), with the channel lock released, then wakes the others. A failed write or sync
// poisons the channel: every later append fails until restart (the file state is unknown).
// All file I/O goes through a FileSystem (LogOptions::fs), the seam for power-cut and
// disk-full tests. Opening a channel truncates a torn tail (a record cut short by a crash, never
// acknowledged); a checksum mismatch anywhere else is reported as corruption with the file and
// offset. Thread-safe.
#pragma once

#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "storage/file_system.h"
#include "storage/log_store.h"

namespace quiver::wal {

using storage::DirEntry;
using storage::FileSystem;
using storage::Lsn;
using storage::PosixFileSystem;
using storage::WritableFile;

struct LogOptions {
  bool sync = true;  // fdatasync before acknowledging; false only for tests and benchmarks
  size_t max_file_bytes = 64 << 20;
  FileSystem* fs = nullptr;  // borrowed, must outlive the store; null = the real disk
};

class Channel;

class LocalLogStore : public storage::LogStore {
 public:
  static Result<std::unique_ptr<LocalLogStore>> Open(const std::string& root, LogOptions options);
  ~LocalLogStore() override;

  Result<Lsn> Append(const std::string& channel, std::string_view record) override;
  Status Replay(const std::string& channel, Lsn from, const ReplayFn& fn) override;
  Status Truncate(const std::string& channel, Lsn before) override;
  Status DropChannel(const std::string& channel) override;
  std::vector<std::string> ListChannels() override;

 private:
  LocalLogStore(std::string root, LogOptions options);
  Result<Channel*> GetChannel(const std::string& name);

  const std::string root_;
  const LogOptions options_;
  std::unique_ptr<FileSystem> owned_fs_;  // when options_.fs is null
  FileSystem* fs_;                        // options_.fs or owned_fs_
  std::mutex mu_;  // guards channels_ (not the channels' contents)
  std::map<std::string, std::unique_ptr<Channel>> channels_;
};

}  // namespace quiver::wal
