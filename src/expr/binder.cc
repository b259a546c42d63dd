// Binder: resolves the syntax tree against a collection schema and produces a Plan, following
// Milvus 2.6 planparserv2 (parser_visitor.go, utils.go, operators.go) for type rules, constant
// folding and error wording.
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>

#include "expr/errors.h"
#include "expr/parser.h"
#include "expr/plan.h"

namespace quiver::expr {
namespace {

namespace pb = milvus::proto::schema;
using pb::CollectionSchema;
using pb::FieldSchema;

bool IsInteger(DataType t) {
  return t == pb::Int8 || t == pb::Int16 || t == pb::Int32 || t == pb::Int64;
}
bool IsFloating(DataType t) { return t == pb::Float || t == pb::Double; }
bool IsArithmetic(DataType t) { return IsInteger(t) || IsFloating(t); }
bool IsString(DataType t) { return t == pb::String || t == pb::VarChar; }
bool IsJson(DataType t) { return t == pb::JSON; }
bool IsArray(DataType t) { return t == pb::Array; }
bool IsBool(DataType t) { return t == pb::Bool; }
bool IsVector(DataType t) { return t >= pb::BinaryVector && t <= pb::ArrayOfVector; }

// Milvus's ExprWithType: a sub-expression with its data type, before it becomes a plan node.
struct Typed {
  enum class Kind : uint8_t { kValue, kColumn, kArith, kArrayLength, kPredicate, kRandomSample };
  enum class Shape : uint8_t { kSimple, kReversed, kMultiField, kComplicated };

  Kind kind = Kind::kValue;
  DataType type = pb::None;
  Value value;
  ColumnRef column;
  Shape shape = Shape::kSimple;
  ArithOp arith = ArithOp::kAdd;
  Value operand;
  std::unique_ptr<Node> node;

  bool IsPredicate() const { return kind == Kind::kPredicate; }
  DataType ElementType() const {
    if (kind == Kind::kColumn || kind == Kind::kArith) return column.element_type;
    if (kind == Kind::kValue) return value.ElementType();
    return pb::None;
  }
};

Typed FromValue(Value v) {
  Typed t;
  t.kind = Typed::Kind::kValue;
  t.type = v.Type();
  t.value = std::move(v);
  return t;
}

Typed FromNode(std::unique_ptr<Node> n) {
  Typed t;
  t.kind = Typed::Kind::kPredicate;
  t.type = pb::Bool;
  t.node = std::move(n);
  return t;
}

std::unique_ptr<Node> MakeNode(NodeKind k) {
  auto n = std::make_unique<Node>();
  n->kind = k;
  return n;
}

std::string TypeString(const Typed& t) {
  if (IsArray(t.type)) return fmt::format("Array[{}]", TypeName(t.ElementType()));
  return TypeName(t.type);
}

CompareOp ToCompareOp(Tok t) {
  switch (t) {
    case Tok::kEq:
      return CompareOp::kEq;
    case Tok::kNe:
      return CompareOp::kNe;
    case Tok::kLt:
      return CompareOp::kLt;
    case Tok::kLe:
      return CompareOp::kLe;
    case Tok::kGt:
      return CompareOp::kGt;
    default:
      return CompareOp::kGe;
  }
}

CompareOp Reverse(CompareOp op) {
  switch (op) {
    case CompareOp::kLt:
      return CompareOp::kGt;
    case CompareOp::kLe:
      return CompareOp::kGe;
    case CompareOp::kGt:
      return CompareOp::kLt;
    case CompareOp::kGe:
      return CompareOp::kLe;
    default:
      return op;
  }
}

const char* ArithName(ArithOp op) {
  switch (op) {
    case ArithOp::kAdd:
      return "add";
    case ArithOp::kSub:
      return "subtract";
    case ArithOp::kMul:
      return "multiply";
    case ArithOp::kDiv:
      return "divide";
    case ArithOp::kMod:
      return "modulo";
  }
  return "";
}

// Go's int64 arithmetic wraps; do the same without C++ signed-overflow UB.
int64_t WrapAdd(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) + static_cast<uint64_t>(b));
}
int64_t WrapSub(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) - static_cast<uint64_t>(b));
}
int64_t WrapMul(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) * static_cast<uint64_t>(b));
}

Result<Value> FoldArith(ArithOp op, const Value& a, const Value& b) {
  const char* name = ArithName(op);
  if (op == ArithOp::kMod) {
    if (a.kind != Value::Kind::kInt || b.kind != Value::Kind::kInt) {
      return ExprError("modulo can only apply on integer");
    }
    if (b.i == 0) return ExprError("cannot modulo by zero");
    if (b.i == -1) return Value::Int(0);
    return Value::Int(a.i % b.i);
  }
  if (a.kind == Value::Kind::kBool || b.kind == Value::Kind::kBool) {
    return ExprError("{} cannot apply on bool field", name);
  }
  if (!a.IsNumber() || !b.IsNumber()) return ExprError("{} cannot apply on string field", name);
  bool ints = a.kind == Value::Kind::kInt && b.kind == Value::Kind::kInt;
  switch (op) {
    case ArithOp::kAdd:
      return ints ? Value::Int(WrapAdd(a.i, b.i)) : Value::Float(a.AsDouble() + b.AsDouble());
    case ArithOp::kSub:
      return ints ? Value::Int(WrapSub(a.i, b.i)) : Value::Float(a.AsDouble() - b.AsDouble());
    case ArithOp::kMul:
      return ints ? Value::Int(WrapMul(a.i, b.i)) : Value::Float(a.AsDouble() * b.AsDouble());
    case ArithOp::kDiv:
      if (b.AsDouble() == 0) return ExprError("cannot divide by zero");
      if (ints) return Value::Int(b.i == -1 ? WrapSub(0, a.i) : a.i / b.i);
      return Value::Float(a.AsDouble() / b.AsDouble());
    default:
      break;
  }
  return ExprError("unexpected op");
}

Result<Value> FoldPower(const Value& a, const Value& b) {
  if (!a.IsNumber() || !b.IsNumber()) return ExprError("power can only apply on numbers");
  double target = std::pow(a.AsDouble(), b.AsDouble());
  if (a.kind == Value::Kind::kInt && b.kind == Value::Kind::kInt && b.i >= 0 &&
      target <= static_cast<double>(std::numeric_limits<int64_t>::max())) {
    return Value::Int(static_cast<int64_t>(target));
  }
  return Value::Float(target);
}

