// LIKE patterns as Milvus compiles them (planparserv2/pattern_match.go and segcore's matcher):
// `%` matches any sequence, `_` exactly one UTF-8 character, and a backslash makes the next byte
// literal. Patterns whose only wildcards are leading/trailing `%` become equal / prefix /
// postfix / inner matches; the rest use a general wildcard matcher. Immutable after Compile;
// thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace quiver::expr {

class LikePattern {
 public:
  enum class Kind : uint8_t { kEqual, kPrefix, kPostfix, kInner, kMatch };

  // Fails on a trailing unescaped backslash.
  static Result<LikePattern> Compile(std::string_view pattern);

  Kind kind() const { return kind_; }
  const std::string& literal() const { return literal_; }  // fast-path operand
  bool Matches(std::string_view s) const;

 private:
  struct Piece {
    char byte;
    bool wildcard;  // '%' or '_' when true
  };
  bool MatchGeneral(std::string_view s) const;

  Kind kind_ = Kind::kEqual;
  std::string literal_;
  std::vector<Piece> pieces_;  // kMatch only
};

}  // namespace quiver::expr
