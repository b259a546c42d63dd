#include "wal/local_log_store.h"

#include <algorithm>
#include <cstring>
#include <functional>
#include <optional>

#include "common/crash_point.h"
#include "common/crc32c.h"
#include "common/logging.h"

namespace quiver::wal {

namespace {

constexpr char kFileMagic[8] = {'Q', 'V', 'W', 'A', 'L', '0', '0', '1'};
// Version 2 records carry the first LSN of their group-commit batch; version 1 files (written
// before) are still read, and a channel whose active file is version 1 starts a new file.
constexpr uint32_t kFileVersion = 2;
constexpr size_t kFileHeader = 16;    // magic, version, crc of the previous 12 bytes
constexpr size_t kRecordHeaderV1 = 16;  // payload length, crc, lsn
constexpr size_t kRecordHeader = 24;    // payload length, crc, lsn, first lsn of the batch
size_t RecordHeaderBytes(uint32_t version) {
  return version == 1 ? kRecordHeaderV1 : kRecordHeader;
}
constexpr uint32_t kMaxRecordBytes = 1u << 30;

// The clean-shutdown record (docs/wal_format.md): written when the store closes cleanly with
// sync on, it states how far the active file was synced, so that damage before that point reads
// as corruption rather than as the torn tail of a crash. Removed when the channel reopens.
constexpr char kCleanMagic[8] = {'Q', 'V', 'W', 'C', 'L', 'E', 'A', 'N'};
constexpr uint32_t kCleanVersion = 1;
constexpr size_t kCleanBytes = 8 + 4 + 8 + 8 + 8 + 4;  // magic, version, first, bytes, last, crc
constexpr char kCleanName[] = "CLEAN";

void PutU32(std::string& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
void PutU64(std::string& out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
uint32_t GetU32(const char* p) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= static_cast<uint32_t>(static_cast<uint8_t>(p[i])) << (8 * i);
  return v;
}
uint64_t GetU64(const char* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v |= static_cast<uint64_t>(static_cast<uint8_t>(p[i])) << (8 * i);
  return v;
}

std::string FileHeader() {
  std::string h(kFileMagic, 8);
  PutU32(h, kFileVersion);
  PutU32(h, Crc32c(h.data(), h.size()));
  return h;
}

// CRC32C over the header bytes after the CRC (LSN, and in version 2 the batch's first LSN) and
// the payload.
uint32_t RecordCrc(std::string_view header_tail, std::string_view payload) {
  return Crc32c(payload.data(), payload.size(), Crc32c(header_tail.data(), header_tail.size()));
}

void AppendFrame(std::string& out, Lsn lsn, Lsn batch_first, std::string_view payload) {
  std::string tail;
  PutU64(tail, lsn);
  PutU64(tail, batch_first);
  PutU32(out, static_cast<uint32_t>(payload.size()));
  PutU32(out, RecordCrc(tail, payload));
  out.append(tail);
  out.append(payload);
}

std::string FileName(Lsn first) { return fmt::format("{:020}.wal", first); }

// Result of scanning one WAL file.
struct Scan {
  size_t valid_end = 0;  // offset after the last intact record
  Lsn last_lsn = 0;      // 0 when the file holds no record
  bool torn = false;     // the file ends in a cut-short record
  uint32_t version = kFileVersion;
  // The last intact LSN, or the one before the file's first when it holds no record.
  Lsn LastOr(Lsn first) const { return last_lsn ? last_lsn : first - 1; }
};

// Whether damage at `off` (the record that should carry LSN last_lsn + 1) must be corruption
// because an intact record after it proves it was synced: its unsynced blocks may read back as
// zeros or stale bytes after a crash, not only short, so a damaged record with nothing intact
// after it is the torn tail of a crash. In version 1 any intact record with a later LSN is that
// proof. In version 2 only one from a later group-commit batch is: batches are written one at a
// time, each synced before the next starts, so the batch in flight at a crash is the last one,
// and its blocks may reach the disk in any order — a later record of the same batch intact
// after a lost one proves nothing.
bool DurableRecordAfter(std::string_view data, size_t off, Lsn last_lsn, uint32_t version) {
  const size_t header = RecordHeaderBytes(version);
  const uint64_t max_records = data.size() / header + 1;
  for (size_t p = off + 1; p + header <= data.size(); ++p) {
    Lsn lsn = GetU64(data.data() + p + 8);
    if (lsn <= last_lsn || lsn - last_lsn > max_records) continue;
    uint32_t len = GetU32(data.data() + p);
    if (len > data.size() - p - header) continue;
    if (RecordCrc(data.substr(p + 8, header - 8), data.substr(p + header, len)) !=
        GetU32(data.data() + p + 4)) {
      continue;
    }
    if (version == 1) return true;
    const Lsn batch_first = GetU64(data.data() + p + 16);
    if (batch_first > lsn) continue;              // not a record we wrote
    if (batch_first > last_lsn + 1) return true;  // a later batch: the damaged one was synced
  }
  return false;
}

bool HeaderIntact(std::string_view data) {
  return data.size() >= kFileHeader && std::memcmp(data.data(), kFileMagic, 8) == 0 &&
         GetU32(data.data() + 12) == Crc32c(data.data(), 12);
}

// Walks the records of `data`; calls fn for each intact one. A damaged or cut-short record with
// no intact record after it is a torn tail; one followed by an intact record is corruption.
// `first` is the LSN the file's name gives its first record.
Result<Scan> ScanFile(const std::string& path, Lsn first, std::string_view data,
                      const std::function<Status(Lsn, std::string_view)>& fn) {
  if (data.size() < kFileHeader) return Scan{0, 0, true};
  if (!HeaderIntact(data)) return Status::Corruption("WAL file {}: bad header", path);
  const uint32_t version = GetU32(data.data() + 8);
  if (version != 1 && version != kFileVersion) {
    return Status::Corruption("WAL file {}: unknown version {}", path, version);
  }
  const size_t header = RecordHeaderBytes(version);
  Scan s;
  s.version = version;
  size_t off = kFileHeader;
  s.valid_end = off;
  while (off < data.size()) {
    if (data.size() - off < header) {  // nothing can follow a header cut short
      s.torn = true;
      break;
    }
    uint32_t len = GetU32(data.data() + off);
    uint32_t crc = GetU32(data.data() + off + 4);
    Lsn lsn = GetU64(data.data() + off + 8);
    if (len > kMaxRecordBytes) {
      if (!DurableRecordAfter(data, off, s.LastOr(first), version)) {
        s.torn = true;
        break;
      }
      return Status::Corruption("WAL file {} offset {}: impossible record length {}", path, off, len);
    }
    if (data.size() - off - header < len) {
      // A record running past the end is a torn tail only if nothing intact follows: a damaged
      // length field in the middle of the file must not hide the acknowledged records after it.
      if (!DurableRecordAfter(data, off, s.LastOr(first), version)) {
        s.torn = true;
        break;
      }
      return Status::Corruption(
          "WAL file {} offset {}: record length {} runs past the end of the file", path, off, len);
    }
    std::string_view payload = data.substr(off + header, len);
    if (RecordCrc(data.substr(off + 8, header - 8), payload) != crc) {
      // The last record of the file may be torn inside its payload too (its pages were not
      // all written, or read back as zeros); a record followed by intact ones is damage.
      if (!DurableRecordAfter(data, off, s.LastOr(first), version)) {
        s.torn = true;
        break;
      }
      return Status::Corruption("WAL file {} offset {}: record checksum mismatch", path, off);
    }
    if (s.last_lsn == 0 && lsn != first) {
      return Status::Corruption("WAL file {} offset {}: first LSN {} but the file is named for {}",
                                path, off, lsn, first);
    }
    if (s.last_lsn != 0 && lsn != s.last_lsn + 1) {
      return Status::Corruption("WAL file {} offset {}: LSN {} follows {}", path, off, lsn, s.last_lsn);
    }
    if (fn) QV_RETURN_IF_ERROR(fn(lsn, payload));
    s.last_lsn = lsn;
    off += header + len;
    s.valid_end = off;
  }
  return s;
}

}  // namespace

// What the clean-shutdown record says about the active file.
struct CleanEnd {
  Lsn first = 0;       // the active file's first LSN (its name)
  uint64_t bytes = 0;  // its synced length
  Lsn last = 0;        // the last LSN written (first - 1 when the file held no record)
};

std::string EncodeCleanEnd(const CleanEnd& c) {
  std::string out(kCleanMagic, 8);
  PutU32(out, kCleanVersion);
  PutU64(out, c.first);
  PutU64(out, c.bytes);
  PutU64(out, c.last);
  PutU32(out, Crc32c(out.data(), out.size()));
  return out;
}

Result<CleanEnd> DecodeCleanEnd(const std::string& path, std::string_view data) {
  if (data.size() != kCleanBytes || std::memcmp(data.data(), kCleanMagic, 8) != 0 ||
      GetU32(data.data() + kCleanBytes - 4) != Crc32c(data.data(), kCleanBytes - 4)) {
    return Status::Corruption("WAL clean-shutdown record {}: damaged ({} bytes)", path,
                              data.size());
  }
  if (GetU32(data.data() + 8) != kCleanVersion) {
    return Status::Corruption("WAL clean-shutdown record {}: unknown version {}", path,
                              GetU32(data.data() + 8));
  }
  return CleanEnd{GetU64(data.data() + 12), GetU64(data.data() + 20), GetU64(data.data() + 28)};
}

// One channel: its directory, the active file and the group-commit state.
class Channel {
 public:
  // `fs` must outlive the channel.
  Channel(std::string dir, LogOptions options, FileSystem& fs)
      : dir_(std::move(dir)), options_(options), fs_(fs) {}

