// Evaluator: runs a bound Plan over a ColumnBatch. Each node is evaluated for the whole batch
// in one tight loop per column type (the operator and constant are dispatched once per node,
// not per row), producing a pair of bitsets: `value` (TRUE rows) and `valid` (rows whose result
// is known). Invariant: value is a subset of valid. Logical nodes combine the pairs with
// Kleene logic, as segcore's ThreeValuedLogicOp does. JSON columns are parsed once per
// Evaluate call and shared by every node reading the same field.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "expr/index_eval.h"
#include "expr/json_path.h"
#include "expr/plan.h"

namespace quiver::expr {
namespace {

namespace pb = milvus::proto::schema;
using nlohmann::json;

enum : uint8_t { kFalse = 0, kTrue = 1, kUnknown = 2 };

bool IsIntType(DataType t) {
  return t == pb::Int8 || t == pb::Int16 || t == pb::Int32 || t == pb::Int64;
}
bool IsStringType(DataType t) { return t == pb::String || t == pb::VarChar; }

struct Tri {
  Bitset value;
  Bitset valid;
  bool all_valid = true;  // when true, `valid` is unused
};

// Packs f(i) for rows [0, n) into out, 64 rows per word.
template <typename F>
void Fill(Bitset* out, int64_t n, F&& f) {
  uint64_t* w = out->words();
  for (int64_t base = 0; base < n; base += 64) {
    int64_t lim = std::min<int64_t>(64, n - base);
    uint64_t word = 0;
    for (int64_t j = 0; j < lim; ++j) word |= static_cast<uint64_t>(f(base + j) ? 1 : 0) << j;
    w[base >> 6] = word;
  }
}

// Per-row three-valued results (kFalse / kTrue / kUnknown).
template <typename F>
void FillTri(Tri* t, int64_t n, F&& f) {
  t->all_valid = false;
  uint64_t* v = t->value.words();
  uint64_t* ok = t->valid.words();
  for (int64_t base = 0; base < n; base += 64) {
    int64_t lim = std::min<int64_t>(64, n - base);
    uint64_t vw = 0, okw = 0;
    for (int64_t j = 0; j < lim; ++j) {
      uint8_t r = f(base + j);
      vw |= static_cast<uint64_t>(r == kTrue) << j;
      okw |= static_cast<uint64_t>(r != kUnknown) << j;
    }
    v[base >> 6] = vw;
    ok[base >> 6] = okw;
  }
}

template <typename A, typename B>
bool Cmp(CompareOp op, const A& a, const B& b) {
  switch (op) {
    case CompareOp::kEq:
      return a == b;
    case CompareOp::kNe:
      return a != b;
    case CompareOp::kLt:
      return a < b;
    case CompareOp::kLe:
      return a <= b;
    case CompareOp::kGt:
      return a > b;
    case CompareOp::kGe:
      return a >= b;
  }
  return false;
}

// The hot loop: `data[i] op v` with the operator hoisted out of the loop.
template <typename T, typename V>
void CompareLoop(const T* d, int64_t n, CompareOp op, const V& v, Bitset* out) {
  switch (op) {
    case CompareOp::kEq:
      Fill(out, n, [&](int64_t i) { return d[i] == v; });
      break;
    case CompareOp::kNe:
      Fill(out, n, [&](int64_t i) { return d[i] != v; });
      break;
    case CompareOp::kLt:
      Fill(out, n, [&](int64_t i) { return d[i] < v; });
      break;
    case CompareOp::kLe:
      Fill(out, n, [&](int64_t i) { return d[i] <= v; });
      break;
    case CompareOp::kGt:
      Fill(out, n, [&](int64_t i) { return d[i] > v; });
      break;
    case CompareOp::kGe:
      Fill(out, n, [&](int64_t i) { return d[i] >= v; });
      break;
  }
}

template <typename T, typename V>
void RangeLoop(const T* d, int64_t n, const V& lo, const V& hi, bool lo_inc, bool hi_inc,
               Bitset* out) {
  if (lo_inc && hi_inc) {
    Fill(out, n, [&](int64_t i) { return lo <= d[i] && d[i] <= hi; });
  } else if (lo_inc) {
    Fill(out, n, [&](int64_t i) { return lo <= d[i] && d[i] < hi; });
  } else if (hi_inc) {
    Fill(out, n, [&](int64_t i) { return lo < d[i] && d[i] <= hi; });
  } else {
    Fill(out, n, [&](int64_t i) { return lo < d[i] && d[i] < hi; });
  }
}

int64_t WrapArith(ArithOp op, int64_t a, int64_t b) {
  auto ua = static_cast<uint64_t>(a), ub = static_cast<uint64_t>(b);
  switch (op) {
    case ArithOp::kAdd:
      return static_cast<int64_t>(ua + ub);
    case ArithOp::kSub:
      return static_cast<int64_t>(ua - ub);
    case ArithOp::kMul:
      return static_cast<int64_t>(ua * ub);
    case ArithOp::kDiv:
      return b == -1 ? static_cast<int64_t>(0 - ua) : a / b;
    case ArithOp::kMod:
      return b == -1 ? 0 : a % b;
  }
  return 0;
}

double DoubleArith(ArithOp op, double a, double b) {
  switch (op) {
    case ArithOp::kAdd:
      return a + b;
    case ArithOp::kSub:
      return a - b;
    case ArithOp::kMul:
      return a * b;
    case ArithOp::kDiv:
      return a / b;
    case ArithOp::kMod:
      return std::fmod(a, b);
  }
  return 0;
}

// JSON value equals a constant: numbers compare across int/float.
bool JsonEquals(const json& j, const Value& v) {
  switch (v.kind) {
    case Value::Kind::kInt: {
      int64_t x = 0;
      if (JsonInt(j, &x)) return x == v.i;
      if (j.is_number()) return j.get<double>() == static_cast<double>(v.i);
      return false;
    }
    case Value::Kind::kFloat:
      return j.is_number() && j.get<double>() == v.f;
    case Value::Kind::kString:
      return j.is_string() && j.get_ref<const std::string&>() == v.s;
    case Value::Kind::kBool:
      return j.is_boolean() && j.get<bool>() == v.b;
    case Value::Kind::kArray: {
      if (!j.is_array() || j.size() != v.array.size()) return false;
      for (size_t k = 0; k < v.array.size(); ++k) {
        if (!JsonEquals(j[k], v.array[k])) return false;
      }
      return true;
    }
    case Value::Kind::kNull:
      return j.is_null();
  }
  return false;
}

// JSON value `op` constant; kUnknown when the JSON value has another type than the constant.
uint8_t JsonCompare(const json& j, CompareOp op, const Value& v) {
  switch (v.kind) {
    case Value::Kind::kInt: {
      int64_t x = 0;
      if (JsonInt(j, &x)) return Cmp(op, x, v.i);
      if (j.is_number()) return Cmp(op, j.get<double>(), static_cast<double>(v.i));
      return kUnknown;
    }
    case Value::Kind::kFloat:
      if (j.is_number()) return Cmp(op, j.get<double>(), v.f);
      return kUnknown;
    case Value::Kind::kString:
      if (j.is_string())
        return Cmp(op, std::string_view(j.get_ref<const std::string&>()), std::string_view(v.s));
      return kUnknown;
    case Value::Kind::kBool:
      if (j.is_boolean()) return Cmp(op, j.get<bool>(), v.b);
      return kUnknown;
    case Value::Kind::kArray:
      if (!j.is_array()) return kUnknown;
      if (op == CompareOp::kEq) return JsonEquals(j, v);
      if (op == CompareOp::kNe) return !JsonEquals(j, v);
      return kUnknown;
    case Value::Kind::kNull:
      return kUnknown;
  }
  return kUnknown;
}

// One element of an ARRAY row, viewed as a constant for generic comparisons.
Value ArrayElement(const ArrayData& a, size_t idx) {
  switch (a.element_type) {
    case pb::Bool:
      return Value::Bool(a.bools[idx] != 0);
    case pb::Float:
    case pb::Double:
      return Value::Float(a.doubles[idx]);
    case pb::String:
    case pb::VarChar:
      return Value::String(a.strings[idx]);
    default:
      return Value::Int(a.ints[idx]);
  }
}

// Element `op` constant, for an element type and a constant already cast to it.
uint8_t ElementCompare(const ArrayData& a, size_t idx, CompareOp op, const Value& v) {
  switch (a.element_type) {
    case pb::Bool:
      return Cmp(op, a.bools[idx] != 0, v.b);
    case pb::Float:
      return Cmp(op, a.doubles[idx], static_cast<double>(static_cast<float>(v.AsDouble())));
    case pb::Double:
      return Cmp(op, a.doubles[idx], v.AsDouble());
    case pb::String:
    case pb::VarChar:
      return Cmp(op, std::string_view(a.strings[idx]), std::string_view(v.s));
    default:
      if (v.kind == Value::Kind::kInt) return Cmp(op, a.ints[idx], v.i);
      return Cmp(op, static_cast<double>(a.ints[idx]), v.AsDouble());
  }
}

// Top-level key lookup in JSON object text without building the whole document: most JSON
// predicates read one key of small documents, and parsing only that value is several times
// cheaper. Input text was validated at insert time.
size_t SkipWs(std::string_view s, size_t i) {
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) ++i;
  return i;
}

// `i` at an opening quote; moves past the closing one. Sets *escaped when the string has escapes.
bool SkipString(std::string_view s, size_t* i, bool* escaped) {
  for (size_t j = *i + 1; j < s.size(); ++j) {
    if (s[j] == '\\') {
      *escaped = true;
      ++j;
    } else if (s[j] == '"') {
      *i = j + 1;
      return true;
    }
  }
  return false;
}

// `i` at a value; moves past it.
bool SkipValue(std::string_view s, size_t* i) {
  if (*i >= s.size()) return false;
  bool escaped = false;
  if (s[*i] == '"') return SkipString(s, i, &escaped);
  if (s[*i] == '{' || s[*i] == '[') {
    int depth = 0;
    for (size_t j = *i; j < s.size(); ++j) {
      char c = s[j];
      if (c == '"') {
        if (!SkipString(s, &j, &escaped)) return false;
        --j;  // the loop's ++j lands after the string
      } else if (c == '{' || c == '[') {
        ++depth;
      } else if (c == '}' || c == ']') {
        if (--depth == 0) {
          *i = j + 1;
          return true;
        }
      }
    }
    return false;
  }
  size_t j = *i;
  while (j < s.size() && s[j] != ',' && s[j] != '}' && s[j] != ']' && s[j] != ' ' && s[j] != '\t' &&
         s[j] != '\n' && s[j] != '\r') {
    ++j;
  }
  if (j == *i) return false;
  *i = j;
  return true;
}

enum class Lookup { kFound, kMissing, kFallback };

// The text of the last top-level `key` of the object in `s` (JSON keeps the last duplicate).
Lookup FindTopLevel(std::string_view s, const std::string& key, std::string_view* value) {
  size_t i = SkipWs(s, 0);
  if (i >= s.size() || s[i] != '{') return Lookup::kFallback;
  i = SkipWs(s, i + 1);
  Lookup found = Lookup::kMissing;
  if (i < s.size() && s[i] == '}') return found;
  while (i < s.size()) {
    if (s[i] != '"') return Lookup::kFallback;
    size_t start = i + 1;
    bool escaped = false;
    if (!SkipString(s, &i, &escaped) || escaped) return Lookup::kFallback;
    std::string_view k = s.substr(start, i - 1 - start);
    i = SkipWs(s, i);
    if (i >= s.size() || s[i] != ':') return Lookup::kFallback;
    i = SkipWs(s, i + 1);
    size_t vstart = i;
    if (!SkipValue(s, &i)) return Lookup::kFallback;
    if (k == key) {
      *value = s.substr(vstart, i - vstart);
      found = Lookup::kFound;
    }
    i = SkipWs(s, i);
    if (i < s.size() && s[i] == ',') {
      i = SkipWs(s, i + 1);
      continue;
    }
    if (i < s.size() && s[i] == '}') return found;
    return Lookup::kFallback;
  }
  return Lookup::kFallback;
}

// Whether an index of the batch answers leaf `n` (so its column need not be read).
bool IndexAnswers(const ColumnBatch& batch, const Node& n) {
  if (n.kind == NodeKind::kAlwaysTrue || n.kind == NodeKind::kAlwaysFalse) return false;
  const ColumnIndex* ix = batch.FindIndex(n.column.field_id, n.column.path);
  return ix != nullptr && AnswerFromIndex(n, *ix->index, batch.row_count, nullptr);
}

void CollectNeeded(const ColumnBatch& batch, const Node& n, std::vector<int64_t>* out) {
  switch (n.kind) {
    case NodeKind::kAlwaysTrue:
    case NodeKind::kAlwaysFalse:
      return;
    case NodeKind::kNot:
    case NodeKind::kAnd:
    case NodeKind::kOr:
    case NodeKind::kRandomSample:
      for (const auto& c : n.children) CollectNeeded(batch, *c, out);
      return;
    default:
      break;
  }
  if (IndexAnswers(batch, n)) return;
  out->push_back(n.column.field_id);
  if (n.kind == NodeKind::kColumnCompare) out->push_back(n.right_column.field_id);
}

class Evaluator {
 public:
  explicit Evaluator(const ColumnBatch& batch) : batch_(batch), n_(batch.row_count) {}
  const EvalStats& stats() const { return stats_; }

