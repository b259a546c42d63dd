#include "proxy/filter.h"

#include <gtest/gtest.h>

#include "expr/expr_test_table.h"
#include "segment/field_data.h"

namespace quiver::proxy {
namespace {

using milvus::proto::schema::CollectionSchema;
using milvus::proto::schema::DataType;

// Rows: id 0..5; n = id*10 (row 5: null); name a,b,c,ab,bc,"" ; meta {"k": id%2, "s": "x<id>"}
struct Fixture {
  CollectionSchema schema;
  segment::Chunk chunk;
  Fixture() {
    auto add = [&](const char* name, DataType t, int64_t id) {
      auto* f = schema.add_fields();
      f->set_name(name);
      f->set_data_type(t);
      f->set_fieldid(id);
      return f;
    };
    add("id", DataType::Int64, 100)->set_is_primary_key(true);
    add("n", DataType::Int64, 101)->set_nullable(true);
    add("name", DataType::VarChar, 102);
    add("$meta", DataType::JSON, 103)->set_is_dynamic(true);
    chunk.num_rows = 6;
    chunk.columns.reserve(4);  // col() hands out pointers into the vector
    chunk.dead_at.assign(6, segment::Chunk::kAlive);
    chunk.pk_field_id = 100;
    auto col = [&](int64_t id, DataType t) {
      chunk.columns.emplace_back();
      auto& c = chunk.columns.back();
      c.set_field_id(id);
      c.set_type(t);
      chunk.column_by_field[id] = static_cast<int>(chunk.columns.size() - 1);
      return &c;
    };
    auto* id = col(100, DataType::Int64);
    auto* n = col(101, DataType::Int64);
    auto* name = col(102, DataType::VarChar);
    auto* meta = col(103, DataType::JSON);
    const char* names[] = {"a", "b", "c", "ab", "bc", ""};
    for (int i = 0; i < 6; ++i) {
      id->mutable_scalars()->mutable_long_data()->add_data(i);
      n->mutable_scalars()->mutable_long_data()->add_data(i * 10);
      n->add_valid_data(i != 5);
      name->mutable_scalars()->mutable_string_data()->add_data(names[i]);
      meta->mutable_scalars()->mutable_json_data()->add_data(
          fmt::format(R"({{"k": {}, "s": "x{}", "arr": [{}, {}]}})", i % 2, i, i, i + 1));
    }
  }
  std::vector<int> Match(const std::string& expr) {
    TemplateValues none;
    auto f = CompileFilter(expr, schema, none);
    EXPECT_TRUE(f.ok()) << expr << ": " << f.status().ToString();
    std::vector<int> out;
    if (!f.ok()) return out;
    std::vector<uint8_t> mask(6, 1);
    EXPECT_TRUE(f->filter(chunk, mask).ok());
    for (int i = 0; i < 6; ++i) {
      if (mask[static_cast<size_t>(i)]) out.push_back(i);
    }
    return out;
  }
  Status Error(const std::string& expr) {
    TemplateValues none;
    return CompileFilter(expr, schema, none).status();
  }
};

TEST(Filter, ComparisonsRangesAndLogic) {
  Fixture fx;
  using V = std::vector<int>;
  EXPECT_EQ(fx.Match("id > 3"), (V{4, 5}));
  EXPECT_EQ(fx.Match("1 <= id < 3"), (V{1, 2}));
  EXPECT_EQ(fx.Match("4 > id >= 2"), (V{2, 3}));
  EXPECT_EQ(fx.Match("id in [0, 5, 9]"), (V{0, 5}));
  EXPECT_EQ(fx.Match("id not in [0, 5]"), (V{1, 2, 3, 4}));
  // `and` binds tighter than `or`.
  EXPECT_EQ(fx.Match("id == 1 or id == 2 and id == 3"), (V{1}));
  EXPECT_EQ(fx.Match("(id == 1 or id == 2) and id == 3"), (V{}));
  EXPECT_EQ(fx.Match("(id == 1 or id == 2) and name == 'b'"), (V{1}));
  EXPECT_EQ(fx.Match("id + 1 == 3"), (V{2}));
  EXPECT_EQ(fx.Match("id % 2 == 1"), (V{1, 3, 5}));
  EXPECT_EQ(fx.Match("id == 2 ** 2"), (V{4}));
  EXPECT_EQ(fx.Match("id == 010"), (V{}));  // octal 8
  EXPECT_EQ(fx.Match("id == 0x3"), (V{3}));
  EXPECT_EQ(fx.Match("id == 1 && !(name == 'x')"), (V{1}));
}

TEST(Filter, NullsAreNeitherTrueNorFalse) {
  Fixture fx;
  using V = std::vector<int>;
  EXPECT_EQ(fx.Match("n >= 0"), (V{0, 1, 2, 3, 4}));
  EXPECT_EQ(fx.Match("not (n >= 20)"), (V{0, 1}));
  EXPECT_EQ(fx.Match("n is null"), (V{5}));
  EXPECT_EQ(fx.Match("n is not null and n < 20"), (V{0, 1}));
  EXPECT_EQ(fx.Match("n > 100 or id == 5"), (V{5}));
}

TEST(Filter, StringsLikeAndJson) {
  Fixture fx;
  using V = std::vector<int>;
  EXPECT_EQ(fx.Match("name like \"a%\""), (V{0, 3}));
  EXPECT_EQ(fx.Match("name like \"%c\""), (V{2, 4}));
  EXPECT_EQ(fx.Match("name like \"_\""), (V{0, 1, 2}));
  EXPECT_EQ(fx.Match("name > \"b\""), (V{2, 4}));
  EXPECT_EQ(fx.Match("k == 1"), (V{1, 3, 5}));           // dynamic key by bare name
  EXPECT_EQ(fx.Match("$meta[\"s\"] == \"x2\""), (V{2}));
  EXPECT_EQ(fx.Match("arr[1] == 3"), (V{2}));
  EXPECT_EQ(fx.Match("exists missing"), (V{}));
  EXPECT_EQ(fx.Match("json_contains(arr, 4)"), (V{3, 4}));
  EXPECT_EQ(fx.Match("json_contains_all(arr, [1, 2])"), (V{1}));
  EXPECT_EQ(fx.Match("json_contains_any(arr, [0, 6])"), (V{0, 5}));
  EXPECT_EQ(fx.Match("array_length(arr) == 2"), (V{0, 1, 2, 3, 4, 5}));
  EXPECT_EQ(fx.Match("s in ['x1', 'x4']"), (V{1, 4}));
  EXPECT_EQ(fx.Match("name == \"\\x61\""), (V{0}));       // escapes decode
}

TEST(Filter, ErrorsNameTheProblem) {
  Fixture fx;
  for (const char* bad : {"id >", "id == 1 and", "(id == 1", "id == 'a'", "name + 1 == 2",
                          "id ** 2 == 4", "text_match(name, 'a')", "unknown_fn(id)", "id in 5",
                          "id == {missing}", "id ~= 3", "'str"}) {
    Status st = fx.Error(bad);
    EXPECT_FALSE(st.ok()) << bad;
    EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << bad;
  }
  EXPECT_NE(fx.Error("id == 1 and").message().find("line 1:"), std::string::npos);
  // Deep nesting is refused, not a stack overflow.
  std::string deep(10000, '(');
  deep += "id == 1";
  deep += std::string(10000, ')');
  EXPECT_FALSE(fx.Error(deep).ok());
}

TEST(Filter, PrimaryKeyListsSkipTheScan) {
  Fixture fx;
  TemplateValues none;
  auto f = CompileFilter("id in [3, 1]", fx.schema, none);
  ASSERT_TRUE(f.ok());
  ASSERT_TRUE(f->pk_list.has_value());
  EXPECT_EQ(f->pk_list->int_id().data_size(), 2);
  EXPECT_FALSE(CompileFilter("id in [1] and n > 0", fx.schema, none)->pk_list.has_value());
  EXPECT_TRUE(CompileFilter("id == 4", fx.schema, none)->pk_list.has_value());
}

TEST(Filter, TemplatesSubstitute) {
  Fixture fx;
  TemplateValues t;
  t["lo"].set_int64_val(2);
  auto* arr = t["names"].mutable_array_val()->mutable_string_data();
  arr->add_data("a");
  arr->add_data("bc");
  auto f = CompileFilter("id >= {lo} and name in {names}", fx.schema, t);
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  std::vector<uint8_t> mask(6, 1);
  ASSERT_TRUE(f->filter(fx.chunk, mask).ok());
  EXPECT_EQ(mask, (std::vector<uint8_t>{0, 0, 0, 0, 1, 0}));
}

// The expression engine's table (src/expr/expr_test_table.h) through stored chunks: the 10 rows
// as three chunks of a GrowingStore, read with CompileFilter's chunk filter while growing, and
// with the first two chunks persisted and indexed with each index kind (the third still
// growing, so scanned), and all three persisted and indexed. Every case matches the same rows.
namespace table = expr::test_table;

milvus::proto::schema::FieldData Stored(const milvus::proto::schema::FieldSchema& f,
                                        const expr::Column& c, int64_t from, int64_t to) {
  milvus::proto::schema::FieldData out;
  out.set_field_id(f.fieldid());
  out.set_field_name(f.name());
  out.set_type(f.data_type());
  out.set_is_dynamic(f.is_dynamic());
  auto* s = out.mutable_scalars();
  for (int64_t i = from; i < to; ++i) {
    const auto r = static_cast<size_t>(i);
    if (!c.valid.empty()) out.add_valid_data(c.valid[r] != 0);
    switch (f.data_type()) {
      case DataType::Bool:
        s->mutable_bool_data()->add_data(c.bools[r] != 0);
        break;
      case DataType::Int8:
      case DataType::Int16:
      case DataType::Int32:
        s->mutable_int_data()->add_data(static_cast<int32_t>(c.ints[r]));
        break;
      case DataType::Int64:
        s->mutable_long_data()->add_data(c.ints[r]);
        break;
      case DataType::Float:
        s->mutable_float_data()->add_data(c.floats[r]);
        break;
      case DataType::Double:
        s->mutable_double_data()->add_data(c.doubles[r]);
        break;
      case DataType::VarChar:
        s->mutable_string_data()->add_data(c.strings[r]);
        break;
      case DataType::JSON:
        s->mutable_json_data()->add_data(c.strings[r]);
        break;
      case DataType::Array: {
        auto* arr = s->mutable_array_data();
        arr->set_element_type(f.element_type());
        auto* row = arr->add_data();
        for (uint32_t e = c.array.offsets[r]; e < c.array.offsets[r + 1]; ++e) {
          if (f.element_type() == DataType::VarChar) {
            row->mutable_string_data()->add_data(c.array.strings[e]);
          } else {
            row->mutable_long_data()->add_data(c.array.ints[e]);
          }
        }
        break;
      }
      default:
        break;
    }
  }
  return out;
}

class StoredTable {
 public:
  StoredTable() : schema_(table::MakeSchema(true)), store_(table::kId) {
    const expr::ColumnBatch batch = table::MakeBatch();
    for (auto [from, to] : {std::pair{0, 4}, std::pair{4, 7}, std::pair{7, 10}}) {
      wal::WalEntry e;
      e.set_ts(static_cast<Timestamp>(100 + from));
      auto* ins = e.add_inserts();
      ins->set_num_rows(to - from);
      for (const auto& f : schema_.fields()) {
        auto it = batch.columns.find(f.fieldid());
        if (it != batch.columns.end()) *ins->add_columns() = Stored(f, it->second, from, to);
      }
      chunks_.push_back(std::move(e));
    }
  }
  void Apply(size_t chunk) { ASSERT_TRUE(store_.Apply(std::move(chunks_[chunk])).ok()); }
  void Persist() {
    auto u = store_.ExportUnpersisted();
    store_.MarkPersisted(u.chunk_watermark, u.delete_watermark);
  }
  // Indexes the persisted chunks with one index set; returns the rows indexed per definition.
  std::vector<int64_t> Index(size_t set) {
    const table::IndexSet& s = table::IndexSets()[set];
    std::vector<int64_t> rows;
    for (size_t k = 0; k < s.specs.size(); ++k) {
      const table::IndexSpec& spec = s.specs[k];
      const milvus::proto::schema::FieldSchema* field = nullptr;
      for (const auto& f : schema_.fields()) {
        if (f.fieldid() == spec.field) field = &f;
      }
      segment::ScalarIndexSpec ss{fmt::format("{}-{}", s.name, k), spec.field, spec.path};
      auto built = store_.BuildScalarStep(
          ss, 1000,
          [&](const segment::Chunk& chunk) -> Result<std::shared_ptr<const index::ScalarIndex>> {
            QV_ASSIGN_OR_RETURN(
                expr::Column c,
                expr::ColumnFromFieldData(*field, *chunk.Column(spec.field), chunk.num_rows));
            QV_ASSIGN_OR_RETURN(auto ix, expr::BuildScalarIndex(s.kind, c, spec.path, spec.cast));
            return std::shared_ptr<const index::ScalarIndex>(std::move(ix));
          });
      EXPECT_TRUE(built.ok()) << built.status().ToString();
      rows.push_back(store_.ScalarIndexedRows(ss.signature));
    }
    return rows;
  }
  void DropIndexes() { store_.RetainScalarIndexes({}); }