  // Finds the files, repairs a torn tail of the active one and positions the writer.
  Status Open() {
    QV_RETURN_IF_ERROR(fs_.CreateDirs(dir_));
    // The channel directory's own entry must be durable too, or a power cut can take every
    // acknowledged record of a new channel with it (its files are synced into dir_ only).
    if (options_.sync) QV_RETURN_IF_ERROR(fs_.SyncDir(dir_.substr(0, dir_.rfind('/'))));
    QV_ASSIGN_OR_RETURN(bool clean_present, ListFiles());
    QV_ASSIGN_OR_RETURN(std::optional<CleanEnd> clean, ReadCleanEnd(clean_present));
    if (files_.empty()) {
      if (clean) {
        return Status::Corruption(
            "WAL {}: the clean-shutdown record names file {} but there is none", dir_,
            FileName(clean->first));
      }
      next_lsn_ = 1;
      return StartFile(1);
    }
    auto [first, path] = *files_.rbegin();
    QV_ASSIGN_OR_RETURN(std::string data, fs_.ReadFile(path));
    Scan s;
    if (clean) {
      // Everything up to the recorded end was synced before a clean shutdown: nothing there may
      // be cut off as a torn write.
      if (clean->first != first) {
        return Status::Corruption("WAL {}: newest file is {} but the clean shutdown left {} active",
                                  dir_, FileName(first), FileName(clean->first));
      }
      QV_ASSIGN_OR_RETURN(s, ScanFile(path, first, data, nullptr));
      if (s.valid_end < clean->bytes || s.LastOr(first) < clean->last) {
        return Status::Corruption(
            "WAL file {}: intact to offset {} (LSN {}) of {} bytes, but {} bytes through LSN {} "
            "were synced before the last clean shutdown",
            path, s.valid_end, s.last_lsn, data.size(), clean->bytes, clean->last);
      }
    } else if (!HeaderIntact(data) && !DurableRecordAfter(data, kFileHeader - 1, first - 1, 1) &&
               !DurableRecordAfter(data, kFileHeader - 1, first - 1, kFileVersion)) {
      // The crash interrupted the file's creation (its header never reached the disk, and
      // no record follows): start it again, like a header cut short.
      s = Scan{0, 0, true};
    } else {
      QV_ASSIGN_OR_RETURN(s, ScanFile(path, first, data, nullptr));
    }
    // A newest file without records gives the next LSN by its name alone: check that the file
    // before it really ends just before that, or appends would open an LSN gap.
    if (s.last_lsn == 0) QV_RETURN_IF_ERROR(CheckPreviousEndsBefore(first));
    if (s.torn) {
      QV_LOG_WARN("WAL {}: torn tail at offset {} of {} truncated", path, s.valid_end, data.size());
      if (s.valid_end < kFileHeader) {
        // Even the header was cut short: rewrite the file from scratch.
        QV_RETURN_IF_ERROR(fs_.Remove(path));
        files_.erase(first);
        next_lsn_ = first;
        return StartFile(first);
      }
      QV_RETURN_IF_ERROR(fs_.Truncate(path, s.valid_end));
    }
    next_lsn_ = s.last_lsn ? s.last_lsn + 1 : first;
    QV_ASSIGN_OR_RETURN(file_, fs_.OpenAppend(path, /*create=*/false));
    file_bytes_ = s.valid_end;
    if (s.torn && options_.sync) QV_RETURN_IF_ERROR(file_->Sync());
    // The record only speaks for the state it was written in: it goes (durably) before the
    // first append, so a crash from here on is judged by the torn-tail rules again.
    if (clean) {
      QV_RETURN_IF_ERROR(fs_.Remove(dir_ + "/" + kCleanName));
      if (options_.sync) QV_RETURN_IF_ERROR(fs_.SyncDir(dir_));
    }
    // Appends go to version 2 files only: an active version 1 file is closed (a new file starts
    // at the next LSN), or replaced when it holds no record.
    if (s.version == 1) {
      file_.reset();
      if (s.last_lsn == 0) {
        QV_RETURN_IF_ERROR(fs_.Remove(path));
        files_.erase(first);
      }
      return StartFile(next_lsn_);
    }
    return Status::Ok();
  }