  Result<Tri> Eval(const Node& node) {
    Tri t = NewTri();
    switch (node.kind) {
      case NodeKind::kAlwaysTrue:
        t.value.SetAll(true);
        return t;
      case NodeKind::kAlwaysFalse:
        return t;
      case NodeKind::kNot: {
        QV_ASSIGN_OR_RETURN(Tri c, Eval(*node.children[0]));
        c.value.Flip();
        if (!c.all_valid) c.value &= c.valid;
        return c;
      }
      case NodeKind::kAnd:
      case NodeKind::kOr: {
        bool is_and = node.kind == NodeKind::kAnd;
        // Cheap children first; each later child only has to be right on the rows the ones
        // before left undecided (FALSE decides an AND, TRUE an OR, whatever the rest say), so
        // JSON documents are parsed only for those rows.
        std::vector<const Node*> order;
        for (const auto& c : node.children) order.push_back(c.get());
        if (!HasSample(node)) {
          std::stable_sort(order.begin(), order.end(),
                           [&](const Node* a, const Node* b) { return Cost(*a) < Cost(*b); });
        }
        const Bitset* outer = need_;
        Bitset need;
        QV_ASSIGN_OR_RETURN(Tri acc, Eval(*order[0]));
        Status st;
        for (size_t k = 1; k < order.size() && st.ok(); ++k) {
          // Short-circuit: once every row is decided, later children cannot change the result.
          if (acc.all_valid && (is_and ? acc.value.None() : acc.value.All())) break;
          need = Decided(is_and, acc);
          need.Flip();
          if (outer != nullptr) need &= *outer;
          need_ = &need;
          auto next = Eval(*order[k]);
          if (!next.ok()) {
            st = next.TakeStatus();
            break;
          }
          Combine(is_and, &acc, *next);
        }
        need_ = outer;
        QV_RETURN_IF_ERROR(st);
        return acc;
      }
      case NodeKind::kRandomSample:
        return Sample(node);
      default:
        break;
    }
    if (const ColumnIndex* ix = batch_.FindIndex(node.column.field_id, node.column.path)) {
      IndexAnswer a;
      if (AnswerFromIndex(node, *ix->index, n_, &a)) {
        ++stats_.index_leaves;
        t.value = std::move(a.value);
        t.all_valid = a.all_valid;
        if (!a.all_valid) t.valid = std::move(a.valid);
        return t;
      }
    }
    ++stats_.scanned_leaves;
    QV_ASSIGN_OR_RETURN(const Column* col, Col(node.column));
    switch (node.kind) {
      case NodeKind::kCompare:
        QV_RETURN_IF_ERROR(EvalCompare(node, *col, &t));
        break;
      case NodeKind::kRange:
        QV_RETURN_IF_ERROR(EvalRange(node, *col, &t));
        break;
      case NodeKind::kTerm:
        QV_RETURN_IF_ERROR(EvalTerm(node, *col, &t));
        break;
      case NodeKind::kLike:
        QV_RETURN_IF_ERROR(EvalLike(node, *col, &t));
        break;
      case NodeKind::kArithCompare:
        QV_RETURN_IF_ERROR(EvalArith(node, *col, &t));
        break;
      case NodeKind::kArrayLength:
        QV_RETURN_IF_ERROR(EvalArrayLength(node, *col, &t));
        break;
      case NodeKind::kColumnCompare: {
        QV_ASSIGN_OR_RETURN(const Column* right, Col(node.right_column));
        QV_RETURN_IF_ERROR(EvalColumnCompare(node, *col, *right, &t));
        break;
      }
      case NodeKind::kExists: {
        const auto& docs = Docs(node.column.field_id, *col, node.column.path);
        Fill(&t.value, n_, [&](int64_t i) {
          const json* j = At(docs, i, node.column.path);
          return j != nullptr && !j->is_null() && !col->IsNull(i);
        });
        return t;  // always known
      }
      case NodeKind::kNullCheck:
        if (col->valid.empty()) {
          t.value.SetAll(!node.is_null);
        } else {
          Fill(&t.value, n_, [&](int64_t i) { return (col->valid[i] != 0) != node.is_null; });
        }
        return t;  // always known
      case NodeKind::kContains:
        QV_RETURN_IF_ERROR(EvalContains(node, *col, &t));
        break;
      default:
        return Status::Internal("unexpected plan node");
    }
    ApplyNulls(*col, &t);
    return t;
  }

