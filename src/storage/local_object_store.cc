#include "storage/local_object_store.h"

#include <unistd.h>

#include <algorithm>
#include <vector>

#include "common/crash_point.h"

namespace quiver::storage {
namespace {

constexpr std::string_view kTmpPrefix = ".tmp-";

std::string ParentOf(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? std::string() : path.substr(0, slash);
}

}  // namespace

LocalObjectStore::LocalObjectStore(std::string root, ObjectStoreOptions options)
    : root_(std::move(root)), options_(options) {
  if (!options_.fs) owned_fs_ = std::make_unique<PosixFileSystem>();
  fs_ = options_.fs ? options_.fs : owned_fs_.get();
}

Result<std::unique_ptr<LocalObjectStore>> LocalObjectStore::Open(const std::string& root,
                                                                 ObjectStoreOptions options) {
  std::unique_ptr<LocalObjectStore> store(new LocalObjectStore(root, options));
  QV_RETURN_IF_ERROR(store->EnsureDir(root));
  // Temporary files of interrupted puts are garbage.
  std::vector<std::string> all;
  QV_RETURN_IF_ERROR(store->ListUnder(root, "", all));
  for (const auto& rel : all) {
    size_t slash = rel.rfind('/');
    std::string_view name =
        std::string_view(rel).substr(slash == std::string::npos ? 0 : slash + 1);
    if (name.starts_with(kTmpPrefix)) store->fs_->Remove(root + "/" + rel).IgnoreError();
  }
  return store;
}

Result<std::string> LocalObjectStore::PathOf(const std::string& key) const {
  if (key.empty() || key[0] == '/' || key.back() == '/' || key.find("..") != std::string::npos ||
      key.find("//") != std::string::npos) {
    return Status::InvalidArgument("bad object key '{}'", key);
  }
  return root_ + "/" + key;
}

Status LocalObjectStore::EnsureDir(const std::string& dir) {
  {
    std::lock_guard lock(dirs_mu_);
    if (durable_dirs_.contains(dir)) return Status::Ok();
  }
  // Directories created here must themselves be durable: fsync each new one's parent (else a
  // power cut could drop a new prefix together with the objects in it).
  std::vector<std::string> missing;
  for (std::string d = dir; !d.empty(); d = ParentOf(d)) {
    if (fs_->ListDir(d).ok()) break;
    missing.push_back(d);
  }
  QV_RETURN_IF_ERROR(fs_->CreateDirs(dir));
  for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
    if (options_.sync && !ParentOf(*it).empty()) QV_RETURN_IF_ERROR(fs_->SyncDir(ParentOf(*it)));
  }
  std::lock_guard lock(dirs_mu_);
  durable_dirs_.insert(dir);
  return Status::Ok();
}

Status LocalObjectStore::Put(const std::string& key, std::string_view bytes) {
  QV_ASSIGN_OR_RETURN(std::string path, PathOf(key));
  const std::string dir = ParentOf(path);
  std::shared_lock put_lock(put_mu_);
  QV_RETURN_IF_ERROR(EnsureDir(dir));
  const std::string tmp =
      fmt::format("{}/{}{}-{}", dir, kTmpPrefix, ::getpid(), tmp_seq_.fetch_add(1));
  Status st = [&]() -> Status {
    QV_ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> file, fs_->OpenAppend(tmp, /*create=*/true));
    QV_RETURN_IF_ERROR(file->Append(bytes));
    if (options_.sync) QV_RETURN_IF_ERROR(file->Sync());
    return Status::Ok();
  }();
  if (!st.ok()) {
    fs_->Remove(tmp).IgnoreError();
    return st;
  }
  CrashPoint("object.put.before_rename");
  if (st = fs_->Rename(tmp, path); !st.ok()) {
    fs_->Remove(tmp).IgnoreError();
    return st;
  }
  CrashPoint("object.put.after_rename");
  return options_.sync ? fs_->SyncDir(dir) : Status::Ok();
}

namespace {
// A file read of `key`'s object, with "not found" naming the object rather than the path.
template <typename T>
Result<T> ObjectRead(Result<T> bytes, const std::string& key) {
  if (!bytes.ok() && bytes.status().code() == StatusCode::kNotFound) {
    return Status::NotFound("object {} not found", key);
  }
  return bytes;
}
}  // namespace

Result<std::string> LocalObjectStore::Get(const std::string& key) {
  QV_ASSIGN_OR_RETURN(std::string path, PathOf(key));
  return ObjectRead(fs_->ReadFile(path), key);
}

Result<FileBytes> LocalObjectStore::GetBytes(const std::string& key) {
  QV_ASSIGN_OR_RETURN(std::string path, PathOf(key));
  return ObjectRead(fs_->ReadFileBytes(path), key);
}

Status LocalObjectStore::Delete(const std::string& key) {
  QV_ASSIGN_OR_RETURN(std::string path, PathOf(key));
  // Not made durable: a delete lost in a power cut brings back an object no manifest
  // references, which recovery removes again.
  QV_RETURN_IF_ERROR(fs_->Remove(path));
  std::unique_lock put_lock(put_mu_);
  for (std::string dir = ParentOf(path); dir != root_ && dir.starts_with(root_ + "/");
       dir = ParentOf(dir)) {
    auto entries = fs_->ListDir(dir);
    if (!entries.ok() || !entries->empty()) break;
    if (!fs_->Remove(dir).ok()) break;
    std::lock_guard lock(dirs_mu_);
    durable_dirs_.erase(dir);
  }
  return Status::Ok();
}

Status LocalObjectStore::ListUnder(const std::string& dir, const std::string& rel,
                                   std::vector<std::string>& out) {
  QV_ASSIGN_OR_RETURN(std::vector<DirEntry> entries, fs_->ListDir(dir));
  for (const auto& e : entries) {
    std::string child = rel.empty() ? e.name : rel + "/" + e.name;
    if (e.is_dir) {
      QV_RETURN_IF_ERROR(ListUnder(dir + "/" + e.name, child, out));
    } else {
      out.push_back(std::move(child));
    }
  }
  return Status::Ok();
}

Result<std::vector<std::string>> LocalObjectStore::List(const std::string& prefix) {
  std::vector<std::string> all;
  QV_RETURN_IF_ERROR(ListUnder(root_, "", all));
  std::vector<std::string> out;
  for (auto& rel : all) {
    size_t slash = rel.rfind('/');
    std::string_view name =
        std::string_view(rel).substr(slash == std::string::npos ? 0 : slash + 1);
    if (rel.starts_with(prefix) && !name.starts_with(kTmpPrefix)) out.push_back(std::move(rel));
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace quiver::storage