  // At a clean close, with every acknowledged record synced: records how far the active file
  // reaches (written aside, synced, renamed into place, directory synced). Skipped without sync
  // (nothing was promised durable) and on a poisoned channel (its file state is unknown).
  Status WriteCleanEnd() {
    std::lock_guard lock(mu_);
    if (!options_.sync || !failed_.ok() || !file_ || writing_ || files_.empty())
      return Status::Ok();
    CleanEnd c{files_.rbegin()->first, file_bytes_, next_lsn_ - 1};
    const std::string tmp = dir_ + "/" + kCleanName + ".tmp";
    // Created truncated, so a leftover of an interrupted close is overwritten.
    QV_ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> f, fs_.OpenAppend(tmp, /*create=*/true));
    QV_RETURN_IF_ERROR(f->Append(EncodeCleanEnd(c)));
    QV_RETURN_IF_ERROR(f->Sync());
    f.reset();
    QV_RETURN_IF_ERROR(fs_.Rename(tmp, dir_ + "/" + kCleanName));
    return fs_.SyncDir(dir_);
  }

  Status CheckPreviousEndsBefore(Lsn first) {
    auto it = files_.find(first);
    if (it == files_.begin()) return Status::Ok();
    auto prev = std::prev(it);
    QV_ASSIGN_OR_RETURN(std::string data, fs_.ReadFile(prev->second));
    QV_ASSIGN_OR_RETURN(Scan p, ScanFile(prev->second, prev->first, data, nullptr));
    if (p.torn || p.last_lsn + 1 != first) {
      return Status::Corruption(
          "WAL file {}: ends at LSN {} (offset {}) but the next file starts at {}", prev->second,
          p.last_lsn, p.valid_end, first);
    }
    return Status::Ok();
  }

