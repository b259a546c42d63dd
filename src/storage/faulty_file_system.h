// FaultyFileSystem is an in-memory FileSystem for power-loss tests (cf. leveldb
// db/fault_injection_test.cc, RocksDB FaultInjectionTestFS). Files are inodes with their current
// bytes and the bytes a sync made durable; names map paths to inodes. Per directory it keeps the
// creates, removes and renames made since that directory's last fsync. PowerCut() then throws
// away what a real power loss may throw away:
//   - each unsynced directory operation is kept or lost on its own (a rename is atomic: the new
//     name with the file, or the old names as they were), and files under a lost directory go
//     with it;
//   - each file's unsynced suffix is dropped, kept in part (torn at a random byte), kept and
//     zero- or garbage-filled to its full length (the size reached the disk, the blocks did
//     not), kept with each 512 B or 4 KiB block written or not independently (blocks reach the
//     disk out of order), or kept whole; an unsynced truncate is kept or undone.
// It can also fail fsyncs (EIO) and run out of space (ENOSPC), and "cut the power" inside the
// n-th mutating call: that call is applied in part (an append writes a random prefix) and every
// later call fails until PowerCut(). Test-only; thread-safe.
#pragma once

#include <algorithm>
#include <cstdint>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "storage/file_system.h"

namespace quiver::storage {

class FaultyFileSystem final : public FileSystem {
 public:
  explicit FaultyFileSystem(uint64_t seed) : rng_(seed) {}

  // The `n`-th mutating call from now (1 = the next) is cut short and the power goes off.
  void ArmPowerCut(int n) {
    std::lock_guard lock(mu_);
    cut_countdown_ = n;
  }
  // Simulates the reboot after a power loss: applies the damage described above and turns the
  // power back on. Handles opened before stay dead.
  void PowerCut() {
    std::lock_guard lock(mu_);
    std::map<std::string, int64_t> names = durable_names_;
    for (auto& [dir, ops] : unsynced_) {
      for (const DirOp& op : ops) {
        if (!Coin()) continue;  // this operation never reached the disk
        switch (op.kind) {
          case DirOp::kLink:
            names[op.path] = op.inode;
            break;
          case DirOp::kUnlink:
            names.erase(op.path);
            break;
          case DirOp::kRename: {
            auto src = names.find(op.path);
            if (src == names.end() || src->second != op.inode) break;  // depends on a lost op
            names.erase(src);
            names[op.to] = op.inode;
            break;
          }
        }
      }
    }
    unsynced_.clear();
    // A name whose directory did not survive is gone too (parents sort before children).
    for (auto it = names.begin(); it != names.end();) {
      it = names.contains(Parent(it->first)) || IsRootLike(Parent(it->first)) ? std::next(it)
                                                                              : names.erase(it);
    }
    std::set<int64_t> live;
    for (const auto& [path, ino] : names) live.insert(ino);
    for (auto it = inodes_.begin(); it != inodes_.end();) {
      if (!live.contains(it->first)) {
        it = inodes_.erase(it);
        continue;
      }
      Inode& n = it->second;
      if (!n.is_dir) n.data = Damage(n);
      n.durable = n.data;
      ++it;
    }
    names_ = names;
    durable_names_ = std::move(names);
    ++epoch_;
    dead_ = false;
    cut_countdown_ = 0;
    ++power_cuts_;
  }
  // Every later file Sync fails with EIO (the data stays unsynced), `n` times.
  void FailSyncs(int n) {
    std::lock_guard lock(mu_);
    fail_syncs_ = n;
  }
  // Total bytes all files may hold; appends beyond it write what fits and fail with ENOSPC.
  void SetCapacity(size_t bytes) {
    std::lock_guard lock(mu_);
    capacity_ = bytes;
  }
  // Directories that exist and are durable from the start (the data directory itself).
  void AddDurableDir(const std::string& dir) {
    std::lock_guard lock(mu_);
    roots_.insert(dir);
    if (names_.contains(dir)) return;
    int64_t ino = NewInode(/*is_dir=*/true);
    names_[dir] = durable_names_[dir] = ino;
  }
  int64_t power_cuts() const {
    std::lock_guard lock(mu_);
    return power_cuts_;
  }
  int64_t failed_syncs() const {
    std::lock_guard lock(mu_);
    return failed_syncs_;
  }
  int64_t enospc_errors() const {
    std::lock_guard lock(mu_);
    return enospc_errors_;
  }
  // The power went off (an armed cut happened) and PowerCut() has not run yet.
  bool powered_off() const {
    std::lock_guard lock(mu_);
    return dead_;
  }
  // Calls that mutated the file system (what ArmPowerCut counts), since construction.
  int64_t mutations() const {
    std::lock_guard lock(mu_);
    return mutations_;
  }

