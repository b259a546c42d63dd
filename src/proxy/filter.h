// Compiles a Milvus filter expression (Query/Delete/Search `expr`) against a collection schema
// into a per-chunk row filter for the growing store, which answers what it can from the chunks'
// scalar indexes; and estimates a filter's selectivity. Thread-safe; the result is immutable.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "common/status.h"
#include "schema.pb.h"
#include "segment/growing_store.h"

namespace quiver::proxy {

using TemplateValues = google::protobuf::Map<std::string, milvus::proto::schema::TemplateValue>;

struct BoundFilter;  // the bound plan and the fields it reads (filter.cc)

struct CompiledFilter {
  segment::ChunkFilter filter;  // empty: every row matches
  std::shared_ptr<const BoundFilter> bound;  // null when every row matches
  // Set when the expression only lists primary keys (`pk in [...]`, `pk == v`): deletes then
  // need no scan, and report the number of keys, as Milvus does.
  std::optional<milvus::proto::schema::IDs> pk_list;
};

Result<CompiledFilter> CompileFilter(const std::string& expr,
                                     const milvus::proto::schema::CollectionSchema& schema,
                                     const TemplateValues& templates);

// A cheap estimate of the share of a collection's rows a filter keeps, for the search planner
// (e.g. ANN search with a filter vs an exact scan of the survivors). Chunks whose scalar indexes
// answer the whole filter are counted exactly from the indexes (no column is read); the rest
// is estimated by evaluating the filter on a sample of at most `max_sample_rows` rows spread
// evenly over them. Counts stored rows (deleted ones too) and ignores partitions: a planner
// hint, not a count. Takes the store's read lock once.
struct SelectivityEstimate {
  double fraction = 1.0;     // estimated share of rows that match, in [0, 1]
  int64_t rows = 0;          // stored rows considered
  int64_t indexed_rows = 0;  // of which counted exactly from scalar indexes
  int64_t sampled_rows = 0;  // rows evaluated for the rest
};
Result<SelectivityEstimate> EstimateSelectivity(const CompiledFilter& filter,
                                                const segment::GrowingStore& store,
                                                int64_t max_sample_rows = 1024);

}  // namespace quiver::proxy
