// Small helpers shared by the MilvusService handlers: database resolution, status replies,
// schema and load-state lookups. Header-only; pure functions.
#pragma once

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "coord/catalog.h"
#include "milvus.grpc.pb.h"
#include "common/timestamp.h"
#include "proxy/error_mapping.h"
#include "proxy/schema_validation.h"
#include "segment/growing_store.h"

namespace quiver::proxy {

using coord::CollectionRecord;
using coord::KeyValues;
using grpc::ServerContext;

// The target database: the request's db_name, else the `dbname` metadata clients send on every
// call, else "default".
inline std::string DbOf(ServerContext* ctx, const std::string& requested) {
  if (!requested.empty()) return requested;
  const auto& md = ctx->client_metadata();
  auto it = md.find("dbname");
  if (it != md.end() && it->second.length() > 0) {
    return std::string(it->second.data(), it->second.length());
  }
  return coord::kDefaultDatabase;
}

inline grpc::Status Reply(const Status& st, milvus::proto::common::Status* out) {
  FillStatus(st, out);
  return grpc::Status::OK;
}

inline KeyValues ToKeyValues(const google::protobuf::RepeatedPtrField<milvus::proto::common::KeyValuePair>& kvs) {
  KeyValues out;
  for (const auto& kv : kvs) out.emplace_back(kv.key(), kv.value());
  return out;
}

inline std::vector<std::string> ToStrings(const google::protobuf::RepeatedPtrField<std::string>& v) {
  return {v.begin(), v.end()};
}

inline const milvus::proto::schema::FieldSchema* FindField(const CollectionRecord& c, const std::string& name) {
  for (const auto& f : c.schema().fields()) {
    if (f.name() == name && !f.is_dynamic()) return &f;
  }
  return nullptr;
}

inline const milvus::proto::schema::FieldSchema* FindFieldById(const CollectionRecord& c, int64_t id) {
  for (const auto& f : c.schema().fields()) {
    if (f.fieldid() == id) return &f;
  }
  return nullptr;
}

inline bool PartitionLoaded(const CollectionRecord& c, const coord::PartitionRecord& p) {
  return c.load_status() == ::quiver::catalog::LOAD_LOADED || p.loaded();
}

inline bool AnyLoaded(const CollectionRecord& c) {
  return std::any_of(c.partitions().begin(), c.partitions().end(),
                     [&](const auto& p) { return PartitionLoaded(c, p); });
}

inline Status CollectionNotLoaded(const CollectionRecord& c) {
  return Status::FailedPrecondition("collection not loaded[collection={}]", c.name())
      .About(Subject::kCollection);
}

inline Status PartitionNotFound(const std::string& name, const std::string& collection) {
  return Status::NotFound("partition not found[partition={}]", name).About(Subject::kPartition);
}

// Wraps `filter` so rows older than the collection's `collection.ttl.seconds` (relative to `now`)
// are invisible, as Milvus hides expired rows at read time.
inline segment::ChunkFilter WithTtl(const CollectionRecord& c, segment::ChunkFilter filter, Timestamp now) {
  int64_t ttl = 0;
  for (const auto& kv : c.properties()) {
    if (kv.key() == "collection.ttl.seconds") ttl = ParseInt(kv.value()).value_or(0);
  }
  if (ttl <= 0) return filter;
  const Timestamp cutoff = ComposeTimestamp(std::max<int64_t>(0, PhysicalMs(now) - ttl * 1000), 0);
  return [cutoff, filter = std::move(filter)](const segment::Chunk& chunk, std::vector<uint8_t>& mask) -> Status {
    if (chunk.ts < cutoff) {
      std::fill(mask.begin(), mask.end(), 0);
      return Status::Ok();
    }
    return filter ? filter(chunk, mask) : Status::Ok();
  };
}

// Wraps `filter` so only persisted chunks (seq <= persisted_seq) are read: Milvus's
// `ignore_growing`, which searches and queries sealed segments only.
inline segment::ChunkFilter WithoutGrowing(segment::ChunkFilter filter, uint64_t persisted_seq) {
  return [persisted_seq, filter = std::move(filter)](const segment::Chunk& chunk, std::vector<uint8_t>& mask) -> Status {
    if (chunk.seq > persisted_seq) {
      std::fill(mask.begin(), mask.end(), 0);
      return Status::Ok();
    }
    return filter ? filter(chunk, mask) : Status::Ok();
  };
}

// Milvus's boolean request parameters arrive as "true"/"True"/"1".
inline bool Truthy(std::string_view v) { return v == "true" || v == "True" || v == "TRUE" || v == "1"; }

}  // namespace quiver::proxy
