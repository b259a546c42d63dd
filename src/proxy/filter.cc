// A compact implementation of Milvus's filter language (the common core: literals, fields,
// `$meta` and dynamic keys, JSON paths and array indexing, comparisons incl. chained ranges,
// arithmetic with constants, in / not in, like, is [not] null, exists, and / or / not,
// json_contains* / array_contains* / array_length, `{template}` values), evaluated row by row
// with three-valued logic (a comparison with null is unknown; only true rows match).
#include "proxy/filter.h"

#include <cmath>
#include <cstring>
#include <memory>
#include <nlohmann/json.hpp>
#include <unordered_set>

#include "proxy/schema_validation.h"
#include "segment/field_data.h"

namespace quiver::proxy {
namespace {

using nlohmann::json;
using milvus::proto::schema::DataType;
using milvus::proto::schema::FieldSchema;
using milvus::proto::schema::ScalarField;

constexpr int kMaxDepth = 200;
constexpr size_t kMaxExprBytes = 1 << 20;

enum class Tri : uint8_t { kFalse, kTrue, kUnknown };
Tri Not(Tri t) { return t == Tri::kUnknown ? t : (t == Tri::kTrue ? Tri::kFalse : Tri::kTrue); }
Tri FromBool(bool b) { return b ? Tri::kTrue : Tri::kFalse; }

// ---------------------------------------------------------------------------------------------
// Lexer

enum class Tok { kEnd, kIdent, kInt, kFloat, kString, kOp, kLParen, kRParen, kLBrack, kRBrack, kComma, kLBrace, kRBrace };

struct Token {
  Tok kind;
  std::string text;  // identifier, operator, or decoded string
  int64_t i = 0;
  double f = 0;
  size_t pos = 0;
};

class Lexer {
 public:
  explicit Lexer(std::string_view s) : s_(s) {}

  Result<std::vector<Token>> Run() {
    std::vector<Token> out;
    while (true) {
      while (p_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[p_]))) ++p_;
      if (p_ >= s_.size()) break;
      size_t start = p_;
      char c = s_[p_];
      if (std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == '$') {
        while (p_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[p_])) || s_[p_] == '_' || s_[p_] == '$')) ++p_;
        std::string word(s_.substr(start, p_ - start));
        // String prefixes u8"..", u"..", U"..", L".."
        if ((word == "u8" || word == "u" || word == "U" || word == "L") && p_ < s_.size() && (s_[p_] == '"' || s_[p_] == '\'')) {
          QV_ASSIGN_OR_RETURN(Token t, String(start));
          out.push_back(t);
          continue;
        }
        out.push_back({Tok::kIdent, word, 0, 0, start});
        continue;
      }
      if (std::isdigit(static_cast<unsigned char>(c)) || (c == '.' && p_ + 1 < s_.size() && std::isdigit(static_cast<unsigned char>(s_[p_ + 1])))) {
        QV_ASSIGN_OR_RETURN(Token t, Number());
        out.push_back(t);
        continue;
      }
      if (c == '"' || c == '\'') {
        QV_ASSIGN_OR_RETURN(Token t, String(start));
        out.push_back(t);
        continue;
      }
      static const char* kOps[] = {"**", "==", "!=", "<=", ">=", "&&", "||", "<<", ">>", "<", ">", "+", "-", "*", "/", "%", "!", "&", "|", "^", "~"};
      bool matched = false;
      for (const char* op : kOps) {
        size_t n = std::strlen(op);
        if (s_.substr(p_, n) == op) {
          out.push_back({Tok::kOp, op, 0, 0, start});
          p_ += n;
          matched = true;
          break;
        }
      }
      if (matched) continue;
      Tok k;
      switch (c) {
        case '(': k = Tok::kLParen; break;
        case ')': k = Tok::kRParen; break;
        case '[': k = Tok::kLBrack; break;
        case ']': k = Tok::kRBrack; break;
        case ',': k = Tok::kComma; break;
        case '{': k = Tok::kLBrace; break;
        case '}': k = Tok::kRBrace; break;
        default:
          return Error(start, fmt::format("token recognition error at: '{}'", c));
      }
      out.push_back({k, std::string(1, c), 0, 0, start});
      ++p_;
    }
    out.push_back({Tok::kEnd, "<EOF>", 0, 0, s_.size()});
    return out;
  }

  Status Error(size_t pos, const std::string& what) const {
    return InvalidParam("cannot parse expression: {}, error: line 1:{} {}", s_, pos, what);
  }

 private:
  Result<Token> Number() {
    size_t start = p_;
    std::string text;
    bool is_float = false;
    if (s_.substr(p_, 2) == "0x" || s_.substr(p_, 2) == "0X") {
      p_ += 2;
      while (p_ < s_.size() && std::isxdigit(static_cast<unsigned char>(s_[p_]))) ++p_;
      return Token{Tok::kInt, "", static_cast<int64_t>(std::strtoull(std::string(s_.substr(start + 2, p_ - start - 2)).c_str(), nullptr, 16)), 0, start};
    }
    if (s_.substr(p_, 2) == "0b" || s_.substr(p_, 2) == "0B") {
      p_ += 2;
      while (p_ < s_.size() && (s_[p_] == '0' || s_[p_] == '1')) ++p_;
      return Token{Tok::kInt, "", static_cast<int64_t>(std::strtoull(std::string(s_.substr(start + 2, p_ - start - 2)).c_str(), nullptr, 2)), 0, start};
    }
    while (p_ < s_.size() && (std::isdigit(static_cast<unsigned char>(s_[p_])) || s_[p_] == '.')) {
      if (s_[p_] == '.') is_float = true;
      ++p_;
    }
    if (p_ < s_.size() && (s_[p_] == 'e' || s_[p_] == 'E')) {
      is_float = true;
      ++p_;
      if (p_ < s_.size() && (s_[p_] == '+' || s_[p_] == '-')) ++p_;
      while (p_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[p_]))) ++p_;
    }
    text = std::string(s_.substr(start, p_ - start));
    if (is_float) return Token{Tok::kFloat, text, 0, std::strtod(text.c_str(), nullptr), start};
    // A leading 0 means octal, as in Milvus's grammar.
    int base = text.size() > 1 && text[0] == '0' ? 8 : 10;
    errno = 0;
    unsigned long long v = std::strtoull(text.c_str(), nullptr, base);
    if (errno == ERANGE || v > static_cast<unsigned long long>(INT64_MAX) + 1) {
      return Error(start, fmt::format("integer {} out of range", text));
    }
    return Token{Tok::kInt, text, static_cast<int64_t>(v), 0, start};
  }

  // Go-style unquoting (Milvus decodes strings with strconv.Unquote).
  Result<Token> String(size_t start) {
    while (p_ < s_.size() && s_[p_] != '"' && s_[p_] != '\'') ++p_;  // skip a prefix
    char quote = s_[p_++];
    std::string out;
    while (true) {
      if (p_ >= s_.size() || s_[p_] == '\n') return Error(start, "unterminated string literal");
      char c = s_[p_++];
      if (c == quote) break;
      if (c != '\\') {
        out.push_back(c);
        continue;
      }
      if (p_ >= s_.size()) return Error(start, "unterminated string literal");
      char e = s_[p_++];
      switch (e) {
        case 'n': out.push_back('\n'); break;
        case 't': out.push_back('\t'); break;
        case 'r': out.push_back('\r'); break;
        case 'a': out.push_back('\a'); break;
        case 'b': out.push_back('\b'); break;
        case 'f': out.push_back('\f'); break;
        case 'v': out.push_back('\v'); break;
        case '\\': out.push_back('\\'); break;
        case '\'': out.push_back('\''); break;
        case '"': out.push_back('"'); break;
        case 'x': case 'u': case 'U': {
          int digits = e == 'x' ? 2 : e == 'u' ? 4 : 8;
          if (p_ + digits > s_.size()) return Error(start, "invalid escape in string literal");
          uint32_t cp = static_cast<uint32_t>(std::strtoul(std::string(s_.substr(p_, digits)).c_str(), nullptr, 16));
          p_ += digits;
          if (e == 'x') {
            out.push_back(static_cast<char>(cp));
          } else if (cp < 0x80) {
            out.push_back(static_cast<char>(cp));
          } else if (cp < 0x800) {
            out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
            out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
          } else if (cp < 0x10000) {
            out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
            out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
            out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
          } else {
            out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
            out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
            out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
            out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
          }
          break;
        }
        default:
          if (e >= '0' && e <= '7') {
            int v = e - '0';
            for (int k = 0; k < 2 && p_ < s_.size() && s_[p_] >= '0' && s_[p_] <= '7'; ++k) v = v * 8 + (s_[p_++] - '0');
            out.push_back(static_cast<char>(v));
          } else {
            // Keep unknown escapes (e.g. \% and \_ for LIKE) for the consumer to interpret.
            out.push_back('\\');
            out.push_back(e);
          }
      }
    }
    return Token{Tok::kString, out, 0, 0, start};
  }

  std::string_view s_;
  size_t p_ = 0;
};