  Result<Lsn> Append(std::string_view record) {
    if (record.size() > kMaxRecordBytes) {
      return Status::InvalidArgument("WAL record of {} bytes is too large", record.size());
    }
    std::unique_lock lock(mu_);
    if (!failed_.ok()) return failed_;
    Lsn lsn = next_lsn_++;
    if (pending_.empty()) pending_first_ = lsn;
    AppendFrame(pending_, lsn, pending_first_, record);
    uint64_t my_seq = ++appended_seq_;
    while (durable_seq_ < my_seq) {
      if (!failed_.ok()) return failed_;
      if (writing_) {
        cv_.wait(lock);
        continue;
      }
      writing_ = true;
      std::string buf = std::move(pending_);
      pending_.clear();
      Lsn first = pending_first_;
      uint64_t upto = appended_seq_;
      lock.unlock();
      Status st = WriteBatch(buf, first);
      lock.lock();
      writing_ = false;
      if (!st.ok()) {
        QV_LOG_ERROR("WAL {} failed, channel refuses writes until restart: {}", dir_, st.ToString());
        failed_ = st;
        cv_.notify_all();
        return st;
      }
      durable_seq_ = upto;
      cv_.notify_all();
    }
    return lsn;
  }

  Status Replay(Lsn from, const storage::LogStore::ReplayFn& fn) {
    std::map<Lsn, std::string> files;
    {
      std::lock_guard lock(mu_);
      files = files_;
    }
    Lsn expect = 0;
    for (auto it = files.begin(); it != files.end(); ++it) {
      auto next = std::next(it);
      if (next != files.end() && next->first <= from) continue;  // entirely before `from`
      QV_ASSIGN_OR_RETURN(std::string data, fs_.ReadFile(it->second));
      QV_ASSIGN_OR_RETURN(Scan s, ScanFile(it->second, it->first, data, [&](Lsn lsn, std::string_view rec) {
        if (expect != 0 && lsn != expect) {
          return Status::Corruption("WAL {}: LSN {} where {} was expected", it->second, lsn, expect);
        }
        expect = lsn + 1;
        return lsn >= from ? fn(lsn, rec) : Status::Ok();
      }));
      if (s.torn && next != files.end()) {
        return Status::Corruption("WAL file {}: cut short at offset {} but newer files follow",
                                  it->second, s.valid_end);
      }
    }
    return Status::Ok();
  }

