// Whole-file reads for the storage layers (WAL files, segment objects): one fstat and large
// read(2) calls, not a byte-at-a-time stream. Thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace quiver {

// The file's bytes; NotFound when it does not exist, Unavailable on other I/O errors.
Result<std::string> ReadFileContents(const std::string& path);

// Read-only bytes of a whole file, either a private memory mapping (MapFile: the page cache's
// pages, neither zero-filled nor copied) or an owned string. The file must not shrink while a
// mapping is alive (objects are immutable: replaced by rename, removed only when unreferenced).
// Move-only.
class FileBytes {
 public:
  FileBytes() = default;
  explicit FileBytes(std::string owned) : owned_(std::move(owned)), view_(owned_) {}
  FileBytes(FileBytes&& other) noexcept { *this = std::move(other); }
  FileBytes& operator=(FileBytes&& other) noexcept;
  FileBytes(const FileBytes&) = delete;
  FileBytes& operator=(const FileBytes&) = delete;
  ~FileBytes() { Release(); }

  std::string_view view() const { return view_; }
  size_t size() const { return view_.size(); }

 private:
  friend Result<FileBytes> MapFile(const std::string& path);
  void Release();

  std::string owned_;
  void* map_ = nullptr;  // set when view_ is a mapping
  std::string_view view_;
};

// The file mapped read-only and populated (errors as ReadFileContents); an empty file gives
// empty bytes without a mapping.
Result<FileBytes> MapFile(const std::string& path);

}  // namespace quiver