// ---------------------------------------------------------------------------------------------
// AST

struct Node;
using NodeP = std::unique_ptr<Node>;

enum class Kind { kLiteral, kField, kNot, kAnd, kOr, kCompare, kArith, kNeg, kIn, kLike, kIsNull, kExists, kCall };

struct FieldAccess {
  const FieldSchema* field = nullptr;  // the schema field (JSON/Array/scalar), or $meta
  std::vector<json> path;              // keys (strings) or indexes (integers)
};

struct Node {
  Kind kind;
  json value;             // literal
  FieldAccess access;     // field
  std::string op;         // compare / arith / call name
  bool negated = false;   // in / is null
  std::vector<NodeP> kids;
  std::unordered_set<std::string> set;  // `in` over literals: dumped json values
};

NodeP Make(Kind k) {
  auto n = std::make_unique<Node>();
  n->kind = k;
  return n;
}

// ---------------------------------------------------------------------------------------------
// Parser (precedence as Milvus's Plan.g4: or < and < equality < relational < in/like/calls <
// additive < multiplicative < unary < power < primary)

class Parser {
 public:
  Parser(std::string_view expr, std::vector<Token> toks, const milvus::proto::schema::CollectionSchema& schema,
         const TemplateValues& templates)
      : expr_(expr), toks_(std::move(toks)), schema_(schema), templates_(templates) {
    for (const auto& f : schema.fields()) {
      if (f.is_dynamic()) dynamic_ = &f;
    }
  }

  Result<NodeP> Parse() {
    QV_ASSIGN_OR_RETURN(NodeP n, Or(0));
    if (Peek().kind != Tok::kEnd) return Err(Peek(), fmt::format("extraneous input '{}'", Peek().text));
    return n;
  }

 private:
  const Token& Peek(int ahead = 0) const { return toks_[std::min(pos_ + ahead, toks_.size() - 1)]; }
  Token Next() { return toks_[pos_ < toks_.size() - 1 ? pos_++ : pos_]; }
  bool IsWord(const Token& t, std::initializer_list<const char*> words) const {
    if (t.kind != Tok::kIdent) return false;
    for (const char* w : words) {
      if (t.text == w) return true;
    }
    return false;
  }
  bool IsOp(const Token& t, const char* op) const { return t.kind == Tok::kOp && t.text == op; }
  Status Err(const Token& t, const std::string& what) const {
    return InvalidParam("cannot parse expression: {}, error: line 1:{} {}", expr_, t.pos, what);
  }
  Status Depth(int d) const {
    if (d > kMaxDepth) return InvalidParam("cannot parse expression: {}, error: expression nested too deeply", expr_);
    return Status::Ok();
  }