// operators.go Equal/Less/...: nullopt when the operands are incompatible.
std::optional<bool> FoldCompare(CompareOp op, const Value& a, const Value& b) {
  int cmp = 0;
  if (a.kind == Value::Kind::kBool && b.kind == Value::Kind::kBool) {
    if (op != CompareOp::kEq && op != CompareOp::kNe) return std::nullopt;
    cmp = a.b == b.b ? 0 : 1;
  } else if (a.kind == Value::Kind::kString && b.kind == Value::Kind::kString) {
    cmp = a.s.compare(b.s);
  } else if (a.IsNumber() && b.IsNumber()) {
    if (a.kind == Value::Kind::kInt && b.kind == Value::Kind::kInt) {
      cmp = a.i < b.i ? -1 : a.i > b.i ? 1 : 0;
    } else {
      double x = a.AsDouble(), y = b.AsDouble();
      cmp = x < y ? -1 : x > y ? 1 : 0;
    }
  } else {
    return std::nullopt;
  }
  switch (op) {
    case CompareOp::kEq:
      return cmp == 0;
    case CompareOp::kNe:
      return cmp != 0;
    case CompareOp::kLt:
      return cmp < 0;
    case CompareOp::kLe:
      return cmp <= 0;
    case CompareOp::kGt:
      return cmp > 0;
    case CompareOp::kGe:
      return cmp >= 0;
  }
  return std::nullopt;
}

// utils.go canBeComparedDataType.
bool CanBeComparedDataType(DataType l, DataType r) {
  if (IsBool(l)) return IsBool(r) || IsJson(r);
  if (IsArithmetic(l)) return IsArithmetic(r) || IsJson(r);
  if (IsString(l)) return IsString(r) || IsJson(r);
  if (IsJson(l)) return true;
  return false;
}

bool CanBeCompared(const Typed& l, const Typed& r) {
  DataType lt = IsArray(l.type) ? l.ElementType() : l.type;
  DataType rt = IsArray(r.type) ? r.ElementType() : r.type;
  return CanBeComparedDataType(lt, rt);
}

// utils.go castValue.
// Fills the prepared lookup sets of a kTerm node on a scalar column of type `t`.
void PrepareTermSets(DataType t, Node* n) {
  if (t == pb::Int8 || t == pb::Int16 || t == pb::Int32 || t == pb::Int64) {
    for (const Value& v : n->values) n->int_set.push_back(v.i);
    std::sort(n->int_set.begin(), n->int_set.end());
    n->int_set.erase(std::unique(n->int_set.begin(), n->int_set.end()), n->int_set.end());
  } else if (t == pb::Float || t == pb::Double) {
    for (const Value& v : n->values) {
      n->double_set.push_back(t == pb::Float ? static_cast<float>(v.AsDouble()) : v.AsDouble());
    }
    std::sort(n->double_set.begin(), n->double_set.end());
  } else if (t == pb::String || t == pb::VarChar) {
    for (const Value& v : n->values) n->string_set.insert(v.s);
  }
}

Result<Value> CastValue(DataType t, const Value& v) {
  if (IsJson(t)) return v;
  if (IsArray(t) && v.kind == Value::Kind::kArray) return v;
  if (IsString(t) && v.kind == Value::Kind::kString) return v;
  if (IsBool(t) && v.kind == Value::Kind::kBool) return v;
  if (IsFloating(t)) {
    if (v.kind == Value::Kind::kFloat) return v;
    if (v.kind == Value::Kind::kInt) return Value::Float(static_cast<double>(v.i));
  }
  if (IsInteger(t) && v.kind == Value::Kind::kInt) return v;
  return ExprError("cannot cast value {} to {}", v.ToString(), TypeName(t));
}

// utils.go canArithmeticDataType.
bool CanArithmeticDataType(DataType l, DataType r) {
  if (IsInteger(l)) return IsInteger(r) || IsJson(r);
  if (IsFloating(l)) return IsArithmetic(r) || IsJson(r);
  if (IsJson(l)) return IsArithmetic(r);
  return false;
}

// utils.go getTargetType.
Result<DataType> TargetType(DataType l, DataType r) {
  if (IsJson(l)) {
    if (IsJson(r)) return pb::JSON;
    if (IsFloating(r)) return pb::Double;
    if (IsInteger(r)) return pb::Int64;
  }
  if (IsFloating(l) && (IsJson(r) || IsArithmetic(r))) return pb::Double;
  if (IsInteger(l)) {
    if (IsFloating(r)) return pb::Double;
    if (IsInteger(r) || IsJson(r)) return pb::Int64;
  }
  return ExprError("incompatible data type, {}, {}", TypeName(l), TypeName(r));
}

bool CanConvertToInteger(DataType t, DataType elem) {
  return IsInteger(t) || IsJson(t) || (IsArray(t) && IsInteger(elem));
}

Result<Value> ConvertJson(const nlohmann::json& j) {
  switch (j.type()) {
    case nlohmann::json::value_t::boolean:
      return Value::Bool(j.get<bool>());
    case nlohmann::json::value_t::number_integer:
      return Value::Int(j.get<int64_t>());
    case nlohmann::json::value_t::number_unsigned: {
      uint64_t u = j.get<uint64_t>();
      if (u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
        return Value::Float(static_cast<double>(u));
      }
      return Value::Int(static_cast<int64_t>(u));
    }
    case nlohmann::json::value_t::number_float:
      return Value::Float(j.get<double>());
    case nlohmann::json::value_t::string:
      return Value::String(j.get<std::string>());
    case nlohmann::json::value_t::array: {
      std::vector<Value> out;
      for (const auto& e : j) {
        QV_ASSIGN_OR_RETURN(Value v, ConvertJson(e));
        out.push_back(std::move(v));
      }
      return Value::Array(std::move(out));
    }
    default:
      return ExprError("{} is of unknown type", j.dump());
  }
}

