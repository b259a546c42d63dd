// Table-driven tests of the filter-expression engine: parse + bind against a fixed schema, then
// evaluate over a fixed 10-row batch with nulls, JSON edge cases, unicode strings and empty
// arrays (expr_test_table.h), comparing matched row ids, without and with every scalar index
// kind. Error cases check Milvus-style message fragments.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "expr/expr_test_table.h"
#include "expr/index_builder.h"
#include "expr/parser.h"
#include "expr/plan.h"

namespace quiver::expr {
namespace {

using namespace test_table;  // NOLINT(build/namespaces): the shared data set

struct ErrorCase {
  const char* expr;
  const char* fragment;
};

// clang-format off
const std::vector<ErrorCase> kErrors = {
    {"age >", "line 1:5 mismatched input '<EOF>' expecting an expression"},
    {"age > 1 )", "line 1:8 extraneous input ')' expecting <EOF>"},
    {"age @ 1", "line 1:4 token recognition error at: '@'"},
    {"age > 1 and\n  id @ 2", "line 2:5 token recognition error at: '@'"},
    {"id == (1", "mismatched input '<EOF>' expecting ')'"},
    {"id > 1 And id < 3", "extraneous input 'And'"},
    {"age is  null", "extraneous input 'is'"},
    {"id in [1, 2", "expecting {',', ']'}"},
    {"name > 1", "comparisons between VarChar and Int64 are not supported"},
    {"age == \"x\"", "comparisons between Int32 and VarChar are not supported"},
    {"score > \"a\"", "comparisons between Float and VarChar are not supported"},
    {"flag > 1", "comparisons between Bool and Int64 are not supported"},
    {"id == 7.0", "cannot cast value 7 to Int64"},
    {"name like 1", "like pattern should be a string literal or template variable, got: 1"},
    {"age like \"1%\"", "like operation on non-string or no-json field is unsupported"},
    {"name like \"ab\\\\\"", "trailing escape character"},
    {"name + 1 == 2", "'add' cannot perform arithmetic between VarChar field and Int64"},
    {"id * 0.5 < 3", "'multiply' cannot perform arithmetic between Int64 field and Double"},
    {"score % 2 == 1", "modulo can only apply on integer types"},
    {"array_contains(age, 1)", "contains operation are only supported on json or array fields now, got: age"},
    {"json_contains_all(meta[\"arr\"], 1)", "ContainsAll operation element must be an array"},
    {"array_contains(nums, \"a\")", "cannot cast value \"a\" to Int64"},
    {"array_contains_any(tags, [1])", "ContainsAny operation can't compare between array element type: VarChar and Int64"},
    {"text_match(name, \"x\")", "text_match is not supported yet"},
    {"TEXT_MATCH(name, 'a b', minimum_should_match=1)", "text_match is not supported yet"},
    {"phrase_match(name, \"x y\", 2)", "phrase_match is not supported yet"},
    {"age > {missing}", "the value of expression template variable name {missing} is not found"},
    {"age ** 2 == 4", "power can only apply on constants: age ** 2"},
    {"age + price == 1", "'add' cannot perform arithmetic between Int32 field and Double"},
    {"age + id == 1", "not supported to do arithmetic operations between multiple fields"},
    {"id == age / 10 + 0", "only comparison between two fields is supported"},
    {"(age + 1) * 2 == 4", "complicated arithmetic operations are not supported"},
    {"10 - age == 4", "module field is not yet supported"},
    {"age / 0 == 1", "division or modulus by zero"},
    {"id == 1 / 0", "cannot divide by zero"},
    {"id == 1 % 0", "cannot modulo by zero"},
    {"id == 1.5 % 2", "modulo can only apply on integer"},
    {"\"a\" + 1 == 2", "add cannot apply on string field"},
    {"age + 1 > price", "only comparison between two fields is supported"},
    {"meta[\"a\"] == age", "two column comparison with JSON type is not supported"},
    {"tags == nums", "comparisons between Array[VarChar] and Array[Int64] are not supported"},
    {"tags == tags", "field-to-field comparison involving ARRAY fields is not supported"},
    {"tags > 1", "can not comparisons array fields directly"},
    {"nums == 1", "cannot cast value 1 to Array"},
    {"5 < age < 1", "invalid range: lowerbound is greater than upperbound"},
    {"1 < age < 1", "invalid range: lowerbound is greater than upperbound"},
    {"1 < age < name", "upperbound cannot be a non-const expression: name"},
    {"id < age < 5", "lowerbound cannot be a non-const expression: id"},
    {"\"a\" < age < \"b\"", "invalid range operations"},
    {"1 < flag < 2", "invalid range operations on boolean expr"},
    {"age", "predicate is not a boolean expression: age, data type: Int32"},
    {"1 + 2", "predicate is not a boolean expression"},
    {"flag", "predicate is not a boolean expression"},
    {"id in 1", "the right-hand side of 'in' must be a list, but got: 1"},
    {"id in [\"a\"]", "value '\"a\"' in list cannot be casted to Int64"},
    {"id in [1, id]", "array element type must be generic value, but got: id"},
    {"1 in [1]", "'term' can only be used on non-const expression, but got: 1"},
    {"not id == 1", "not op can only be applied on boolean expression"},
    {"id in [1, 2] and not id in [2]", "not op can only be applied on boolean expression"},
    {"exists name", "exists operations are only supportted on json field"},
    {"exists meta", "exists operations are only supportted on json key"},
    {"age[\"a\"] == 1", "Int32 data type not supported accessed with []"},
    {"tags[\"a\"] == \"x\"", "can only access array field with integer index"},
    {"meta[\"\"] == 1", "invalid identifier"},
    {"id & 1 == 1", "bitwise operations are not supported"},
    {"id << 1 == 2", "bitwise operations are not supported"},
    {"~id == 1", "bitwise operations are not supported"},
    {"id == 9223372036854775808", "out of int64 range"},
    {"id == 99999999999999999999", "out of int64 range"},
    {"name == \"\\%\"", "invalid syntax"},
    {"name == \"\\u12\"", "invalid syntax"},
    {"name == \"abc", "token recognition error at: '\"'"},
    {"id == 09", "invalid octal literal '09'"},
    {"random_sample(0.5) and id > 1", "random sample expression can only be the last expression in the logical and expression"},
    {"random_sample(1.5)", "the sample factor should be between 0 and 1"},
    {"id > 1 or random_sample(0.5)", "random sample expression cannot be used in logical or expression"},
    {"not random_sample(0.5)", "random sample expression cannot be used in unary expression"},
    {"null == 1", "NULL literal is not supported in expressions"},
    {"body == \"x\"", "filter on text field (body) is not supported yet"},
    {"foo(1)", "function foo is not supported"},
    {"vec is null", "IsNull/IsNotNull operations are not supported on vector fields"},
    {"tags[0] is null", "IsNull/IsNotNull operations are not supported on array element access"},
    {"[1, 2] == [1, 2]", "comparison operations cannot be applied to two incompatible operands"},
    {"true == 1", "comparison operations cannot be applied to two incompatible operands"},
    {"not 1", "not can only apply on boolean"},
    {"1 and id > 1", "'and' can only be used between boolean expressions"},
    {"id and id > 1", "'and' can only be used between boolean expressions"},
    {"age or id > 1", "'or' can only be used between boolean expressions"},
    {"-name == 1", "unexpected op: -"},
    {"array_length(age) == 1", "array_length operation are only supported on json, array or array-of-vector fields now"},
    {"array_length(tags) == 1.5", "cannot cast value 1.5 to Int64"},
    {"nums[0] == \"a\"", "comparisons between Array[Int64] and VarChar are not supported"},
};
// clang-format on

class ExprTable : public ::testing::TestWithParam<Case> {};
class ExprTemplateTable : public ::testing::TestWithParam<Case> {};
class ExprErrorTable : public ::testing::TestWithParam<ErrorCase> {};

Rows RunExpr(std::string_view expr, const TemplateValues* templates, std::string* error) {
  static const pb::CollectionSchema kSchema = MakeSchema(true);
  static const ColumnBatch kBatch = MakeBatch();
  auto plan = ParseAndBind(expr, kSchema, templates);
  if (!plan.ok()) {
    *error = plan.status().message();
    return {};
  }
  Bitset out;
  Status st = Evaluate(**plan, kBatch, &out);
  if (!st.ok()) {
    *error = st.message();
    return {};
  }
  EXPECT_EQ(out.size(), kBatch.row_count);
  return out.ToRows();
}

struct BuiltSet {
  std::vector<std::unique_ptr<const index::ScalarIndex>> owned;
  std::vector<ColumnIndex> indexes;
};
const BuiltSet& Built(size_t set) {
  static const std::vector<BuiltSet> kBuilt = [] {
    const ColumnBatch batch = MakeBatch();
    std::vector<BuiltSet> out;
    for (const IndexSet& s : IndexSets()) {
      BuiltSet b;
      for (const IndexSpec& spec : s.specs) {
        auto ix = BuildScalarIndex(s.kind, batch.columns.at(spec.field), spec.path, spec.cast);
        EXPECT_TRUE(ix.ok()) << ix.status().message();
        b.indexes.push_back({spec.field, spec.path, ix->get()});
        b.owned.push_back(std::move(ix).value());
      }
      out.push_back(std::move(b));
    }
    return out;
  }();
  return kBuilt[set];
}

// Rows matched with index set `set`; adds to *stats.
Rows RunIndexed(std::string_view expr, const TemplateValues* templates, size_t set,
                EvalStats* stats, std::string* error) {
  static const pb::CollectionSchema kSchema = MakeSchema(true);
  static const ColumnBatch kBatch = MakeBatch();
  auto plan = ParseAndBind(expr, kSchema, templates);
  if (!plan.ok()) {
    *error = plan.status().message();
    return {};
  }
  ColumnBatch batch;
  batch.row_count = kBatch.row_count;
  batch.indexes = Built(set).indexes;
  for (int64_t f : ColumnsNeeded(**plan, batch)) batch.columns[f] = kBatch.columns.at(f);
  Bitset out;
  Status st = Evaluate(**plan, batch, &out, stats);
  if (!st.ok()) {
    *error = st.message();
    return {};
  }
  return out.ToRows();
}

TEST_P(ExprTable, MatchesExpectedRows) {
  std::string error;
  Rows rows = RunExpr(GetParam().expr, nullptr, &error);
  ASSERT_EQ(error, "") << GetParam().expr;
  EXPECT_EQ(rows, GetParam().rows) << GetParam().expr;
}

TEST_P(ExprTable, MatchesExpectedRowsWithEveryIndexKind) {
  for (size_t set = 0; set < IndexSets().size(); ++set) {
    std::string error;
    EvalStats stats;
    Rows rows = RunIndexed(GetParam().expr, nullptr, set, &stats, &error);
    ASSERT_EQ(error, "") << GetParam().expr << " with " << IndexSets()[set].name;
    EXPECT_EQ(rows, GetParam().rows) << GetParam().expr << " with " << IndexSets()[set].name;
  }
}

TEST_P(ExprTemplateTable, MatchesExpectedRows) {
  static const TemplateValues kTemplates = MakeTemplates();
  std::string error;
  Rows rows = RunExpr(GetParam().expr, &kTemplates, &error);
  ASSERT_EQ(error, "") << GetParam().expr;
  EXPECT_EQ(rows, GetParam().rows) << GetParam().expr;
  for (size_t set = 0; set < IndexSets().size(); ++set) {
    rows = RunIndexed(GetParam().expr, &kTemplates, set, nullptr, &error);
    ASSERT_EQ(error, "") << GetParam().expr << " with " << IndexSets()[set].name;
    EXPECT_EQ(rows, GetParam().rows) << GetParam().expr << " with " << IndexSets()[set].name;
  }
}

// The index sets are not decoration: across the table, each answers many leaves, and these
// leaves are answered without reading any column.
TEST(ExprIndex, TableLeavesAreAnsweredFromIndexes) {
  for (size_t set = 0; set < IndexSets().size(); ++set) {
    EvalStats stats;
    std::string error;
    for (const Case& c : kCases) RunIndexed(c.expr, nullptr, set, &stats, &error);
    EXPECT_GT(stats.index_leaves, set == 3 ? 20 : 60) << IndexSets()[set].name;
  }
  const std::vector<std::pair<const char*, size_t>> index_only = {
      {"age > 30", 0},
      {"age != 25", 0},
      {"10 >= price > 3", 0},
      {"name in [\"alice\", \"bob\", \"zzz\"]", 0},
      {"name like \"a%\"", 3},
      {"meta[\"b\"] like \"%y\"", 3},
      {"age is null", 1},
      {"flag == true", 1},
      {"score in [0.1, 3]", 2},
      {"array_contains_all(tags, [\"red\", \"blue\"])", 0},
      {"array_contains_any(nums, [20, -1])", 1},
      {"meta[\"a\"] > 0.5", 0},
      {"meta[\"a\"] == 2.5", 0},
      {"meta[\"b\"] == true", 1},
      {"meta[\"b\"] like \"%\"", 3},
      {"color in ['red', 'blue']", 0},
      {"exists color", 0},
      {"json_contains(meta[\"arr\"], 1)", 0},
      {"json_contains_any($meta[\"tags\"], [\"a\", \"z\"])", 0},
      {"1 < size < 8", 2},
      {"age > 20 and (name like \"a%\" or flag == false)", 1},
  };
  for (const auto& [expr, set] : index_only) {
    EvalStats stats;
    std::string error;
    RunIndexed(expr, nullptr, set, &stats, &error);
    EXPECT_EQ(error, "") << expr;
    EXPECT_GT(stats.index_leaves, 0) << expr;
    EXPECT_EQ(stats.scanned_leaves, 0) << expr << " with " << IndexSets()[set].name;
  }
  // Where the index cannot reproduce the scan it declines: meta["a"] holds INT64_MAX, which a
  // double key cannot tell from INT64_MAX - 1.
  EvalStats stats;
  std::string error;
  // An infix pattern over a column whose values hardly repeat is scanned (cheaper than walking
  // as many keys); the rows are the same.
  EXPECT_EQ(RunIndexed("name like \"%l%\"", nullptr, 1, &stats, &error), (Rows{0, 2}));
  EXPECT_EQ(stats.index_leaves, 0);
  EXPECT_EQ(stats.scanned_leaves, 1);
  stats = {};
  EXPECT_EQ(RunIndexed("meta[\"a\"] == 9223372036854775807", nullptr, 0, &stats, &error),
            (Rows{8}));
  EXPECT_EQ(stats.index_leaves, 0);
}

TEST_P(ExprErrorTable, FailsWithMessage) {
  static const pb::CollectionSchema kSchema = MakeSchema(true);
  auto plan = ParseAndBind(GetParam().expr, kSchema);
  ASSERT_FALSE(plan.ok()) << GetParam().expr << " => " << (plan.ok() ? (*plan)->DebugString() : "");
  EXPECT_EQ(plan.status().code(), StatusCode::kInvalidArgument);
  const std::string& msg = plan.status().message();
  EXPECT_NE(msg.find(GetParam().fragment), std::string::npos) << GetParam().expr << " => " << msg;
  EXPECT_EQ(msg.rfind("cannot parse expression: ", 0), 0u) << msg;
  EXPECT_TRUE(msg.ends_with(": invalid parameter")) << msg;
}

std::string CaseName(size_t index) { return "Case" + std::to_string(index); }

INSTANTIATE_TEST_SUITE_P(Expr, ExprTable, ::testing::ValuesIn(kCases),
                         [](const auto& info) { return CaseName(info.index); });
INSTANTIATE_TEST_SUITE_P(Expr, ExprTemplateTable, ::testing::ValuesIn(kTemplateCases),
                         [](const auto& info) { return CaseName(info.index); });
INSTANTIATE_TEST_SUITE_P(Expr, ExprErrorTable, ::testing::ValuesIn(kErrors),
                         [](const auto& info) { return CaseName(info.index); });

TEST(Expr, ErrorMessageHasMilvusShape) {
  auto plan = ParseAndBind("age >", MakeSchema(true));
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.status().message(),
            "cannot parse expression: age >, error: line 1:5 mismatched input '<EOF>' expecting "
            "an expression: invalid parameter");
}

TEST(Expr, UnknownFieldWithoutDynamicFieldFails) {
  auto plan = ParseAndBind("color == \"red\"", MakeSchema(false));
  ASSERT_FALSE(plan.ok());
  EXPECT_NE(plan.status().message().find("field color not exist"), std::string::npos)
      << plan.status().message();
  auto meta = ParseAndBind("$meta[\"color\"] == \"red\"", MakeSchema(false));
  EXPECT_FALSE(meta.ok());
}

TEST(Expr, UnknownFieldOnDynamicCollectionIsMetaKey) {
  auto plan = ParseAndBind("color == \"red\"", MakeSchema(true));
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  EXPECT_EQ((*plan)->DebugString(), "(== $meta[color] \"red\")");
}

TEST(Expr, PrecedenceMatchesPlanGrammar) {
  auto schema = MakeSchema(true);
  auto debug = [&](const char* e) {
    auto p = ParseAndBind(e, schema);
    return p.ok() ? (*p)->DebugString() : p.status().message();
  };
  EXPECT_EQ(debug("id == 2 ** 3 ** 2"), "(== id 64)");  // ** is left-associative in Plan.g4
  EXPECT_EQ(debug("id == -2 ** 2"), "(== id -4)");
  EXPECT_EQ(debug("id == 1 or id == 2 and id == 3"), "(or (== id 1) (and (== id 2) (== id 3)))");
  EXPECT_EQ(debug("id > 1 and id < 5 and age > 2"), "(and (> id 1) (< id 5) (> age 2))");
  EXPECT_EQ(debug("not id in [1] == false"), debug("not id in [1] == false"));
  EXPECT_EQ(debug("1 < id <= 5"), "(range (1, 5] id)");
  EXPECT_EQ(debug("5 >= id > 1"), "(range (1, 5] id)");
  EXPECT_EQ(debug("10 > id"), "(< id 10)");
  EXPECT_NE(debug("age * 2 + 0 == 3").find("complicated arithmetic operations are not supported"),
            std::string::npos);
}

TEST(Expr, ReferencedFieldsAreSortedAndUnique) {
  auto plan =
      ParseAndBind("age > 1 and color == \"red\" and (score < price or age < 3)", MakeSchema(true));
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ((*plan)->ReferencedFields(), (Rows{kAge, kScore, kPrice, kDyn}));
}

TEST(Expr, MissingColumnIsAnError) {
  auto plan = ParseAndBind("age > 1", MakeSchema(true));
  ASSERT_TRUE(plan.ok());
  ColumnBatch batch;
  batch.row_count = 3;
  Bitset out;
  Status st = Evaluate(**plan, batch, &out);
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("no column for field 101"), std::string::npos) << st.message();
  batch.columns[kAge] = Column::Ints(pb::Int32, {1, 2});
  st = Evaluate(**plan, batch, &out);
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  batch.columns[kAge] = Column::Strings({"a", "b", "c"});
  EXPECT_FALSE(Evaluate(**plan, batch, &out).ok());
}

