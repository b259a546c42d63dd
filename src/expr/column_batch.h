// Columnar input and bitset output of filter evaluation. A ColumnBatch holds row_count rows of
// the fields a plan references, keyed by field id; each Column stores one field's values in the
// vector matching its type, plus an optional validity vector (empty: no nulls). A batch may
// also carry scalar indexes over its rows (ColumnIndex, borrowed: they must outlive the batch);
// the evaluator answers the predicates an index can answer from it, and a column an index makes
// unnecessary may be left out (ColumnsNeeded in plan.h). Bitset is a fixed-size packed bit
// vector (bit i = row i). All are plain values the caller fills; the evaluator only reads a
// batch. Thread-compatible.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/status.h"
#include "expr/value.h"
#include "index/scalar_index.h"

namespace quiver::expr {

class Bitset {
 public:
  Bitset() = default;
  explicit Bitset(int64_t size, bool value = false) { Resize(size, value); }

  void Resize(int64_t size, bool value = false);
  int64_t size() const { return size_; }
  bool Test(int64_t i) const { return (words_[i >> 6] >> (i & 63)) & 1; }
  void Set(int64_t i, bool v = true) {
    uint64_t m = uint64_t{1} << (i & 63);
    words_[i >> 6] = v ? (words_[i >> 6] | m) : (words_[i >> 6] & ~m);
  }
  void SetAll(bool v);
  int64_t Count() const;
  bool All() const { return Count() == size_; }
  bool None() const { return Count() == 0; }
  std::vector<int64_t> ToRows() const;

  Bitset& operator&=(const Bitset& o);
  Bitset& operator|=(const Bitset& o);
  Bitset& AndNot(const Bitset& o);  // this &= ~o
  void Flip();

  uint64_t* words() { return words_.data(); }
  const uint64_t* words() const { return words_.data(); }
  size_t word_count() const { return words_.size(); }

 private:
  void ClearTail();
  int64_t size_ = 0;
  std::vector<uint64_t> words_;  // bits past size_ are always zero
};

// Array field data for all rows: row r owns elements [offsets[r], offsets[r+1]) of the vector
// matching element_type (ints for Int8..Int64, doubles for Float/Double, strings for
// VarChar/String, bools for Bool). offsets has row_count + 1 entries.
struct ArrayData {
  DataType element_type = milvus::proto::schema::None;
  std::vector<uint32_t> offsets{0};
  std::vector<int64_t> ints;
  std::vector<double> doubles;
  std::vector<std::string> strings;
  std::vector<uint8_t> bools;

  int64_t Length(int64_t row) const { return offsets[row + 1] - offsets[row]; }
};

struct Column {
  DataType type = milvus::proto::schema::None;
  std::vector<uint8_t> bools;        // Bool
  std::vector<int64_t> ints;         // Int8, Int16, Int32, Int64 (widened)
  std::vector<float> floats;         // Float
  std::vector<double> doubles;       // Double
  std::vector<std::string> strings;  // VarChar, String; JSON (raw JSON text per row)
  ArrayData array;                   // Array
  std::vector<uint8_t> valid;        // empty: every row valid; else 1 = value, 0 = null

  bool IsNull(int64_t row) const { return !valid.empty() && !valid[row]; }
  // Number of rows stored in the vector matching `type`.
  int64_t Size() const;

  static Column Bools(std::vector<uint8_t> v, std::vector<uint8_t> valid = {});
  static Column Ints(DataType t, std::vector<int64_t> v, std::vector<uint8_t> valid = {});
  static Column Floats(std::vector<float> v, std::vector<uint8_t> valid = {});
  static Column Doubles(std::vector<double> v, std::vector<uint8_t> valid = {});
  static Column Strings(std::vector<std::string> v, std::vector<uint8_t> valid = {});
  static Column Json(std::vector<std::string> v, std::vector<uint8_t> valid = {});
  static Column Array(ArrayData a, std::vector<uint8_t> valid = {});
};

// A scalar index over a batch's rows of one field, or of one JSON path in a JSON field.
struct ColumnIndex {
  int64_t field_id = 0;
  std::vector<std::string> path;  // JSON keys; empty for the whole field
  const index::ScalarIndex* index = nullptr;
};

struct ColumnBatch {
  int64_t row_count = 0;
  std::unordered_map<int64_t, Column> columns;  // by field id
  std::vector<ColumnIndex> indexes;             // each index has index->rows() == row_count

  const ColumnIndex* FindIndex(int64_t field_id, const std::vector<std::string>& path) const;

  // Checks that every column holds row_count rows (and validity, when present).
  Status Validate() const;
};

// The engine's column for a stored column (Milvus FieldData, as inserted: full-length scalars
// with valid_data) of `field` holding `rows` rows.
Result<Column> ColumnFromFieldData(const milvus::proto::schema::FieldSchema& field,
                                   const milvus::proto::schema::FieldData& data, int64_t rows);

}  // namespace quiver::expr