Result<Value> ConvertTemplateArray(const pb::TemplateArrayValue& a) {
  std::vector<Value> out;
  switch (a.data_case()) {
    case pb::TemplateArrayValue::kBoolData:
      for (bool b : a.bool_data().data()) out.push_back(Value::Bool(b));
      break;
    case pb::TemplateArrayValue::kLongData:
      for (int64_t v : a.long_data().data()) out.push_back(Value::Int(v));
      break;
    case pb::TemplateArrayValue::kDoubleData:
      for (double v : a.double_data().data()) out.push_back(Value::Float(v));
      break;
    case pb::TemplateArrayValue::kStringData:
      for (const std::string& v : a.string_data().data()) out.push_back(Value::String(v));
      break;
    case pb::TemplateArrayValue::kArrayData:
      for (const auto& sub : a.array_data().data()) {
        QV_ASSIGN_OR_RETURN(Value v, ConvertTemplateArray(sub));
        out.push_back(std::move(v));
      }
      break;
    case pb::TemplateArrayValue::kJsonData:
      for (const std::string& text : a.json_data().data()) {
        auto j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
        if (j.is_discarded()) return ExprError("invalid JSON element in template array: {}", text);
        QV_ASSIGN_OR_RETURN(Value v, ConvertJson(j));
        out.push_back(std::move(v));
      }
      break;
    case pb::TemplateArrayValue::DATA_NOT_SET:
      break;
  }
  return Value::Array(std::move(out));
}

class Binder {
 public:
  Binder(std::string_view expr, const CollectionSchema& schema, const TemplateValues* templates)
      : expr_(expr), schema_(schema), templates_(templates) {
    for (const FieldSchema& f : schema.fields()) {
      if (f.is_dynamic()) dynamic_ = &f;
    }
  }

  Result<ColumnRef> BindIdentifier(const Ast& ast) const {
    if (ast.kind != AstKind::kIdent && ast.kind != AstKind::kJsonPath) {
      return ExprError("{} is not a field or JSON path", expr_);
    }
    return ResolvePath(ast);
  }

  Result<std::unique_ptr<Node>> BindRoot(const Ast& ast) {
    QV_ASSIGN_OR_RETURN(Typed t, Bind(ast));
    if (t.kind == Typed::Kind::kPredicate || t.kind == Typed::Kind::kRandomSample) {
      return std::move(t.node);
    }
    if (t.kind == Typed::Kind::kValue && t.value.kind == Value::Kind::kBool) {
      return MakeNode(t.value.b ? NodeKind::kAlwaysTrue : NodeKind::kAlwaysFalse);
    }
    return ExprError("predicate is not a boolean expression: {}, data type: {}", expr_,
                     TypeString(t));
  }

 private:
  std::string_view Text(const Ast& a) const { return expr_.substr(a.begin, a.end - a.begin); }

  const FieldSchema* FindField(std::string_view name) const {
    for (const FieldSchema& f : schema_.fields()) {
      if (f.name() == name) return &f;
    }
    if (name == "$meta") return dynamic_;
    return nullptr;
  }

  static ColumnRef RefOf(const FieldSchema& f) {
    ColumnRef c;
    c.field_id = f.fieldid();
    c.name = f.name();
    c.type = f.data_type();
    c.element_type = f.element_type();
    c.nullable = f.nullable();
    return c;
  }

  // GetFieldFromNameDefaultJSON: unknown names are keys of the dynamic field when enabled.
  Result<ColumnRef> Resolve(const std::string& name, bool allow_text) const {
    const FieldSchema* f = FindField(name);
    if (f == nullptr && (name == "null" || name == "NULL")) {
      return ExprError(
          "NULL literal is not supported in expressions; use '<field> is null' or '<field> is "
          "not null' instead");
    }
    if (f != nullptr) {
      if (f->data_type() == pb::Text && !allow_text) {
        return ExprError("filter on text field ({}) is not supported yet", f->name());
      }
      return RefOf(*f);
    }
    if (dynamic_ != nullptr) {
      ColumnRef c = RefOf(*dynamic_);
      c.path.push_back(name);
      return c;
    }
    return ExprError("field {} not exist", name);
  }

  Result<ColumnRef> ResolvePath(const Ast& a) const {
    if (a.kind == AstKind::kIdent) return Resolve(a.name, false);
    QV_ASSIGN_OR_RETURN(ColumnRef c, Resolve(a.name, false));
    if (!IsJson(c.type) && !IsArray(c.type)) {
      return ExprError("{} data type not supported accessed with []", TypeName(c.type));
    }
    for (const PathKey& k : a.path) {
      if (k.quoted) {
        if (k.key.empty()) return ExprError("invalid identifier: {}", Text(a));
        if (IsArray(c.type)) return ExprError("can only access array field with integer index");
      }
      c.path.push_back(k.key);
    }
    if (IsArray(c.type) && c.path.size() > 1) {
      return ExprError("array field {} can only be accessed with one index, got: {}", c.name,
                       Text(a));
    }
    return c;
  }

  Typed ColumnTyped(ColumnRef c) const {
    Typed t;
    t.kind = Typed::Kind::kColumn;
    t.type = c.type;
    t.column = std::move(c);
    return t;
  }

  Result<Value> TemplateValue(const std::string& name) const {
    if (templates_ == nullptr || templates_->find(name) == templates_->end()) {
      return ExprError("the value of expression template variable name {{{}}} is not found", name);
    }
    const pb::TemplateValue& v = templates_->at(name);
    switch (v.val_case()) {
      case pb::TemplateValue::kBoolVal:
        return Value::Bool(v.bool_val());
      case pb::TemplateValue::kInt64Val:
        return Value::Int(v.int64_val());
      case pb::TemplateValue::kFloatVal:
        return Value::Float(v.float_val());
      case pb::TemplateValue::kStringVal:
        return Value::String(v.string_val());
      case pb::TemplateValue::kArrayVal:
        return ConvertTemplateArray(v.array_val());
      case pb::TemplateValue::VAL_NOT_SET:
        break;
    }
    return ExprError("the value of expression template variable {{{}}} is nil", name);
  }

  // checkDirectComparisonBinaryField: a whole ARRAY field cannot be ordered or computed on.
  static Status CheckNotWholeArray(const Typed& t) {
    if (t.kind == Typed::Kind::kColumn && IsArray(t.column.type) && t.column.path.empty()) {
      return ExprError("can not comparisons array fields directly");
    }
    return Status::Ok();
  }

