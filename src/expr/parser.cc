#include "expr/parser.h"

#include <algorithm>

#include "expr/errors.h"

namespace quiver::expr {
namespace {

// Binding strength of infix operators; larger binds tighter (Plan.g4 alternative order).
enum Prec : int {
  kPrecNone = 0,
  kPrecOr = 1,
  kPrecAnd,
  kPrecBor,
  kPrecBxor,
  kPrecBand,
  kPrecEquality,
  kPrecRelational,
  kPrecReverseRange,
  kPrecRange,
  kPrecTerm,
  kPrecShift,
  kPrecAddSub,
  kPrecMulDiv,
  kPrecUnary,
  kPrecPow,
  kPrecLike,
  kPrecExists,
};

bool IsColumnToken(Tok t) { return t == Tok::kIdent || t == Tok::kJsonIdent; }
bool IsLess(Tok t) { return t == Tok::kLt || t == Tok::kLe; }
bool IsGreater(Tok t) { return t == Tok::kGt || t == Tok::kGe; }

class Parser {
 public:
  Parser(std::string_view s, std::vector<Token> toks) : s_(s), toks_(std::move(toks)) {}

  Result<std::unique_ptr<Ast>> Run() {
    QV_ASSIGN_OR_RETURN(auto root, ParseExpr(kPrecOr));
    if (Peek().kind != Tok::kEnd) return Unexpected("<EOF>", "extraneous input");
    return root;
  }

 private:
  const Token& Peek(size_t ahead = 0) const {
    return toks_[std::min(i_ + ahead, toks_.size() - 1)];
  }
  const Token& Take() { return toks_[std::min(i_++, toks_.size() - 1)]; }

  std::string TokenText(const Token& t) const {
    if (t.kind == Tok::kEnd) return "<EOF>";
    return std::string(s_.substr(t.pos, t.len));
  }

  Status Unexpected(std::string_view expecting, std::string_view what = "mismatched input") {
    const Token& t = Peek();
    return ExprError("{} {} '{}' expecting {}", Position(s_, t.pos), what, TokenText(t), expecting);
  }

  Status Expect(Tok kind, std::string_view expecting) {
    if (Peek().kind != kind) return Unexpected(expecting);
    Take();
    return Status::Ok();
  }

  std::unique_ptr<Ast> Node(AstKind kind, size_t begin) {
    auto n = std::make_unique<Ast>();
    n->kind = kind;
    n->begin = begin;
    return n;
  }

  // Closes a node: span end and height; rejects trees deeper than kMaxDepth.
  Result<std::unique_ptr<Ast>> Finish(std::unique_ptr<Ast> n) {
    n->end = i_ > 0 ? toks_[i_ - 1].pos + toks_[i_ - 1].len : n->begin;
    int h = 0;
    for (const auto& k : n->kids) h = std::max(h, k->height);
    n->height = h + 1;
    if (n->height > kMaxDepth) {
      return ExprError("{} expression is nested too deeply (limit {})", Position(s_, n->begin),
                       kMaxDepth);
    }
    return n;
  }

  struct DepthGuard {
    explicit DepthGuard(int* d) : d_(d) { ++*d_; }
    ~DepthGuard() { --*d_; }
    int* d_;
  };

  // Infix operator at the cursor and its precedence (kPrecNone when none).
  int InfixPrec() const {
    const Token& t = Peek();
    switch (t.kind) {
      case Tok::kLike:
        return kPrecLike;
      case Tok::kPow:
        return kPrecPow;
      case Tok::kMul:
      case Tok::kDiv:
      case Tok::kMod:
        return kPrecMulDiv;
      case Tok::kAdd:
      case Tok::kSub:
        return kPrecAddSub;
      case Tok::kShl:
      case Tok::kShr:
        return kPrecShift;
      case Tok::kIn:
        return kPrecTerm;
      case Tok::kNot:
        return Peek(1).kind == Tok::kIn ? kPrecTerm : kPrecNone;
      case Tok::kLt:
      case Tok::kLe:
        return IsColumnToken(Peek(1).kind) && IsLess(Peek(2).kind) ? kPrecRange : kPrecRelational;
      case Tok::kGt:
      case Tok::kGe:
        return IsColumnToken(Peek(1).kind) && IsGreater(Peek(2).kind) ? kPrecReverseRange
                                                                      : kPrecRelational;
      case Tok::kEq:
      case Tok::kNe:
        return kPrecEquality;
      case Tok::kBand:
        return kPrecBand;
      case Tok::kBxor:
        return kPrecBxor;
      case Tok::kBor:
        return kPrecBor;
      case Tok::kAnd:
        return kPrecAnd;
      case Tok::kOr:
        return kPrecOr;
      default:
        return kPrecNone;
    }
  }