 private:
  Tri NewTri() const {
    Tri t;
    t.value.Resize(n_);
    t.valid.Resize(n_, true);
    return t;
  }

  static void Combine(bool is_and, Tri* a, const Tri& b) {
    if (a->all_valid && b.all_valid) {
      if (is_and) {
        a->value &= b.value;
      } else {
        a->value |= b.value;
      }
      return;
    }
    // Known-false rows (valid & ~value) decide AND; known-true rows decide OR.
    uint64_t* av = a->value.words();
    uint64_t* aok = a->valid.words();
    const uint64_t* bv = b.value.words();
    const uint64_t* bok = b.valid.words();
    const uint64_t all = ~uint64_t{0};
    const bool a_all = a->all_valid, b_all = b.all_valid;
    const size_t words = a->value.word_count();
    for (size_t k = 0; k < words; ++k) {
      uint64_t x = av[k], xo = a_all ? all : aok[k];
      uint64_t y = bv[k], yo = b_all ? all : bok[k];
      if (is_and) {
        av[k] = x & y;
        aok[k] = (xo & yo) | (xo & ~x) | (yo & ~y);
      } else {
        av[k] = x | y;
        aok[k] = (xo & yo) | x | y;
      }
    }
    a->all_valid = false;
    // Keep the bits past the last row clear.
    int64_t size = a->value.size();
    if (size % 64 != 0 && words > 0) aok[words - 1] &= (uint64_t{1} << (size % 64)) - 1;
  }