TEST(Expr, RandomSampleKeepsFactorOfMatchesDeterministically) {
  auto plan = ParseAndBind("id < 8 and random_sample(0.5)", MakeSchema(true));
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  ColumnBatch batch = MakeBatch();
  Bitset a, b;
  ASSERT_TRUE(Evaluate(**plan, batch, &a).ok());
  ASSERT_TRUE(Evaluate(**plan, batch, &b).ok());
  EXPECT_EQ(a.Count(), 4);
  EXPECT_EQ(a.ToRows(), b.ToRows());
  for (int64_t r : a.ToRows()) EXPECT_LT(r, 8);
  auto all = ParseAndBind("RANDOM_SAMPLE(0.3)", MakeSchema(true));
  ASSERT_TRUE(all.ok());
  ASSERT_TRUE(Evaluate(**all, batch, &a).ok());
  EXPECT_EQ(a.Count(), 3);
}

std::string Nest(int depth, const std::string& inner) {
  return std::string(depth, '(') + inner + std::string(depth, ')');
}

TEST(Expr, DeepNestingIsLimitedNotACrash) {
  auto schema = MakeSchema(true);
  std::string error;
  EXPECT_EQ(RunExpr(Nest(900, "id == 1"), nullptr, &error), (Rows{1})) << error;
  auto deep = ParseAndBind(Nest(5000, "id == 1"), schema);
  ASSERT_FALSE(deep.ok());
  EXPECT_NE(deep.status().message().find("nested too deeply"), std::string::npos);
  std::string nots;
  for (int i = 0; i < 800; ++i) nots += "not ";
  EXPECT_EQ(RunExpr(nots + "(id == 1)", nullptr, &error), (Rows{1})) << error;
  std::string many_nots;
  for (int i = 0; i < 3000; ++i) many_nots += "!";
  EXPECT_FALSE(ParseAndBind(many_nots + "(id == 1)", schema).ok());
  std::string sum = "id == 0";
  for (int i = 0; i < 3000; ++i) sum += " + 0";
  auto chain = ParseAndBind(sum, schema);
  ASSERT_FALSE(chain.ok());
  EXPECT_NE(chain.status().message().find("nested too deeply"), std::string::npos);
}

