// Answers plan leaves from a scalar index (index::ScalarIndex) instead of scanning the column:
// comparisons, ranges, `in`, LIKE and null checks on a field; array_contains* on an ARRAY
// field's element index; comparisons, ranges, `in`, LIKE, exists and json_contains* on an
// indexed JSON path. An index answers a leaf only when the answer is exactly the scan's,
// three-valued logic included (which rows are TRUE, which UNKNOWN); otherwise the caller scans.
// Internal to src/expr. Pure functions; thread-safe.
#pragma once

#include "expr/plan.h"

namespace quiver::expr {

// TRUE rows and known rows of a leaf (value is a subset of valid; all_valid: every row known).
struct IndexAnswer {
  Bitset value;
  Bitset valid;
  bool all_valid = true;
};

// Whether `ix` (an index over node.column's field or JSON path) answers `node` exactly; when
// `out` is given, also computes the answer over `rows` rows.
bool AnswerFromIndex(const Node& node, const index::ScalarIndex& ix, int64_t rows,
                     IndexAnswer* out);

}  // namespace quiver::expr
