#include "proxy/error_mapping.h"

namespace quiver::proxy {

using milvus::proto::common::ErrorCode;

MilvusError ToMilvusError(const Status& st) {
  const Subject s = st.subject();
  switch (st.code()) {
    case StatusCode::kOk:
      return {kSuccess, ErrorCode::Success};
    case StatusCode::kInvalidArgument:
      if (s == Subject::kAliasCollectionConflict) {
        return {kAliasCollectionNameConflict, ErrorCode::UnexpectedError};
      }
      if (s == Subject::kDatabase) return {kDatabaseNameInvalid, ErrorCode::UnexpectedError};
      return {kParameterInvalid, ErrorCode::IllegalArgument};
    case StatusCode::kNotFound:
      switch (s) {
        case Subject::kDatabase: return {kDatabaseNotFound, ErrorCode::UnexpectedError};
        case Subject::kCollection: return {kCollectionNotFound, ErrorCode::CollectionNotExists};
        case Subject::kPartition: return {kPartitionNotFound, ErrorCode::MetaFailed};
        case Subject::kIndex: return {kIndexNotFound, ErrorCode::IndexNotExist};
        case Subject::kAlias: return {kAliasNotFound, ErrorCode::UnexpectedError};
        case Subject::kField: return {kFieldNotFound, ErrorCode::UnexpectedError};
        default: return {kParameterInvalid, ErrorCode::IllegalArgument};
      }
    case StatusCode::kAlreadyExists:
      switch (s) {
        case Subject::kAlias: return {kAliasAlreadyExist, ErrorCode::UnexpectedError};
        case Subject::kIndex: return {kIndexDuplicate, ErrorCode::UnexpectedError};
        case Subject::kAliasCollectionConflict:
          return {kAliasCollectionNameConflict, ErrorCode::UnexpectedError};
        default: return {kParameterInvalid, ErrorCode::IllegalArgument};
      }
    case StatusCode::kFailedPrecondition:
      switch (s) {
        case Subject::kCollection: return {kCollectionNotLoaded, ErrorCode::UnexpectedError};
        case Subject::kPartition: return {kPartitionNotLoaded, ErrorCode::UnexpectedError};
        case Subject::kIndex: return {kCollectionLoaded, ErrorCode::UnexpectedError};
        default: return {kParameterInvalid, ErrorCode::IllegalArgument};
      }
    case StatusCode::kResourceExhausted:
      switch (s) {
        case Subject::kCollection: return {kCollectionNumLimitExceeded, ErrorCode::UnexpectedError};
        case Subject::kDatabase: return {kDatabaseNumLimitExceeded, ErrorCode::UnexpectedError};
        // Milvus answers writes denied by its disk quota with ErrServiceQuotaExceeded (9), whose
        // legacy code is ForceDeny; a full disk is ErrServiceDiskLimitExceeded (7).
        case Subject::kDiskQuota:
          return {kServiceQuotaExceeded, ErrorCode::ForceDeny};
        case Subject::kDisk:
          return {kServiceDiskLimitExceeded, ErrorCode::DiskQuotaExhausted};
        default: return {kParameterInvalid, ErrorCode::IllegalArgument};
      }
    case StatusCode::kUnavailable:
      return {kServiceUnavailable, ErrorCode::UnexpectedError};
    case StatusCode::kUnimplemented:
      return {kServiceUnimplemented, ErrorCode::UnexpectedError};
    case StatusCode::kCancelled:
      return {kCanceled, ErrorCode::UnexpectedError};
    case StatusCode::kDeadlineExceeded:
      return {kTimeout, ErrorCode::UnexpectedError};
    case StatusCode::kCorruption:
    case StatusCode::kInternal:
      return {kServiceInternal, ErrorCode::UnexpectedError};
  }
  return {kUnexpected, ErrorCode::UnexpectedError};
}

void FillStatus(const Status& st, milvus::proto::common::Status* out) {
  out->Clear();
  if (st.ok()) return;
  MilvusError e = ToMilvusError(st);
  out->set_code(e.code);
  out->set_error_code(e.legacy);  // deprecated in the proto, still read by every client
  out->set_reason(st.message());
  out->set_retriable(st.code() == StatusCode::kUnavailable);
  if (e.code == kParameterInvalid || st.code() == StatusCode::kNotFound ||
      st.code() == StatusCode::kAlreadyExists) {
    (*out->mutable_extra_info())["is_input_error"] = "true";
  }
}

milvus::proto::common::Status MakeStatus(const Status& st) {
  milvus::proto::common::Status out;
  FillStatus(st, &out);
  return out;
}

}  // namespace quiver::proxy