  Result<std::unique_ptr<Ast>> ParseExpr(int min_prec) {
    DepthGuard guard(&depth_);
    if (depth_ > kMaxDepth) {
      return ExprError("{} expression is nested too deeply (limit {})", Position(s_, Peek().pos),
                       kMaxDepth);
    }
    size_t begin = Peek().pos;
    QV_ASSIGN_OR_RETURN(auto left, ParsePrefix());
    while (true) {
      int prec = InfixPrec();
      if (prec == kPrecNone || prec < min_prec) break;
      const Token& op = Take();
      if (prec == kPrecRange || prec == kPrecReverseRange) {
        auto n = Node(AstKind::kRange, begin);
        n->op = op.kind;
        QV_ASSIGN_OR_RETURN(auto column, ParsePrimary());
        n->op2 = Take().kind;
        QV_ASSIGN_OR_RETURN(auto upper, ParseExpr(prec + 1));
        n->kids.push_back(std::move(left));
        n->kids.push_back(std::move(column));
        n->kids.push_back(std::move(upper));
        QV_ASSIGN_OR_RETURN(left, Finish(std::move(n)));
        continue;
      }
      if (prec == kPrecTerm) {
        auto n = Node(AstKind::kTerm, begin);
        if (op.kind == Tok::kNot) {
          Take();  // in
          n->negated = true;
        }
        QV_ASSIGN_OR_RETURN(auto list, ParseExpr(prec + 1));
        n->kids.push_back(std::move(left));
        n->kids.push_back(std::move(list));
        QV_ASSIGN_OR_RETURN(left, Finish(std::move(n)));
        continue;
      }
      if (prec == kPrecAnd || prec == kPrecOr) {
        Tok kind = prec == kPrecAnd ? Tok::kAnd : Tok::kOr;
        QV_ASSIGN_OR_RETURN(auto right, ParseExpr(prec + 1));
        if (left->kind == AstKind::kLogical && left->op == kind) {
          left->kids.push_back(std::move(right));
          QV_ASSIGN_OR_RETURN(left, Finish(std::move(left)));
        } else {
          auto n = Node(AstKind::kLogical, begin);
          n->op = kind;
          n->kids.push_back(std::move(left));
          n->kids.push_back(std::move(right));
          QV_ASSIGN_OR_RETURN(left, Finish(std::move(n)));
        }
        continue;
      }
      auto n = Node(op.kind == Tok::kLike ? AstKind::kLike : AstKind::kBinary, begin);
      n->op = op.kind;
      QV_ASSIGN_OR_RETURN(auto right, ParseExpr(prec + 1));
      n->kids.push_back(std::move(left));
      n->kids.push_back(std::move(right));
      QV_ASSIGN_OR_RETURN(left, Finish(std::move(n)));
    }
    return left;
  }

  Result<std::unique_ptr<Ast>> ParsePrefix() {
    const Token& t = Peek();
    size_t begin = t.pos;
    if (t.kind == Tok::kAdd || t.kind == Tok::kSub || t.kind == Tok::kBnot || t.kind == Tok::kNot) {
      Tok op = Take().kind;
      auto n = Node(AstKind::kUnary, begin);
      n->op = op;
      QV_ASSIGN_OR_RETURN(auto kid, ParseExpr(kPrecUnary));
      n->kids.push_back(std::move(kid));
      return Finish(std::move(n));
    }
    if (t.kind == Tok::kExists) {
      Take();
      auto n = Node(AstKind::kExists, begin);
      QV_ASSIGN_OR_RETURN(auto kid, ParseExpr(kPrecExists));
      n->kids.push_back(std::move(kid));
      return Finish(std::move(n));
    }
    return ParsePrimary();
  }