TEST(Expr, LongOrChainIsFlat) {
  std::string e = "id == 100";
  for (int i = 0; i < 20000; ++i) e += " or id == " + std::to_string(i % 7);
  std::string error;
  EXPECT_EQ(RunExpr(e, nullptr, &error), (Rows{0, 1, 2, 3, 4, 5, 6})) << error;
}

TEST(Expr, TooLongExpressionIsRejected) {
  std::string e = "id in [" + std::string(kMaxExprBytes, ' ') + "]";
  auto plan = ParseAndBind(e, MakeSchema(true));
  ASSERT_FALSE(plan.ok());
  EXPECT_NE(plan.status().message().find("too long"), std::string::npos);
}

TEST(Expr, TemplateKinds) {
  TemplateValues t;
  t["nested"]
      .mutable_array_val()
      ->mutable_array_data()
      ->add_data()
      ->mutable_string_data()
      ->add_data("red");
  t["nested"]
      .mutable_array_val()
      ->mutable_array_data()
      ->mutable_data(0)
      ->mutable_string_data()
      ->add_data("blue");
  t["nil"];
  std::string error;
  EXPECT_EQ(RunExpr("tags in {nested}", &t, &error), (Rows{0})) << error;
  RunExpr("id == {nil}", &t, &error);
  EXPECT_NE(error.find("the value of expression template variable {nil} is nil"), std::string::npos)
      << error;
}