  // Null rows of the column are UNKNOWN.
  void ApplyNulls(const Column& c, Tri* t) const {
    if (c.valid.empty()) return;
    Bitset v(n_);
    Fill(&v, n_, [&](int64_t i) { return c.valid[i] != 0; });
    if (t->all_valid) {
      t->valid = std::move(v);
      t->all_valid = false;
    } else {
      t->valid &= v;
    }
    t->value &= t->valid;
  }

  Result<const Column*> Col(const ColumnRef& ref) const {
    auto it = batch_.columns.find(ref.field_id);
    if (it == batch_.columns.end()) {
      return Status::InvalidArgument("batch has no column for field {} ({})", ref.field_id,
                                     ref.name);
    }
    const Column& c = it->second;
    bool same = c.type == ref.type || (IsIntType(c.type) && IsIntType(ref.type)) ||
                (IsStringType(c.type) && IsStringType(ref.type));
    if (!same || c.Size() != n_ ||
        (!c.valid.empty() && static_cast<int64_t>(c.valid.size()) != n_)) {
      return Status::InvalidArgument(
          "column of field {} ({}) is {} with {} rows; plan expects {} with {} rows", ref.field_id,
          ref.name, TypeName(c.type), c.Size(), TypeName(ref.type), n_);
    }
    if (c.type == pb::Array && c.array.element_type != ref.element_type &&
        !(IsIntType(c.array.element_type) && IsIntType(ref.element_type)) &&
        !(IsStringType(c.array.element_type) && IsStringType(ref.element_type))) {
      return Status::InvalidArgument("array field {} has element type {}, schema says {}",
                                     ref.field_id, TypeName(c.array.element_type),
                                     TypeName(ref.element_type));
    }
    return &c;
  }