  Result<Typed> Bind(const Ast& a) {
    switch (a.kind) {
      case AstKind::kLiteral:
        if (a.int_is_min_magnitude) {
          return ExprError("integer literal {} is out of int64 range", Text(a));
        }
        return FromValue(a.value);
      case AstKind::kIdent: {
        QV_ASSIGN_OR_RETURN(ColumnRef c, Resolve(a.name, false));
        return ColumnTyped(std::move(c));
      }
      case AstKind::kJsonPath: {
        QV_ASSIGN_OR_RETURN(ColumnRef c, ResolvePath(a));
        return ColumnTyped(std::move(c));
      }
      case AstKind::kTemplate: {
        QV_ASSIGN_OR_RETURN(Value v, TemplateValue(a.name));
        return FromValue(std::move(v));
      }
      case AstKind::kList: {
        std::vector<Value> items;
        for (const auto& k : a.kids) {
          QV_ASSIGN_OR_RETURN(Typed t, Bind(*k));
          if (t.kind != Typed::Kind::kValue) {
            return ExprError("array element type must be generic value, but got: {}", Text(*k));
          }
          items.push_back(std::move(t.value));
        }
        return FromValue(Value::Array(std::move(items)));
      }
      case AstKind::kUnary:
        return BindUnary(a);
      case AstKind::kBinary:
        return BindBinary(a);
      case AstKind::kLogical:
        return BindLogical(a);
      case AstKind::kRange:
        return BindRange(a);
      case AstKind::kTerm:
        return BindTerm(a);
      case AstKind::kLike:
        return BindLike(a);
      case AstKind::kExists:
        return BindExists(a);
      case AstKind::kIsNull:
        return BindIsNull(a);
      case AstKind::kCall:
        return BindCall(a);
    }
    return ExprError("unsupported expression: {}", Text(a));
  }

  Result<Typed> BindUnary(const Ast& a) {
    const Ast& kid = *a.kids[0];
    if (a.op == Tok::kSub && kid.kind == AstKind::kLiteral && kid.int_is_min_magnitude) {
      return FromValue(Value::Int(std::numeric_limits<int64_t>::min()));
    }
    if (a.op == Tok::kBnot) return ExprError("bitwise operations are not supported: {}", Text(a));
    QV_ASSIGN_OR_RETURN(Typed t, Bind(kid));
    if (t.kind == Typed::Kind::kValue) {
      switch (a.op) {
        case Tok::kAdd:
          return t;
        case Tok::kSub:
          if (t.value.kind == Value::Kind::kInt)
            return FromValue(Value::Int(WrapSub(0, t.value.i)));
          if (t.value.kind == Value::Kind::kFloat) return FromValue(Value::Float(-t.value.f));
          return ExprError("negative can only apply on number: {}", Text(a));
        default:
          if (t.value.kind != Value::Kind::kBool) return ExprError("not can only apply on boolean");
          return FromValue(Value::Bool(!t.value.b));
      }
    }
    if (t.kind == Typed::Kind::kRandomSample) {
      return ExprError("random sample expression cannot be used in unary expression");
    }
    QV_RETURN_IF_ERROR(CheckNotWholeArray(t));
    if (a.op == Tok::kAdd) return t;
    if (a.op != Tok::kNot) return ExprError("unexpected op: -");
    if (!t.IsPredicate()) return ExprError("not op can only be applied on boolean expression");
    return FromNode(Negate(std::move(t.node)));
  }

  static std::unique_ptr<Node> Negate(std::unique_ptr<Node> n) {
    if (n->kind == NodeKind::kAlwaysTrue) return MakeNode(NodeKind::kAlwaysFalse);
    if (n->kind == NodeKind::kAlwaysFalse) return MakeNode(NodeKind::kAlwaysTrue);
    auto out = MakeNode(NodeKind::kNot);
    out->children.push_back(std::move(n));
    return out;
  }

  Result<Typed> BindBinary(const Ast& a) {
    switch (a.op) {
      case Tok::kAdd:
        return BindArith(a, ArithOp::kAdd);
      case Tok::kSub:
        return BindArith(a, ArithOp::kSub);
      case Tok::kMul:
        return BindArith(a, ArithOp::kMul);
      case Tok::kDiv:
        return BindArith(a, ArithOp::kDiv);
      case Tok::kMod:
        return BindArith(a, ArithOp::kMod);
      case Tok::kPow: {
        QV_ASSIGN_OR_RETURN(Typed l, Bind(*a.kids[0]));
        QV_ASSIGN_OR_RETURN(Typed r, Bind(*a.kids[1]));
        if (l.kind != Typed::Kind::kValue || r.kind != Typed::Kind::kValue) {
          return ExprError("power can only apply on constants: {}", Text(a));
        }
        QV_ASSIGN_OR_RETURN(Value v, FoldPower(l.value, r.value));
        return FromValue(std::move(v));
      }
      case Tok::kLt:
      case Tok::kLe:
      case Tok::kGt:
      case Tok::kGe:
      case Tok::kEq:
      case Tok::kNe:
        return BindCompare(a, ToCompareOp(a.op));
      default:
        return ExprError("bitwise operations are not supported: {}", Text(a));
    }
  }

  Result<Typed> BindArith(const Ast& a, ArithOp op) {
    QV_ASSIGN_OR_RETURN(Typed l, Bind(*a.kids[0]));
    QV_ASSIGN_OR_RETURN(Typed r, Bind(*a.kids[1]));
    if (l.kind == Typed::Kind::kValue && r.kind == Typed::Kind::kValue) {
      QV_ASSIGN_OR_RETURN(Value v, FoldArith(op, l.value, r.value));
      return FromValue(std::move(v));
    }
    if (l.kind == Typed::Kind::kRandomSample || r.kind == Typed::Kind::kRandomSample) {
      return ExprError("invalid arithmetic expression: {}", Text(a));
    }
    QV_RETURN_IF_ERROR(CheckNotWholeArray(l));
    QV_RETURN_IF_ERROR(CheckNotWholeArray(r));
    bool reverse = l.kind == Typed::Kind::kValue;
    DataType lt = IsArray(l.type) ? l.ElementType() : l.type;
    DataType rt = IsArray(r.type) ? r.ElementType() : r.type;
    if (reverse) std::swap(lt, rt);
    if (!CanArithmeticDataType(lt, rt)) {
      return ExprError("'{}' cannot perform arithmetic between {} field and {}", ArithName(op),
                       TypeName(lt), TypeName(rt));
    }
    if (op == ArithOp::kMod && (!CanConvertToInteger(l.type, l.ElementType()) ||
                                !CanConvertToInteger(r.type, r.ElementType()))) {
      return ExprError("modulo can only apply on integer types");
    }
    QV_ASSIGN_OR_RETURN(DataType type, TargetType(lt, rt));
    Typed out;
    out.kind = Typed::Kind::kArith;
    out.type = type;
    out.arith = op;
    if (l.kind == Typed::Kind::kColumn && r.kind == Typed::Kind::kValue) {
      out.shape = Typed::Shape::kSimple;
      out.column = l.column;
      out.operand = r.value;
    } else if (l.kind == Typed::Kind::kValue && r.kind == Typed::Kind::kColumn) {
      out.shape = Typed::Shape::kReversed;
      out.column = r.column;
      out.operand = l.value;
    } else if (l.kind == Typed::Kind::kColumn && r.kind == Typed::Kind::kColumn) {
      out.shape = Typed::Shape::kMultiField;
    } else {
      out.shape = Typed::Shape::kComplicated;
    }
    return out;
  }

