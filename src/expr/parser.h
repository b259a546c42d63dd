// Recursive-descent (precedence-climbing) parser for the Milvus 2.6 filter grammar: builds an
// untyped syntax tree (Ast) that the binder resolves against a schema. Precedence follows the
// alternative order of Plan.g4 (tightest first): like; **; unary + - ~ not !; * / %; + -;
// << >>; [not] in; chained ranges; < <= > >=; == !=; &; ^; |; and; or. Chains of `and` / `or`
// become one n-ary node, so long chains do not make deep trees. Trees deeper than kMaxDepth and
// expressions longer than kMaxExprBytes are rejected. Pure function; thread-safe.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "expr/lexer.h"
#include "expr/value.h"

namespace quiver::expr {

inline constexpr int kMaxDepth = 1000;
inline constexpr size_t kMaxExprBytes = 4 << 20;

enum class AstKind : uint8_t {
  kLiteral,   // value
  kIdent,     // name (or $meta)
  kJsonPath,  // name + path
  kTemplate,  // {name}
  kList,      // [a, b, ...]; kids
  kUnary,     // op kid
  kBinary,    // kid op kid (arithmetic, comparisons, bitwise)
  kLogical,   // op = kAnd / kOr over 2+ kids
  kRange,     // kids: lower, column, upper; op, op2
  kTerm,      // kids: column, list; negated = `not in`
  kLike,      // kids: column, pattern
  kExists,    // kid
  kIsNull,    // kid (ident or JSON path); negated = `is not null`
  kCall,      // keyword functions and generic calls: name, kids (args)
};

struct Ast {
  AstKind kind = AstKind::kLiteral;
  size_t begin = 0;  // source span, for messages
  size_t end = 0;
  int height = 1;
  Value value;
  bool int_is_min_magnitude = false;  // literal 9223372036854775808, valid only under '-'
  std::string name;  // identifier, path base, template name, call name (lower case)
  std::vector<PathKey> path;
  Tok op = Tok::kEnd;
  Tok op2 = Tok::kEnd;
  bool negated = false;
  Tok call = Tok::kEnd;               // keyword of a keyword function; kIdent for a generic call
  int64_t minimum_should_match = -1;  // text_match option
  std::vector<std::unique_ptr<Ast>> kids;
};

// Parses `expr` (non-empty). Errors are detail messages ("line 1:5 ..."); the caller wraps them.
Result<std::unique_ptr<Ast>> Parse(std::string_view expr);

}  // namespace quiver::expr