// Differential check of the vectorised loops against a scalar reference on random data.
TEST(Expr, RandomIntColumnMatchesReference) {
  pb::CollectionSchema schema = MakeSchema(false);
  std::mt19937_64 rng(7);
  const int64_t n = 10007;  // not a multiple of 64
  std::vector<int64_t> ages(n);
  std::vector<uint8_t> valid(n);
  std::vector<std::string> names(n);
  for (int64_t i = 0; i < n; ++i) {
    ages[i] = static_cast<int64_t>(rng() % 200) - 100;
    valid[i] = rng() % 10 != 0;
    names[i] = std::string(1, static_cast<char>('a' + rng() % 5)) + std::to_string(rng() % 50);
  }
  ColumnBatch batch;
  batch.row_count = n;
  batch.columns[kAge] = Column::Ints(pb::Int32, ages, valid);
  batch.columns[kName] = Column::Strings(names);
  struct Ref {
    const char* expr;
    std::function<int(int64_t)> pred;  // 1 true, 0 false, -1 unknown
  };
  auto age = [&](int64_t i, auto f) { return valid[i] ? (f(ages[i]) ? 1 : 0) : -1; };
  std::vector<Ref> refs = {
      {"age > 10", [&](int64_t i) { return age(i, [](int64_t a) { return a > 10; }); }},
      {"age != -3", [&](int64_t i) { return age(i, [](int64_t a) { return a != -3; }); }},
      {"-50 <= age < 25",
       [&](int64_t i) { return age(i, [](int64_t a) { return -50 <= a && a < 25; }); }},
      {"age % 7 == 3", [&](int64_t i) { return age(i, [](int64_t a) { return a % 7 == 3; }); }},
      {"age in [1, 2, 3, 5, 8, 13, 21, 34, 55, 89]",
       [&](int64_t i) {
         return age(i, [](int64_t a) {
           return a == 1 || a == 2 || a == 3 || a == 5 || a == 8 || a == 13 || a == 21 || a == 34 ||
                  a == 55 || a == 89;
         });
       }},
      {"not (age > 0) or name like \"c%\"",
       [&](int64_t i) {
         int l = age(i, [](int64_t a) { return a > 0; });
         int notl = l < 0 ? -1 : 1 - l;
         int r = names[i][0] == 'c';
         return (notl == 1 || r == 1) ? 1 : (notl == 0 && r == 0 ? 0 : -1);
       }},
      {"name like \"b_%\" and age is not null",
       [&](int64_t i) { return names[i][0] == 'b' && names[i].size() >= 2 && valid[i] ? 1 : 0; }},
  };
  for (const Ref& ref : refs) {
    auto plan = ParseAndBind(ref.expr, schema);
    ASSERT_TRUE(plan.ok()) << ref.expr << ": " << plan.status().message();
    Bitset out;
    ASSERT_TRUE(Evaluate(**plan, batch, &out).ok());
    int64_t mismatches = 0, expected = 0;
    for (int64_t i = 0; i < n; ++i) {
      bool want = ref.pred(i) == 1;
      expected += want;
      mismatches += out.Test(i) != want;
    }
    EXPECT_EQ(mismatches, 0) << ref.expr;
    EXPECT_GT(expected, 0) << ref.expr;  // the case exercises matches
    EXPECT_LT(expected, n) << ref.expr;
  }
}