  Status Truncate(Lsn before) {
    std::lock_guard lock(mu_);
    // A file may go when the next file starts at or before `before`; the active file stays.
    while (files_.size() > 1) {
      auto second = std::next(files_.begin());
      if (second->first > before) break;
      QV_RETURN_IF_ERROR(fs_.Remove(files_.begin()->second));
      files_.erase(files_.begin());
      // Oldest first, each removal made durable before the next: a power cut must leave a
      // suffix of the files, never an older file without the ones after it (an LSN gap).
      if (options_.sync) QV_RETURN_IF_ERROR(fs_.SyncDir(dir_));
      CrashPoint("wal.truncate.after_remove");
    }
    return Status::Ok();
  }

  const std::string& dir() const { return dir_; }

 private:
  // The clean-shutdown record, if the channel was closed cleanly; Corruption when damaged.
  Result<std::optional<CleanEnd>> ReadCleanEnd(bool present) {
    if (!present) return std::optional<CleanEnd>();
    const std::string path = dir_ + "/" + kCleanName;
    QV_ASSIGN_OR_RETURN(std::string data, fs_.ReadFile(path));
    QV_ASSIGN_OR_RETURN(CleanEnd c, DecodeCleanEnd(path, data));
    return std::optional<CleanEnd>(c);
  }

  // Fills files_; returns whether a clean-shutdown record is there too.
  Result<bool> ListFiles() {
    QV_ASSIGN_OR_RETURN(std::vector<DirEntry> entries, fs_.ListDir(dir_));
    bool clean_present = false;
    for (const auto& e : entries) {
      if (!e.is_dir && e.name == kCleanName) clean_present = true;
      if (e.is_dir || !e.name.ends_with(".wal")) continue;
      Lsn first = std::strtoull(e.name.c_str(), nullptr, 10);
      files_[first] = dir_ + "/" + e.name;
    }
    return clean_present;
  }

  // Creates a new active file whose first record will have LSN `first`. Called while opening
  // and by the group-commit leader, which owns file_; mu_ is taken only for the map update.
  Status StartFile(Lsn first) {
    std::string path = dir_ + "/" + FileName(first);
    QV_ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> file, fs_.OpenAppend(path, /*create=*/true));
    QV_RETURN_IF_ERROR(file->Append(FileHeader()));
    CrashPoint("wal.rotate.after_create");
    if (options_.sync) {
      QV_RETURN_IF_ERROR(file->Sync());
      QV_RETURN_IF_ERROR(fs_.SyncDir(dir_));
    }
    file_ = std::move(file);
    file_bytes_ = kFileHeader;
    std::lock_guard lock(mu_);
    files_[first] = path;
    return Status::Ok();
  }

  // Runs on the group-commit leader only, without mu_.
  Status WriteBatch(const std::string& buf, Lsn first) {
    if (file_bytes_ > kFileHeader && file_bytes_ + buf.size() > options_.max_file_bytes) {
      QV_RETURN_IF_ERROR(StartFile(first));
    }
    QV_RETURN_IF_ERROR(file_->Append(buf));
    file_bytes_ += buf.size();
    CrashPoint("wal.append.after_write");
    if (options_.sync) QV_RETURN_IF_ERROR(file_->Sync());
    CrashPoint("wal.append.after_sync");
    return Status::Ok();
  }

