// Builds the scalar index (index::ScalarIndex) of one chunk's column for the filter engine: over
// a field's values, an ARRAY field's elements, or the values at a path of a JSON field cast to
// one type (Milvus's JSON path index: `json_path` + `json_cast_type`). JSON paths are resolved
// exactly as the evaluator resolves them, so an index answers exactly what a scan would.
// Pure functions; thread-safe.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "expr/column_batch.h"
#include "index/scalar_index.h"

namespace quiver::expr {

// Milvus's json_cast_type values (upper case).
enum class JsonCast : uint8_t { kBool, kDouble, kVarchar, kArrayBool, kArrayDouble, kArrayVarchar };
std::optional<JsonCast> ParseJsonCast(std::string_view name);

// `path` and `cast` apply to JSON columns only. Fails on a column type the kind cannot index.
Result<std::unique_ptr<const index::ScalarIndex>> BuildScalarIndex(
    index::ScalarIndexKind kind, const Column& column, const std::vector<std::string>& path = {},
    JsonCast cast = JsonCast::kDouble);

}  // namespace quiver::expr
