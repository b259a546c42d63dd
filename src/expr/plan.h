// Plan is a bound, type-checked filter expression: the output of ParseAndBind (parse, resolve
// identifiers against a CollectionSchema, substitute {templates}, check types as Milvus's
// planparserv2 does, fold constants) and the input of Evaluate. A Plan is immutable once built
// and is shared as shared_ptr<const Plan>; thread-safe to evaluate concurrently.
//
// Semantics are three-valued, as in Milvus segcore: a predicate on a null value, a missing JSON
// path, a JSON value of another type than the constant, or an out-of-range array index is
// UNKNOWN; `not` keeps UNKNOWN, `and`/`or` follow Kleene logic, and only TRUE rows match.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "common/status.h"
#include "expr/column_batch.h"
#include "expr/like_matcher.h"
#include "expr/value.h"
#include "schema.pb.h"

namespace quiver::expr {

using TemplateValues = google::protobuf::Map<std::string, milvus::proto::schema::TemplateValue>;

// A field, or a nested path in a JSON field / an element of an ARRAY field.
struct ColumnRef {
  int64_t field_id = 0;
  std::string name;  // field name, for messages
  DataType type = milvus::proto::schema::None;
  DataType element_type = milvus::proto::schema::None;  // ARRAY fields
  bool nullable = false;
  std::vector<std::string> path;  // JSON keys / array index (decimal text)
};

enum class NodeKind : uint8_t {
  kAlwaysTrue,
  kAlwaysFalse,
  kCompare,        // column op value
  kRange,          // lower <(=) column <(=) upper
  kTerm,           // column in values
  kLike,           // column like pattern
  kArithCompare,   // (column arith operand) op value
  kArrayLength,    // array_length(column) op value
  kColumnCompare,  // column op right_column
  kExists,         // JSON path present and not JSON null
  kNullCheck,      // column is [not] null
  kContains,       // json_contains / array_contains (any / all)
  kNot,
  kAnd,
  kOr,
  kRandomSample,  // children[0] (optional) predicate, value = factor
};

enum class CompareOp : uint8_t { kEq, kNe, kLt, kLe, kGt, kGe };
enum class ArithOp : uint8_t { kAdd, kSub, kMul, kDiv, kMod };
enum class ContainsOp : uint8_t { kContains, kContainsAll, kContainsAny };

struct Node {
  NodeKind kind = NodeKind::kAlwaysTrue;
  ColumnRef column;
  ColumnRef right_column;  // kColumnCompare
  CompareOp op = CompareOp::kEq;
  Value value;  // kCompare, kArithCompare, kArrayLength; factor of kRandomSample
  Value lower, upper;
  bool lower_inclusive = false;
  bool upper_inclusive = false;
  std::vector<Value> values;  // kTerm, kContains
  // kTerm on an integer, floating or string column: `values` prepared once at bind time
  // (sorted and unique, or hashed), so evaluating many chunks does not rebuild them.
  std::vector<int64_t> int_set;
  std::vector<double> double_set;
  std::unordered_set<std::string> string_set;
  ArithOp arith_op = ArithOp::kAdd;
  Value operand;  // kArithCompare
  ContainsOp contains_op = ContainsOp::kContains;
  bool is_null = true;  // kNullCheck: `is null` (true) or `is not null`
  LikePattern like;     // kLike
  std::vector<std::unique_ptr<Node>> children;
};

class Plan {
 public:
  explicit Plan(std::unique_ptr<Node> root) : root_(std::move(root)) {}
  Plan(const Plan&) = delete;
  Plan& operator=(const Plan&) = delete;

  const Node& Root() const { return *root_; }
  // Field ids the plan reads, sorted and unique; the batch given to Evaluate must hold them.
  std::vector<int64_t> ReferencedFields() const;
  // A compact s-expression of the plan, for tests and debugging.
  std::string DebugString() const;

 private:
  std::unique_ptr<Node> root_;
};

// Parses and binds `expr`. An empty (or all-blank) expression matches every row. Errors are
// InvalidArgument, worded "cannot parse expression: <expr>, error: <detail>: invalid parameter".
Result<std::shared_ptr<const Plan>> ParseAndBind(
    std::string_view expr, const milvus::proto::schema::CollectionSchema& schema,
    const TemplateValues* templates = nullptr);

// What an evaluation did: leaves answered from a scalar index, leaves that scanned a column.
struct EvalStats {
  int64_t index_leaves = 0;
  int64_t scanned_leaves = 0;
};

// Evaluates the plan over a batch into `out` (resized to batch.row_count; bit set = row
// matches). Leaves a batch index answers exactly are answered from it (same rows as a scan).
// Fails when a column a leaf needs is missing or has the wrong shape.
Status Evaluate(const Plan& plan, const ColumnBatch& batch, Bitset* out,
                EvalStats* stats = nullptr);

// Field ids whose columns Evaluate reads, given the batch's indexes (batch.columns may be
// empty): the plan's fields minus those every leaf of which an index answers. Sorted, unique.
std::vector<int64_t> ColumnsNeeded(const Plan& plan, const ColumnBatch& batch);

// Resolves a field or JSON path identifier as the filter language does (`age`, `meta["a"][0]`,
// `$meta["k"]`, or a dynamic-field key `k`), e.g. a JSON index's `json_path`.
Result<ColumnRef> ResolveIdentifier(std::string_view identifier,
                                    const milvus::proto::schema::CollectionSchema& schema);

}  // namespace quiver::expr