  std::vector<int64_t> Match(const std::string& expr, const TemplateValues& templates) {
    auto f = CompileFilter(expr, schema_, templates);
    EXPECT_TRUE(f.ok()) << expr << ": " << f.status().ToString();
    std::vector<int64_t> ids;
    if (!f.ok()) return ids;
    Status st = store_.Read(
        Timestamp{1} << 60, {}, f->filter, [&](const std::vector<segment::RowRef>& rows) {
          for (const auto& r : rows)
            ids.push_back(
                r.chunk->Column(table::kId)->scalars().long_data().data(static_cast<int>(r.row)));
          return Status::Ok();
        });
    EXPECT_TRUE(st.ok()) << expr << ": " << st.ToString();
    return ids;
  }
  // Runs every table case; returns the number of mismatches (each reported).
  int RunAll(const std::string& label) {
    static const TemplateValues kTemplates = table::MakeTemplates();
    int bad = 0;
    for (const auto* cases : {&table::kCases, &table::kTemplateCases}) {
      for (const table::Case& c : *cases) {
        auto got = Match(c.expr, kTemplates);
        if (got != c.rows) {
          ++bad;
          ADD_FAILURE() << label << ": " << c.expr;
        }
      }
    }
    return bad;
  }
  const CompiledFilter Compile(const std::string& expr) {
    TemplateValues none;
    return CompileFilter(expr, schema_, none).value();
  }
  segment::GrowingStore& store() { return store_; }