  Result<NodeP> Or(int d) {
    QV_RETURN_IF_ERROR(Depth(d));
    QV_ASSIGN_OR_RETURN(NodeP l, And(d + 1));
    while (IsWord(Peek(), {"or", "OR"}) || IsOp(Peek(), "||")) {
      Next();
      QV_ASSIGN_OR_RETURN(NodeP r, And(d + 1));
      NodeP n = Make(Kind::kOr);
      n->kids.push_back(std::move(l));
      n->kids.push_back(std::move(r));
      l = std::move(n);
    }
    return l;
  }

  Result<NodeP> And(int d) {
    QV_ASSIGN_OR_RETURN(NodeP l, Equality(d + 1));
    while (IsWord(Peek(), {"and", "AND"}) || IsOp(Peek(), "&&")) {
      Next();
      QV_ASSIGN_OR_RETURN(NodeP r, Equality(d + 1));
      NodeP n = Make(Kind::kAnd);
      n->kids.push_back(std::move(l));
      n->kids.push_back(std::move(r));
      l = std::move(n);
    }
    return l;
  }

  Result<NodeP> Equality(int d) {
    QV_ASSIGN_OR_RETURN(NodeP l, Relational(d + 1));
    while (IsOp(Peek(), "==") || IsOp(Peek(), "!=")) {
      std::string op = Next().text;
      QV_ASSIGN_OR_RETURN(NodeP r, Relational(d + 1));
      QV_ASSIGN_OR_RETURN(l, Compare(op, std::move(l), std::move(r)));
    }
    return l;
  }

  Result<NodeP> Relational(int d) {
    QV_ASSIGN_OR_RETURN(NodeP l, Postfix(d + 1));
    if (IsOp(Peek(), "<") || IsOp(Peek(), "<=") || IsOp(Peek(), ">") || IsOp(Peek(), ">=")) {
      std::string op1 = Next().text;
      QV_ASSIGN_OR_RETURN(NodeP m, Postfix(d + 1));
      if (IsOp(Peek(), "<") || IsOp(Peek(), "<=") || IsOp(Peek(), ">") || IsOp(Peek(), ">=")) {
        // Chained range: lower op1 middle op2 upper, both in one direction.
        Token t2 = Next();
        std::string op2 = t2.text;
        if ((op1[0] == '<') != (op2[0] == '<')) return Err(t2, "range operators must point the same way");
        QV_ASSIGN_OR_RETURN(NodeP r, Postfix(d + 1));
        NodeP mid_copy = Clone(*m);
        QV_ASSIGN_OR_RETURN(NodeP left, Compare(op1, std::move(l), std::move(m)));
        QV_ASSIGN_OR_RETURN(NodeP right, Compare(op2, std::move(mid_copy), std::move(r)));
        NodeP n = Make(Kind::kAnd);
        n->kids.push_back(std::move(left));
        n->kids.push_back(std::move(right));
        return n;
      }
      return Compare(op1, std::move(l), std::move(m));
    }
    return l;
  }

  static NodeP Clone(const Node& n) {
    NodeP c = Make(n.kind);
    c->value = n.value;
    c->access = n.access;
    c->op = n.op;
    c->negated = n.negated;
    c->set = n.set;
    for (const auto& k : n.kids) c->kids.push_back(Clone(*k));
    return c;
  }

  Result<NodeP> Compare(const std::string& op, NodeP l, NodeP r) {
    QV_RETURN_IF_ERROR(CheckComparable(*l, *r));
    NodeP n = Make(Kind::kCompare);
    n->op = op;
    n->kids.push_back(std::move(l));
    n->kids.push_back(std::move(r));
    return n;
  }

  // Typed schema fields compared with a literal of another kind are rejected, as Milvus does.
  Status CheckComparable(const Node& a, const Node& b) {
    const Node* field = a.kind == Kind::kField ? &a : b.kind == Kind::kField ? &b : nullptr;
    const Node* lit = a.kind == Kind::kLiteral ? &a : b.kind == Kind::kLiteral ? &b : nullptr;
    if (!field || !lit || !field->access.path.empty()) return Status::Ok();
    DataType t = field->access.field->data_type();
    const json& v = lit->value;
    bool ok = true;
    switch (t) {
      case DataType::Bool: ok = v.is_boolean(); break;
      case DataType::Int8: case DataType::Int16: case DataType::Int32: case DataType::Int64:
      case DataType::Float: case DataType::Double: ok = v.is_number(); break;
      case DataType::VarChar: case DataType::String: ok = v.is_string(); break;
      case DataType::JSON: break;
      default: ok = false;
    }
    if (!ok) {
      return InvalidParam("comparisons between {} and {} are not supported", DataTypeName(t),
                          v.is_string() ? "VarChar" : v.is_boolean() ? "Bool" : v.is_number_float() ? "Double" : "Int64");
    }
    return Status::Ok();
  }