  Result<Typed> BindCompare(const Ast& a, CompareOp op) {
    QV_ASSIGN_OR_RETURN(Typed l, Bind(*a.kids[0]));
    QV_ASSIGN_OR_RETURN(Typed r, Bind(*a.kids[1]));
    if (l.kind == Typed::Kind::kValue && r.kind == Typed::Kind::kValue) {
      std::optional<bool> v = FoldCompare(op, l.value, r.value);
      if (!v) {
        return ExprError("comparison operations cannot be applied to two incompatible operands: {}",
                         Text(a));
      }
      return FromValue(Value::Bool(*v));
    }
    if (l.kind == Typed::Kind::kRandomSample || r.kind == Typed::Kind::kRandomSample) {
      return ExprError("random sample expression cannot be compared: {}", Text(a));
    }
    bool equality = op == CompareOp::kEq || op == CompareOp::kNe;
    if (!equality) {
      QV_RETURN_IF_ERROR(CheckNotWholeArray(l));
      QV_RETURN_IF_ERROR(CheckNotWholeArray(r));
    }
    // contextualizeEmptyArrayLiteral: `arr == []` takes the field's element type.
    auto empty_vs_array = [](const Typed& v, const Typed& c) {
      return v.kind == Typed::Kind::kValue && v.value.kind == Value::Kind::kArray &&
             v.value.array.empty() && c.kind == Typed::Kind::kColumn && IsArray(c.type) &&
             c.column.path.empty();
    };
    bool compatible =
        CanBeCompared(l, r) || (equality && (empty_vs_array(l, r) || empty_vs_array(r, l)));
    if (!compatible) {
      return ExprError("comparisons between {} and {} are not supported", TypeString(l),
                       TypeString(r));
    }
    if (l.kind == Typed::Kind::kValue) return CompareWithValue(Reverse(op), std::move(r), l.value);
    if (r.kind == Typed::Kind::kValue) return CompareWithValue(op, std::move(l), r.value);
    return CompareColumns(op, l, r);
  }

  // handleCompareRightValue.
  Result<Typed> CompareWithValue(CompareOp op, Typed left, const Value& raw) {
    DataType type = left.type;
    if (IsArray(type) && left.kind == Typed::Kind::kColumn && !left.column.path.empty()) {
      type = left.column.element_type;
    }
    QV_ASSIGN_OR_RETURN(Value value, CastValue(type, raw));
    if (left.kind == Typed::Kind::kArith) return ArithCompare(op, left, std::move(value));
    if (left.kind == Typed::Kind::kArrayLength) {
      auto n = MakeNode(NodeKind::kArrayLength);
      n->column = left.column;
      n->op = op;
      n->value = std::move(value);
      return FromNode(std::move(n));
    }
    if (left.kind != Typed::Kind::kColumn) {
      return ExprError("not supported to combine multiple fields");
    }
    auto n = MakeNode(NodeKind::kCompare);
    n->column = left.column;
    n->op = op;
    n->value = std::move(value);
    return FromNode(std::move(n));
  }

  // handleBinaryArithExpr / combineBinaryArithExpr.
  Result<Typed> ArithCompare(CompareOp op, const Typed& arith, Value value) {
    switch (arith.shape) {
      case Typed::Shape::kMultiField:
        return ExprError("not supported to do arithmetic operations between multiple fields");
      case Typed::Shape::kComplicated:
        return ExprError("complicated arithmetic operations are not supported");
      case Typed::Shape::kReversed:
        if (arith.arith != ArithOp::kAdd && arith.arith != ArithOp::kMul) {
          return ExprError("module field is not yet supported");
        }
        break;
      case Typed::Shape::kSimple:
        break;
    }
    QV_ASSIGN_OR_RETURN(Value operand, CastValue(arith.type, arith.operand));
    if ((arith.arith == ArithOp::kDiv || arith.arith == ArithOp::kMod) && operand.AsDouble() == 0) {
      return ExprError("division or modulus by zero");
    }
    auto n = MakeNode(NodeKind::kArithCompare);
    n->column = arith.column;
    n->arith_op = arith.arith;
    n->operand = std::move(operand);
    n->op = op;
    n->value = std::move(value);
    return FromNode(std::move(n));
  }

  Result<Typed> CompareColumns(CompareOp op, const Typed& l, const Typed& r) {
    if (l.kind != Typed::Kind::kColumn || r.kind != Typed::Kind::kColumn) {
      return ExprError("only comparison between two fields is supported");
    }
    if (IsArray(l.column.type) || IsArray(r.column.type)) {
      return ExprError("field-to-field comparison involving ARRAY fields is not supported");
    }
    if (IsJson(l.column.type) || IsJson(r.column.type)) {
      return ExprError("two column comparison with JSON type is not supported");
    }
    auto n = MakeNode(NodeKind::kColumnCompare);
    n->column = l.column;
    n->right_column = r.column;
    n->op = op;
    return FromNode(std::move(n));
  }

  Result<Typed> BindLogical(const Ast& a) {
    bool is_and = a.op == Tok::kAnd;
    QV_ASSIGN_OR_RETURN(Typed acc, Bind(*a.kids[0]));
    for (size_t k = 1; k < a.kids.size(); ++k) {
      QV_ASSIGN_OR_RETURN(Typed next, Bind(*a.kids[k]));
      QV_ASSIGN_OR_RETURN(acc, Combine(is_and, std::move(acc), std::move(next)));
    }
    return acc;
  }