// Index vs scan on random columns: duplicates, nulls, NaN and -0.0, arrays with repeated
// elements, JSON values of mixed types; every kind, many predicates. Same rows, and the index
// answers (no leaf scanned) wherever it claims to.
TEST(ExprIndex, RandomColumnsMatchTheScanWithEveryKind) {
  pb::CollectionSchema schema = MakeSchema(true);
  std::mt19937_64 rng(11);
  const int64_t n = 5000;
  std::vector<int64_t> ages(n);
  std::vector<uint8_t> valid(n);
  std::vector<double> prices(n);
  std::vector<std::string> names(n), metas(n);
  ArrayData nums;
  nums.element_type = pb::Int64;
  for (int64_t i = 0; i < n; ++i) {
    ages[i] = static_cast<int64_t>(rng() % 40) - 20;
    valid[i] = rng() % 8 != 0;
    const uint64_t p = rng() % 50;
    prices[i] = p == 0 ? std::nan("") : p == 1 ? -0.0 : static_cast<double>(p % 13) / 4 - 1;
    names[i] = std::string(1, static_cast<char>('a' + rng() % 4)) + std::to_string(rng() % 30);
    for (uint64_t k = rng() % 4; k > 0; --k) nums.ints.push_back(static_cast<int64_t>(rng() % 6));
    nums.offsets.push_back(static_cast<uint32_t>(nums.ints.size()));
    switch (rng() % 5) {
      case 0:
        metas[i] = "{\"a\": " + std::to_string(rng() % 10) + "}";
        break;
      case 1:
        metas[i] = "{\"a\": \"" + std::to_string(rng() % 10) + "\"}";
        break;
      case 2:
        metas[i] = "{\"a\": " + std::to_string(rng() % 10) + ".5}";
        break;
      case 3:
        metas[i] = "{\"b\": 1}";
        break;
      default:
        metas[i] = "{\"a\": [" + std::to_string(rng() % 3) + ", 1]}";
        break;
    }
  }
  ColumnBatch batch;
  batch.row_count = n;
  batch.columns[kAge] = Column::Ints(pb::Int32, ages, valid);
  batch.columns[kPrice] = Column::Doubles(prices, valid);
  batch.columns[kName] = Column::Strings(names);
  batch.columns[kNums] = Column::Array(nums);
  batch.columns[kMeta] = Column::Json(metas);
  const std::vector<const char*> exprs = {
      "age == 3",
      "age != 3",
      "age < -5",
      "age <= 0",
      "age > 7",
      "age >= 19",
      "-3 < age <= 4",
      "age in [1, 5, 9, 100]",
      "not (age in [1, 2])",
      "age is null",
      "age is not null",
      "price == 0",
      "price != 0.5",
      "price < 0",
      "price >= 1.25",
      "-0.5 <= price < 0.5",
      "price in [0, 2]",
      "not (price > 1)",
      "name == \"b7\"",
      "name > \"c2\"",
      "name like \"a1%\"",
      "name like \"%7\"",
      "name in [\"a1\", \"d29\"]",
      "array_contains(nums, 3)",
      "array_contains_all(nums, [1, 5])",
      "array_contains_any(nums, [0, 2])",
      "not array_contains(nums, 4)",
      "meta[\"a\"] > 4",
      "meta[\"a\"] == 3",
      "meta[\"a\"] in [1, 2.5, 7]",
      "exists meta[\"a\"]",
      "meta[\"a\"] like \"1%\"",
      "json_contains(meta[\"a\"], 1)",
      "age > 0 and (price < 0.5 or name like \"b%\")",
      "not (age < 0 or array_contains(nums, 2))",
  };
  struct Kind {
    index::ScalarIndexKind kind;
    JsonCast meta_cast;
  };
  for (Kind k : {Kind{index::ScalarIndexKind::kInverted, JsonCast::kDouble},
                 Kind{index::ScalarIndexKind::kBitmap, JsonCast::kVarchar},
                 Kind{index::ScalarIndexKind::kStlSort, JsonCast::kArrayDouble},
                 Kind{index::ScalarIndexKind::kTrie, JsonCast::kDouble}}) {
    std::vector<std::unique_ptr<const index::ScalarIndex>> owned;
    ColumnBatch indexed;
    indexed.row_count = n;
    for (int64_t f : {kAge, kPrice, kName, kNums}) {
      owned.push_back(BuildScalarIndex(k.kind, batch.columns.at(f)).value());
      indexed.indexes.push_back({f, {}, owned.back().get()});
    }
    owned.push_back(BuildScalarIndex(k.kind, batch.columns.at(kMeta), {"a"}, k.meta_cast).value());
    indexed.indexes.push_back({kMeta, {"a"}, owned.back().get()});
    int64_t answered = 0;
    for (const char* e : exprs) {
      auto plan = ParseAndBind(e, schema);
      ASSERT_TRUE(plan.ok()) << e << ": " << plan.status().message();
      Bitset want, got;
      ASSERT_TRUE(Evaluate(**plan, batch, &want).ok()) << e;
      ColumnBatch b = indexed;
      for (int64_t f : ColumnsNeeded(**plan, b)) b.columns[f] = batch.columns.at(f);
      EvalStats stats;
      ASSERT_TRUE(Evaluate(**plan, b, &got, &stats).ok()) << e;
      EXPECT_EQ(got.ToRows(), want.ToRows()) << e << " with " << index::ScalarIndexKindName(k.kind);
      answered += stats.index_leaves;
    }
    EXPECT_GT(answered, 20) << index::ScalarIndexKindName(k.kind);
  }
}

