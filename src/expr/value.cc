#include "expr/value.h"

#include <fmt/format.h>

namespace quiver::expr {

Value Value::Bool(bool v) {
  Value x;
  x.kind = Kind::kBool;
  x.b = v;
  return x;
}
Value Value::Int(int64_t v) {
  Value x;
  x.kind = Kind::kInt;
  x.i = v;
  return x;
}
Value Value::Float(double v) {
  Value x;
  x.kind = Kind::kFloat;
  x.f = v;
  return x;
}
Value Value::String(std::string v) {
  Value x;
  x.kind = Kind::kString;
  x.s = std::move(v);
  return x;
}
Value Value::Array(std::vector<Value> v) {
  Value x;
  x.kind = Kind::kArray;
  x.array = std::move(v);
  return x;
}

DataType Value::Type() const {
  switch (kind) {
    case Kind::kBool:
      return milvus::proto::schema::Bool;
    case Kind::kInt:
      return milvus::proto::schema::Int64;
    case Kind::kFloat:
      return milvus::proto::schema::Double;
    case Kind::kString:
      return milvus::proto::schema::VarChar;
    case Kind::kArray:
      return milvus::proto::schema::Array;
    case Kind::kNull:
      break;
  }
  return milvus::proto::schema::None;
}

DataType Value::ElementType() const {
  if (kind != Kind::kArray || array.empty()) return milvus::proto::schema::None;
  DataType t = array[0].Type();
  for (const Value& v : array) {
    if (v.Type() != t) return milvus::proto::schema::None;
  }
  return t;
}

std::string Value::ToString() const {
  switch (kind) {
    case Kind::kNull:
      return "null";
    case Kind::kBool:
      return b ? "true" : "false";
    case Kind::kInt:
      return std::to_string(i);
    case Kind::kFloat:
      return fmt::format("{}", f);
    case Kind::kString:
      return fmt::format("\"{}\"", s);
    case Kind::kArray: {
      std::string out = "[";
      for (size_t k = 0; k < array.size(); ++k) {
        if (k) out += ", ";
        out += array[k].ToString();
      }
      return out + "]";
    }
  }
  return "";
}

bool Value::operator==(const Value& o) const {
  if (IsNumber() && o.IsNumber()) {
    if (kind == Kind::kInt && o.kind == Kind::kInt) return i == o.i;
    return AsDouble() == o.AsDouble();
  }
  if (kind != o.kind) return false;
  switch (kind) {
    case Kind::kNull:
      return true;
    case Kind::kBool:
      return b == o.b;
    case Kind::kString:
      return s == o.s;
    case Kind::kArray:
      return array == o.array;
    default:
      return false;
  }
}

const char* TypeName(DataType t) {
  const std::string& name = milvus::proto::schema::DataType_Name(t);
  return name.empty() ? "Unknown" : name.c_str();
}

}  // namespace quiver::expr