  // VisitLogicalAnd / VisitLogicalOr for one pair (left-associative).
  Result<Typed> Combine(bool is_and, Typed l, Typed r) {
    const char* name = is_and ? "and" : "or";
    bool lv = l.kind == Typed::Kind::kValue, rv = r.kind == Typed::Kind::kValue;
    if (lv && rv) {
      if (l.value.kind != Value::Kind::kBool || r.value.kind != Value::Kind::kBool) {
        return ExprError("{} can only apply on boolean", name);
      }
      return FromValue(Value::Bool(is_and ? (l.value.b && r.value.b) : (l.value.b || r.value.b)));
    }
    if (lv || rv) {
      Typed& lit = lv ? l : r;
      Typed& other = lv ? r : l;
      if (lit.value.kind != Value::Kind::kBool) {
        return ExprError("'{}' can only be used between boolean expressions", name);
      }
      if (lit.value.b != is_and) {  // false and x, true or x
        return FromNode(MakeNode(is_and ? NodeKind::kAlwaysFalse : NodeKind::kAlwaysTrue));
      }
      if (!other.IsPredicate() && !(is_and && other.kind == Typed::Kind::kRandomSample)) {
        return ExprError("'{}' can only be used between boolean expressions", name);
      }
      return std::move(other);
    }
    if (!is_and && (l.kind == Typed::Kind::kRandomSample || r.kind == Typed::Kind::kRandomSample)) {
      return ExprError("random sample expression cannot be used in logical or expression");
    }
    if (l.kind == Typed::Kind::kRandomSample) {
      return ExprError(
          "random sample expression can only be the last expression in the logical and "
          "expression");
    }
    if (r.kind == Typed::Kind::kRandomSample) {
      if (!l.IsPredicate()) {
        return ExprError("'and' can only be used between boolean expressions");
      }
      r.node->children.push_back(std::move(l.node));
      return r;
    }
    if (!l.IsPredicate() || !r.IsPredicate()) {
      return ExprError("'{}' can only be used between boolean expressions", name);
    }
    NodeKind kind = is_and ? NodeKind::kAnd : NodeKind::kOr;
    if (l.node->kind == kind) {
      l.node->children.push_back(std::move(r.node));
      return l;
    }
    auto n = MakeNode(kind);
    n->children.push_back(std::move(l.node));
    n->children.push_back(std::move(r.node));
    return FromNode(std::move(n));
  }

  // castRangeValue.
  static Result<Value> CastRangeValue(DataType t, const Value& v) {
    if (IsString(t) && v.kind != Value::Kind::kString) {
      return ExprError("invalid range operations");
    }
    if (IsBool(t)) return ExprError("invalid range operations on boolean expr");
    if (IsInteger(t) && v.kind != Value::Kind::kInt) return ExprError("invalid range operations");
    if (IsFloating(t)) {
      if (!v.IsNumber()) return ExprError("invalid range operations");
      return Value::Float(v.AsDouble());
    }
    return v;
  }

  Result<Typed> BindRange(const Ast& a) {
    QV_ASSIGN_OR_RETURN(ColumnRef column, ResolvePath(*a.kids[1]));
    Typed col = ColumnTyped(column);
    QV_RETURN_IF_ERROR(CheckNotWholeArray(col));
    bool forward = a.op == Tok::kLt || a.op == Tok::kLe;
    const Ast& lower_ast = forward ? *a.kids[0] : *a.kids[2];
    const Ast& upper_ast = forward ? *a.kids[2] : *a.kids[0];
    QV_ASSIGN_OR_RETURN(Typed lower, Bind(lower_ast));
    QV_ASSIGN_OR_RETURN(Typed upper, Bind(upper_ast));
    if (lower.kind != Typed::Kind::kValue) {
      return ExprError("lowerbound cannot be a non-const expression: {}", Text(lower_ast));
    }
    if (upper.kind != Typed::Kind::kValue) {
      return ExprError("upperbound cannot be a non-const expression: {}", Text(upper_ast));
    }
    DataType type = IsArray(column.type) ? column.element_type : column.type;
    QV_ASSIGN_OR_RETURN(Value lo, CastRangeValue(type, lower.value));
    QV_ASSIGN_OR_RETURN(Value hi, CastRangeValue(type, upper.value));
    bool lo_inc = forward ? a.op == Tok::kLe : a.op2 == Tok::kGe;
    bool hi_inc = forward ? a.op2 == Tok::kLe : a.op == Tok::kGe;
    std::optional<bool> less = FoldCompare(CompareOp::kLt, lo, hi);
    std::optional<bool> equal = FoldCompare(CompareOp::kEq, lo, hi);
    if (!less || !equal) return ExprError("invalid range: bounds are not comparable");
    if ((!*less && !*equal) || (*equal && (!lo_inc || !hi_inc))) {
      return ExprError("invalid range: lowerbound is greater than upperbound");
    }
    auto n = MakeNode(NodeKind::kRange);
    n->column = std::move(column);
    n->lower = std::move(lo);
    n->upper = std::move(hi);
    n->lower_inclusive = lo_inc;
    n->upper_inclusive = hi_inc;
    return FromNode(std::move(n));
  }

  Result<Typed> BindTerm(const Ast& a) {
    QV_ASSIGN_OR_RETURN(Typed child, Bind(*a.kids[0]));
    if (child.kind == Typed::Kind::kValue) {
      return ExprError("'term' can only be used on non-const expression, but got: {}",
                       Text(*a.kids[0]));
    }
    if (child.kind != Typed::Kind::kColumn) {
      return ExprError("'term' can only be used on single field, but got: {}", Text(*a.kids[0]));
    }
    DataType type = child.column.type;
    if (IsArray(type) && !child.column.path.empty()) type = child.column.element_type;
    if (!(IsBool(type) || IsArithmetic(type) || IsString(type) || IsJson(type) || IsArray(type))) {
      return ExprError("term expression is not supported for data type {}", TypeName(type));
    }
    QV_ASSIGN_OR_RETURN(Typed list, Bind(*a.kids[1]));
    if (list.kind != Typed::Kind::kValue) {
      return ExprError("value '{}' in list cannot be a non-const expression", Text(*a.kids[1]));
    }
    if (list.value.kind != Value::Kind::kArray) {
      return ExprError("the right-hand side of 'in' must be a list, but got: {}", Text(*a.kids[1]));
    }
    auto n = MakeNode(NodeKind::kTerm);
    for (const Value& v : list.value.array) {
      auto cast = CastValue(type, v);
      if (!cast.ok()) {
        return ExprError("value '{}' in list cannot be casted to {}", v.ToString(), TypeName(type));
      }
      n->values.push_back(std::move(cast).value());
    }
    PrepareTermSets(type, n.get());
    n->column = child.column;
    if (a.negated) return FromNode(Negate(std::move(n)));
    return FromNode(std::move(n));
  }