  Result<NodeP> Postfix(int d) {
    QV_ASSIGN_OR_RETURN(NodeP l, Additive(d + 1));
    while (true) {
      if (IsWord(Peek(), {"in", "IN"}) || (IsWord(Peek(), {"not", "NOT"}) && IsWord(Peek(1), {"in", "IN"}))) {
        bool negated = IsWord(Peek(), {"not", "NOT"});
        if (negated) Next();
        Next();
        QV_ASSIGN_OR_RETURN(NodeP list, Additive(d + 1));
        if (list->kind != Kind::kLiteral || !list->value.is_array()) return Err(Peek(), "'in' needs a list of values");
        NodeP n = Make(Kind::kIn);
        n->negated = negated;
        for (const auto& v : list->value) n->set.insert(Canonical(v));
        n->kids.push_back(std::move(l));
        l = std::move(n);
        continue;
      }
      if (IsWord(Peek(), {"like", "LIKE"})) {
        Next();
        Token t = Next();
        if (t.kind != Tok::kString) return Err(t, "like needs a string pattern");
        NodeP n = Make(Kind::kLike);
        n->value = t.text;
        n->kids.push_back(std::move(l));
        l = std::move(n);
        continue;
      }
      // "is null" / "is not null"
      if (IsWord(Peek(), {"is", "IS"})) {
        Next();
        bool negated = false;
        if (IsWord(Peek(), {"not", "NOT"})) {
          Next();
          negated = true;
        }
        if (!IsWord(Peek(), {"null", "NULL"})) return Err(Peek(), "expected 'null'");
        Next();
        if (l->kind != Kind::kField) return Err(Peek(), "is null needs a field");
        NodeP n = Make(Kind::kIsNull);
        n->negated = negated;
        n->kids.push_back(std::move(l));
        l = std::move(n);
        continue;
      }
      return l;
    }
  }

  Result<NodeP> Additive(int d) {
    QV_ASSIGN_OR_RETURN(NodeP l, Multiplicative(d + 1));
    while (IsOp(Peek(), "+") || IsOp(Peek(), "-")) {
      std::string op = Next().text;
      QV_ASSIGN_OR_RETURN(NodeP r, Multiplicative(d + 1));
      QV_ASSIGN_OR_RETURN(l, Arith(op, std::move(l), std::move(r)));
    }
    return l;
  }

  Result<NodeP> Multiplicative(int d) {
    QV_ASSIGN_OR_RETURN(NodeP l, Unary(d + 1));
    while (IsOp(Peek(), "*") || IsOp(Peek(), "/") || IsOp(Peek(), "%")) {
      std::string op = Next().text;
      QV_ASSIGN_OR_RETURN(NodeP r, Unary(d + 1));
      QV_ASSIGN_OR_RETURN(l, Arith(op, std::move(l), std::move(r)));
    }
    return l;
  }

  Result<NodeP> Arith(const std::string& op, NodeP l, NodeP r) {
    if (l->kind == Kind::kLiteral && r->kind == Kind::kLiteral) {
      // Constant folding.
      QV_ASSIGN_OR_RETURN(json v, Fold(op, l->value, r->value));
      NodeP n = Make(Kind::kLiteral);
      n->value = std::move(v);
      return n;
    }
    for (const Node* side : {l.get(), r.get()}) {
      if (side->kind == Kind::kField && side->access.path.empty()) {
        DataType t = side->access.field->data_type();
        if (t == DataType::VarChar || t == DataType::Bool || t == DataType::Array) {
          return InvalidParam("arithmetic operations are not supported on {} field {}", DataTypeName(t),
                              side->access.field->name());
        }
      }
    }
    if (op == "**") return InvalidParam("power can only apply on constants: invalid parameter");
    NodeP n = Make(Kind::kArith);
    n->op = op;
    n->kids.push_back(std::move(l));
    n->kids.push_back(std::move(r));
    return n;
  }

  Result<json> Fold(const std::string& op, const json& a, const json& b) {
    if (!a.is_number() || !b.is_number()) return InvalidParam("arithmetic needs numbers");
    bool ints = a.is_number_integer() && b.is_number_integer();
    if (op == "%") {
      if (!ints) return InvalidParam("modulo can only apply on integers");
      if (b.get<int64_t>() == 0) return InvalidParam("modulo by zero");
      return json(a.get<int64_t>() % b.get<int64_t>());
    }
    if (op == "/" && b.get<double>() == 0) return InvalidParam("division by zero");
    if (ints && op != "/" && op != "**") {
      int64_t x = a.get<int64_t>(), y = b.get<int64_t>();
      return json(op == "+" ? x + y : op == "-" ? x - y : x * y);
    }
    double x = a.get<double>(), y = b.get<double>();
    if (op == "**") return json(std::pow(x, y));
    if (ints && op == "/") return json(a.get<int64_t>() / b.get<int64_t>());
    return json(op == "+" ? x + y : op == "-" ? x - y : op == "*" ? x * y : x / y);
  }

  Result<NodeP> Unary(int d) {
    QV_RETURN_IF_ERROR(Depth(d));
    if (IsWord(Peek(), {"not", "NOT"}) || IsOp(Peek(), "!")) {
      Next();
      QV_ASSIGN_OR_RETURN(NodeP k, Unary(d + 1));
      NodeP n = Make(Kind::kNot);
      n->kids.push_back(std::move(k));
      return n;
    }
    if (IsOp(Peek(), "-") || IsOp(Peek(), "+")) {
      bool neg = Next().text == "-";
      QV_ASSIGN_OR_RETURN(NodeP k, Unary(d + 1));
      if (!neg) return k;
      if (k->kind == Kind::kLiteral && k->value.is_number()) {
        k->value = k->value.is_number_integer() ? json(-k->value.get<int64_t>()) : json(-k->value.get<double>());
        return k;
      }
      NodeP n = Make(Kind::kNeg);
      n->kids.push_back(std::move(k));
      return n;
    }
    if (IsOp(Peek(), "~")) return Err(Peek(), "bitwise operators are not supported");
    return Power(d + 1);
  }

  Result<NodeP> Power(int d) {
    QV_ASSIGN_OR_RETURN(NodeP l, Primary(d + 1));
    if (IsOp(Peek(), "**")) {
      Next();
      QV_ASSIGN_OR_RETURN(NodeP r, Unary(d + 1));
      return Arith("**", std::move(l), std::move(r));
    }
    return l;
  }