  Status CreateDirs(const std::string& dir) override {
    std::lock_guard lock(mu_);
    QV_RETURN_IF_ERROR(Mutate());
    std::vector<std::string> missing;
    for (std::string d = dir; !d.empty() && !IsRootLike(d) && !names_.contains(d); d = Parent(d)) {
      missing.push_back(d);
    }
    for (auto it = missing.rbegin(); it != missing.rend(); ++it) Link(*it, NewInode(true));
    return Status::Ok();
  }
  Result<std::vector<DirEntry>> ListDir(const std::string& dir) override {
    std::lock_guard lock(mu_);
    if (dead_) return Status::Unavailable("power is off");
    if (!names_.contains(dir)) return Status::Unavailable("list {}: no such dir", dir);
    std::vector<DirEntry> out;
    for (auto it = names_.lower_bound(dir + "/");
         it != names_.end() && it->first.starts_with(dir + "/"); ++it) {
      if (Parent(it->first) == dir) {
        out.push_back({it->first.substr(dir.size() + 1), inodes_.at(it->second).is_dir});
      }
    }
    return out;
  }
  Result<std::string> ReadFile(const std::string& path) override {
    std::lock_guard lock(mu_);
    if (dead_) return Status::Unavailable("power is off");
    auto it = names_.find(path);
    if (it == names_.end()) return Status::NotFound("{} does not exist", path);
    return inodes_.at(it->second).data;
  }
  Result<std::unique_ptr<WritableFile>> OpenAppend(const std::string& path, bool create) override;
  Status Truncate(const std::string& path, size_t size) override {
    std::lock_guard lock(mu_);
    QV_RETURN_IF_ERROR(Mutate());
    auto it = names_.find(path);
    if (it == names_.end()) return Status::Unavailable("truncate {}: no such file", path);
    std::string& data = inodes_.at(it->second).data;
    if (size < data.size()) data.resize(size);
    return Status::Ok();
  }
  Status Remove(const std::string& path) override {
    std::lock_guard lock(mu_);
    QV_RETURN_IF_ERROR(Mutate());
    if (names_.contains(path)) Unlink(path);
    return Status::Ok();
  }
  Status RemoveAll(const std::string& dir) override {
    std::lock_guard lock(mu_);
    QV_RETURN_IF_ERROR(Mutate());
    std::vector<std::string> doomed;
    for (auto it = names_.lower_bound(dir + "/");
         it != names_.end() && it->first.starts_with(dir + "/"); ++it) {
      doomed.push_back(it->first);
    }
    for (auto it = doomed.rbegin(); it != doomed.rend(); ++it) Unlink(*it);  // children first
    if (names_.contains(dir)) Unlink(dir);
    return Status::Ok();
  }
  Status Rename(const std::string& from, const std::string& to) override {
    std::lock_guard lock(mu_);
    QV_RETURN_IF_ERROR(Mutate());
    auto it = names_.find(from);
    if (it == names_.end()) return Status::Unavailable("rename {}: no such file", from);
    if (Parent(from) != Parent(to)) return Status::Unavailable("rename across directories");
    const int64_t ino = it->second;
    names_.erase(it);
    names_[to] = ino;
    unsynced_[Parent(to)].push_back({DirOp::kRename, from, to, ino});
    return Status::Ok();
  }
  Status SyncDir(const std::string& dir) override {
    std::lock_guard lock(mu_);
    QV_RETURN_IF_ERROR(Mutate());
    if (!names_.contains(dir)) return Status::Unavailable("fsync dir {}: no such dir", dir);
    // The directory's entries as they are now become durable.
    for (auto it = durable_names_.lower_bound(dir + "/");
         it != durable_names_.end() && it->first.starts_with(dir + "/");) {
      it = Parent(it->first) == dir ? durable_names_.erase(it) : std::next(it);
    }
    for (auto it = names_.lower_bound(dir + "/");
         it != names_.end() && it->first.starts_with(dir + "/"); ++it) {
      if (Parent(it->first) == dir) durable_names_[it->first] = it->second;
    }
    unsynced_.erase(dir);
    return Status::Ok();
  }

