// Compiles a Milvus filter expression (Query/Delete/Search `expr`) against a collection schema
// into a per-chunk row filter for the growing store. Thread-safe; the result is immutable.
#pragma once

#include <optional>
#include <string>

#include "common/status.h"
#include "schema.pb.h"
#include "segment/growing_store.h"

namespace quiver::proxy {

using TemplateValues = google::protobuf::Map<std::string, milvus::proto::schema::TemplateValue>;

struct CompiledFilter {
  segment::ChunkFilter filter;  // empty: every row matches
  // Set when the expression only lists primary keys (`pk in [...]`, `pk == v`): deletes then
  // need no scan, and report the number of keys, as Milvus does.
  std::optional<milvus::proto::schema::IDs> pk_list;
};

Result<CompiledFilter> CompileFilter(const std::string& expr,
                                     const milvus::proto::schema::CollectionSchema& schema,
                                     const TemplateValues& templates);

}  // namespace quiver::proxy
