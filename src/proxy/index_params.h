// Index parameters as CreateIndex receives them — flat KVs (MilvusClient) or a nested
// `params` JSON (ORM, Node, REST) — normalised into one flat list with index_type and
// metric_type defaulted as Milvus does, and validated per index type and field type.
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "common.pb.h"
#include "common/status.h"
#include "schema.pb.h"

namespace quiver::proxy {

using IndexParams = std::vector<std::pair<std::string, std::string>>;

Result<IndexParams> NormalizeIndexParams(
    const google::protobuf::RepeatedPtrField<milvus::proto::common::KeyValuePair>& extra,
    const milvus::proto::schema::FieldSchema& field);

// Value of `key` in `params`, or empty.
std::string ParamValue(const IndexParams& params, const std::string& key);

}  // namespace quiver::proxy