TEST(Bitset, TailBitsStayClear) {
  Bitset b(70, true);
  EXPECT_EQ(b.Count(), 70);
  b.Flip();
  EXPECT_EQ(b.Count(), 0);
  b.Flip();
  b.Set(3, false);
  EXPECT_EQ(b.Count(), 69);
  EXPECT_FALSE(b.Test(3));
  EXPECT_EQ(b.ToRows().back(), 69);
}

TEST(LikePattern, FastPathsAreChosen) {
  auto kind = [](const char* p) { return LikePattern::Compile(p)->kind(); };
  EXPECT_EQ(kind("abc%"), LikePattern::Kind::kPrefix);
  EXPECT_EQ(kind("%abc"), LikePattern::Kind::kPostfix);
  EXPECT_EQ(kind("%abc%"), LikePattern::Kind::kInner);
  EXPECT_EQ(kind("abc"), LikePattern::Kind::kEqual);
  EXPECT_EQ(kind("a\\%c"), LikePattern::Kind::kEqual);
  EXPECT_EQ(kind("a_c"), LikePattern::Kind::kMatch);
  EXPECT_EQ(kind("a%c"), LikePattern::Kind::kMatch);
  EXPECT_EQ(LikePattern::Compile("a\\%c")->literal(), "a%c");
  EXPECT_TRUE(LikePattern::Compile("%a%b%c%")->Matches("xxaxxbxxcxx"));
  EXPECT_FALSE(LikePattern::Compile("%a%b%c%")->Matches("xxaxxcxxbxx"));
  EXPECT_FALSE(LikePattern::Compile("a\\").ok());
}

}  // namespace
}  // namespace quiver::expr