  Result<NodeP> Primary(int d) {
    QV_RETURN_IF_ERROR(Depth(d));
    Token t = Peek();
    switch (t.kind) {
      case Tok::kInt: {
        Next();
        NodeP n = Make(Kind::kLiteral);
        n->value = t.i;
        return n;
      }
      case Tok::kFloat: {
        Next();
        NodeP n = Make(Kind::kLiteral);
        n->value = t.f;
        return n;
      }
      case Tok::kString: {
        Next();
        NodeP n = Make(Kind::kLiteral);
        n->value = Unescape(t.text);
        return n;
      }
      case Tok::kLParen: {
        Next();
        QV_ASSIGN_OR_RETURN(NodeP n, Or(d + 1));
        if (Peek().kind != Tok::kRParen) return Err(Peek(), fmt::format("missing ')' at '{}'", Peek().text));
        Next();
        return n;
      }
      case Tok::kLBrack: {
        Next();
        json arr = json::array();
        while (Peek().kind != Tok::kRBrack) {
          QV_ASSIGN_OR_RETURN(NodeP v, Additive(d + 1));
          if (v->kind != Kind::kLiteral) return Err(Peek(), "list elements must be constants");
          arr.push_back(v->value);
          if (Peek().kind == Tok::kComma) {
            Next();
            continue;
          }
          if (Peek().kind != Tok::kRBrack) return Err(Peek(), fmt::format("mismatched input '{}' expecting ']'", Peek().text));
        }
        Next();
        NodeP n = Make(Kind::kLiteral);
        n->value = std::move(arr);
        return n;
      }
      case Tok::kLBrace: {
        Next();
        Token name = Next();
        if (name.kind != Tok::kIdent || Peek().kind != Tok::kRBrace) return Err(name, "malformed template placeholder");
        Next();
        auto it = templates_.find(name.text);
        if (it == templates_.end()) {
          return InvalidParam("the value of expression template variable name {{{}}} is not found", name.text);
        }
        NodeP n = Make(Kind::kLiteral);
        QV_ASSIGN_OR_RETURN(n->value, TemplateToJson(it->second));
        return n;
      }
      case Tok::kIdent:
        return Identifier(d);
      default:
        return Err(t, fmt::format("mismatched input '{}'", t.text));
    }
  }

  static std::string Unescape(const std::string& s) {
    // Lexer kept unknown escapes (\% \_) for LIKE; outside LIKE they mean the character itself.
    return s;
  }

  Result<json> TemplateToJson(const milvus::proto::schema::TemplateValue& v) {
    using TV = milvus::proto::schema::TemplateValue;
    switch (v.val_case()) {
      case TV::kBoolVal: return json(v.bool_val());
      case TV::kInt64Val: return json(v.int64_val());
      case TV::kFloatVal: return json(v.float_val());
      case TV::kStringVal: return json(v.string_val());
      case TV::kArrayVal: return ArrayToJson(v.array_val());
      default: return InvalidParam("empty expression template value");
    }
  }

  Result<json> ArrayToJson(const milvus::proto::schema::TemplateArrayValue& a) {
    using TA = milvus::proto::schema::TemplateArrayValue;
    json out = json::array();
    switch (a.data_case()) {
      case TA::kBoolData: for (bool b : a.bool_data().data()) out.push_back(b); break;
      case TA::kLongData: for (int64_t x : a.long_data().data()) out.push_back(x); break;
      case TA::kDoubleData: for (double x : a.double_data().data()) out.push_back(x); break;
      case TA::kStringData: for (const auto& x : a.string_data().data()) out.push_back(x); break;
      case TA::kArrayData:
        for (const auto& x : a.array_data().data()) {
          QV_ASSIGN_OR_RETURN(json sub, ArrayToJson(x));
          out.push_back(std::move(sub));
        }
        break;
      case TA::kJsonData:
        for (const auto& x : a.json_data().data()) {
          json j = json::parse(x, nullptr, false);
          if (j.is_discarded()) return InvalidParam("template array element is not JSON: {}", x);
          out.push_back(std::move(j));
        }
        break;
      default: break;
    }
    return out;
  }

  Result<NodeP> Identifier(int d) {
    Token t = Next();
    const std::string& w = t.text;
    if (w == "true" || w == "True" || w == "TRUE" || w == "false" || w == "False" || w == "FALSE") {
      NodeP n = Make(Kind::kLiteral);
      n->value = (w[0] == 't' || w[0] == 'T');
      return n;
    }
    if (w == "exists" || w == "EXISTS") {
      QV_ASSIGN_OR_RETURN(NodeP f, Primary(d + 1));
      if (f->kind != Kind::kField) return Err(t, "exists needs a JSON path");
      NodeP n = Make(Kind::kExists);
      n->kids.push_back(std::move(f));
      return n;
    }
    if (Peek().kind == Tok::kLParen) return Call(t, d);
    NodeP n = Make(Kind::kField);
    if (w == "$meta") {
      if (!dynamic_) return InvalidParam("field $meta not exist: invalid parameter");
      n->access.field = dynamic_;
    } else if (const FieldSchema* f = FindField(w)) {
      n->access.field = f;
    } else if (dynamic_) {
      n->access.field = dynamic_;
      n->access.path.push_back(w);
    } else {
      return InvalidParam("cannot parse expression: {}, error: field {} not exist", expr_, w);
    }
    while (Peek().kind == Tok::kLBrack) {
      Next();
      Token k = Next();
      if (k.kind == Tok::kString) n->access.path.push_back(k.text);
      else if (k.kind == Tok::kInt) n->access.path.push_back(k.i);
      else return Err(k, "a path element must be a string or an integer");
      if (Next().kind != Tok::kRBrack) return Err(k, "missing ']'");
    }
    DataType ft = n->access.field->data_type();
    if (!n->access.path.empty() && ft != DataType::JSON && ft != DataType::Array) {
      return InvalidParam("{} field {} cannot be indexed", DataTypeName(ft), n->access.field->name());
    }
    if (IsVectorType(ft)) {
      return InvalidParam("vector field {} cannot be used in a filter expression", n->access.field->name());
    }
    return n;
  }

