// Value is a constant of the filter language: a literal, a folded constant sub-expression, or a
// template value. Bool, int64, double, string, or a list of values (list literals, `in` lists,
// array/JSON equality). A plain value type; thread-compatible.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "schema.pb.h"

namespace quiver::expr {

using DataType = milvus::proto::schema::DataType;

struct Value {
  enum class Kind : uint8_t { kNull, kBool, kInt, kFloat, kString, kArray };

  Kind kind = Kind::kNull;
  bool b = false;
  int64_t i = 0;
  double f = 0;
  std::string s;
  std::vector<Value> array;

  static Value Bool(bool v);
  static Value Int(int64_t v);
  static Value Float(double v);
  static Value String(std::string v);
  static Value Array(std::vector<Value> v);

  bool IsNumber() const { return kind == Kind::kInt || kind == Kind::kFloat; }
  double AsDouble() const { return kind == Kind::kInt ? static_cast<double>(i) : f; }
  // The Milvus data type of the constant (Int64, Double, Bool, VarChar, Array, None).
  DataType Type() const;
  // For arrays: the common element type, or None when mixed or empty.
  DataType ElementType() const;
  // Literal syntax, used in error messages.
  std::string ToString() const;

  bool operator==(const Value& o) const;
};

const char* TypeName(DataType t);

}  // namespace quiver::expr
