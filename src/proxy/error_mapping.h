// Translation of Quiver's Status into Milvus's common.Status (code, legacy error_code, reason),
// done once, at the edge. Application errors always travel inside a gRPC OK response.
// Pure functions; thread-safe.
#pragma once

#include "common.pb.h"
#include "common/status.h"

namespace quiver::proxy {

// Milvus error codes (pkg/util/merr) that Quiver emits.
enum MilvusCode : int32_t {
  kSuccess = 0,
  kServiceUnavailable = 2,
  kServiceInternal = 5,
  kServiceDiskLimitExceeded = 7,
  kServiceQuotaExceeded = 9,
  kServiceUnimplemented = 10,
  kCollectionNotFound = 100,
  kCollectionNotLoaded = 101,
  kCollectionNumLimitExceeded = 102,
  kCollectionLoaded = 104,
  kPartitionNotFound = 200,
  kPartitionNotLoaded = 201,
  kIndexNotFound = 700,
  kIndexDuplicate = 702,
  kDatabaseNotFound = 800,
  kDatabaseNumLimitExceeded = 801,
  kDatabaseNameInvalid = 802,
  kParameterInvalid = 1100,
  kAliasNotFound = 1600,
  kAliasCollectionNameConflict = 1601,
  kAliasAlreadyExist = 1602,
  kFieldNotFound = 1700,
  kUnexpected = 65535,
  kCanceled = 10000,
  kTimeout = 10001,
};

struct MilvusError {
  int32_t code;
  milvus::proto::common::ErrorCode legacy;
};

MilvusError ToMilvusError(const Status& st);

// Fills `out` from `st` (success when st is OK).
void FillStatus(const Status& st, milvus::proto::common::Status* out);
milvus::proto::common::Status MakeStatus(const Status& st);

}  // namespace quiver::proxy