 private:
  milvus::proto::schema::CollectionSchema schema_;
  segment::GrowingStore store_;
  std::vector<wal::WalEntry> chunks_;
};

TEST(FilterTable, GrowingChunksMatchTheTable) {
  StoredTable t;
  for (size_t c = 0; c < 3; ++c) t.Apply(c);
  EXPECT_EQ(t.RunAll("growing"), 0);
}

TEST(FilterTable, SealedChunksMatchTheTableWithEveryIndexKind) {
  for (size_t set = 0; set < table::IndexSets().size(); ++set) {
    const std::string name = table::IndexSets()[set].name;
    StoredTable t;
    t.Apply(0);
    t.Apply(1);
    t.Persist();
    t.Apply(2);  // growing: never indexed
    for (int64_t rows : t.Index(set)) EXPECT_EQ(rows, 7) << name;
    EXPECT_EQ(t.RunAll(name + " on sealed + growing chunks"), 0);
    t.Persist();
    for (int64_t rows : t.Index(set)) EXPECT_EQ(rows, 10) << name;
    EXPECT_EQ(t.RunAll(name + " on sealed chunks"), 0);
    t.DropIndexes();
    EXPECT_EQ(t.RunAll(name + " on sealed chunks, indexes dropped"), 0);
  }
}

TEST(FilterSelectivity, ExactFromIndexesEstimatedFromASample) {
  StoredTable t;
  for (size_t c = 0; c < 3; ++c) t.Apply(c);
  // No index: a sample (here every row: 10 < the sample size).
  auto est = EstimateSelectivity(t.Compile("age > 30"), t.store());
  ASSERT_TRUE(est.ok());
  EXPECT_EQ(est->rows, 10);
  EXPECT_EQ(est->indexed_rows, 0);
  EXPECT_EQ(est->sampled_rows, 10);
  EXPECT_DOUBLE_EQ(est->fraction, 0.4);
  // At most 3 rows of 10: every 4th row from row 2 (rows 2 and 6: age null, 60).
  est = EstimateSelectivity(t.Compile("age > 30"), t.store(), 3);
  ASSERT_TRUE(est.ok());
  EXPECT_EQ(est->sampled_rows, 2);
  EXPECT_DOUBLE_EQ(est->fraction, 0.5);
  // Indexed (INVERTED on age): exact, nothing sampled.
  t.Persist();
  t.Index(0);
  est = EstimateSelectivity(t.Compile("age > 30 and name like 'a%'"), t.store());
  ASSERT_TRUE(est.ok());
  EXPECT_EQ(est->indexed_rows, 10);
  EXPECT_EQ(est->sampled_rows, 0);
  EXPECT_DOUBLE_EQ(est->fraction, 0.0);
  est = EstimateSelectivity(t.Compile("age > 30 or name like 'a%'"), t.store());
  ASSERT_TRUE(est.ok());
  EXPECT_DOUBLE_EQ(est->fraction, 0.7);  // {4, 5, 6, 9} or {0, 7, 8}
  // A leaf no index answers (arithmetic) falls back to the sample.
  est = EstimateSelectivity(t.Compile("age % 20 == 0"), t.store());
  ASSERT_TRUE(est.ok());
  EXPECT_EQ(est->indexed_rows, 0);
  EXPECT_DOUBLE_EQ(est->fraction, 0.3);
  // No filter: everything.
  est = EstimateSelectivity(t.Compile(""), t.store());
  ASSERT_TRUE(est.ok());
  EXPECT_DOUBLE_EQ(est->fraction, 1.0);
}

}  // namespace
}  // namespace quiver::proxy