  const std::string dir_;
  const LogOptions options_;
  FileSystem& fs_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::map<Lsn, std::string> files_;  // first LSN -> path; guarded by mu_
  Lsn next_lsn_ = 1;                  // guarded by mu_
  std::string pending_;               // frames not yet written; guarded by mu_
  Lsn pending_first_ = 0;
  uint64_t appended_seq_ = 0;
  uint64_t durable_seq_ = 0;
  bool writing_ = false;
  Status failed_;
  // Owned by the group-commit leader (one at a time).
  std::unique_ptr<WritableFile> file_;
  size_t file_bytes_ = 0;
};

LocalLogStore::LocalLogStore(std::string root, LogOptions options)
    : root_(std::move(root)), options_(options) {
  if (options_.fs == nullptr) {
    owned_fs_ = std::make_unique<PosixFileSystem>();
    fs_ = owned_fs_.get();
  } else {
    fs_ = options_.fs;
  }
}
LocalLogStore::~LocalLogStore() {
  std::lock_guard lock(mu_);
  for (const auto& [name, ch] : channels_) {
    Status st = ch->WriteCleanEnd();
    if (!st.ok())
      QV_LOG_WARN("WAL {}: clean-shutdown record not written: {}", ch->dir(), st.ToString());
  }
}

Result<std::unique_ptr<LocalLogStore>> LocalLogStore::Open(const std::string& root,
                                                           LogOptions options) {
  std::unique_ptr<LocalLogStore> store(new LocalLogStore(root, options));
  QV_RETURN_IF_ERROR(store->fs_->CreateDirs(root));
  QV_ASSIGN_OR_RETURN(std::vector<DirEntry> entries, store->fs_->ListDir(root));
  for (const auto& e : entries) {
    if (!e.is_dir) continue;
    QV_ASSIGN_OR_RETURN(Channel * ch, store->GetChannel(e.name));
    (void)ch;
  }
  return store;
}

Result<Channel*> LocalLogStore::GetChannel(const std::string& name) {
  std::lock_guard lock(mu_);
  auto it = channels_.find(name);
  if (it != channels_.end()) return it->second.get();
  if (name.empty() || name.find('/') != std::string::npos || name[0] == '.') {
    return Status::InvalidArgument("bad WAL channel name '{}'", name);
  }
  auto ch = std::make_unique<Channel>(root_ + "/" + name, options_, *fs_);
  QV_RETURN_IF_ERROR(ch->Open());
  Channel* raw = ch.get();
  channels_[name] = std::move(ch);
  return raw;
}

Result<Lsn> LocalLogStore::Append(const std::string& channel, std::string_view record) {
  QV_ASSIGN_OR_RETURN(Channel * ch, GetChannel(channel));
  return ch->Append(record);
}

Status LocalLogStore::Replay(const std::string& channel, Lsn from, const ReplayFn& fn) {
  QV_ASSIGN_OR_RETURN(Channel * ch, GetChannel(channel));
  return ch->Replay(from, fn);
}

Status LocalLogStore::Truncate(const std::string& channel, Lsn before) {
  QV_ASSIGN_OR_RETURN(Channel * ch, GetChannel(channel));
  return ch->Truncate(before);
}

Status LocalLogStore::DropChannel(const std::string& channel) {
  std::unique_ptr<Channel> ch;
  {
    std::lock_guard lock(mu_);
    auto it = channels_.find(channel);
    if (it != channels_.end()) {
      ch = std::move(it->second);
      channels_.erase(it);
    }
  }
  std::string dir = root_ + "/" + channel;
  ch.reset();
  QV_RETURN_IF_ERROR(fs_->RemoveAll(dir));
  return options_.sync ? fs_->SyncDir(root_) : Status::Ok();
}

std::vector<std::string> LocalLogStore::ListChannels() {
  std::lock_guard lock(mu_);
  std::vector<std::string> out;
  for (const auto& [name, ch] : channels_) out.push_back(name);
  return out;
}

}  // namespace quiver::wal