  Result<NodeP> Call(const Token& name, int d) {
    std::string fn = name.text;
    std::transform(fn.begin(), fn.end(), fn.begin(), ::tolower);
    Next();  // (
    NodeP n = Make(Kind::kCall);
    n->op = fn;
    while (Peek().kind != Tok::kRParen) {
      QV_ASSIGN_OR_RETURN(NodeP a, Additive(d + 1));
      n->kids.push_back(std::move(a));
      if (Peek().kind == Tok::kComma) {
        Next();
        continue;
      }
      if (Peek().kind != Tok::kRParen) return Err(Peek(), "missing ')'");
    }
    Next();
    static const std::set<std::string> kKnown = {"json_contains", "json_contains_all", "json_contains_any",
                                                 "array_contains", "array_contains_all", "array_contains_any",
                                                 "array_length"};
    if (fn == "text_match" || fn == "phrase_match" || fn == "random_sample" || fn.starts_with("st_")) {
      return InvalidParam("{} is not supported yet", fn);
    }
    if (!kKnown.contains(fn)) return InvalidParam("function {} is not supported", name.text);
    size_t want = fn == "array_length" ? 1 : 2;
    if (n->kids.size() != want || n->kids[0]->kind != Kind::kField) {
      return InvalidParam("{} needs a field and {} argument(s)", fn, want - 1);
    }
    if (want == 2 && n->kids[1]->kind != Kind::kLiteral) return InvalidParam("{} needs a constant", fn);
    if ((fn.ends_with("_all") || fn.ends_with("_any")) && !n->kids[1]->value.is_array()) {
      return InvalidParam("{} needs a list", fn);
    }
    return n;
  }

  const FieldSchema* FindField(const std::string& name) const {
    for (const auto& f : schema_.fields()) {
      if (f.name() == name && !f.is_dynamic()) return &f;
    }
    return nullptr;
  }

 public:
  static std::string Canonical(const json& v) {
    // Integers and floats that are equal compare equal in `in` lists.
    if (v.is_number()) {
      double d = v.get<double>();
      if (std::floor(d) == d && std::abs(d) < 9e15) return "n" + std::to_string(static_cast<int64_t>(d));
      if (v.is_number_integer()) return "n" + std::to_string(v.get<int64_t>());
      return "n" + v.dump();
    }
    return v.dump();
  }

 private:
  std::string_view expr_;
  std::vector<Token> toks_;
  size_t pos_ = 0;
  const milvus::proto::schema::CollectionSchema& schema_;
  const TemplateValues& templates_;
  const FieldSchema* dynamic_ = nullptr;
};

// ---------------------------------------------------------------------------------------------
// Evaluation

bool LikeMatch(std::string_view s, std::string_view p) {
  // %: any run, _: one character (UTF-8 aware), backslash escapes % and _.
  size_t si = 0, pi = 0, star_p = std::string::npos, star_s = 0;
  auto char_len = [](std::string_view x, size_t i) {
    unsigned char c = static_cast<unsigned char>(x[i]);
    return c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : 4;
  };
  while (si < s.size()) {
    if (pi < p.size() && p[pi] == '%') {
      star_p = ++pi;
      star_s = si;
      continue;
    }
    if (pi < p.size()) {
      if (p[pi] == '_') {
        si += char_len(s, si);
        ++pi;
        continue;
      }
      char pc = p[pi];
      size_t adv = 1;
      if (pc == '\\' && pi + 1 < p.size()) {
        pc = p[pi + 1];
        adv = 2;
      }
      if (pc == s[si]) {
        ++si;
        pi += adv;
        continue;
      }
    }
    if (star_p == std::string::npos) return false;
    star_s += char_len(s, star_s);
    si = star_s;
    pi = star_p;
  }
  while (pi < p.size() && p[pi] == '%') ++pi;
  return pi == p.size();
}

// Per-chunk evaluation context: fetches a row's value of a field as JSON, parsing JSON columns
// once per chunk.
class RowReader {
 public:
  explicit RowReader(const segment::Chunk& c) : chunk_(c) {}

  json Get(const FieldAccess& a, int64_t row) {
    json base = Base(*a.field, row);
    for (const auto& step : a.path) {
      if (step.is_string()) {
        if (!base.is_object()) return json();
        auto it = base.find(step.get<std::string>());
        if (it == base.end()) return json();
        base = *it;
      } else {
        if (!base.is_array()) return json();
        int64_t i = step.get<int64_t>();
        if (i < 0 || i >= static_cast<int64_t>(base.size())) return json();
        base = base[static_cast<size_t>(i)];
      }
    }
    return base;
  }

  bool Present(const FieldAccess& a, int64_t row) {
    json base = Base(*a.field, row);
    for (const auto& step : a.path) {
      if (step.is_string()) {
        if (!base.is_object() || !base.contains(step.get<std::string>())) return false;
        base = base[step.get<std::string>()];
      } else {
        int64_t i = step.get<int64_t>();
        if (!base.is_array() || i < 0 || i >= static_cast<int64_t>(base.size())) return false;
        base = base[static_cast<size_t>(i)];
      }
    }
    return true;
  }