  // The parsed documents of a JSON column for reading `path`: every row that matters now
  // (need_) is parsed, once per Evaluate call and first key; rows no node needed stay JSON null.
  // With a path, only the first key's value is parsed where the text allows (`by_key` rows
  // hold that value, or nothing when the key is absent); other rows hold the whole document.
  struct ParsedDocs {
    std::vector<json> docs;
    Bitset parsed;
    Bitset by_key;   // docs[i] is the first key's value
    Bitset missing;  // by_key row without the key
  };
  const ParsedDocs& Docs(int64_t field_id, const Column& c, const std::vector<std::string>& path) {
    const std::string key = path.empty() ? std::string() : path[0];
    ParsedDocs& d = docs_[{field_id, key}];
    if (d.docs.empty() && n_ > 0) {
      d.docs.resize(n_);
      d.parsed.Resize(n_);
      d.by_key.Resize(n_);
      d.missing.Resize(n_);
    }
    for (int64_t i = 0; i < n_; ++i) {
      if (d.parsed.Test(i) || (need_ != nullptr && !need_->Test(i))) continue;
      d.parsed.Set(i);
      if (c.IsNull(i)) continue;
      const std::string& text = c.strings[i];
      if (!path.empty()) {
        std::string_view value;
        Lookup found = FindTopLevel(text, key, &value);
        if (found == Lookup::kMissing) {
          d.by_key.Set(i);
          d.missing.Set(i);
          continue;
        }
        if (found == Lookup::kFound) {
          json v = json::parse(value, nullptr, /*allow_exceptions=*/false);
          if (!v.is_discarded()) {
            d.by_key.Set(i);
            d.docs[i] = std::move(v);
            continue;
          }
        }
      }
      d.docs[i] = ParseJsonOrNull(text);
    }
    return d;
  }

  // The value at `path` in row i of `d` (null pointer when absent).
  static const json* At(const ParsedDocs& d, int64_t i, const std::vector<std::string>& path) {
    if (!d.by_key.Test(i)) return ResolveJsonPath(d.docs[i], path);
    if (d.missing.Test(i)) return nullptr;
    return ResolveJsonPath(d.docs[i], path, 1);
  }

  // Rows whose result `acc` already decides for an AND (definitely FALSE) or an OR (TRUE).
  static Bitset Decided(bool is_and, const Tri& acc) {
    Bitset out = acc.value;
    if (is_and) {
      out.Flip();  // not TRUE
      if (!acc.all_valid) out &= acc.valid;  // and known: FALSE
    }
    return out;
  }

  // Relative cost of evaluating a node: JSON documents are parsed, arrays walked, patterns
  // matched; typed columns are a tight loop.
  int Cost(const Node& n) const {
    if (n.children.empty() && IndexAnswers(batch_, n)) return 0;
    int own = 0;
    switch (n.column.type) {
      case pb::JSON: own = 20; break;
      case pb::Array: own = 5; break;
      default: own = n.kind == NodeKind::kLike ? 3 : 1; break;
    }
    for (const auto& c : n.children) own += Cost(*c);
    return own;
  }

  static bool HasSample(const Node& n) {
    if (n.kind == NodeKind::kRandomSample) return true;
    for (const auto& c : n.children) {
      if (HasSample(*c)) return true;
    }
    return false;
  }

  // Per-row JSON evaluation: missing path / JSON null is UNKNOWN; f sees the value at the path.
  template <typename F>
  void EachJson(const ColumnRef& ref, const Column& c, Tri* t, F&& f) {
    const auto& docs = Docs(ref.field_id, c, ref.path);
    FillTri(t, n_, [&](int64_t i) -> uint8_t {
      if (c.IsNull(i)) return kUnknown;
      const json* j = At(docs, i, ref.path);
      if (j == nullptr || j->is_null()) return kUnknown;
      return f(*j);
    });
  }

  // Per-row ARRAY element evaluation: an index past the end is UNKNOWN.
  template <typename F>
  void EachElement(const ColumnRef& ref, const Column& c, Tri* t, F&& f) {
    size_t idx = 0;
    bool ok = ParseIndex(ref.path[0], &idx);
    const ArrayData& a = c.array;
    FillTri(t, n_, [&](int64_t i) -> uint8_t {
      if (!ok || static_cast<int64_t>(idx) >= a.Length(i)) return kUnknown;
      return f(a.offsets[i] + idx);
    });
  }

