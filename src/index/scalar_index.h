// ScalarIndex: an index over the values of one scalar column of one chunk (Milvus's scalar
// indexes, built per sealed chunk), answering "which rows hold a key in this key range" into a
// row bitmap. Keys are sorted; a query resolves a predicate to a range of key positions (binary
// search) and ORs the rows of those positions into the caller's bitmap words, so the filter
// never reads the column. Key types: bool (stored as 0/1), int64, double, string. The index
// also keeps the rows its keys describe (`valid`: non-null rows; for a JSON path, rows whose
// value has the indexed type) and, for JSON paths, the rows where the path exists (`present`).
//
// Physical layouts by kind (what Milvus's kinds are for; all answer the same queries):
//  - kStlSort: every (key, row) entry sorted by key, nothing merged (STL_SORT, numeric ranges);
//  - kInverted, kTrie: distinct sorted keys, each with its sorted row list (posting list);
//    Trie's prefix lookups are the same binary searches over the sorted dictionary;
//  - kBitmap: distinct sorted keys, each with a row bitmap when it is frequent (at least one
//    row in 32: a bitmap is then smaller than a row list) and a row list otherwise, so low
//    cardinality is answered by OR-ing whole words and high cardinality does not blow up.
// For array values (ARRAY fields, JSON ARRAY_* casts) the keys are the elements: a row is in
// the posting list of each distinct element it holds (`elements()`).
//
// Immutable after Build; thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace quiver::index {

enum class ScalarIndexKind : uint8_t { kInverted, kBitmap, kStlSort, kTrie };
const char* ScalarIndexKindName(ScalarIndexKind kind);

enum class ScalarKeyType : uint8_t { kBool, kInt, kDouble, kString };

// What Build indexes: (row, key) entries in any order, keys in the vector of the key type
// (`ints` for kBool and kInt). Rows are < rows; a row may appear several times (elements).
struct ScalarIndexInput {
  ScalarKeyType type = ScalarKeyType::kInt;
  int64_t rows = 0;
  bool elements = false;
  std::vector<uint32_t> key_rows;
  std::vector<int64_t> ints;
  std::vector<double> doubles;
  std::vector<std::string> strings;
  std::vector<uint32_t> nan_rows;  // kDouble: rows holding NaN (no key order; valid rows)
  // Row bitmaps (rows/64 rounded up words): rows the keys describe, and rows where a JSON
  // path exists. Empty `valid` = every row; empty `present` = same as valid.
  std::vector<uint64_t> valid;
  std::vector<uint64_t> present;
  // JSON DOUBLE keys built from integers beyond ±2^53 (not exact as doubles).
  bool inexact_ints = false;
};

class ScalarIndex {
 public:
  static std::unique_ptr<const ScalarIndex> Build(ScalarIndexKind kind, ScalarIndexInput in);
  ScalarIndex(const ScalarIndex&) = delete;
  ScalarIndex& operator=(const ScalarIndex&) = delete;

  ScalarIndexKind kind() const { return kind_; }
  ScalarKeyType key_type() const { return type_; }
  int64_t rows() const { return rows_; }
  bool elements() const { return elements_; }
  bool inexact_ints() const { return inexact_ints_; }
  // Row bitmaps as in ScalarIndexInput (empty = every row / same as valid).
  const std::vector<uint64_t>& valid() const { return valid_; }
  const std::vector<uint64_t>& present() const { return present_; }
  const std::vector<uint32_t>& nan_rows() const { return nan_rows_; }

  // Key positions: [0, KeyCount()), in ascending key order (with repeats for kStlSort).
  size_t KeyCount() const;
  size_t LowerBound(int64_t v) const;  // first position with key >= v
  size_t UpperBound(int64_t v) const;  // first position with key > v
  size_t LowerBound(double v) const;
  size_t UpperBound(double v) const;
  size_t LowerBound(std::string_view v) const;
  size_t UpperBound(std::string_view v) const;
  // Positions of the keys starting with `prefix` (string keys).
  std::pair<size_t, size_t> PrefixRange(std::string_view prefix) const;
  int64_t IntKey(size_t pos) const { return ints_[pos]; }
  double DoubleKey(size_t pos) const { return doubles_[pos]; }
  std::string_view StringKey(size_t pos) const { return strings_[pos]; }

  // ORs the rows of positions [from, to) into `words` (at least rows/64 rounded up words).
  void SetRows(size_t from, size_t to, uint64_t* words) const;
  // Number of (row, key) entries at positions [from, to): rows, for a non-element index.
  int64_t CountRows(size_t from, size_t to) const;
  size_t MemoryBytes() const;

 private:
  ScalarIndex() = default;
  void SetPosition(size_t pos, uint64_t* words) const;

  ScalarIndexKind kind_ = ScalarIndexKind::kInverted;
  ScalarKeyType type_ = ScalarKeyType::kInt;
  int64_t rows_ = 0;
  bool elements_ = false;
  bool inexact_ints_ = false;
  // Sorted keys (one vector, by type). Distinct except for kStlSort.
  std::vector<int64_t> ints_;
  std::vector<double> doubles_;
  std::vector<std::string> strings_;
  // Distinct-key kinds: the rows of key k are row_ids_[offsets_[k], offsets_[k+1]), ascending.
  // kStlSort: offsets_ is empty and position k holds row row_ids_[k].
  std::vector<uint32_t> offsets_;
  std::vector<uint32_t> row_ids_;
  // kBitmap: bitmap_of_[k] indexes bitmaps_ for frequent keys (whose row list is then empty),
  // -1 for keys kept as row lists.
  std::vector<int32_t> bitmap_of_;
  std::vector<std::vector<uint64_t>> bitmaps_;
  std::vector<uint32_t> nan_rows_;
  std::vector<uint64_t> valid_;
  std::vector<uint64_t> present_;
};

}  // namespace quiver::index