  Result<std::unique_ptr<Ast>> ParsePrimary() {
    const Token& t = Peek();
    size_t begin = t.pos;
    switch (t.kind) {
      case Tok::kInt: {
        auto n = Node(AstKind::kLiteral, begin);
        n->value = Value::Int(t.int_value);
        n->int_is_min_magnitude = t.int_is_min_magnitude;
        Take();
        return Finish(std::move(n));
      }
      case Tok::kFloat: {
        auto n = Node(AstKind::kLiteral, begin);
        n->value = Value::Float(t.float_value);
        Take();
        return Finish(std::move(n));
      }
      case Tok::kBool: {
        auto n = Node(AstKind::kLiteral, begin);
        n->value = Value::Bool(t.bool_value);
        Take();
        return Finish(std::move(n));
      }
      case Tok::kString: {
        auto n = Node(AstKind::kLiteral, begin);
        n->value = Value::String(t.text);
        Take();
        return Finish(std::move(n));
      }
      case Tok::kIdent:
      case Tok::kMeta:
      case Tok::kJsonIdent: {
        const Token& id = Take();
        if (id.kind == Tok::kIdent && Peek().kind == Tok::kLParen) return ParseCall(id);
        auto n = Node(id.kind == Tok::kJsonIdent ? AstKind::kJsonPath : AstKind::kIdent, begin);
        n->name = id.text;
        n->path = id.path;
        QV_ASSIGN_OR_RETURN(n, Finish(std::move(n)));
        if (id.kind != Tok::kMeta &&
            (Peek().kind == Tok::kIsNull || Peek().kind == Tok::kIsNotNull)) {
          auto null = Node(AstKind::kIsNull, begin);
          null->negated = Take().kind == Tok::kIsNotNull;
          null->kids.push_back(std::move(n));
          return Finish(std::move(null));
        }
        return n;
      }
      case Tok::kLBrace: {
        Take();
        if (Peek().kind != Tok::kIdent) return Unexpected("identifier");
        auto n = Node(AstKind::kTemplate, begin);
        n->name = Take().text;
        QV_RETURN_IF_ERROR(Expect(Tok::kRBrace, "'}'"));
        return Finish(std::move(n));
      }
      case Tok::kLParen: {
        Take();
        QV_ASSIGN_OR_RETURN(auto inner, ParseExpr(kPrecOr));
        QV_RETURN_IF_ERROR(Expect(Tok::kRParen, "')'"));
        return inner;
      }
      case Tok::kEmptyArray: {
        Take();
        auto n = Node(AstKind::kList, begin);
        return Finish(std::move(n));
      }
      case Tok::kLBracket: {
        Take();
        auto n = Node(AstKind::kList, begin);
        while (true) {
          QV_ASSIGN_OR_RETURN(auto item, ParseExpr(kPrecOr));
          n->kids.push_back(std::move(item));
          if (Peek().kind == Tok::kComma) {
            Take();
            if (Peek().kind == Tok::kRBracket) break;
            continue;
          }
          break;
        }
        QV_RETURN_IF_ERROR(Expect(Tok::kRBracket, "{',', ']'}"));
        return Finish(std::move(n));
      }
      case Tok::kJsonContains:
      case Tok::kJsonContainsAll:
      case Tok::kJsonContainsAny:
      case Tok::kArrayContains:
      case Tok::kArrayContainsAll:
      case Tok::kArrayContainsAny: {
        const Token& kw = Take();
        auto n = Node(AstKind::kCall, begin);
        n->call = kw.kind;
        n->name = kw.text;
        QV_RETURN_IF_ERROR(Expect(Tok::kLParen, "'('"));
        QV_ASSIGN_OR_RETURN(auto a, ParseExpr(kPrecOr));
        QV_RETURN_IF_ERROR(Expect(Tok::kComma, "','"));
        QV_ASSIGN_OR_RETURN(auto b, ParseExpr(kPrecOr));
        QV_RETURN_IF_ERROR(Expect(Tok::kRParen, "')'"));
        n->kids.push_back(std::move(a));
        n->kids.push_back(std::move(b));
        return Finish(std::move(n));
      }
      case Tok::kArrayLength: {
        const Token& kw = Take();
        auto n = Node(AstKind::kCall, begin);
        n->call = kw.kind;
        n->name = kw.text;
        QV_RETURN_IF_ERROR(Expect(Tok::kLParen, "'('"));
        if (!IsColumnToken(Peek().kind)) return Unexpected("{Identifier, JSONIdentifier}");
        const Token& id = Take();
        auto col = Node(id.kind == Tok::kJsonIdent ? AstKind::kJsonPath : AstKind::kIdent, id.pos);
        col->name = id.text;
        col->path = id.path;
        QV_ASSIGN_OR_RETURN(col, Finish(std::move(col)));
        n->kids.push_back(std::move(col));
        QV_RETURN_IF_ERROR(Expect(Tok::kRParen, "')'"));
        return Finish(std::move(n));
      }
      case Tok::kTextMatch:
      case Tok::kPhraseMatch: {
        const Token& kw = Take();
        auto n = Node(AstKind::kCall, begin);
        n->call = kw.kind;
        n->name = kw.text;
        QV_RETURN_IF_ERROR(Expect(Tok::kLParen, "'('"));
        if (Peek().kind != Tok::kIdent) return Unexpected("Identifier");
        const Token& id = Take();
        auto col = Node(AstKind::kIdent, id.pos);
        col->name = id.text;
        QV_ASSIGN_OR_RETURN(col, Finish(std::move(col)));
        n->kids.push_back(std::move(col));
        QV_RETURN_IF_ERROR(Expect(Tok::kComma, "','"));
        QV_ASSIGN_OR_RETURN(auto query, ParseExpr(kPrecOr));
        n->kids.push_back(std::move(query));
        if (Peek().kind == Tok::kComma) {
          Take();
          if (kw.kind == Tok::kTextMatch) {
            QV_RETURN_IF_ERROR(Expect(Tok::kMinimumShouldMatch, "minimum_should_match"));
            QV_RETURN_IF_ERROR(Expect(Tok::kAssign, "'='"));
            if (Peek().kind != Tok::kInt) return Unexpected("IntegerConstant");
            n->minimum_should_match = Take().int_value;
          } else {
            QV_ASSIGN_OR_RETURN(auto slop, ParseExpr(kPrecOr));
            n->kids.push_back(std::move(slop));
          }
        }
        QV_RETURN_IF_ERROR(Expect(Tok::kRParen, "')'"));
        return Finish(std::move(n));
      }
      case Tok::kRandomSample: {
        const Token& kw = Take();
        auto n = Node(AstKind::kCall, begin);
        n->call = kw.kind;
        n->name = kw.text;
        QV_RETURN_IF_ERROR(Expect(Tok::kLParen, "'('"));
        QV_ASSIGN_OR_RETURN(auto factor, ParseExpr(kPrecOr));
        n->kids.push_back(std::move(factor));
        QV_RETURN_IF_ERROR(Expect(Tok::kRParen, "')'"));
        return Finish(std::move(n));
      }
      default:
        break;
    }
    if (t.kind == Tok::kEnd) return Unexpected("an expression", "mismatched input");
    return ExprError("{} no viable alternative at input '{}'", Position(s_, t.pos), TokenText(t));
  }