  Status EvalCompare(const Node& node, const Column& c, Tri* t) {
    const Value& v = node.value;
    const ColumnRef& ref = node.column;
    switch (c.type) {
      case pb::Bool:
        CompareLoop(c.bools.data(), n_, node.op, static_cast<uint8_t>(v.b), &t->value);
        return Status::Ok();
      case pb::Int8:
      case pb::Int16:
      case pb::Int32:
      case pb::Int64:
        CompareLoop(c.ints.data(), n_, node.op, v.i, &t->value);
        return Status::Ok();
      case pb::Float:
        CompareLoop(c.floats.data(), n_, node.op, static_cast<float>(v.AsDouble()), &t->value);
        return Status::Ok();
      case pb::Double:
        CompareLoop(c.doubles.data(), n_, node.op, v.AsDouble(), &t->value);
        return Status::Ok();
      case pb::String:
      case pb::VarChar:
        CompareLoop(c.strings.data(), n_, node.op, std::string_view(v.s), &t->value);
        return Status::Ok();
      case pb::JSON:
        EachJson(ref, c, t, [&](const json& j) { return JsonCompare(j, node.op, v); });
        return Status::Ok();
      case pb::Array:
        if (!ref.path.empty()) {
          EachElement(ref, c, t, [&](size_t e) { return ElementCompare(c.array, e, node.op, v); });
        } else {
          // Whole-array equality (binder allows only == and !=).
          bool eq = node.op == CompareOp::kEq;
          Fill(&t->value, n_, [&](int64_t i) {
            const ArrayData& a = c.array;
            bool same = static_cast<size_t>(a.Length(i)) == v.array.size();
            for (size_t k = 0; same && k < v.array.size(); ++k) {
              same = ArrayElement(a, a.offsets[i] + k) == v.array[k];
            }
            return same == eq;
          });
        }
        return Status::Ok();
      default:
        return Status::InvalidArgument("unsupported column type {}", TypeName(c.type));
    }
  }

  Status EvalRange(const Node& node, const Column& c, Tri* t) {
    const Value &lo = node.lower, &hi = node.upper;
    bool li = node.lower_inclusive, hi_inc = node.upper_inclusive;
    switch (c.type) {
      case pb::Int8:
      case pb::Int16:
      case pb::Int32:
      case pb::Int64:
        RangeLoop(c.ints.data(), n_, lo.i, hi.i, li, hi_inc, &t->value);
        break;
      case pb::Float:
        RangeLoop(c.floats.data(), n_, static_cast<float>(lo.AsDouble()),
                  static_cast<float>(hi.AsDouble()), li, hi_inc, &t->value);
        break;
      case pb::Double:
        RangeLoop(c.doubles.data(), n_, lo.AsDouble(), hi.AsDouble(), li, hi_inc, &t->value);
        break;
      case pb::String:
      case pb::VarChar:
        RangeLoop(c.strings.data(), n_, std::string_view(lo.s), std::string_view(hi.s), li, hi_inc,
                  &t->value);
        break;
      case pb::JSON:
        EachJson(node.column, c, t, [&](const json& j) -> uint8_t {
          uint8_t a = JsonCompare(j, li ? CompareOp::kGe : CompareOp::kGt, lo);
          uint8_t b = JsonCompare(j, hi_inc ? CompareOp::kLe : CompareOp::kLt, hi);
          if (a == kUnknown || b == kUnknown) return kUnknown;
          return a && b;
        });
        break;
      case pb::Array:
        EachElement(node.column, c, t, [&](size_t e) -> uint8_t {
          uint8_t a = ElementCompare(c.array, e, li ? CompareOp::kGe : CompareOp::kGt, lo);
          uint8_t b = ElementCompare(c.array, e, hi_inc ? CompareOp::kLe : CompareOp::kLt, hi);
          return a && b;
        });
        break;
      default:
        return Status::InvalidArgument("unsupported column type {}", TypeName(c.type));
    }
    return Status::Ok();
  }

  Status EvalTerm(const Node& node, const Column& c, Tri* t) {
    const std::vector<Value>& vals = node.values;
    switch (c.type) {
      case pb::Bool: {
        bool has_true = false, has_false = false;
        for (const Value& v : vals) (v.b ? has_true : has_false) = true;
        Fill(&t->value, n_, [&](int64_t i) { return c.bools[i] ? has_true : has_false; });
        break;
      }
      case pb::Int8:
      case pb::Int16:
      case pb::Int32:
      case pb::Int64: {
        const std::vector<int64_t>& set = node.int_set;
        const int64_t* d = c.ints.data();
        if (set.size() <= 8) {
          Fill(&t->value, n_, [&](int64_t i) {
            bool hit = false;
            for (int64_t s : set) hit |= d[i] == s;
            return hit;
          });
        } else {
          Fill(&t->value, n_,
               [&](int64_t i) { return std::binary_search(set.begin(), set.end(), d[i]); });
        }
        break;
      }
      case pb::Float: {
        // NaN equals nothing (a binary search would find it "equal" to any element).
        const std::vector<double>& set = node.double_set;
        Fill(&t->value, n_, [&](int64_t i) {
          const auto x = static_cast<double>(c.floats[i]);
          return x == x && std::binary_search(set.begin(), set.end(), x);
        });
        break;
      }
      case pb::Double: {
        const std::vector<double>& set = node.double_set;
        Fill(&t->value, n_, [&](int64_t i) {
          const double x = c.doubles[i];
          return x == x && std::binary_search(set.begin(), set.end(), x);
        });
        break;
      }
      case pb::String:
      case pb::VarChar: {
        const std::unordered_set<std::string>& set = node.string_set;
        Fill(&t->value, n_, [&](int64_t i) { return set.count(c.strings[i]) > 0; });
        break;
      }
      case pb::JSON:
        EachJson(node.column, c, t, [&](const json& j) -> uint8_t {
          for (const Value& v : vals) {
            if (JsonEquals(j, v)) return kTrue;
          }
          return kFalse;
        });
        break;
      case pb::Array:
        if (!node.column.path.empty()) {
          EachElement(node.column, c, t, [&](size_t e) -> uint8_t {
            for (const Value& v : vals) {
              if (ElementCompare(c.array, e, CompareOp::kEq, v) == kTrue) return kTrue;
            }
            return kFalse;
          });
        } else {
          Fill(&t->value, n_, [&](int64_t i) {
            const ArrayData& a = c.array;
            for (const Value& v : vals) {
              bool same = static_cast<size_t>(a.Length(i)) == v.array.size();
              for (size_t k = 0; same && k < v.array.size(); ++k) {
                same = ArrayElement(a, a.offsets[i] + k) == v.array[k];
              }
              if (same) return true;
            }
            return false;
          });
        }
        break;
      default:
        return Status::InvalidArgument("unsupported column type {}", TypeName(c.type));
    }
    return Status::Ok();
  }

