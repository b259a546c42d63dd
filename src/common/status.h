// Status and Result<T>: how every fallible function in Quiver reports failure. A Status is a
// code (what the caller should do next), the subject it is about (so the proxy can choose the
// matching Milvus error code) and a message. Both types are cheap values; thread-compatible.
#pragma once

#include <fmt/format.h>

#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace quiver {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,     // fix the request; never retried
  kNotFound,
  kAlreadyExists,
  kFailedPrecondition,  // the request is valid but the object is in the wrong state
  kResourceExhausted,   // a configured limit was reached
  kUnavailable,         // retry or fail over
  kCorruption,
  kInternal,            // our bug
  kCancelled,
  kDeadlineExceeded,
  kUnimplemented,
};

// What an error is about. Together with StatusCode it selects Milvus's error code at the edge
// (e.g. kNotFound + kCollection = 100, kNotFound + kIndex = 700).
enum class Subject {
  kNone = 0,
  kDatabase,
  kCollection,
  kPartition,
  kIndex,
  kAlias,
  kField,
  kAliasCollectionConflict,  // an alias and a collection would share a name
  kDisk,                     // the disk is full (ENOSPC/EDQUOT from a write)
  kDiskQuota,                // writes refused: free space under the configured watermark
};

class [[nodiscard]] Status {
 public:
  Status() = default;
  static Status Ok() { return Status(); }

#define QV_STATUS_FACTORY(Name)                                                  \
  template <typename... Args>                                                    \
  static Status Name(fmt::format_string<Args...> f, Args&&... args) {            \
    return Status(StatusCode::k##Name, fmt::format(f, std::forward<Args>(args)...)); \
  }
  QV_STATUS_FACTORY(InvalidArgument)
  QV_STATUS_FACTORY(NotFound)
  QV_STATUS_FACTORY(AlreadyExists)
  QV_STATUS_FACTORY(FailedPrecondition)
  QV_STATUS_FACTORY(ResourceExhausted)
  QV_STATUS_FACTORY(Unavailable)
  QV_STATUS_FACTORY(Corruption)
  QV_STATUS_FACTORY(Internal)
  QV_STATUS_FACTORY(Cancelled)
  QV_STATUS_FACTORY(DeadlineExceeded)
  QV_STATUS_FACTORY(Unimplemented)
#undef QV_STATUS_FACTORY

  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  // Marks what the error is about; returns *this so it chains after a factory.
  Status&& About(Subject s) && {
    subject_ = s;
    return std::move(*this);
  }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  Subject subject() const { return subject_; }
  const std::string& message() const { return message_; }
  std::string ToString() const;
  void IgnoreError() const {}

  bool Is(StatusCode c, Subject s) const { return code_ == c && subject_ == s; }

 private:
  StatusCode code_ = StatusCode::kOk;
  Subject subject_ = Subject::kNone;
  std::string message_;
};

const char* StatusCodeName(StatusCode code);

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {}  // NOLINT: must not be OK

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  Status TakeStatus() { return ok() ? Status() : std::move(std::get<Status>(v_)); }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::move(std::get<T>(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<Status, T> v_;
};

}  // namespace quiver

#define QV_CONCAT_INNER(a, b) a##b
#define QV_CONCAT(a, b) QV_CONCAT_INNER(a, b)

#define QV_RETURN_IF_ERROR(expr)             \
  do {                                       \
    ::quiver::Status _qv_st = (expr);        \
    if (!_qv_st.ok()) return _qv_st;         \
  } while (0)

#define QV_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                             \
  if (!tmp.ok()) return tmp.TakeStatus();        \
  lhs = std::move(tmp).value()

#define QV_ASSIGN_OR_RETURN(lhs, expr) \
  QV_ASSIGN_OR_RETURN_IMPL(QV_CONCAT(_qv_result_, __LINE__), lhs, expr)
