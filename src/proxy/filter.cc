// CompileFilter binds the expression with the expression engine (src/expr) and adapts stored
// chunks to it: for each chunk, the fields the plan reads are copied out of their FieldData
// into a ColumnBatch (a field added after the chunk was written reads as its null/default
// column), the plan is evaluated over the whole chunk into a bitset, and the caller's mask is
// narrowed by it.
#include "proxy/filter.h"

#include <unordered_map>

#include "expr/plan.h"
#include "segment/field_data.h"

namespace quiver::proxy {
namespace {

using milvus::proto::schema::DataType;
using milvus::proto::schema::FieldData;
using milvus::proto::schema::FieldSchema;
using milvus::proto::schema::ScalarField;

// Appends one array row (a ScalarField holding the elements) to `a`.
void AppendArrayRow(const ScalarField& row, expr::ArrayData* a) {
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

// The engine's column for a stored column of `field` holding `rows` rows.
Result<expr::Column> ToColumn(const FieldSchema& field, const FieldData& fd, int64_t rows) {
  std::vector<uint8_t> valid(fd.valid_data().begin(), fd.valid_data().end());
  const ScalarField& s = fd.scalars();
  auto check = [&](int64_t have) -> Status {
    if (have != rows) {
      return Status::Internal("stored column {} holds {} values for {} rows", field.name(), have, rows);
    }
    return Status::Ok();
  };
  switch (field.data_type()) {
    case DataType::Bool: {
      QV_RETURN_IF_ERROR(check(s.bool_data().data_size()));
      std::vector<uint8_t> v(s.bool_data().data().begin(), s.bool_data().data().end());
      return expr::Column::Bools(std::move(v), std::move(valid));
    }
    case DataType::Int8:
    case DataType::Int16:
    case DataType::Int32: {
      QV_RETURN_IF_ERROR(check(s.int_data().data_size()));
      std::vector<int64_t> v(s.int_data().data().begin(), s.int_data().data().end());
      return expr::Column::Ints(field.data_type(), std::move(v), std::move(valid));
    }
    case DataType::Int64: {
      QV_RETURN_IF_ERROR(check(s.long_data().data_size()));
      std::vector<int64_t> v(s.long_data().data().begin(), s.long_data().data().end());
      return expr::Column::Ints(DataType::Int64, std::move(v), std::move(valid));
    }
    case DataType::Float: {
      QV_RETURN_IF_ERROR(check(s.float_data().data_size()));
      std::vector<float> v(s.float_data().data().begin(), s.float_data().data().end());
      return expr::Column::Floats(std::move(v), std::move(valid));
    }
    case DataType::Double: {
      QV_RETURN_IF_ERROR(check(s.double_data().data_size()));
      std::vector<double> v(s.double_data().data().begin(), s.double_data().data().end());
      return expr::Column::Doubles(std::move(v), std::move(valid));
    }
    case DataType::String:
    case DataType::VarChar: {
      QV_RETURN_IF_ERROR(check(s.string_data().data_size()));
      std::vector<std::string> v(s.string_data().data().begin(), s.string_data().data().end());
      expr::Column c = expr::Column::Strings(std::move(v), std::move(valid));
      c.type = field.data_type();
      return c;
    }
    case DataType::JSON: {
      QV_RETURN_IF_ERROR(check(s.json_data().data_size()));
      std::vector<std::string> v(s.json_data().data().begin(), s.json_data().data().end());
      return expr::Column::Json(std::move(v), std::move(valid));
    }
    case DataType::Array: {
      QV_RETURN_IF_ERROR(check(s.array_data().data_size()));
      expr::ArrayData a;
      a.element_type = field.element_type();
      for (const auto& row : s.array_data().data()) AppendArrayRow(row, &a);
      return expr::Column::Array(std::move(a), std::move(valid));
    }
    default:
      return Status::InvalidArgument("field {} of type {} cannot be used in a filter", field.name(),
                                     DataType_Name(field.data_type()));
  }
}

// The fields a plan reads, resolved once at compile time.
struct BoundFilter {
  std::shared_ptr<const expr::Plan> plan;
  std::vector<const FieldSchema*> fields;
  milvus::proto::schema::CollectionSchema schema;  // owns what `fields` point into
};

Status FilterChunk(const BoundFilter& f, const segment::Chunk& chunk, std::vector<uint8_t>& mask) {
  bool any = false;
  for (uint8_t m : mask) any |= m != 0;
  if (!any) return Status::Ok();
  expr::ColumnBatch batch;
  batch.row_count = chunk.num_rows;
  for (const FieldSchema* field : f.fields) {
    const FieldData* stored = chunk.Column(field->fieldid());
    FieldData missing;
    if (!stored) {
      missing = segment::NullColumn(*field, chunk.num_rows);
      stored = &missing;
    }
    QV_ASSIGN_OR_RETURN(expr::Column c, ToColumn(*field, *stored, chunk.num_rows));
    batch.columns.emplace(field->fieldid(), std::move(c));
  }
  expr::Bitset bits;
  QV_RETURN_IF_ERROR(expr::Evaluate(*f.plan, batch, &bits));
  for (int64_t r = 0; r < chunk.num_rows; ++r) {
    if (mask[static_cast<size_t>(r)] && !bits.Test(r)) mask[static_cast<size_t>(r)] = 0;
  }
  return Status::Ok();
}

// `pk in [...]` or `pk == v` on the primary key alone: the listed keys.
std::optional<milvus::proto::schema::IDs> PkList(const expr::Node& n, const FieldSchema& pk) {
  if (n.kind != expr::NodeKind::kTerm &&
      !(n.kind == expr::NodeKind::kCompare && n.op == expr::CompareOp::kEq)) {
    return std::nullopt;
  }
  if (n.column.field_id != pk.fieldid() || !n.column.path.empty()) return std::nullopt;
  std::vector<const expr::Value*> values;
  if (n.kind == expr::NodeKind::kTerm) {
    for (const auto& v : n.values) values.push_back(&v);
  } else {
    values.push_back(&n.value);
  }
  milvus::proto::schema::IDs ids;
  bool int_pk = pk.data_type() == DataType::Int64;
  if (int_pk) ids.mutable_int_id();
  else ids.mutable_str_id();
  for (const expr::Value* v : values) {
    if (int_pk && v->kind == expr::Value::Kind::kInt) {
      ids.mutable_int_id()->add_data(v->i);
    } else if (!int_pk && v->kind == expr::Value::Kind::kString) {
      ids.mutable_str_id()->add_data(v->s);
    } else {
      return std::nullopt;
    }
  }
  return ids;
}

}  // namespace

Result<CompiledFilter> CompileFilter(const std::string& expr,
                                     const milvus::proto::schema::CollectionSchema& schema,
                                     const TemplateValues& templates) {
  if (expr.find_first_not_of(" \t\n\r") == std::string::npos) return CompiledFilter{};
  QV_ASSIGN_OR_RETURN(std::shared_ptr<const expr::Plan> plan, expr::ParseAndBind(expr, schema, &templates));
  CompiledFilter out;
  if (plan->Root().kind == expr::NodeKind::kAlwaysTrue) return out;
  auto bound = std::make_shared<BoundFilter>();
  bound->plan = std::move(plan);
  bound->schema = schema;
  std::unordered_map<int64_t, const FieldSchema*> by_id;
  for (const auto& field : bound->schema.fields()) by_id[field.fieldid()] = &field;
  for (int64_t id : bound->plan->ReferencedFields()) {
    auto it = by_id.find(id);
    if (it == by_id.end()) return Status::Internal("filter reads unknown field id {}", id);
    bound->fields.push_back(it->second);
  }
  for (const auto& field : bound->schema.fields()) {
    if (field.is_primary_key()) out.pk_list = PkList(bound->plan->Root(), field);
  }
  out.filter = [bound](const segment::Chunk& chunk, std::vector<uint8_t>& mask) {
    return FilterChunk(*bound, chunk, mask);
  };
  return out;
}

}  // namespace quiver::proxy
