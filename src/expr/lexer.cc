#include "expr/lexer.h"

#include <cstdlib>
#include <cstring>
#include <unordered_map>

#include "expr/errors.h"

namespace quiver::expr {
namespace {

bool IsAsciiIdentStart(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsHexDigit(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
int HexValue(char c) {
  if (IsDigit(c)) return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return c - 'A' + 10;
}

// Decodes one UTF-8 code point at s[p]; returns its length (0 if invalid).
size_t DecodeUtf8(std::string_view s, size_t p, uint32_t* cp) {
  auto b = static_cast<unsigned char>(s[p]);
  size_t len = b < 0x80 ? 1 : (b >> 5) == 0x6 ? 2 : (b >> 4) == 0xE ? 3 : (b >> 3) == 0x1E ? 4 : 0;
  if (len == 0 || p + len > s.size()) return 0;
  uint32_t v = len == 1 ? b : len == 2 ? (b & 0x1F) : len == 3 ? (b & 0x0F) : (b & 0x07);
  for (size_t k = 1; k < len; ++k) {
    auto c = static_cast<unsigned char>(s[p + k]);
    if ((c & 0xC0) != 0x80) return 0;
    v = (v << 6) | (c & 0x3F);
  }
  *cp = v;
  return len;
}

// Milvus rewrites Han characters outside strings to \uXXXX and decodes them back in
// identifiers, so Han characters may appear in field names and dynamic keys.
bool IsHan(uint32_t cp) {
  return (cp >= 0x2E80 && cp <= 0x2FDF) || cp == 0x3005 || cp == 0x3007 ||
         (cp >= 0x3021 && cp <= 0x3029) || (cp >= 0x3038 && cp <= 0x303B) ||
         (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x4E00 && cp <= 0x9FFF) ||
         (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x20000 && cp <= 0x3134F);
}

void AppendUtf8(std::string* out, uint32_t cp) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// Milvus's decodeUnicode: \uXXXX sequences in identifiers and JSON keys become characters.
std::string DecodeUnicodeEscapes(std::string_view s) {
  std::string out;
  for (size_t p = 0; p < s.size(); ++p) {
    if (s[p] == '\\' && p + 5 < s.size() && s[p + 1] == 'u' && IsHexDigit(s[p + 2]) &&
        IsHexDigit(s[p + 3]) && IsHexDigit(s[p + 4]) && IsHexDigit(s[p + 5])) {
      uint32_t cp = 0;
      for (int k = 2; k < 6; ++k) cp = cp * 16 + HexValue(s[p + k]);
      AppendUtf8(&out, cp);
      p += 5;
      continue;
    }
    out.push_back(s[p]);
  }
  return out;
}

const std::unordered_map<std::string_view, Tok>& Keywords() {
  static const auto* kMap = new std::unordered_map<std::string_view, Tok>{
      {"and", Tok::kAnd},
      {"AND", Tok::kAnd},
      {"or", Tok::kOr},
      {"OR", Tok::kOr},
      {"not", Tok::kNot},
      {"NOT", Tok::kNot},
      {"in", Tok::kIn},
      {"IN", Tok::kIn},
      {"like", Tok::kLike},
      {"LIKE", Tok::kLike},
      {"exists", Tok::kExists},
      {"EXISTS", Tok::kExists},
      {"json_contains", Tok::kJsonContains},
      {"JSON_CONTAINS", Tok::kJsonContains},
      {"json_contains_all", Tok::kJsonContainsAll},
      {"JSON_CONTAINS_ALL", Tok::kJsonContainsAll},
      {"json_contains_any", Tok::kJsonContainsAny},
      {"JSON_CONTAINS_ANY", Tok::kJsonContainsAny},
      {"array_contains", Tok::kArrayContains},
      {"ARRAY_CONTAINS", Tok::kArrayContains},
      {"array_contains_all", Tok::kArrayContainsAll},
      {"ARRAY_CONTAINS_ALL", Tok::kArrayContainsAll},
      {"array_contains_any", Tok::kArrayContainsAny},
      {"ARRAY_CONTAINS_ANY", Tok::kArrayContainsAny},
      {"array_length", Tok::kArrayLength},
      {"ARRAY_LENGTH", Tok::kArrayLength},
      {"text_match", Tok::kTextMatch},
      {"TEXT_MATCH", Tok::kTextMatch},
      {"phrase_match", Tok::kPhraseMatch},
      {"PHRASE_MATCH", Tok::kPhraseMatch},
      {"random_sample", Tok::kRandomSample},
      {"RANDOM_SAMPLE", Tok::kRandomSample},
      {"minimum_should_match", Tok::kMinimumShouldMatch},
      {"MINIMUM_SHOULD_MATCH", Tok::kMinimumShouldMatch},
  };
  return *kMap;
}

class Lexer {
 public:
  explicit Lexer(std::string_view s) : s_(s) {}

  Result<std::vector<Token>> Run() {
    std::vector<Token> out;
    while (true) {
      while (p_ < s_.size() &&
             (s_[p_] == ' ' || s_[p_] == '\t' || s_[p_] == '\n' || s_[p_] == '\r')) {
        ++p_;
      }
      if (p_ >= s_.size()) break;
      Token t;
      t.pos = p_;
      QV_RETURN_IF_ERROR(Next(&t));
      t.len = p_ - t.pos;
      out.push_back(std::move(t));
    }
    Token end;
    end.kind = Tok::kEnd;
    end.pos = s_.size();
    out.push_back(std::move(end));
    return out;
  }

 private:
  Status RecognitionError(size_t start) {
    size_t end = start + 1;
    while (end < s_.size() && (static_cast<unsigned char>(s_[end]) & 0xC0) == 0x80) ++end;
    return ExprError("{} token recognition error at: '{}'", Position(s_, start),
                     s_.substr(start, end - start));
  }

  // Length of an identifier character at q (0 if none); digits allowed when !start.
  size_t IdentChar(size_t q, bool start) const {
    if (q >= s_.size()) return 0;
    char c = s_[q];
    if (IsAsciiIdentStart(c) || (!start && IsDigit(c))) return 1;
    if (static_cast<unsigned char>(c) >= 0x80) {
      uint32_t cp = 0;
      size_t len = DecodeUtf8(s_, q, &cp);
      if (len > 0 && IsHan(cp)) return len;
    }
    return 0;
  }

  Status Next(Token* t) {
    size_t start = p_;
    char c = s_[p_];
    // String literals, with an optional encoding prefix u8 / u / U / L.
    for (std::string_view prefix : {"u8", "u", "U", "L"}) {
      if (s_.substr(p_, prefix.size()) == prefix && p_ + prefix.size() < s_.size() &&
          (s_[p_ + prefix.size()] == '"' || s_[p_ + prefix.size()] == '\'')) {
        p_ += prefix.size();
        return String(t, start);
      }
    }
    if (c == '"' || c == '\'') return String(t, start);
    if (IdentChar(p_, true) > 0) return Word(t);
    if (IsDigit(c) || (c == '.' && p_ + 1 < s_.size() && IsDigit(s_[p_ + 1]))) return Number(t);
    if (c == '$') {
      if (s_.substr(p_, 5) == "$meta" && IdentChar(p_ + 5, false) == 0) {
        p_ += 5;
        t->kind = Tok::kMeta;
        t->text = "$meta";
        Path(t);
        return Status::Ok();
      }
      return RecognitionError(start);
    }
    if (c == '[') {
      size_t q = p_ + 1;
      while (q < s_.size() && (s_[q] == ' ' || s_[q] == '\t' || s_[q] == '\n' || s_[q] == '\r')) {
        ++q;
      }
      if (q < s_.size() && s_[q] == ']') {
        p_ = q + 1;
        t->kind = Tok::kEmptyArray;
        return Status::Ok();
      }
    }
    struct Op {
      std::string_view text;
      Tok tok;
    };
    static constexpr Op kOps[] = {
        {"**", Tok::kPow},     {"==", Tok::kEq},      {"!=", Tok::kNe},    {"<=", Tok::kLe},
        {">=", Tok::kGe},      {"&&", Tok::kAnd},     {"||", Tok::kOr},    {"<<", Tok::kShl},
        {">>", Tok::kShr},     {"<", Tok::kLt},       {">", Tok::kGt},     {"+", Tok::kAdd},
        {"-", Tok::kSub},      {"*", Tok::kMul},      {"/", Tok::kDiv},    {"%", Tok::kMod},
        {"!", Tok::kNot},      {"&", Tok::kBand},     {"|", Tok::kBor},    {"^", Tok::kBxor},
        {"~", Tok::kBnot},     {"=", Tok::kAssign},   {"(", Tok::kLParen}, {")", Tok::kRParen},
        {"[", Tok::kLBracket}, {"]", Tok::kRBracket}, {"{", Tok::kLBrace}, {"}", Tok::kRBrace},
        {",", Tok::kComma},
    };
    for (const Op& op : kOps) {
      if (s_.substr(p_, op.text.size()) == op.text) {
        p_ += op.text.size();
        t->kind = op.tok;
        return Status::Ok();
      }
    }
    return RecognitionError(start);
  }

  // Scans a quoted literal starting at p_ (the quote); returns the body without quotes.
  Result<std::string_view> ScanQuoted(size_t start) {
    char quote = s_[p_];
    size_t body = ++p_;
    while (p_ < s_.size()) {
      char c = s_[p_];
      if (c == '\\') {
        if (p_ + 1 >= s_.size()) break;
        p_ += 2;
        continue;
      }
      if (c == '\n' || c == '\r') break;
      if (c == quote) {
        std::string_view out = s_.substr(body, p_ - body);
        ++p_;
        return out;
      }
      ++p_;
    }
    return RecognitionError(start);
  }

  Status String(Token* t, size_t start) {
    QV_ASSIGN_OR_RETURN(std::string_view body, ScanQuoted(start));
    auto decoded = DecodeGoString(body);
    if (!decoded.ok()) {
      return ExprError("{} invalid string literal {}: {}", Position(s_, start),
                       s_.substr(start, p_ - start), decoded.status().message());
    }
    t->kind = Tok::kString;
    t->text = std::move(decoded).value();
    return Status::Ok();
  }

  Status Word(Token* t) {
    size_t start = p_;
    while (size_t n = IdentChar(p_, p_ == start)) p_ += n;
    std::string_view word = s_.substr(start, p_ - start);
    if (word == "is" || word == "IS") {
      bool upper = word == "IS";
      std::string_view rest = s_.substr(p_);
      std::string_view not_null = upper ? " NOT NULL" : " not null";
      std::string_view null = upper ? " NULL" : " null";
      if (rest.substr(0, not_null.size()) == not_null) {
        p_ += not_null.size();
        t->kind = Tok::kIsNotNull;
        return Status::Ok();
      }
      if (rest.substr(0, null.size()) == null) {
        p_ += null.size();
        t->kind = Tok::kIsNull;
        return Status::Ok();
      }
    }
    if (word == "true" || word == "True" || word == "TRUE" || word == "false" || word == "False" ||
        word == "FALSE") {
      t->kind = Tok::kBool;
      t->bool_value = word[0] == 't' || word[0] == 'T';
      return Status::Ok();
    }
    auto it = Keywords().find(word);
    if (it != Keywords().end()) {
      t->kind = it->second;
      t->text = std::string(word);
      return Status::Ok();
    }
    t->kind = Tok::kIdent;
    t->text = std::string(word);
    Path(t);
    return Status::Ok();
  }

  // Consumes `[ "key" ]` / `[ 0 ]` steps glued to an identifier; the token becomes a path.
  void Path(Token* t) {
    while (p_ < s_.size() && s_[p_] == '[') {
      size_t save = p_;
      size_t q = p_ + 1;
      PathKey key;
      if (q < s_.size() && (s_[q] == '"' || s_[q] == '\'')) {
        p_ = q;
        auto body = ScanQuoted(q);
        if (!body.ok() || p_ >= s_.size() || s_[p_] != ']') {
          p_ = save;
          break;
        }
        key.key = DecodeUnicodeEscapes(*body);
        key.quoted = true;
      } else if (q < s_.size() && IsDigit(s_[q])) {
        size_t e = q;
        while (e < s_.size() && IsDigit(s_[e])) ++e;
        // DecimalConstant: '0' or [1-9][0-9]*.
        if (e >= s_.size() || s_[e] != ']' || (s_[q] == '0' && e - q > 1)) break;
        key.key = std::string(s_.substr(q, e - q));
        p_ = e;
      } else {
        break;
      }
      ++p_;  // ']'
      t->path.push_back(std::move(key));
    }
    if (!t->path.empty()) t->kind = Tok::kJsonIdent;
  }

  Status Number(Token* t) {
    size_t start = p_;
    auto float_token = [&]() -> Status {
      std::string text(s_.substr(start, p_ - start));
      char* end = nullptr;
      double v = std::strtod(text.c_str(), &end);
      if (end != text.c_str() + text.size()) {
        return ExprError("{} invalid floating literal '{}'", Position(s_, start), text);
      }
      t->kind = Tok::kFloat;
      t->float_value = v;
      return Status::Ok();
    };
    if (s_[p_] == '0' && p_ + 1 < s_.size() && (s_[p_ + 1] == 'x' || s_[p_ + 1] == 'X')) {
      size_t q = p_ + 2;
      size_t digits = q;
      while (q < s_.size() && IsHexDigit(s_[q])) ++q;
      bool frac = false;
      if (q < s_.size() && s_[q] == '.') {
        frac = true;
        ++q;
        while (q < s_.size() && IsHexDigit(s_[q])) ++q;
      }
      if (q < s_.size() && (s_[q] == 'p' || s_[q] == 'P')) {
        size_t e = q + 1;
        if (e < s_.size() && (s_[e] == '+' || s_[e] == '-')) ++e;
        if (e < s_.size() && IsDigit(s_[e])) {
          while (e < s_.size() && IsDigit(s_[e])) ++e;
          p_ = e;
          return float_token();
        }
      }
      if (frac || q == digits) return RecognitionError(start);
      p_ = q;
      return Integer(t, start, s_.substr(digits, q - digits), 16);
    }
    if (s_[p_] == '0' && p_ + 2 < s_.size() && (s_[p_ + 1] == 'b' || s_[p_ + 1] == 'B') &&
        (s_[p_ + 2] == '0' || s_[p_ + 2] == '1')) {
      size_t q = p_ + 2;
      while (q < s_.size() && (s_[q] == '0' || s_[q] == '1')) ++q;
      p_ = q;
      return Integer(t, start, s_.substr(start + 2, q - start - 2), 2);
    }
    while (p_ < s_.size() && IsDigit(s_[p_])) ++p_;
    bool is_float = false;
    if (p_ < s_.size() && s_[p_] == '.') {
      is_float = true;
      ++p_;
      while (p_ < s_.size() && IsDigit(s_[p_])) ++p_;
    }
    if (p_ < s_.size() && (s_[p_] == 'e' || s_[p_] == 'E')) {
      size_t e = p_ + 1;
      if (e < s_.size() && (s_[e] == '+' || s_[e] == '-')) ++e;
      if (e < s_.size() && IsDigit(s_[e])) {
        while (e < s_.size() && IsDigit(s_[e])) ++e;
        p_ = e;
        is_float = true;
      }
    }
    if (is_float) return float_token();
    std::string_view digits = s_.substr(start, p_ - start);
    if (digits.size() > 1 && digits[0] == '0') {
      for (char d : digits) {
        if (d > '7') {
          return ExprError("{} invalid octal literal '{}'", Position(s_, start), digits);
        }
      }
      return Integer(t, start, digits.substr(1), 8);
    }
    return Integer(t, start, digits, 10);
  }

  Status Integer(Token* t, size_t start, std::string_view digits, int base) {
    unsigned __int128 v = 0;
    for (char d : digits) {
      v = v * base + HexValue(d);
      if (v > static_cast<unsigned __int128>(UINT64_MAX)) break;
    }
    t->kind = Tok::kInt;
    if (v == static_cast<unsigned __int128>(INT64_MAX) + 1) {
      t->int_is_min_magnitude = true;
      t->int_value = INT64_MIN;
      return Status::Ok();
    }
    if (v > static_cast<unsigned __int128>(INT64_MAX)) {
      return ExprError("{} integer literal '{}' is out of int64 range", Position(s_, start),
                       s_.substr(start, p_ - start));
    }
    t->int_value = static_cast<int64_t>(v);
    return Status::Ok();
  }

  std::string_view s_;
  size_t p_ = 0;
};

}  // namespace

std::string Position(std::string_view expr, size_t pos) {
  size_t line = 1;
  size_t line_start = 0;
  for (size_t k = 0; k < pos && k < expr.size(); ++k) {
    if (expr[k] == '\n') {
      ++line;
      line_start = k + 1;
    }
  }
  return fmt::format("line {}:{}", line, pos - line_start);
}

Result<std::string> DecodeGoString(std::string_view body) {
  std::string out;
  out.reserve(body.size());
  for (size_t p = 0; p < body.size(); ++p) {
    char c = body[p];
    if (c != '\\') {
      out.push_back(c);
      continue;
    }
    if (p + 1 >= body.size()) return ExprError("invalid syntax");
    char e = body[++p];
    switch (e) {
      case 'a':
        out.push_back('\a');
        continue;
      case 'b':
        out.push_back('\b');
        continue;
      case 'f':
        out.push_back('\f');
        continue;
      case 'n':
        out.push_back('\n');
        continue;
      case 'r':
        out.push_back('\r');
        continue;
      case 't':
        out.push_back('\t');
        continue;
      case 'v':
        out.push_back('\v');
        continue;
      case '\\':
        out.push_back('\\');
        continue;
      case '"':
        out.push_back('"');
        continue;
      case '\'':
        out.push_back('\'');
        continue;
      default:
        break;
    }
    if (e >= '0' && e <= '7') {
      if (p + 2 >= body.size()) {
        return ExprError("invalid syntax: octal escape needs 3 digits");
      }
      int v = 0;
      for (int k = 0; k < 3; ++k) {
        char d = body[p + k];
        if (d < '0' || d > '7') return ExprError("invalid syntax: octal escape needs 3 digits");
        v = v * 8 + (d - '0');
      }
      if (v > 255) return ExprError("invalid syntax: octal escape value > 255");
      out.push_back(static_cast<char>(v));
      p += 2;
      continue;
    }
    int digits = e == 'x' ? 2 : e == 'u' ? 4 : e == 'U' ? 8 : 0;
    if (digits == 0) {
      return ExprError("invalid syntax: unknown escape sequence '\\{}'", std::string(1, e));
    }
    if (p + digits >= body.size()) {
      return ExprError("invalid syntax: \\{} escape needs {} hex digits", std::string(1, e),
                       digits);
    }
    uint32_t v = 0;
    for (int k = 1; k <= digits; ++k) {
      char d = body[p + k];
      if (!IsHexDigit(d)) {
        return ExprError("invalid syntax: \\{} escape needs {} hex digits", std::string(1, e),
                         digits);
      }
      v = v * 16 + HexValue(d);
    }
    p += digits;
    if (e == 'x') {
      out.push_back(static_cast<char>(v));
    } else {
      if (v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) {
        return ExprError("invalid syntax: invalid code point in \\{} escape", std::string(1, e));
      }
      AppendUtf8(&out, v);
    }
  }
  return out;
}

const char* TokName(Tok t) {
  switch (t) {
    case Tok::kEnd:
      return "<EOF>";
    case Tok::kInt:
      return "integer";
    case Tok::kFloat:
      return "float";
    case Tok::kBool:
      return "boolean";
    case Tok::kString:
      return "string";
    case Tok::kIdent:
      return "identifier";
    case Tok::kMeta:
      return "'$meta'";
    case Tok::kJsonIdent:
      return "JSON path";
    case Tok::kLBrace:
      return "'{'";
    case Tok::kRBrace:
      return "'}'";
    case Tok::kLParen:
      return "'('";
    case Tok::kRParen:
      return "')'";
    case Tok::kLBracket:
      return "'['";
    case Tok::kRBracket:
      return "']'";
    case Tok::kEmptyArray:
      return "'[]'";
    case Tok::kComma:
      return "','";
    case Tok::kAssign:
      return "'='";
    default:
      return "operator";
  }
}

Result<std::vector<Token>> Lex(std::string_view expr) { return Lexer(expr).Run(); }

}  // namespace quiver::expr
