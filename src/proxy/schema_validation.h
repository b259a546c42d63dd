// Validation of names, collection schemas and single fields against Milvus 2.6's rules
// (internal/proxy/util.go and task.go), with Milvus's wording so users see familiar errors.
// Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "schema.pb.h"

namespace quiver::proxy {

struct SchemaLimits {
  int max_name_length = 255;
  int max_fields = 64;
  int max_vector_fields = 10;
  int max_dim = 32768;
  int max_varchar_length = 65535;
  int max_array_capacity = 4096;
  int max_shards = 16;
  int max_partitions = 1024;
  int default_partitions_with_key = 16;
};

// Milvus appends the error class to the message of a parameter error.
template <typename... Args>
Status InvalidParam(fmt::format_string<Args...> f, Args&&... args) {
  return Status::InvalidArgument("{}: invalid parameter",
                                 fmt::format(f, std::forward<Args>(args)...));
}

// `kind` is what is named: "collection name", "collection alias", "partition name", "field
// name", "database name", "index name".
Status ValidateName(std::string_view name, std::string_view kind, const SchemaLimits& limits = {});
Status ValidateCollectionName(std::string_view name, const SchemaLimits& limits = {});
// Database names: Milvus's code 802 ("invalid database name").
Status ValidateDatabaseName(std::string_view name, const SchemaLimits& limits = {});

bool IsVectorType(milvus::proto::schema::DataType t);
bool IsDenseVectorType(milvus::proto::schema::DataType t);
std::optional<std::string> TypeParam(const milvus::proto::schema::FieldSchema& f,
                                     std::string_view key);
std::optional<int64_t> ParseInt(std::string_view s);

// Checks a whole schema from CreateCollection; fills defaults the server owns (shards,
// number of partitions for partition-key collections).
Status ValidateCollectionSchema(const milvus::proto::schema::CollectionSchema& schema,
                                int32_t* shards_num, int64_t* num_partitions,
                                const SchemaLimits& limits = {});

// Checks one field on its own (type params, default value, nullability).
Status ValidateField(const milvus::proto::schema::FieldSchema& f, const SchemaLimits& limits = {});

const char* DataTypeName(milvus::proto::schema::DataType t);

}  // namespace quiver::proxy