  // Generic call `ident(args...)`; the binder rejects unknown functions.
  Result<std::unique_ptr<Ast>> ParseCall(const Token& id) {
    auto n = Node(AstKind::kCall, id.pos);
    n->call = Tok::kIdent;
    n->name = id.text;
    Take();  // (
    if (Peek().kind != Tok::kRParen) {
      while (true) {
        QV_ASSIGN_OR_RETURN(auto arg, ParseExpr(kPrecOr));
        n->kids.push_back(std::move(arg));
        if (Peek().kind != Tok::kComma) break;
        Take();
        if (Peek().kind == Tok::kRParen) break;
      }
    }
    QV_RETURN_IF_ERROR(Expect(Tok::kRParen, "')'"));
    return Finish(std::move(n));
  }

  std::string_view s_;
  std::vector<Token> toks_;
  size_t i_ = 0;
  int depth_ = 0;
};

}  // namespace

Result<std::unique_ptr<Ast>> Parse(std::string_view expr) {
  if (expr.size() > kMaxExprBytes) {
    return ExprError("expression is too long ({} bytes, limit {})", expr.size(), kMaxExprBytes);
  }
  QV_ASSIGN_OR_RETURN(std::vector<Token> toks, Lex(expr));
  return Parser(expr, std::move(toks)).Run();
}

}  // namespace quiver::expr