  Result<Typed> BindLike(const Ast& a) {
    QV_ASSIGN_OR_RETURN(Typed left, Bind(*a.kids[0]));
    if (left.kind != Typed::Kind::kColumn) {
      return ExprError("like operation on complicated expr is unsupported");
    }
    QV_RETURN_IF_ERROR(CheckNotWholeArray(left));
    const ColumnRef& c = left.column;
    if (!IsString(c.type) && !IsJson(c.type) && !(IsArray(c.type) && IsString(c.element_type))) {
      return ExprError("like operation on non-string or no-json field is unsupported");
    }
    QV_ASSIGN_OR_RETURN(Typed pattern, Bind(*a.kids[1]));
    if (pattern.kind != Typed::Kind::kValue || pattern.value.kind != Value::Kind::kString) {
      return ExprError("like pattern should be a string literal or template variable, got: {}",
                       Text(*a.kids[1]));
    }
    QV_ASSIGN_OR_RETURN(LikePattern compiled, LikePattern::Compile(pattern.value.s));
    auto n = MakeNode(NodeKind::kLike);
    n->column = c;
    n->like = std::move(compiled);
    return FromNode(std::move(n));
  }

  Result<Typed> BindExists(const Ast& a) {
    QV_ASSIGN_OR_RETURN(Typed child, Bind(*a.kids[0]));
    if (child.kind != Typed::Kind::kColumn) {
      return ExprError("exists operations are only supported on single fields now, got: {}",
                       Text(*a.kids[0]));
    }
    if (!IsJson(child.column.type)) {
      return ExprError("exists operations are only supportted on json field, got:{}",
                       TypeName(child.column.type));
    }
    if (child.column.path.empty()) {
      return ExprError("exists operations are only supportted on json key");
    }
    auto n = MakeNode(NodeKind::kExists);
    n->column = child.column;
    return FromNode(std::move(n));
  }

  Result<Typed> BindIsNull(const Ast& a) {
    QV_ASSIGN_OR_RETURN(ColumnRef c, ResolvePath(*a.kids[0]));
    if (IsVector(c.type)) {
      return ExprError("IsNull/IsNotNull operations are not supported on vector fields");
    }
    if (!c.path.empty()) {
      if (IsArray(c.type)) {
        return ExprError(
            "IsNull/IsNotNull operations are not supported on array element access, got: {}",
            Text(a));
      }
      // JSON: `k is null` is `not exists k`, `k is not null` is `exists k`.
      auto n = MakeNode(NodeKind::kExists);
      n->column = std::move(c);
      return FromNode(a.negated ? std::move(n) : Negate(std::move(n)));
    }
    auto n = MakeNode(NodeKind::kNullCheck);
    n->column = std::move(c);
    n->is_null = !a.negated;
    return FromNode(std::move(n));
  }

  Result<Typed> BindCall(const Ast& a) {
    switch (a.call) {
      case Tok::kJsonContains:
      case Tok::kArrayContains:
        return BindContains(a, ContainsOp::kContains);
      case Tok::kJsonContainsAll:
      case Tok::kArrayContainsAll:
        return BindContains(a, ContainsOp::kContainsAll);
      case Tok::kJsonContainsAny:
      case Tok::kArrayContainsAny:
        return BindContains(a, ContainsOp::kContainsAny);
      case Tok::kArrayLength: {
        QV_ASSIGN_OR_RETURN(ColumnRef c, ResolvePath(*a.kids[0]));
        if (!IsJson(c.type) && !IsArray(c.type)) {
          return ExprError(
              "array_length operation are only supported on json, array or array-of-vector "
              "fields now, got: {}",
              Text(a));
        }
        if (IsArray(c.type) && !c.path.empty()) {
          return ExprError("array_length operation is not supported on array elements, got: {}",
                           Text(a));
        }
        Typed t;
        t.kind = Typed::Kind::kArrayLength;
        t.type = pb::Int64;
        t.column = std::move(c);
        return t;
      }
      case Tok::kTextMatch:
      case Tok::kPhraseMatch: {
        const char* name = a.call == Tok::kTextMatch ? "text_match" : "phrase_match";
        QV_ASSIGN_OR_RETURN(ColumnRef c, Resolve(a.kids[0]->name, /*allow_text=*/true));
        return ExprError("{} is not supported yet (field {})", name, c.name);
      }
      case Tok::kRandomSample: {
        QV_ASSIGN_OR_RETURN(Typed f, Bind(*a.kids[0]));
        if (f.kind != Typed::Kind::kValue || !f.value.IsNumber()) {
          return ExprError(
              "\"float factor\" should be a const float expression: \"float factor\" passed: {}",
              Text(*a.kids[0]));
        }
        double factor = f.value.kind == Value::Kind::kFloat ? f.value.f : 0;
        constexpr double kEpsilon = 1e-10;
        if (factor <= kEpsilon || factor >= 1 - kEpsilon) {
          return ExprError(
              "the sample factor should be between 0 and 1 and not too close to 0 or 1(the "
              "difference should be larger than 1e-10), but got {}",
              Text(*a.kids[0]));
        }
        Typed t;
        t.kind = Typed::Kind::kRandomSample;
        t.type = pb::Bool;
        t.node = MakeNode(NodeKind::kRandomSample);
        t.node->value = Value::Float(factor);
        return t;
      }
      default:
        return ExprError("function {} is not supported", a.name);
    }
  }

  Result<Typed> BindContains(const Ast& a, ContainsOp op) {
    const char* what = op == ContainsOp::kContains      ? "contains"
                       : op == ContainsOp::kContainsAll ? "contains_all"
                                                        : "contains_any";
    const char* op_name = op == ContainsOp::kContains      ? "Contains"
                          : op == ContainsOp::kContainsAll ? "ContainsAll"
                                                           : "ContainsAny";
    QV_ASSIGN_OR_RETURN(Typed col, Bind(*a.kids[0]));
    if (col.kind != Typed::Kind::kColumn || (!IsJson(col.type) && !IsArray(col.type))) {
      return ExprError("{} operation are only supported on json or array fields now, got: {}", what,
                       Text(*a.kids[0]));
    }
    if (IsArray(col.type) && !col.column.path.empty()) {
      return ExprError("{} operation is not supported on array elements, got: {}", what,
                       Text(*a.kids[0]));
    }
    QV_ASSIGN_OR_RETURN(Typed elem, Bind(*a.kids[1]));
    if (elem.kind != Typed::Kind::kValue) {
      return ExprError("{} operation are only supported explicitly specified element, got: {}",
                       what, Text(*a.kids[1]));
    }
    if (op != ContainsOp::kContains && elem.value.kind != Value::Kind::kArray) {
      return ExprError("{} operation element must be an array", op_name);
    }
    std::vector<Value> values;
    if (op == ContainsOp::kContains) {
      values.push_back(elem.value);
    } else {
      values = elem.value.array;
    }
    if (IsArray(col.type)) {
      DataType et = col.column.element_type;
      if (op == ContainsOp::kContains) {
        QV_ASSIGN_OR_RETURN(values[0], CastValue(et, values[0]));
      }
      for (Value& v : values) {
        if (!CanBeComparedDataType(et, v.Type())) {
          return ExprError("{} operation can't compare between array element type: {} and {}",
                           op_name, TypeName(et), TypeName(v.Type()));
        }
        if (IsFloating(et) && v.kind == Value::Kind::kInt) v = Value::Float(v.AsDouble());
      }
    }
    auto n = MakeNode(NodeKind::kContains);
    n->column = col.column;
    n->contains_op = op;
    n->values = std::move(values);
    return FromNode(std::move(n));
  }