 private:
  json Base(const FieldSchema& f, int64_t row) {
    const auto* col = chunk_.Column(f.fieldid());
    if (!col) return json();  // added after this chunk was written: null
    int r = static_cast<int>(row);
    if (col->valid_data_size() > 0 && !col->valid_data(r)) return json();
    const ScalarField& s = col->scalars();
    switch (f.data_type()) {
      case DataType::Bool: return s.bool_data().data(r);
      case DataType::Int8: case DataType::Int16: case DataType::Int32: return s.int_data().data(r);
      case DataType::Int64: return s.long_data().data(r);
      case DataType::Float: return static_cast<double>(s.float_data().data(r));
      case DataType::Double: return s.double_data().data(r);
      case DataType::VarChar: case DataType::String: return s.string_data().data(r);
      case DataType::JSON: {
        auto& cache = json_cache_[f.fieldid()];
        if (cache.empty()) {
          cache.resize(static_cast<size_t>(s.json_data().data_size()));
          parsed_[f.fieldid()].assign(cache.size(), false);
        }
        auto& done = parsed_[f.fieldid()];
        if (!done[static_cast<size_t>(r)]) {
          cache[static_cast<size_t>(r)] = json::parse(s.json_data().data(r), nullptr, false);
          if (cache[static_cast<size_t>(r)].is_discarded()) cache[static_cast<size_t>(r)] = json();
          done[static_cast<size_t>(r)] = true;
        }
        return cache[static_cast<size_t>(r)];
      }
      case DataType::Array: {
        const ScalarField& e = s.array_data().data(r);
        json out = json::array();
        switch (f.element_type()) {
          case DataType::Bool: for (bool b : e.bool_data().data()) out.push_back(b); break;
          case DataType::Int8: case DataType::Int16: case DataType::Int32: for (int32_t x : e.int_data().data()) out.push_back(x); break;
          case DataType::Int64: for (int64_t x : e.long_data().data()) out.push_back(x); break;
          case DataType::Float: for (float x : e.float_data().data()) out.push_back(static_cast<double>(x)); break;
          case DataType::Double: for (double x : e.double_data().data()) out.push_back(x); break;
          case DataType::VarChar: for (const auto& x : e.string_data().data()) out.push_back(x); break;
          default: break;
        }
        return out;
      }
      default:
        return json();
    }
  }

  const segment::Chunk& chunk_;
  std::unordered_map<int64_t, std::vector<json>> json_cache_;
  std::unordered_map<int64_t, std::vector<bool>> parsed_;
};

json EvalValue(const Node& n, RowReader& rr, int64_t row);

json ArithValue(const std::string& op, const json& a, const json& b) {
  if (!a.is_number() || !b.is_number()) return json();
  bool ints = a.is_number_integer() && b.is_number_integer();
  if (op == "%") {
    if (!ints || b.get<int64_t>() == 0) return json();
    return a.get<int64_t>() % b.get<int64_t>();
  }
  if (ints && (op == "+" || op == "-" || op == "*")) {
    int64_t x = a.get<int64_t>(), y = b.get<int64_t>();
    return op == "+" ? x + y : op == "-" ? x - y : x * y;
  }
  double x = a.get<double>(), y = b.get<double>();
  if (op == "/") return y == 0 ? json() : json(x / y);
  return op == "+" ? x + y : op == "-" ? x - y : x * y;
}

json EvalValue(const Node& n, RowReader& rr, int64_t row) {
  switch (n.kind) {
    case Kind::kLiteral: return n.value;
    case Kind::kField: return rr.Get(n.access, row);
    case Kind::kArith: return ArithValue(n.op, EvalValue(*n.kids[0], rr, row), EvalValue(*n.kids[1], rr, row));
    case Kind::kNeg: {
      json v = EvalValue(*n.kids[0], rr, row);
      if (v.is_number_integer()) return -v.get<int64_t>();
      if (v.is_number()) return -v.get<double>();
      return json();
    }
    case Kind::kCall:
      if (n.op == "array_length") {
        json v = EvalValue(*n.kids[0], rr, row);
        return v.is_array() ? json(static_cast<int64_t>(v.size())) : json();
      }
      return json();
    default: return json();
  }
}

Tri CompareValues(const std::string& op, const json& a, const json& b) {
  if (a.is_null() || b.is_null()) return Tri::kUnknown;
  int cmp;
  if (a.is_number() && b.is_number()) {
    if (a.is_number_integer() && b.is_number_integer()) {
      int64_t x = a.get<int64_t>(), y = b.get<int64_t>();
      cmp = x < y ? -1 : x > y ? 1 : 0;
    } else {
      double x = a.get<double>(), y = b.get<double>();
      cmp = x < y ? -1 : x > y ? 1 : 0;
    }
  } else if (a.is_string() && b.is_string()) {
    const auto& x = a.get_ref<const std::string&>();
    const auto& y = b.get_ref<const std::string&>();
    cmp = x.compare(y) < 0 ? -1 : x.compare(y) > 0 ? 1 : 0;
  } else if (a.is_boolean() && b.is_boolean()) {
    cmp = a.get<bool>() == b.get<bool>() ? 0 : (a.get<bool>() ? 1 : -1);
    if (op != "==" && op != "!=") return Tri::kFalse;
  } else if ((a.is_array() && b.is_array()) || (a.is_object() && b.is_object())) {
    if (op == "==") return FromBool(a == b);
    if (op == "!=") return FromBool(a != b);
    return Tri::kFalse;
  } else {
    return Tri::kFalse;  // different kinds never compare equal (JSON values of another type)
  }
  if (op == "==") return FromBool(cmp == 0);
  if (op == "!=") return FromBool(cmp != 0);
  if (op == "<") return FromBool(cmp < 0);
  if (op == "<=") return FromBool(cmp <= 0);
  if (op == ">") return FromBool(cmp > 0);
  return FromBool(cmp >= 0);
}