namespace quiver::expr {
namespace {

// And/or children are reordered by cost and JSON is parsed only for undecided rows; whatever
// the order, Kleene logic fixes the TRUE rows: TRUE(a and b) = TRUE(a) ∩ TRUE(b),
// TRUE(a or b) = TRUE(a) ∪ TRUE(b), TRUE(not (a and b)) = TRUE(not a) ∪ TRUE(not b).
TEST(Expr, ShortCircuitOrderKeepsKleeneIdentities) {
  const std::vector<std::string> typed = {"age > 20", "age is null", "id < 4", "name like \"a%\"",
                                          "flag == true"};
  const std::vector<std::string> json = {"meta[\"a\"] == 1", "exists meta[\"b\"]",
                                         "color == \"red\"", "json_contains(meta[\"arr\"], 2)",
                                         "array_length(nums) > 1"};
  auto rows = [](const std::string& e) {
    std::string error;
    Rows r = RunExpr(e, nullptr, &error);
    EXPECT_EQ(error, "") << e;
    return std::set<int64_t>(r.begin(), r.end());
  };
  auto both = [](const std::set<int64_t>& a, const std::set<int64_t>& b, bool intersect) {
    std::set<int64_t> out;
    for (int64_t r : a) {
      if (!intersect || b.count(r)) out.insert(r);
    }
    if (!intersect) out.insert(b.begin(), b.end());
    return out;
  };
  for (const auto& t : typed) {
    for (const auto& j : json) {
      auto rt = rows(t), rj = rows(j);
      EXPECT_EQ(rows(j + " and " + t), both(rt, rj, true)) << j << " and " << t;
      EXPECT_EQ(rows(t + " and " + j), both(rt, rj, true)) << t << " and " << j;
      EXPECT_EQ(rows(j + " or " + t), both(rt, rj, false)) << j << " or " << t;
      EXPECT_EQ(rows("not (" + j + " and " + t + ")"),
                both(rows("not (" + j + ")"), rows("not (" + t + ")"), false))
          << "not (" << j << " and " << t << ")";
      EXPECT_EQ(rows("(" + j + " or " + t + ") and (" + t + " or " + j + ")"), both(rt, rj, false));
    }
  }
}

}  // namespace
}  // namespace quiver::expr