  template <typename Get>
  void LikeLoop(const LikePattern& p, Get&& get, Bitset* out) {
    const std::string& lit = p.literal();
    switch (p.kind()) {
      case LikePattern::Kind::kEqual:
        Fill(out, n_, [&](int64_t i) { return get(i) == lit; });
        break;
      case LikePattern::Kind::kPrefix:
        Fill(out, n_, [&](int64_t i) { return std::string_view(get(i)).starts_with(lit); });
        break;
      case LikePattern::Kind::kPostfix:
        Fill(out, n_, [&](int64_t i) { return std::string_view(get(i)).ends_with(lit); });
        break;
      case LikePattern::Kind::kInner:
        Fill(out, n_, [&](int64_t i) {
          return std::string_view(get(i)).find(lit) != std::string_view::npos;
        });
        break;
      case LikePattern::Kind::kMatch:
        Fill(out, n_, [&](int64_t i) { return p.Matches(get(i)); });
        break;
    }
  }

  Status EvalLike(const Node& node, const Column& c, Tri* t) {
    const LikePattern& p = node.like;
    switch (c.type) {
      case pb::String:
      case pb::VarChar:
        LikeLoop(
            p, [&](int64_t i) -> const std::string& { return c.strings[i]; }, &t->value);
        break;
      case pb::JSON:
        EachJson(node.column, c, t, [&](const json& j) -> uint8_t {
          if (!j.is_string()) return kUnknown;
          return p.Matches(j.get_ref<const std::string&>());
        });
        break;
      case pb::Array:
        EachElement(node.column, c, t,
                    [&](size_t e) -> uint8_t { return p.Matches(c.array.strings[e]); });
        break;
      default:
        return Status::InvalidArgument("unsupported column type {}", TypeName(c.type));
    }
    return Status::Ok();
  }

  Status EvalArith(const Node& node, const Column& c, Tri* t) {
    ArithOp aop = node.arith_op;
    CompareOp op = node.op;
    const Value &operand = node.operand, &v = node.value;
    switch (c.type) {
      case pb::Int8:
      case pb::Int16:
      case pb::Int32:
      case pb::Int64: {
        const int64_t* d = c.ints.data();
        int64_t b = operand.i, target = v.i;
        Fill(&t->value, n_, [&](int64_t i) { return Cmp(op, WrapArith(aop, d[i], b), target); });
        break;
      }
      case pb::Float:
        Fill(&t->value, n_, [&](int64_t i) {
          return Cmp(op, DoubleArith(aop, c.floats[i], operand.AsDouble()), v.AsDouble());
        });
        break;
      case pb::Double:
        Fill(&t->value, n_, [&](int64_t i) {
          return Cmp(op, DoubleArith(aop, c.doubles[i], operand.AsDouble()), v.AsDouble());
        });
        break;
      case pb::JSON:
        EachJson(node.column, c, t, [&](const json& j) -> uint8_t {
          if (!j.is_number()) return kUnknown;
          int64_t x = 0;
          bool ints = JsonInt(j, &x) && operand.kind == Value::Kind::kInt;
          if (aop == ArithOp::kMod && !ints) return kUnknown;
          if (ints) {
            int64_t r = WrapArith(aop, x, operand.i);
            if (v.kind == Value::Kind::kInt) return Cmp(op, r, v.i);
            return Cmp(op, static_cast<double>(r), v.AsDouble());
          }
          return Cmp(op, DoubleArith(aop, j.get<double>(), operand.AsDouble()), v.AsDouble());
        });
        break;
      case pb::Array:
        EachElement(node.column, c, t, [&](size_t e) -> uint8_t {
          const ArrayData& a = c.array;
          if (IsIntType(a.element_type)) {
            return Cmp(op, WrapArith(aop, a.ints[e], operand.i), v.i);
          }
          if (a.element_type == pb::Float || a.element_type == pb::Double) {
            return Cmp(op, DoubleArith(aop, a.doubles[e], operand.AsDouble()), v.AsDouble());
          }
          return kUnknown;
        });
        break;
      default:
        return Status::InvalidArgument("unsupported column type {}", TypeName(c.type));
    }
    return Status::Ok();
  }