  std::string_view expr_;
  const CollectionSchema& schema_;
  const TemplateValues* templates_;
  const FieldSchema* dynamic_ = nullptr;
};

void CollectFields(const Node& n, std::vector<int64_t>* out) {
  switch (n.kind) {
    case NodeKind::kAlwaysTrue:
    case NodeKind::kAlwaysFalse:
    case NodeKind::kNot:
    case NodeKind::kAnd:
    case NodeKind::kOr:
    case NodeKind::kRandomSample:
      break;
    case NodeKind::kColumnCompare:
      out->push_back(n.column.field_id);
      out->push_back(n.right_column.field_id);
      break;
    default:
      out->push_back(n.column.field_id);
  }
  for (const auto& c : n.children) CollectFields(*c, out);
}

const char* OpName(CompareOp op) {
  switch (op) {
    case CompareOp::kEq:
      return "==";
    case CompareOp::kNe:
      return "!=";
    case CompareOp::kLt:
      return "<";
    case CompareOp::kLe:
      return "<=";
    case CompareOp::kGt:
      return ">";
    case CompareOp::kGe:
      return ">=";
  }
  return "?";
}

std::string ColumnString(const ColumnRef& c) {
  std::string out = c.name;
  for (const std::string& k : c.path) out += "[" + k + "]";
  return out;
}

void Debug(const Node& n, std::string* out) {
  auto children = [&] {
    for (const auto& c : n.children) {
      *out += " ";
      Debug(*c, out);
    }
  };
  std::string col = ColumnString(n.column);
  switch (n.kind) {
    case NodeKind::kAlwaysTrue:
      *out += "true";
      return;
    case NodeKind::kAlwaysFalse:
      *out += "false";
      return;
    case NodeKind::kCompare:
      *out += fmt::format("({} {} {})", OpName(n.op), col, n.value.ToString());
      return;
    case NodeKind::kRange:
      *out +=
          fmt::format("(range {}{}, {}{} {})", n.lower_inclusive ? "[" : "(", n.lower.ToString(),
                      n.upper.ToString(), n.upper_inclusive ? "]" : ")", col);
      return;
    case NodeKind::kTerm:
      *out += fmt::format("(in {} {})", col, Value::Array(n.values).ToString());
      return;
    case NodeKind::kLike:
      *out += fmt::format("(like {})", col);
      return;
    case NodeKind::kArithCompare:
      *out += fmt::format("({} ({} {} {}) {})", OpName(n.op), ArithName(n.arith_op), col,
                          n.operand.ToString(), n.value.ToString());
      return;
    case NodeKind::kArrayLength:
      *out += fmt::format("({} (array_length {}) {})", OpName(n.op), col, n.value.ToString());
      return;
    case NodeKind::kColumnCompare:
      *out += fmt::format("({} {} {})", OpName(n.op), col, ColumnString(n.right_column));
      return;
    case NodeKind::kExists:
      *out += fmt::format("(exists {})", col);
      return;
    case NodeKind::kNullCheck:
      *out += fmt::format("({} {})", n.is_null ? "is_null" : "is_not_null", col);
      return;
    case NodeKind::kContains:
      *out += fmt::format("(contains{} {} {})",
                          n.contains_op == ContainsOp::kContains      ? ""
                          : n.contains_op == ContainsOp::kContainsAll ? "_all"
                                                                      : "_any",
                          col, Value::Array(n.values).ToString());
      return;
    case NodeKind::kNot:
      *out += "(not";
      break;
    case NodeKind::kAnd:
      *out += "(and";
      break;
    case NodeKind::kOr:
      *out += "(or";
      break;
    case NodeKind::kRandomSample:
      *out += fmt::format("(sample {}", n.value.f);
      break;
  }
  children();
  *out += ")";
}

bool IsBlank(std::string_view s) {
  for (char c : s) {
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r') return false;
  }
  return true;
}

}  // namespace

std::vector<int64_t> Plan::ReferencedFields() const {
  std::vector<int64_t> out;
  CollectFields(*root_, &out);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::string Plan::DebugString() const {
  std::string out;
  Debug(*root_, &out);
  return out;
}

Result<std::shared_ptr<const Plan>> ParseAndBind(std::string_view expr,
                                                 const CollectionSchema& schema,
                                                 const TemplateValues* templates) {
  if (IsBlank(expr)) {
    return std::shared_ptr<const Plan>(std::make_shared<Plan>(MakeNode(NodeKind::kAlwaysTrue)));
  }
  auto ast = Parse(expr);
  if (!ast.ok()) return WrapParseError(expr, ast.status());
  Binder binder(expr, schema, templates);
  auto root = binder.BindRoot(**ast);
  if (!root.ok()) return WrapParseError(expr, root.status());
  return std::shared_ptr<const Plan>(std::make_shared<Plan>(std::move(root).value()));
}

Result<ColumnRef> ResolveIdentifier(std::string_view identifier, const CollectionSchema& schema) {
  if (IsBlank(identifier)) return Status::InvalidArgument("empty identifier");
  auto ast = Parse(identifier);
  if (!ast.ok()) return WrapParseError(identifier, ast.status());
  Binder binder(identifier, schema, nullptr);
  auto ref = binder.BindIdentifier(**ast);
  if (!ref.ok()) return WrapParseError(identifier, ref.status());
  return ref;
}

}  // namespace quiver::expr
