// CompileFilter binds the expression with the expression engine (src/expr) and adapts stored
// chunks to it: for each chunk, the chunk's scalar indexes go into a ColumnBatch, and only the
// fields the plan still needs given them are copied out of their FieldData (a field added after
// the chunk was written reads as its null/default column); the plan is evaluated over the whole
// chunk into a bitset, and the caller's mask is narrowed by it.
#include "proxy/filter.h"

#include <algorithm>
#include <unordered_map>

#include "expr/plan.h"
#include "segment/field_data.h"

namespace quiver::proxy {

using milvus::proto::schema::DataType;
using milvus::proto::schema::FieldData;
using milvus::proto::schema::FieldSchema;

// The plan and the fields it reads, resolved once at compile time.
struct BoundFilter {
  std::shared_ptr<const expr::Plan> plan;
  std::unordered_map<int64_t, const FieldSchema*> fields;  // by id
  milvus::proto::schema::CollectionSchema schema;          // owns what `fields` point into
};

namespace {

// The batch of a chunk: its scalar indexes, and the columns the plan still needs given them.
// `rows` (optional) picks rows of the chunk (a sample) and then no index applies.
Result<expr::ColumnBatch> ChunkBatch(const BoundFilter& f, const segment::Chunk& chunk,
                                     const std::vector<int64_t>* rows = nullptr) {
  expr::ColumnBatch batch;
  batch.row_count = rows ? static_cast<int64_t>(rows->size()) : chunk.num_rows;
  if (!rows) {
    for (const auto& s : chunk.scalar_indexes) {
      if (s.index) batch.indexes.push_back({s.field_id, s.path, s.index.get()});
    }
  }
  for (int64_t id : expr::ColumnsNeeded(*f.plan, batch)) {
    auto it = f.fields.find(id);
    if (it == f.fields.end()) return Status::Internal("filter reads unknown field id {}", id);
    const FieldSchema& field = *it->second;
    const FieldData* stored = chunk.Column(id);
    FieldData missing, picked;
    if (!stored) {
      missing = segment::NullColumn(field, chunk.num_rows);
      stored = &missing;
    }
    if (rows) {
      segment::GatherRows(*stored, *rows, &picked);
      stored = &picked;
    }
    QV_ASSIGN_OR_RETURN(expr::Column c, expr::ColumnFromFieldData(field, *stored, batch.row_count));
    batch.columns.emplace(id, std::move(c));
  }
  return batch;
}

Status FilterChunk(const BoundFilter& f, const segment::Chunk& chunk, std::vector<uint8_t>& mask) {
  bool any = false;
  for (uint8_t m : mask) any |= m != 0;
  if (!any) return Status::Ok();
  QV_ASSIGN_OR_RETURN(expr::ColumnBatch batch, ChunkBatch(f, chunk));
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
  for (const auto& field : bound->schema.fields()) bound->fields[field.fieldid()] = &field;
  for (const auto& field : bound->schema.fields()) {
    if (field.is_primary_key()) out.pk_list = PkList(bound->plan->Root(), field);
  }
  out.filter = [bound](const segment::Chunk& chunk, std::vector<uint8_t>& mask) {
    return FilterChunk(*bound, chunk, mask);
  };
  out.bound = std::move(bound);
  return out;
}

Result<SelectivityEstimate> EstimateSelectivity(const CompiledFilter& filter,
                                                const segment::GrowingStore& store,
                                                int64_t max_sample_rows) {
  SelectivityEstimate est;
  Status st = store.VisitChunks([&](const std::vector<const segment::Chunk*>& chunks) -> Status {
    est.rows = 0;
    for (const auto* c : chunks) est.rows += c->num_rows;
    if (!filter.bound || est.rows == 0) return Status::Ok();
    const BoundFilter& f = *filter.bound;
    int64_t exact_matches = 0;
    std::vector<const segment::Chunk*> rest;
    int64_t rest_rows = 0;
    for (const auto* c : chunks) {
      QV_ASSIGN_OR_RETURN(expr::ColumnBatch batch, ChunkBatch(f, *c));
      if (!batch.indexes.empty() && batch.columns.empty()) {
        // The chunk's indexes answer every leaf: count exactly without reading a column.
        expr::Bitset bits;
        QV_RETURN_IF_ERROR(expr::Evaluate(*f.plan, batch, &bits));
        exact_matches += bits.Count();
        est.indexed_rows += c->num_rows;
      } else {
        rest.push_back(c);
        rest_rows += c->num_rows;
      }
    }
    double matches = static_cast<double>(exact_matches);
    if (rest_rows > 0) {
      // Every stride-th row of the remaining chunks, counted across chunk boundaries.
      const int64_t stride = std::max<int64_t>(
          1, (rest_rows + max_sample_rows - 1) / std::max<int64_t>(1, max_sample_rows));
      int64_t next = stride / 2, base = 0, sample_matches = 0;
      for (const auto* c : rest) {
        std::vector<int64_t> rows;
        for (; next < base + c->num_rows; next += stride) rows.push_back(next - base);
        base += c->num_rows;
        if (rows.empty()) continue;
        QV_ASSIGN_OR_RETURN(expr::ColumnBatch batch, ChunkBatch(f, *c, &rows));
        expr::Bitset bits;
        QV_RETURN_IF_ERROR(expr::Evaluate(*f.plan, batch, &bits));
        sample_matches += bits.Count();
        est.sampled_rows += static_cast<int64_t>(rows.size());
      }
      if (est.sampled_rows > 0) {
        matches += static_cast<double>(sample_matches) / static_cast<double>(est.sampled_rows) *
                   static_cast<double>(rest_rows);
      }
    }
    est.fraction = std::clamp(matches / static_cast<double>(est.rows), 0.0, 1.0);
    return Status::Ok();
  });
  QV_RETURN_IF_ERROR(st);
  return est;
}

}  // namespace quiver::proxy
