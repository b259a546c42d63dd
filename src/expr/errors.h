// Error helpers for the filter-expression engine, worded like Milvus's plan parser so users see
// familiar messages: "cannot parse expression: <expr>, error: <detail>: invalid parameter".
// Every expression error is InvalidArgument (Milvus code 1100): the caller must fix the filter.
// Pure functions; thread-safe.
#pragma once

#include <fmt/format.h>

#include <string>
#include <string_view>

#include "common/status.h"

namespace quiver::expr {

// A detail error before it is wrapped with the expression text. Binder and parser build these
// and ParseAndBind wraps them once.
template <typename... Args>
Status ExprError(fmt::format_string<Args...> f, Args&&... args) {
  return Status(StatusCode::kInvalidArgument, fmt::format(f, std::forward<Args>(args)...));
}

// Wraps a detail error with the expression, as Milvus's parseExprInner does.
inline Status WrapParseError(std::string_view expr, const Status& detail) {
  return Status::InvalidArgument("cannot parse expression: {}, error: {}: invalid parameter", expr,
                                 detail.message());
}

}  // namespace quiver::expr
