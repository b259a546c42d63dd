// FaultyWalFileSystem is an in-memory WalFileSystem for power-loss tests (cf. leveldb
// db/fault_injection_test.cc, RocksDB FaultInjectionTestFS). It records, per file, which bytes
// were synced and, per directory entry, whether a directory fsync covered its create or remove.
// PowerCut() then throws away what a real power loss may throw away: an unsynced suffix is
// dropped, kept in part (torn at a random byte), kept and zero- or garbage-filled, or kept whole;
// unsynced creates and removes are each lost or kept. It can also fail fsyncs (EIO) and run out of
// space (ENOSPC), and "cut the power" inside the n-th mutating call: that call is applied in part
// and every later call fails until PowerCut(). Test-only; thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <string>

#include "wal/wal_file_system.h"

namespace quiver::wal {

class FaultyWalFileSystem final : public WalFileSystem {
 public:
  explicit FaultyWalFileSystem(uint64_t seed) : rng_(seed) {}

  // The `n`-th mutating call from now (1 = the next) is cut short and the power goes off.
  void ArmPowerCut(int n) {
    std::lock_guard lock(mu_);
    cut_countdown_ = n;
  }
  // Simulates the reboot after a power loss: applies the damage described above and turns the
  // power back on. Handles opened before stay dead.
  void PowerCut() {
    std::lock_guard lock(mu_);
    for (auto it = nodes_.begin(); it != nodes_.end();) {
      Node& n = it->second;
      bool exists = n.linked;
      if (n.linked != n.durable_linked) exists = Coin();  // unsynced create or remove
      if (!exists) {
        it = nodes_.erase(it);
        continue;
      }
      if (!n.is_dir) n.data = Damage(n);
      n.durable = n.data;
      n.linked = n.durable_linked = true;
      ++it;
    }
    // A file whose directory did not survive is gone too.
    for (auto it = nodes_.begin(); it != nodes_.end();) {
      it = nodes_.contains(Parent(it->first)) || IsRootLike(it->first) ? std::next(it)
                                                                       : nodes_.erase(it);
    }
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
    Node& n = nodes_[dir];
    n.is_dir = n.linked = n.durable_linked = true;
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

  Status CreateDirs(const std::string& dir) override {
    std::lock_guard lock(mu_);
    QV_RETURN_IF_ERROR(Mutate());
    for (std::string d = dir; !d.empty() && !IsRootLike(d); d = Parent(d)) {
      Node& n = nodes_[d];
      if (!n.linked) n = Node{.is_dir = true, .linked = true};
    }
    return Status::Ok();
  }
  Result<std::vector<WalDirEntry>> ListDir(const std::string& dir) override {
    std::lock_guard lock(mu_);
    if (dead_) return Status::Unavailable("power is off");
    auto d = nodes_.find(dir);
    if (d == nodes_.end() || !d->second.linked)
      return Status::Unavailable("list {}: no such dir", dir);
    std::vector<WalDirEntry> out;
    for (const auto& [path, n] : nodes_) {
      if (n.linked && Parent(path) == dir) out.push_back({path.substr(dir.size() + 1), n.is_dir});
    }
    return out;
  }
  Result<std::string> ReadFile(const std::string& path) override {
    std::lock_guard lock(mu_);
    if (dead_) return Status::Unavailable("power is off");
    auto it = nodes_.find(path);
    if (it == nodes_.end() || !it->second.linked)
      return Status::Unavailable("cannot read {}", path);
    return it->second.data;
  }
  Result<std::unique_ptr<WalFile>> OpenAppend(const std::string& path, bool create) override;
  Status Truncate(const std::string& path, size_t size) override {
    std::lock_guard lock(mu_);
    QV_RETURN_IF_ERROR(Mutate());
    auto it = nodes_.find(path);
    if (it == nodes_.end() || !it->second.linked) return Status::Unavailable("truncate {}", path);
    if (size < it->second.data.size()) it->second.data.resize(size);
    return Status::Ok();
  }
  Status Remove(const std::string& path) override {
    std::lock_guard lock(mu_);
    QV_RETURN_IF_ERROR(Mutate());
    Unlink(path);
    return Status::Ok();
  }
  Status RemoveAll(const std::string& dir) override {
    std::lock_guard lock(mu_);
    QV_RETURN_IF_ERROR(Mutate());
    for (auto& [path, n] : nodes_) {
      if (path.starts_with(dir + "/")) Unlink(path);
    }
    Unlink(dir);
    return Status::Ok();
  }
  Status SyncDir(const std::string& dir) override {
    std::lock_guard lock(mu_);
    QV_RETURN_IF_ERROR(Mutate());
    for (auto it = nodes_.begin(); it != nodes_.end();) {
      if (Parent(it->first) != dir) {
        ++it;
      } else if (!it->second.linked) {
        it = nodes_.erase(it);  // a synced remove is final
      } else {
        it->second.durable_linked = true;
        ++it;
      }
    }
    return Status::Ok();
  }

 private:
  friend class FaultyWalFile;
  struct Node {
    bool is_dir = false;
    bool linked = false;          // visible now
    bool durable_linked = false;  // visible after a power cut (the parent was synced)
    std::string data;             // contents now
    std::string durable;          // contents after a power cut, before damage
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

  void Unlink(const std::string& path) {
    auto it = nodes_.find(path);
    if (it == nodes_.end()) return;
    if (!it->second.durable_linked) {
      nodes_.erase(it);
    } else {
      it->second.linked = false;
    }
  }

  // What survives of a file's contents.
  std::string Damage(const Node& n) {
    const std::string& now = n.data;
    if (!now.starts_with(n.durable)) return Coin() ? n.durable : now;  // unsynced truncate
    size_t extra = now.size() - n.durable.size();
    if (extra == 0) return now;
    size_t keep = std::uniform_int_distribution<size_t>(0, extra)(rng_);
    std::string out = now.substr(0, n.durable.size() + keep);
    switch (std::uniform_int_distribution<int>(0, 4)(rng_)) {
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
      default:  // everything reached the disk
        return now;
    }
  }

  // Every mutating call passes here: fails once the power is off, and turns it off on the
  // armed call (which the caller then applies in part, see FaultyWalFile::Append).
  Status Mutate() {
    if (dead_) return Status::Unavailable("power is off");
    if (cut_countdown_ > 0 && --cut_countdown_ == 0) {
      dead_ = true;
      return Status::Unavailable("power cut");
    }
    return Status::Ok();
  }
  size_t UsedBytes() const {
    size_t used = 0;
    for (const auto& [path, n] : nodes_) used += std::max(n.data.size(), n.durable.size());
    return used;
  }

  mutable std::mutex mu_;
  std::mt19937_64 rng_;
  std::map<std::string, Node> nodes_;
  std::set<std::string> roots_;
  int64_t epoch_ = 0;  // handles from an older epoch are dead
  bool dead_ = false;
  int cut_countdown_ = 0;
  int fail_syncs_ = 0;
  size_t capacity_ = SIZE_MAX;
  int64_t power_cuts_ = 0;
  int64_t failed_syncs_ = 0;
  int64_t enospc_errors_ = 0;
};

class FaultyWalFile final : public WalFile {
 public:
  FaultyWalFile(FaultyWalFileSystem& fs, std::string path, int64_t epoch)
      : fs_(fs), path_(std::move(path)), epoch_(epoch) {}

  Status Append(std::string_view data) override {
    std::lock_guard lock(fs_.mu_);
    QV_ASSIGN_OR_RETURN(FaultyWalFileSystem::Node * n, Live());
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
    QV_ASSIGN_OR_RETURN(FaultyWalFileSystem::Node * n, Live());
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
  Result<FaultyWalFileSystem::Node*> Live() {
    if (epoch_ != fs_.epoch_ || fs_.dead_) return Status::Unavailable("power is off");
    auto it = fs_.nodes_.find(path_);
    if (it == fs_.nodes_.end()) return Status::Unavailable("{}: file is gone", path_);
    return &it->second;
  }

  FaultyWalFileSystem& fs_;  // outlives its files
  const std::string path_;
  const int64_t epoch_;
};

inline Result<std::unique_ptr<WalFile>> FaultyWalFileSystem::OpenAppend(const std::string& path,
                                                                        bool create) {
  std::lock_guard lock(mu_);
  QV_RETURN_IF_ERROR(Mutate());
  auto it = nodes_.find(path);
  bool exists = it != nodes_.end() && it->second.linked;
  if (!exists && !create) return Status::Unavailable("open {}: no such file", path);
  auto parent = nodes_.find(Parent(path));
  if (parent == nodes_.end() || !parent->second.linked) {
    return Status::Unavailable("create {}: no such directory", path);
  }
  if (create) {
    Node& n = nodes_[path];
    if (!n.linked) {
      n = Node{.linked = true};
    } else {
      n.data.clear();  // O_TRUNC: like a truncate, durable only after a sync
    }
  }
  return std::unique_ptr<WalFile>(std::make_unique<FaultyWalFile>(*this, path, epoch_));
}

}  // namespace quiver::wal
