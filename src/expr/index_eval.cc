// Each answer mirrors the scan in evaluator.cc: a constant is converted to a key the way the
// scan converts it for the column (float columns compare at float precision, JSON numbers as
// doubles, ...), and where the scan's conversion cannot be reproduced on the keys (an int
// constant beyond ±2^53 against JSON numbers, a string in a numeric JSON `in` list, a whole-
// array comparison) the index declines and the leaf is scanned.
#include "expr/index_eval.h"

#include <cmath>
#include <optional>

namespace quiver::expr {
namespace {

namespace pb = milvus::proto::schema;
using index::ScalarIndex;
using index::ScalarKeyType;

// A constant as a key of the index.
struct Key {
  int64_t i = 0;
  double d = 0;
  std::string_view s;
};

bool IsFloatColumn(const ColumnRef& ref) {
  return ref.type == pb::Float || (ref.type == pb::Array && ref.element_type == pb::Float);
}

// The key the scan would compare against `v` for a predicate on `ref`, or nothing when the
// index cannot stand for that comparison.
std::optional<Key> KeyOf(const ScalarIndex& ix, const ColumnRef& ref, const Value& v) {
  Key k;
  switch (ix.key_type()) {
    case ScalarKeyType::kBool:
      if (v.kind != Value::Kind::kBool) return std::nullopt;
      k.i = v.b ? 1 : 0;
      return k;
    case ScalarKeyType::kInt:
      if (v.kind != Value::Kind::kInt) return std::nullopt;
      k.i = v.i;
      return k;
    case ScalarKeyType::kDouble:
      if (!v.IsNumber()) return std::nullopt;
      if (ref.type == pb::JSON) {
        // JSON integers compare exactly with an int constant; as doubles that holds while both
        // are exact doubles.
        constexpr int64_t kExact = int64_t{1} << 53;
        if (v.kind == Value::Kind::kInt && (ix.inexact_ints() || v.i > kExact || v.i < -kExact)) {
          return std::nullopt;
        }
        k.d = v.AsDouble();
      } else if (IsFloatColumn(ref)) {
        k.d = static_cast<double>(static_cast<float>(v.AsDouble()));
      } else {
        k.d = v.AsDouble();
      }
      if (std::isnan(k.d)) return std::nullopt;
      return k;
    case ScalarKeyType::kString:
      if (v.kind != Value::Kind::kString) return std::nullopt;
      k.s = v.s;
      return k;
  }
  return std::nullopt;
}

size_t Lower(const ScalarIndex& ix, const Key& k) {
  switch (ix.key_type()) {
    case ScalarKeyType::kDouble:
      return ix.LowerBound(k.d);
    case ScalarKeyType::kString:
      return ix.LowerBound(k.s);
    default:
      return ix.LowerBound(k.i);
  }
}

size_t Upper(const ScalarIndex& ix, const Key& k) {
  switch (ix.key_type()) {
    case ScalarKeyType::kDouble:
      return ix.UpperBound(k.d);
    case ScalarKeyType::kString:
      return ix.UpperBound(k.s);
    default:
      return ix.UpperBound(k.i);
  }
}

// Positions of the keys satisfying `key op k` (op other than !=).
std::pair<size_t, size_t> OpRange(const ScalarIndex& ix, CompareOp op, const Key& k) {
  switch (op) {
    case CompareOp::kEq:
      return {Lower(ix, k), Upper(ix, k)};
    case CompareOp::kLt:
      return {0, Lower(ix, k)};
    case CompareOp::kLe:
      return {0, Upper(ix, k)};
    case CompareOp::kGt:
      return {Upper(ix, k), ix.KeyCount()};
    case CompareOp::kGe:
      return {Lower(ix, k), ix.KeyCount()};
    case CompareOp::kNe:
      break;
  }
  return {0, 0};
}

// Copies index row bitmap words (empty = every row) into a Bitset of `rows` rows.
Bitset FromWords(const std::vector<uint64_t>& words, int64_t rows) {
  Bitset b(rows, words.empty());
  if (!words.empty()) std::copy(words.begin(), words.end(), b.words());
  return b;
}

class Answerer {
 public:
  Answerer(const Node& node, const ScalarIndex& ix, int64_t rows, IndexAnswer* out)
      : node_(node), ref_(node.column), ix_(ix), rows_(rows), out_(out) {}

  bool Run() {
    const bool json = ref_.type == pb::JSON;
    if (!json && !ref_.path.empty()) return false;  // array element access
    switch (node_.kind) {
      case NodeKind::kCompare:
        return !ix_.elements() && Compare();
      case NodeKind::kRange:
        return !ix_.elements() && Range();
      case NodeKind::kTerm:
        return !ix_.elements() && Term(json);
      case NodeKind::kLike:
        return !ix_.elements() && ix_.key_type() == ScalarKeyType::kString && Like();
      case NodeKind::kNullCheck:
        if (json) return false;
        if (out_) {
          Start(/*known_all=*/true);
          Bitset valid = FromWords(ix_.valid(), rows_);
          if (node_.is_null) valid.Flip();
          out_->value = std::move(valid);
        }
        return true;
      case NodeKind::kExists:
        if (!json) return false;
        if (out_) {
          Start(/*known_all=*/true);
          out_->value = FromWords(ix_.present().empty() ? ix_.valid() : ix_.present(), rows_);
        }
        return true;
      case NodeKind::kContains:
        return ix_.elements() && Contains();
      default:
        return false;
    }
  }