 private:
  friend class FaultyWritableFile;
  struct Inode {
    bool is_dir = false;
    std::string data;     // contents now
    std::string durable;  // contents after a power cut, before damage
  };
  // A directory operation not yet covered by an fsync of the directory holding `path`.
  struct DirOp {
    enum Kind { kLink, kUnlink, kRename } kind;
    std::string path;
    std::string to;  // kRename only
    int64_t inode = 0;
  };

  static std::string Parent(const std::string& path) {
    size_t slash = path.rfind('/');
    return slash == std::string::npos ? std::string() : path.substr(0, slash);
  }
  bool IsRootLike(const std::string& path) const {
    for (const auto& r : roots_) {
      if (r == path || r.starts_with(path + "/")) return true;
    }
    return path.empty();
  }
  bool Coin() { return std::uniform_int_distribution<int>(0, 1)(rng_) == 1; }
  int64_t NewInode(bool is_dir) {
    inodes_[next_inode_].is_dir = is_dir;
    return next_inode_++;
  }
  void Link(const std::string& path, int64_t ino) {
    names_[path] = ino;
    unsynced_[Parent(path)].push_back({DirOp::kLink, path, "", ino});
  }
  void Unlink(const std::string& path) {
    const int64_t ino = names_.at(path);
    names_.erase(path);
    unsynced_[Parent(path)].push_back({DirOp::kUnlink, path, "", ino});
  }

  // What survives of a file's contents.
  std::string Damage(const Inode& n) {
    const std::string& now = n.data;
    if (!now.starts_with(n.durable)) return Coin() ? n.durable : now;  // unsynced truncate
    size_t extra = now.size() - n.durable.size();
    if (extra == 0) return now;
    size_t keep = std::uniform_int_distribution<size_t>(0, extra)(rng_);
    std::string out = now.substr(0, n.durable.size() + keep);
    switch (std::uniform_int_distribution<int>(0, 5)(rng_)) {
      case 0:  // nothing of the unsynced suffix reached the disk
        return n.durable;
      case 1:  // torn at a random byte
        return out;
      case 2:  // the size was updated but the last blocks were never written
        out.append(extra - keep, '\0');
        return out;
      case 3:  // ... and read back as garbage
        for (size_t i = keep; i < extra; ++i) out.push_back(static_cast<char>(rng_()));
        return out;
      case 4:  // everything reached the disk
        return now;
      default: {  // the size reached the disk and its blocks in any order: each 512 B or 4 KiB
                  // block of the unsynced part was written or reads back as zeros
        const size_t block = Coin() ? 512 : 4096;
        out = now;
        for (size_t b = n.durable.size() / block * block; b < now.size(); b += block) {
          if (Coin()) continue;
          for (size_t i = std::max(b, n.durable.size()); i < std::min(b + block, now.size()); ++i)
            out[i] = '\0';
        }
        return out;
      }
    }
  }

  // Every mutating call passes here: fails once the power is off, and turns it off on the
  // armed call (which the caller then applies in part, see FaultyWritableFile::Append).
  Status Mutate() {
    if (dead_) return Status::Unavailable("power is off");
    ++mutations_;
    if (cut_countdown_ > 0 && --cut_countdown_ == 0) {
      dead_ = true;
      return Status::Unavailable("power cut");
    }
    return Status::Ok();
  }
  size_t UsedBytes() const {
    size_t used = 0;
    for (const auto& [ino, n] : inodes_) used += std::max(n.data.size(), n.durable.size());
    return used;
  }