  Status EvalArrayLength(const Node& node, const Column& c, Tri* t) {
    int64_t target = node.value.i;
    if (c.type == pb::Array) {
      const uint32_t* off = c.array.offsets.data();
      Fill(&t->value, n_, [&](int64_t i) {
        return Cmp(node.op, static_cast<int64_t>(off[i + 1] - off[i]), target);
      });
      return Status::Ok();
    }
    EachJson(node.column, c, t, [&](const json& j) -> uint8_t {
      if (!j.is_array()) return kUnknown;
      return Cmp(node.op, static_cast<int64_t>(j.size()), target);
    });
    return Status::Ok();
  }

  Status EvalColumnCompare(const Node& node, const Column& l, const Column& r, Tri* t) {
    CompareOp op = node.op;
    auto num = [](const Column& c, int64_t i) -> double {
      switch (c.type) {
        case pb::Float:
          return c.floats[i];
        case pb::Double:
          return c.doubles[i];
        case pb::Bool:
          return c.bools[i];
        default:
          return static_cast<double>(c.ints[i]);
      }
    };
    if (IsStringType(l.type) && IsStringType(r.type)) {
      Fill(&t->value, n_, [&](int64_t i) { return Cmp(op, l.strings[i], r.strings[i]); });
    } else if (IsIntType(l.type) && IsIntType(r.type)) {
      Fill(&t->value, n_, [&](int64_t i) { return Cmp(op, l.ints[i], r.ints[i]); });
    } else if (l.type == pb::Bool && r.type == pb::Bool) {
      Fill(&t->value, n_, [&](int64_t i) { return Cmp(op, l.bools[i], r.bools[i]); });
    } else if (!IsStringType(l.type) && !IsStringType(r.type)) {
      Fill(&t->value, n_, [&](int64_t i) { return Cmp(op, num(l, i), num(r, i)); });
    } else {
      return Status::InvalidArgument("cannot compare {} with {}", TypeName(l.type),
                                     TypeName(r.type));
    }
    ApplyNulls(r, t);
    return Status::Ok();
  }

  Status EvalContains(const Node& node, const Column& c, Tri* t) {
    const std::vector<Value>& vals = node.values;
    ContainsOp cop = node.contains_op;
    // Row "has" a value when any of its elements equals it; combine per contains op.
    auto decide = [&](auto&& has) -> bool {
      if (cop == ContainsOp::kContainsAll) {
        for (const Value& v : vals) {
          if (!has(v)) return false;
        }
        return true;
      }
      for (const Value& v : vals) {
        if (has(v)) return true;
      }
      return false;
    };
    if (c.type == pb::Array) {
      const ArrayData& a = c.array;
      Fill(&t->value, n_, [&](int64_t i) {
        uint32_t b = a.offsets[i], e = a.offsets[i + 1];
        return decide([&](const Value& v) {
          for (uint32_t k = b; k < e; ++k) {
            if (ElementCompare(a, k, CompareOp::kEq, v) == kTrue) return true;
          }
          return false;
        });
      });
      return Status::Ok();
    }
    EachJson(node.column, c, t, [&](const json& j) -> uint8_t {
      if (!j.is_array()) return kUnknown;
      return decide([&](const Value& v) {
        for (const json& e : j) {
          if (JsonEquals(e, v)) return true;
        }
        return false;
      });
    });
    return Status::Ok();
  }

  // RANDOM_SAMPLE: keeps floor(factor * matches) of the predicate's rows, chosen with a fixed
  // seed so a plan evaluated twice over the same batch returns the same rows.
  Result<Tri> Sample(const Node& node) {
    Tri t = NewTri();
    if (node.children.empty()) {
      t.value.SetAll(true);
    } else {
      QV_ASSIGN_OR_RETURN(t, Eval(*node.children[0]));
    }
    std::vector<int64_t> rows = t.value.ToRows();
    auto k = static_cast<size_t>(node.value.f * static_cast<double>(rows.size()));
    std::mt19937_64 rng(0x5EED5EEDull ^ static_cast<uint64_t>(n_));
    std::shuffle(rows.begin(), rows.end(), rng);
    rows.resize(k);
    Tri out = NewTri();
    for (int64_t r : rows) out.value.Set(r);
    return out;
  }

  const ColumnBatch& batch_;
  int64_t n_;
  EvalStats stats_;
  std::map<std::pair<int64_t, std::string>, ParsedDocs> docs_;  // by (field, first path key)
  const Bitset* need_ = nullptr;  // rows whose result still matters; null: all
};

}  // namespace

std::vector<int64_t> ColumnsNeeded(const Plan& plan, const ColumnBatch& batch) {
  std::vector<int64_t> out;
  CollectNeeded(batch, plan.Root(), &out);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

Status Evaluate(const Plan& plan, const ColumnBatch& batch, Bitset* out, EvalStats* stats) {
  if (batch.row_count < 0) return Status::InvalidArgument("negative row count");
  Evaluator ev(batch);
  QV_ASSIGN_OR_RETURN(Tri t, ev.Eval(plan.Root()));
  if (stats != nullptr) {
    stats->index_leaves += ev.stats().index_leaves;
    stats->scanned_leaves += ev.stats().scanned_leaves;
  }
  // value is a subset of valid, so TRUE rows are exactly `value`.
  *out = std::move(t.value);
  return Status::Ok();
}

}  // namespace quiver::expr