 private:
  // Prepares the output: known rows are the index's rows (or every row).
  void Start(bool known_all = false, const std::vector<uint64_t>* known = nullptr) {
    out_->value = Bitset(rows_);
    const std::vector<uint64_t>& k = known ? *known : ix_.valid();
    if (known_all || k.empty()) {
      out_->all_valid = true;
      out_->valid = Bitset();
    } else {
      out_->all_valid = false;
      out_->valid = FromWords(k, rows_);
    }
  }
  void Set(std::pair<size_t, size_t> r) { ix_.SetRows(r.first, r.second, out_->value.words()); }

  bool Compare() {
    auto k = KeyOf(ix_, ref_, node_.value);
    if (!k) return false;
    if (!out_) return true;
    Start();
    if (node_.op == CompareOp::kNe) {
      // Known rows other than the equal ones (NaN != v holds: NaN rows are known, keyless).
      Set(OpRange(ix_, CompareOp::kEq, *k));
      out_->value.Flip();
      if (!out_->all_valid) out_->value &= out_->valid;
      return true;
    }
    Set(OpRange(ix_, node_.op, *k));
    return true;
  }

  bool Range() {
    auto lo = KeyOf(ix_, ref_, node_.lower);
    auto hi = KeyOf(ix_, ref_, node_.upper);
    if (!lo || !hi) return false;
    if (!out_) return true;
    Start();
    size_t from = node_.lower_inclusive ? Lower(ix_, *lo) : Upper(ix_, *lo);
    size_t to = node_.upper_inclusive ? Upper(ix_, *hi) : Lower(ix_, *hi);
    if (from < to) Set({from, to});
    return true;
  }

  bool Term(bool json) {
    std::vector<Key> keys;
    if (json) {
      // The scan: TRUE when the value equals one listed, FALSE for any other present value.
      for (const Value& v : node_.values) {
        auto k = KeyOf(ix_, ref_, v);
        if (!k) return false;
        keys.push_back(*k);
      }
      if (!out_) return true;
      Start(false, ix_.present().empty() ? nullptr : &ix_.present());
    } else {
      switch (ref_.type) {
        case pb::Bool:
          for (const Value& v : node_.values) keys.push_back(Key{v.b ? 1 : 0, 0, {}});
          break;
        case pb::Int8:
        case pb::Int16:
        case pb::Int32:
        case pb::Int64:
          for (int64_t v : node_.int_set) keys.push_back(Key{v, 0, {}});
          break;
        case pb::Float:
        case pb::Double:
          // The scan looks the (widened) value up in double_set as is.
          for (double v : node_.double_set) keys.push_back(Key{0, v, {}});
          break;
        case pb::String:
        case pb::VarChar:
          for (const std::string& v : node_.string_set) keys.push_back(Key{0, 0, v});
          break;
        default:
          return false;
      }
      if (!out_) return true;
      Start();
    }
    for (const Key& k : keys) Set(OpRange(ix_, CompareOp::kEq, k));
    return true;
  }

  bool Like() {
    // Suffix, infix and general patterns test every key: worth it over a typed column only
    // when keys repeat (a scan of contiguous strings beats a walk of as many keys); over JSON,
    // whose scan parses documents, always.
    const LikePattern::Kind kind = node_.like.kind();
    if (kind != LikePattern::Kind::kEqual && kind != LikePattern::Kind::kPrefix &&
        ref_.type != pb::JSON && static_cast<int64_t>(ix_.KeyCount()) * 4 > rows_) {
      return false;
    }
    if (!out_) return true;
    Start();
    const LikePattern& p = node_.like;
    switch (p.kind()) {
      case LikePattern::Kind::kEqual: {
        Key k;
        k.s = p.literal();
        Set(OpRange(ix_, CompareOp::kEq, k));
        return true;
      }
      case LikePattern::Kind::kPrefix:
        Set(ix_.PrefixRange(p.literal()));
        return true;
      default:
        // Each distinct key once instead of each row.
        for (size_t pos = 0; pos < ix_.KeyCount(); ++pos) {
          if (p.Matches(ix_.StringKey(pos))) Set({pos, pos + 1});
        }
        return true;
    }
  }

  bool Contains() {
    std::vector<Key> keys;
    for (const Value& v : node_.values) {
      auto k = KeyOf(ix_, ref_, v);
      if (!k) return false;
      keys.push_back(*k);
    }
    if (!out_) return true;
    Start();
    if (node_.contains_op != ContainsOp::kContainsAll) {
      for (const Key& k : keys) Set(OpRange(ix_, CompareOp::kEq, k));
      return true;
    }
    // Every listed value among the row's elements: intersect; no values: every known row.
    out_->value.SetAll(true);
    for (const Key& k : keys) {
      Bitset one(rows_);
      ix_.SetRows(OpRange(ix_, CompareOp::kEq, k).first, OpRange(ix_, CompareOp::kEq, k).second,
                  one.words());
      out_->value &= one;
    }
    if (!out_->all_valid) out_->value &= out_->valid;
    return true;
  }

  const Node& node_;
  const ColumnRef& ref_;
  const ScalarIndex& ix_;
  int64_t rows_;
  IndexAnswer* out_;
};

}  // namespace

bool AnswerFromIndex(const Node& node, const index::ScalarIndex& ix, int64_t rows,
                     IndexAnswer* out) {
  if (ix.rows() != rows) return false;
  return Answerer(node, ix, rows, out).Run();
}

}  // namespace quiver::expr