namespace quiver::expr {
namespace {

// JSON values as deep as an insert allows (64 KiB: 32k levels) are evaluated without recursion
// trouble.
TEST(Expr, DeeplyNestedJsonValuesEvaluate) {
  const std::string deep = std::string(32000, '[') + "1" + std::string(32000, ']');
  ColumnBatch batch;
  batch.row_count = 2;
  batch.columns.emplace(kMeta, Column::Json({deep, R"({"a": [1, 2]})"}));
  for (const char* e :
       {"meta[0][0] == 1", "exists meta[0]", "json_contains(meta, 1)", "meta[\"a\"][0] == 1",
        "meta == 1", "json_contains_any(meta[\"a\"], [2])"}) {
    auto plan = ParseAndBind(e, MakeSchema(true));
    ASSERT_TRUE(plan.ok()) << e << ": " << plan.status().ToString();
    Bitset out;
    ASSERT_TRUE(Evaluate(**plan, batch, &out).ok()) << e;
  }
}

}  // namespace
}  // namespace quiver::expr

namespace quiver::expr {
namespace {

// JSON predicates parse only the first path key's value when they can; these documents check
// that lookup against whole-document semantics (last duplicate wins, braces and quotes inside
// strings, escaped keys, arrays, nulls, numbers with exponents).
TEST(Expr, JsonKeyLookupMatchesWholeDocumentParsing) {
  const std::vector<std::string> docs = {
      R"({"a": 1, "a": 2})",
      R"({"s": "}{\"a\":9", "a": 3})",
      R"({ "a" : [1, {"b": "]"}] })",
      R"({"\u0061": 5})",
      R"([1, 2])",
      R"({})",
      R"({"a": null})",
      R"({"a":true,"b":-1.5e3})",
  };
  ColumnBatch batch;
  batch.row_count = static_cast<int64_t>(docs.size());
  batch.columns.emplace(kMeta, Column::Json(docs));
  auto rows = [&](const std::string& e) {
    auto plan = ParseAndBind(e, MakeSchema(true));
    EXPECT_TRUE(plan.ok()) << e << ": " << plan.status().ToString();
    Bitset out;
    EXPECT_TRUE(plan.ok() && Evaluate(**plan, batch, &out).ok()) << e;
    return out.ToRows();
  };
  EXPECT_EQ(rows(R"(meta["a"] == 2)"), (Rows{0}));
  EXPECT_EQ(rows(R"(meta["a"] == 3)"), (Rows{1}));
  EXPECT_EQ(rows(R"(meta["a"] == 9)"), (Rows{}));
  EXPECT_EQ(rows(R"(meta["a"][1]["b"] == "]")"), (Rows{2}));
  EXPECT_EQ(rows(R"(meta["a"] == 5)"), (Rows{3}));
  EXPECT_EQ(rows(R"(meta[0] == 1)"), (Rows{4}));
  EXPECT_EQ(rows(R"(exists meta["a"])"), (Rows{0, 1, 2, 3, 7}));
  EXPECT_EQ(rows(R"(meta["b"] < 0)"), (Rows{7}));
  EXPECT_EQ(rows(R"(meta["s"] like "}%")"), (Rows{1}));
  EXPECT_EQ(rows(R"(json_contains(meta["a"], 1))"), (Rows{2}));
}

}  // namespace
}  // namespace quiver::expr