Tri Eval(const Node& n, RowReader& rr, int64_t row) {
  switch (n.kind) {
    case Kind::kNot: return Not(Eval(*n.kids[0], rr, row));
    case Kind::kAnd: {
      Tri a = Eval(*n.kids[0], rr, row);
      if (a == Tri::kFalse) return a;
      Tri b = Eval(*n.kids[1], rr, row);
      if (b == Tri::kFalse) return b;
      return a == Tri::kTrue && b == Tri::kTrue ? Tri::kTrue : Tri::kUnknown;
    }
    case Kind::kOr: {
      Tri a = Eval(*n.kids[0], rr, row);
      if (a == Tri::kTrue) return a;
      Tri b = Eval(*n.kids[1], rr, row);
      if (b == Tri::kTrue) return b;
      return a == Tri::kFalse && b == Tri::kFalse ? Tri::kFalse : Tri::kUnknown;
    }
    case Kind::kCompare:
      return CompareValues(n.op, EvalValue(*n.kids[0], rr, row), EvalValue(*n.kids[1], rr, row));
    case Kind::kIn: {
      json v = EvalValue(*n.kids[0], rr, row);
      if (v.is_null()) return Tri::kUnknown;
      bool found = n.set.contains(Parser::Canonical(v));
      return FromBool(found != n.negated);
    }
    case Kind::kLike: {
      json v = EvalValue(*n.kids[0], rr, row);
      if (v.is_null()) return Tri::kUnknown;
      if (!v.is_string()) return Tri::kFalse;
      return FromBool(LikeMatch(v.get_ref<const std::string&>(), n.value.get_ref<const std::string&>()));
    }
    case Kind::kIsNull: {
      json v = EvalValue(*n.kids[0], rr, row);
      return FromBool(v.is_null() != n.negated);
    }
    case Kind::kExists:
      return FromBool(rr.Present(n.kids[0]->access, row));
    case Kind::kCall: {
      json v = EvalValue(*n.kids[0], rr, row);
      if (v.is_null()) return Tri::kUnknown;
      if (!v.is_array()) return Tri::kFalse;
      const json& arg = n.kids[1]->value;
      auto has = [&](const json& x) {
        for (const auto& e : v) {
          if (CompareValues("==", e, x) == Tri::kTrue) return true;
        }
        return false;
      };
      if (n.op.ends_with("contains")) return FromBool(has(arg));
      if (n.op.ends_with("_all")) {
        for (const auto& x : arg) {
          if (!has(x)) return Tri::kFalse;
        }
        return Tri::kTrue;
      }
      for (const auto& x : arg) {
        if (has(x)) return Tri::kTrue;
      }
      return Tri::kFalse;
    }
    case Kind::kLiteral:
      return n.value.is_boolean() ? FromBool(n.value.get<bool>()) : Tri::kFalse;
    case Kind::kField: {
      json v = EvalValue(n, rr, row);
      if (v.is_null()) return Tri::kUnknown;
      return v.is_boolean() ? FromBool(v.get<bool>()) : Tri::kFalse;
    }
    default:
      return Tri::kFalse;
  }
}

// `pk in [...]` / `pk == v` at the top: the keys, for deletes without a scan.
std::optional<milvus::proto::schema::IDs> PkList(const Node& n) {
  const Node* field = nullptr;
  json values = json::array();
  if (n.kind == Kind::kIn && !n.negated) {
    field = n.kids[0].get();
  } else if (n.kind == Kind::kCompare && n.op == "==") {
    if (n.kids[0]->kind == Kind::kField && n.kids[1]->kind == Kind::kLiteral) {
      field = n.kids[0].get();
      values.push_back(n.kids[1]->value);
    }
  }
  if (!field || field->kind != Kind::kField || !field->access.path.empty() ||
      !field->access.field->is_primary_key()) {
    return std::nullopt;
  }
  milvus::proto::schema::IDs ids;
  if (n.kind == Kind::kIn) {
    // The set holds canonical forms; rebuild the list from them.
    for (const auto& c : n.set) {
      if (field->access.field->data_type() == DataType::Int64) {
        if (c.empty() || c[0] != 'n') return std::nullopt;
        ids.mutable_int_id()->add_data(std::strtoll(c.c_str() + 1, nullptr, 10));
      } else {
        json s = json::parse(c, nullptr, false);
        if (!s.is_string()) return std::nullopt;
        ids.mutable_str_id()->add_data(s.get<std::string>());
      }
    }
    if (field->access.field->data_type() == DataType::Int64) ids.mutable_int_id();
    else ids.mutable_str_id();
    return ids;
  }
  const json& v = values[0];
  if (field->access.field->data_type() == DataType::Int64 && v.is_number_integer()) {
    ids.mutable_int_id()->add_data(v.get<int64_t>());
  } else if (v.is_string()) {
    ids.mutable_str_id()->add_data(v.get<std::string>());
  } else {
    return std::nullopt;
  }
  return ids;
}

}  // namespace

Result<CompiledFilter> CompileFilter(const std::string& expr,
                                     const milvus::proto::schema::CollectionSchema& schema,
                                     const TemplateValues& templates) {
  if (expr.find_first_not_of(" \t\n\r") == std::string::npos) return CompiledFilter{};
  if (expr.size() > kMaxExprBytes) return InvalidParam("expression is too long ({} bytes)", expr.size());
  Lexer lexer(expr);
  QV_ASSIGN_OR_RETURN(std::vector<Token> toks, lexer.Run());
  Parser parser(expr, std::move(toks), schema, templates);
  QV_ASSIGN_OR_RETURN(NodeP root, parser.Parse());
  if (root->kind == Kind::kLiteral && !root->value.is_boolean()) {
    return InvalidParam("filter expression must be a boolean expression: {}", expr);
  }
  CompiledFilter out;
  out.pk_list = PkList(*root);
  std::shared_ptr<const Node> plan(std::move(root));
  out.filter = [plan](const segment::Chunk& chunk, std::vector<uint8_t>& mask) -> Status {
    RowReader rr(chunk);
    for (int64_t r = 0; r < chunk.num_rows; ++r) {
      if (mask[static_cast<size_t>(r)]) mask[static_cast<size_t>(r)] = Eval(*plan, rr, r) == Tri::kTrue;
    }
    return Status::Ok();
  };
  return out;
}

}  // namespace quiver::proxy
