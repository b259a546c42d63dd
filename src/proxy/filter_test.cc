#include "proxy/filter.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace quiver::proxy
