// Lexer for the Milvus filter language (Plan.g4 of Milvus 2.6): turns an expression into tokens.
// JSON/array paths such as `f["a"][0]` are one token; `is null` / `is not null` are one token
// each (single spaces only); keywords are recognised in lower or UPPER case only. String
// literals are decoded with Go's escape rules, as Milvus does with strconv.Unquote. Pure
// function; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace quiver::expr {

enum class Tok : uint8_t {
  kEnd,
  kInt,
  kFloat,
  kBool,
  kString,
  kIdent,
  kMeta,       // $meta
  kJsonIdent,  // f["a"][0], $meta["k"]
  kLBrace,
  kRBrace,
  kLParen,
  kRParen,
  kLBracket,
  kRBracket,
  kEmptyArray,  // '[' whitespace* ']'
  kComma,
  kAssign,
  kLt,
  kLe,
  kGt,
  kGe,
  kEq,
  kNe,
  kAdd,
  kSub,
  kMul,
  kDiv,
  kMod,
  kPow,
  kShl,
  kShr,
  kBand,
  kBor,
  kBxor,
  kBnot,
  kAnd,
  kOr,
  kNot,
  kIn,
  kLike,
  kExists,
  kIsNull,
  kIsNotNull,
  kJsonContains,
  kJsonContainsAll,
  kJsonContainsAny,
  kArrayContains,
  kArrayContainsAll,
  kArrayContainsAny,
  kArrayLength,
  kTextMatch,
  kPhraseMatch,
  kRandomSample,
  kMinimumShouldMatch,
};

// One `[...]` step of a JSON/array path.
struct PathKey {
  std::string key;  // decoded key, or the decimal index text
  bool quoted = false;
};

struct Token {
  Tok kind = Tok::kEnd;
  size_t pos = 0;  // byte offset of the first character
  size_t len = 0;
  int64_t int_value = 0;
  bool int_is_min_magnitude = false;  // literal 9223372036854775808 (only valid after '-')
  double float_value = 0;
  bool bool_value = false;
  std::string text;  // identifier / path base name / decoded string
  std::vector<PathKey> path;
};

// Lexes the whole expression. Errors carry "line L:C ..." positions (0-based column, like ANTLR).
Result<std::vector<Token>> Lex(std::string_view expr);

// "line L:C" for a byte offset.
std::string Position(std::string_view expr, size_t pos);
const char* TokName(Tok t);

// Decodes the body of a quoted literal (without quotes) with Go's strconv.Unquote escape rules;
// `\'` is accepted as Milvus converts single-quoted literals first.
Result<std::string> DecodeGoString(std::string_view body);

}  // namespace quiver::expr