  mutable std::mutex mu_;
  std::mt19937_64 rng_;
  std::map<int64_t, Inode> inodes_;
  int64_t next_inode_ = 1;
  std::map<std::string, int64_t> names_;          // path -> inode, now
  std::map<std::string, int64_t> durable_names_;  // path -> inode, as the last dir fsyncs left them
  std::map<std::string, std::vector<DirOp>> unsynced_;  // per directory, in order
  std::set<std::string> roots_;
  int64_t epoch_ = 0;  // handles from an older epoch are dead
  bool dead_ = false;
  int cut_countdown_ = 0;
  int fail_syncs_ = 0;
  size_t capacity_ = SIZE_MAX;
  int64_t power_cuts_ = 0;
  int64_t failed_syncs_ = 0;
  int64_t enospc_errors_ = 0;
  int64_t mutations_ = 0;
};

class FaultyWritableFile final : public WritableFile {
 public:
  FaultyWritableFile(FaultyFileSystem& fs, std::string path, int64_t inode, int64_t epoch)
      : fs_(fs), path_(std::move(path)), inode_(inode), epoch_(epoch) {}

  Status Append(std::string_view data) override {
    std::lock_guard lock(fs_.mu_);
    QV_ASSIGN_OR_RETURN(FaultyFileSystem::Inode * n, Live());
    bool was_alive = !fs_.dead_;
    Status st = fs_.Mutate();
    if (!st.ok()) {
      // The power went off during this write: some prefix of it reached the page cache.
      if (was_alive)
        n->data.append(
            data.substr(0, std::uniform_int_distribution<size_t>(0, data.size())(fs_.rng_)));
      return st;
    }
    size_t used = fs_.UsedBytes();
    size_t room = fs_.capacity_ > used ? fs_.capacity_ - used : 0;
    if (data.size() > room) {
      n->data.append(data.substr(0, room));
      ++fs_.enospc_errors_;
      return Status::ResourceExhausted("write {}: disk full (No space left on device)", path_);
    }
    n->data.append(data);
    return Status::Ok();
  }

  Status Sync() override {
    std::lock_guard lock(fs_.mu_);
    QV_ASSIGN_OR_RETURN(FaultyFileSystem::Inode * n, Live());
    QV_RETURN_IF_ERROR(fs_.Mutate());
    if (fs_.fail_syncs_ > 0) {
      --fs_.fail_syncs_;
      ++fs_.failed_syncs_;
      return Status::Unavailable("fdatasync {}: Input/output error", path_);
    }
    n->durable = n->data;
    return Status::Ok();
  }

 private:
  Result<FaultyFileSystem::Inode*> Live() {
    if (epoch_ != fs_.epoch_ || fs_.dead_) return Status::Unavailable("power is off");
    auto it = fs_.inodes_.find(inode_);
    if (it == fs_.inodes_.end()) return Status::Unavailable("{}: file is gone", path_);
    return &it->second;
  }

  FaultyFileSystem& fs_;  // outlives its files
  const std::string path_;
  const int64_t inode_;  // an open file follows its inode across renames and unlinks
  const int64_t epoch_;
};

inline Result<std::unique_ptr<WritableFile>> FaultyFileSystem::OpenAppend(const std::string& path,
                                                                          bool create) {
  std::lock_guard lock(mu_);
  QV_RETURN_IF_ERROR(Mutate());
  auto it = names_.find(path);
  if (it == names_.end() && !create) return Status::Unavailable("open {}: no such file", path);
  if (!names_.contains(Parent(path))) {
    return Status::Unavailable("create {}: no such directory", path);
  }
  int64_t ino;
  if (it == names_.end()) {
    ino = NewInode(/*is_dir=*/false);
    Link(path, ino);
  } else {
    ino = it->second;
    if (create) inodes_.at(ino).data.clear();  // O_TRUNC: like a truncate, durable after a sync
  }
  return std::unique_ptr<WritableFile>(
      std::make_unique<FaultyWritableFile>(*this, path, ino, epoch_));
}

}  // namespace quiver::storage
