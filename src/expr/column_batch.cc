#include "expr/column_batch.h"

#include <bit>

namespace quiver::expr {

using milvus::proto::schema::DataType;

void Bitset::Resize(int64_t size, bool value) {
  size_ = size;
  words_.assign((size + 63) / 64, value ? ~uint64_t{0} : 0);
  ClearTail();
}

void Bitset::ClearTail() {
  if (size_ % 64 != 0 && !words_.empty()) words_.back() &= (uint64_t{1} << (size_ % 64)) - 1;
}

void Bitset::SetAll(bool v) {
  std::fill(words_.begin(), words_.end(), v ? ~uint64_t{0} : 0);
  ClearTail();
}

int64_t Bitset::Count() const {
  int64_t n = 0;
  for (uint64_t w : words_) n += std::popcount(w);
  return n;
}

std::vector<int64_t> Bitset::ToRows() const {
  std::vector<int64_t> out;
  for (size_t k = 0; k < words_.size(); ++k) {
    uint64_t w = words_[k];
    while (w) {
      out.push_back(static_cast<int64_t>(k * 64 + std::countr_zero(w)));
      w &= w - 1;
    }
  }
  return out;
}

Bitset& Bitset::operator&=(const Bitset& o) {
  for (size_t k = 0; k < words_.size(); ++k) words_[k] &= o.words_[k];
  return *this;
}
Bitset& Bitset::operator|=(const Bitset& o) {
  for (size_t k = 0; k < words_.size(); ++k) words_[k] |= o.words_[k];
  return *this;
}
Bitset& Bitset::AndNot(const Bitset& o) {
  for (size_t k = 0; k < words_.size(); ++k) words_[k] &= ~o.words_[k];
  return *this;
}
void Bitset::Flip() {
  for (uint64_t& w : words_) w = ~w;
  ClearTail();
}

int64_t Column::Size() const {
  switch (type) {
    case DataType::Bool:
      return static_cast<int64_t>(bools.size());
    case DataType::Int8:
    case DataType::Int16:
    case DataType::Int32:
    case DataType::Int64:
      return static_cast<int64_t>(ints.size());
    case DataType::Float:
      return static_cast<int64_t>(floats.size());
    case DataType::Double:
      return static_cast<int64_t>(doubles.size());
    case DataType::String:
    case DataType::VarChar:
    case DataType::JSON:
      return static_cast<int64_t>(strings.size());
    case DataType::Array:
      return static_cast<int64_t>(array.offsets.size()) - 1;
    default:
      return -1;
  }
}

Column Column::Bools(std::vector<uint8_t> v, std::vector<uint8_t> valid) {
  Column c;
  c.type = DataType::Bool;
  c.bools = std::move(v);
  c.valid = std::move(valid);
  return c;
}
Column Column::Ints(DataType t, std::vector<int64_t> v, std::vector<uint8_t> valid) {
  Column c;
  c.type = t;
  c.ints = std::move(v);
  c.valid = std::move(valid);
  return c;
}
Column Column::Floats(std::vector<float> v, std::vector<uint8_t> valid) {
  Column c;
  c.type = DataType::Float;
  c.floats = std::move(v);
  c.valid = std::move(valid);
  return c;
}
Column Column::Doubles(std::vector<double> v, std::vector<uint8_t> valid) {
  Column c;
  c.type = DataType::Double;
  c.doubles = std::move(v);
  c.valid = std::move(valid);
  return c;
}
Column Column::Strings(std::vector<std::string> v, std::vector<uint8_t> valid) {
  Column c;
  c.type = DataType::VarChar;
  c.strings = std::move(v);
  c.valid = std::move(valid);
  return c;
}
Column Column::Json(std::vector<std::string> v, std::vector<uint8_t> valid) {
  Column c;
  c.type = DataType::JSON;
  c.strings = std::move(v);
  c.valid = std::move(valid);
  return c;
}
Column Column::Array(ArrayData a, std::vector<uint8_t> valid) {
  Column c;
  c.type = DataType::Array;
  c.array = std::move(a);
  c.valid = std::move(valid);
  return c;
}

Status ColumnBatch::Validate() const {
  for (const auto& [id, c] : columns) {
    if (c.Size() != row_count) {
      return Status::InvalidArgument("column of field {} ({}) has {} rows, batch has {}", id,
                                     TypeName(c.type), c.Size(), row_count);
    }
    if (!c.valid.empty() && static_cast<int64_t>(c.valid.size()) != row_count) {
      return Status::InvalidArgument("validity of field {} has {} rows, batch has {}", id,
                                     c.valid.size(), row_count);
    }
    if (c.type == DataType::Array) {
      const ArrayData& a = c.array;
      size_t total = a.offsets.back();
      size_t have = 0;
      switch (a.element_type) {
        case DataType::Bool:
          have = a.bools.size();
          break;
        case DataType::Int8:
        case DataType::Int16:
        case DataType::Int32:
        case DataType::Int64:
          have = a.ints.size();
          break;
        case DataType::Float:
        case DataType::Double:
          have = a.doubles.size();
          break;
        case DataType::String:
        case DataType::VarChar:
          have = a.strings.size();
          break;
        default:
          return Status::InvalidArgument("array field {} has unsupported element type {}", id,
                                         TypeName(a.element_type));
      }
      if (have != total) {
        return Status::InvalidArgument("array field {}: offsets end at {}, {} elements stored", id,
                                       total, have);
      }
      for (size_t r = 0; r + 1 < a.offsets.size(); ++r) {
        if (a.offsets[r] > a.offsets[r + 1]) {
          return Status::InvalidArgument("array field {}: offsets decrease at row {}", id, r);
        }
      }
    }
  }
  return Status::Ok();
}

const ColumnIndex* ColumnBatch::FindIndex(int64_t field_id,
                                          const std::vector<std::string>& path) const {
  for (const ColumnIndex& ix : indexes) {
    if (ix.field_id == field_id && ix.path == path && ix.index != nullptr) return &ix;
  }
  return nullptr;
}

namespace {

using milvus::proto::schema::FieldData;
using milvus::proto::schema::FieldSchema;
using milvus::proto::schema::ScalarField;

// Appends one array row (a ScalarField holding the elements) to `a`.
void AppendArrayRow(const ScalarField& row, ArrayData* a) {
  switch (a->element_type) {
    case DataType::Bool:
      for (bool v : row.bool_data().data()) a->bools.push_back(v ? 1 : 0);
      break;
    case DataType::Int8:
    case DataType::Int16:
    case DataType::Int32:
      for (int32_t v : row.int_data().data()) a->ints.push_back(v);
      break;
    case DataType::Int64:
      for (int64_t v : row.long_data().data()) a->ints.push_back(v);
      break;
    case DataType::Float:
      for (float v : row.float_data().data()) a->doubles.push_back(v);
      break;
    case DataType::Double:
      for (double v : row.double_data().data()) a->doubles.push_back(v);
      break;
    case DataType::String:
    case DataType::VarChar:
      for (const auto& v : row.string_data().data()) a->strings.push_back(v);
      break;
    default:
      break;
  }
  size_t n = a->ints.size() + a->doubles.size() + a->strings.size() + a->bools.size();
  a->offsets.push_back(static_cast<uint32_t>(n));
}

}  // namespace

Result<Column> ColumnFromFieldData(const FieldSchema& field, const FieldData& fd, int64_t rows) {
  std::vector<uint8_t> valid(fd.valid_data().begin(), fd.valid_data().end());
  const ScalarField& s = fd.scalars();
  auto check = [&](int64_t have) -> Status {
    if (have != rows) {
      return Status::Internal("stored column {} holds {} values for {} rows", field.name(), have,
                              rows);
    }
    return Status::Ok();
  };
  switch (field.data_type()) {
    case DataType::Bool: {
      QV_RETURN_IF_ERROR(check(s.bool_data().data_size()));
      std::vector<uint8_t> v(s.bool_data().data().begin(), s.bool_data().data().end());
      return Column::Bools(std::move(v), std::move(valid));
    }
    case DataType::Int8:
    case DataType::Int16:
    case DataType::Int32: {
      QV_RETURN_IF_ERROR(check(s.int_data().data_size()));
      std::vector<int64_t> v(s.int_data().data().begin(), s.int_data().data().end());
      return Column::Ints(field.data_type(), std::move(v), std::move(valid));
    }
    case DataType::Int64: {
      QV_RETURN_IF_ERROR(check(s.long_data().data_size()));
      std::vector<int64_t> v(s.long_data().data().begin(), s.long_data().data().end());
      return Column::Ints(DataType::Int64, std::move(v), std::move(valid));
    }
    case DataType::Float: {
      QV_RETURN_IF_ERROR(check(s.float_data().data_size()));
      std::vector<float> v(s.float_data().data().begin(), s.float_data().data().end());
      return Column::Floats(std::move(v), std::move(valid));
    }
    case DataType::Double: {
      QV_RETURN_IF_ERROR(check(s.double_data().data_size()));
      std::vector<double> v(s.double_data().data().begin(), s.double_data().data().end());
      return Column::Doubles(std::move(v), std::move(valid));
    }
    case DataType::String:
    case DataType::VarChar: {
      QV_RETURN_IF_ERROR(check(s.string_data().data_size()));
      std::vector<std::string> v(s.string_data().data().begin(), s.string_data().data().end());
      Column c = Column::Strings(std::move(v), std::move(valid));
      c.type = field.data_type();
      return c;
    }
    case DataType::JSON: {
      QV_RETURN_IF_ERROR(check(s.json_data().data_size()));
      std::vector<std::string> v(s.json_data().data().begin(), s.json_data().data().end());
      return Column::Json(std::move(v), std::move(valid));
    }
    case DataType::Array: {
      QV_RETURN_IF_ERROR(check(s.array_data().data_size()));
      ArrayData a;
      a.element_type = field.element_type();
      for (const auto& row : s.array_data().data()) AppendArrayRow(row, &a);
      return Column::Array(std::move(a), std::move(valid));
    }
    default:
      return Status::InvalidArgument("field {} of type {} cannot be used in a filter", field.name(),
                                     DataType_Name(field.data_type()));
  }
}

}  // namespace quiver::expr
