// The fixed data set of the filter-engine table tests, shared by src/expr/expr_test.cc (over a
// ColumnBatch) and src/proxy/filter_test.cc (over stored chunks): a schema, a 10-row batch with
// nulls, JSON edge cases, unicode strings and empty arrays, the expressions with the row ids
// they match, and one set of scalar index definitions per index kind. Test-only.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "expr/index_builder.h"
#include "expr/plan.h"

namespace quiver::expr::test_table {

namespace pb = milvus::proto::schema;
using Rows = std::vector<int64_t>;

inline constexpr int64_t kId = 100, kAge = 101, kScore = 102, kPrice = 103, kName = 104,
                         kFlag = 105, kMeta = 106, kTags = 107, kNums = 108, kBody = 109,
                         kVec = 110, kI8 = 111, kDyn = 199;

inline void AddField(pb::CollectionSchema* s, int64_t id, const std::string& name, pb::DataType t,
                     bool nullable = false, pb::DataType elem = pb::None, bool dynamic = false) {
  pb::FieldSchema* f = s->add_fields();
  f->set_fieldid(id);
  f->set_name(name);
  f->set_data_type(t);
  f->set_nullable(nullable);
  f->set_element_type(elem);
  f->set_is_dynamic(dynamic);
  if (id == kId) f->set_is_primary_key(true);
}

inline pb::CollectionSchema MakeSchema(bool dynamic) {
  pb::CollectionSchema s;
  s.set_name("c");
  s.set_enable_dynamic_field(dynamic);
  AddField(&s, kId, "id", pb::Int64);
  AddField(&s, kAge, "age", pb::Int32, true);
  AddField(&s, kScore, "score", pb::Float);
  AddField(&s, kPrice, "price", pb::Double, true);
  AddField(&s, kName, "name", pb::VarChar, true);
  AddField(&s, kFlag, "flag", pb::Bool);
  AddField(&s, kMeta, "meta", pb::JSON, true);
  AddField(&s, kTags, "tags", pb::Array, false, pb::VarChar);
  AddField(&s, kNums, "nums", pb::Array, true, pb::Int64);
  AddField(&s, kBody, "body", pb::Text);
  AddField(&s, kVec, "vec", pb::FloatVector);
  AddField(&s, kI8, "i8", pb::Int8);
  if (dynamic) AddField(&s, kDyn, "$meta", pb::JSON, false, pb::None, true);
  return s;
}

inline ArrayData StringArrays(const std::vector<std::vector<std::string>>& rows) {
  ArrayData a;
  a.element_type = pb::VarChar;
  for (const auto& r : rows) {
    for (const auto& s : r) a.strings.push_back(s);
    a.offsets.push_back(static_cast<uint32_t>(a.strings.size()));
  }
  return a;
}

inline ArrayData IntArrays(const std::vector<std::vector<int64_t>>& rows) {
  ArrayData a;
  a.element_type = pb::Int64;
  for (const auto& r : rows) {
    for (int64_t v : r) a.ints.push_back(v);
    a.offsets.push_back(static_cast<uint32_t>(a.ints.size()));
  }
  return a;
}

// Row | id age score price name     flag meta                                   tags
// 0   | 0  10  0.5   1.5   alice     T   {"a":1,"b":"x","arr":[1,2,3],...}       [red,blue]
// 1   | 1  20  1.5   null  bob       F   {"a":2.5,"b":"y","arr":[]}              []
// 2   | 2  null 2.5  3.0   Álvaro    T   {"a":"3","b":null}                      [green]
// 3   | 3  30  0.1   4.25  null      F   null                                    [red]
// 4   | 4  40  -1    0     北京      T   {"a":-5,"arr":[1,"a",true],...}         [blue,red,green]
// 5   | 5  50  100   -2.5  ""        F   {}                                      [a_b]
// 6   | 6  60  3     10    100%      T   {"a":1e20,"b":true}                     [100%]
// 7   | 7  15  7.5   null  a_c       F   [1,2]                                   []
// 8   | 8  25  0.25  8     abc       T   {"a":INT64_MAX,"arr":[[1,2],[3]]}       [x,y]
// 9   | 9  35  9.5   9.5   "x\ny"    F   not json                                [RED]
inline ColumnBatch MakeBatch() {
  ColumnBatch b;
  b.row_count = 10;
  b.columns[kId] = Column::Ints(pb::Int64, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9});
  b.columns[kAge] = Column::Ints(pb::Int32, {10, 20, 0, 30, 40, 50, 60, 15, 25, 35},
                                 {1, 1, 0, 1, 1, 1, 1, 1, 1, 1});
  b.columns[kScore] =
      Column::Floats({0.5f, 1.5f, 2.5f, 0.1f, -1.0f, 100.0f, 3.0f, 7.5f, 0.25f, 9.5f});
  b.columns[kPrice] =
      Column::Doubles({1.5, 0, 3.0, 4.25, 0, -2.5, 10, 0, 8, 9.5}, {1, 0, 1, 1, 1, 1, 1, 0, 1, 1});
  b.columns[kName] =
      Column::Strings({"alice", "bob", "Álvaro", "", "北京", "", "100%", "a_c", "abc", "x\ny"},
                      {1, 1, 1, 0, 1, 1, 1, 1, 1, 1});
  b.columns[kFlag] = Column::Bools({1, 0, 1, 0, 1, 0, 1, 0, 1, 0});
  b.columns[kMeta] = Column::Json(
      {R"({"a":1,"b":"x","arr":[1,2,3],"nested":{"k":10}})", R"({"a":2.5,"b":"y","arr":[]})",
       R"({"a":"3","b":null})", "", R"({"a":-5,"arr":[1,"a",true],"nested":{"k":"v"}})", "{}",
       R"({"a":1e20,"b":true})", "[1,2]", R"({"a":9223372036854775807,"arr":[[1,2],[3]]})",
       "not json"},
      {1, 1, 1, 0, 1, 1, 1, 1, 1, 1});
  b.columns[kTags] = Column::Array(StringArrays({{"red", "blue"},
                                                 {},
                                                 {"green"},
                                                 {"red"},
                                                 {"blue", "red", "green"},
                                                 {"a_b"},
                                                 {"100%"},
                                                 {},
                                                 {"x", "y"},
                                                 {"RED"}}));
  b.columns[kNums] = Column::Array(
      IntArrays({{1, 2, 3}, {}, {}, {10, 20}, {5}, {1, 1, 1}, {-1}, {7, 8, 9, 10}, {}, {3, 2, 1}}),
      {1, 1, 0, 1, 1, 1, 1, 1, 1, 1});
  b.columns[kI8] = Column::Ints(pb::Int8, {1, -1, 2, -2, 3, -3, 4, -4, 5, -5});
  b.columns[kDyn] =
      Column::Json({R"({"color":"red","size":10,"颜色":"红"})", R"({"color":"blue","size":20.5})",
                    R"({"color":"green"})", "{}", R"({"color":"red","size":5,"tags":["a","b"]})",
                    R"({"size":7})", R"({"color":null})", R"({"color":"RED"})", R"({"k":"v\"q"})",
                    R"({"color":"red","size":"10"})"});
  return b;
}

inline TemplateValues MakeTemplates() {
  TemplateValues t;
  t["a"].set_int64_val(30);
  t["n"].set_string_val("bob");
  t["lo"].set_int64_val(1);
  t["hi"].set_int64_val(4);
  t["p"].set_float_val(9.0);
  t["yes"].set_bool_val(true);
  for (int64_t v : {2, 4}) t["ids"].mutable_array_val()->mutable_long_data()->add_data(v);
  for (const char* v : {"green", "y"}) {
    t["t"].mutable_array_val()->mutable_string_data()->add_data(v);
  }
  for (const char* v : {"\"red\"", "\"blue\""}) {
    t["c"].mutable_array_val()->mutable_json_data()->add_data(v);
  }
  for (double v : {1.5, 10.0}) t["prices"].mutable_array_val()->mutable_double_data()->add_data(v);
  return t;
}

inline const Rows kAll = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};

struct Case {
  const char* expr;
  Rows rows;
};

// clang-format off
inline const std::vector<Case> kCases = {
    // Integer comparisons (age is nullable: row 2 is null and never matches).
    {"age > 30", {4, 5, 6, 9}},
    {"age >= 30", {3, 4, 5, 6, 9}},
    {"age < 20", {0, 7}},
    {"age <= 20", {0, 1, 7}},
    {"age == 25", {8}},
    {"age != 25", {0, 1, 3, 4, 5, 6, 7, 9}},
    {"30 < age", {4, 5, 6, 9}},
    {"30 >= age", {0, 1, 3, 7, 8}},
    {"i8 < 0", {1, 3, 5, 7, 9}},
    {"i8 > 1000", {}},
    {"i8 >= -128", kAll},
    {"id == 0x3", {3}},
    {"id == 0X0a", {}},
    {"id == 010", {8}},
    {"id == 0b101", {5}},
    {"id == 0", {0}},
    {"id == -0", {0}},
    {"id > -9223372036854775808", kAll},
    {"id <= 9223372036854775807", kAll},
    // Term.
    {"id in [1, 3, 5]", {1, 3, 5}},
    {"id not in [1, 3, 5]", {0, 2, 4, 6, 7, 8, 9}},
    {"id in []", {}},
    {"id in [ ]", {}},
    {"id not in []", kAll},
    {"id in [1, 2, 3,]", {1, 2, 3}},
    {"id in [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]", kAll},
    {"id in [9, 7, 8, 20, 30, 40, 50, 60, 70, 80]", {7, 8, 9}},
    {"age in [10, 20, 99]", {0, 1}},
    {"age not in [10, 20]", {3, 4, 5, 6, 7, 8, 9}},
    {"name in [\"alice\", \"bob\", \"zzz\"]", {0, 1}},
    {"name not in [\"alice\"]", {1, 2, 4, 5, 6, 7, 8, 9}},
    {"price in [1.5, 10]", {0, 6}},
    {"score in [0.1, 3]", {3, 6}},
    {"flag in [true]", {0, 2, 4, 6, 8}},
    {"id in [1 + 1, 2 * 2]", {2, 4}},
    // Logic and three-valued nulls.
    {"id < 3 and id > 0", {1, 2}},
    {"id < 2 or id > 7", {0, 1, 8, 9}},
    {"not (id < 5)", {5, 6, 7, 8, 9}},
    {"!(id < 5)", {5, 6, 7, 8, 9}},
    {"not not (id < 2)", {0, 1}},
    {"id < 5 && !(age > 10)", {0}},
    {"not (age > 20)", {0, 1, 7}},
    {"age > 20 or id == 2", {2, 3, 4, 5, 6, 8, 9}},
    {"age > 20 and id == 2", {}},
    {"not (age > 20 and id == 2)", {0, 1, 3, 4, 5, 6, 7, 8, 9}},
    {"not (age > 20 or id == 2)", {0, 1, 7}},
    {"not (age > 20 or id != 2)", {}},
    {"age > 100 or id == 2 or age < 11", {0, 2}},
    {"id == 1 or id == 2 and age > 100", {1}},
    {"(id == 1 or id == 2) and age > 15", {1}},
    {"id >= 1 and id <= 8 and id != 4 and not (id in [2, 3])", {1, 5, 6, 7, 8}},
    // Null checks.
    {"age is null", {2}},
    {"age is not null", {0, 1, 3, 4, 5, 6, 7, 8, 9}},
    {"id is null", {}},
    {"id is not null", kAll},
    {"price is null", {1, 7}},
    {"name is null", {3}},
    {"meta is null", {3}},
    {"nums is null", {2}},
    {"meta[\"a\"] is null", {3, 5, 7, 9}},
    {"meta[\"b\"] is not null", {0, 1, 6}},
    {"not (meta[\"b\"] is not null)", {2, 3, 4, 5, 7, 8, 9}},
    {"age IS NULL || id == 0", {0, 2}},
    {"name IS NOT NULL and id < 4", {0, 1, 2}},
    // JSON paths and dynamic fields.
    {"exists meta[\"nested\"][\"k\"]", {0, 4}},
    {"exists color", {0, 1, 2, 4, 7, 9}},
    {"EXISTS $meta[\"size\"]", {0, 1, 4, 5, 9}},
    {"color is null", {3, 5, 6, 8}},
    {"color == \"red\"", {0, 4, 9}},
    {"color != \"red\"", {1, 2, 7}},
    {"not (color == \"red\")", {1, 2, 7}},
    {"$meta[\"color\"] == \"red\"", {0, 4, 9}},
    {"$meta['color'] == 'blue'", {1}},
    {"size > 6", {0, 1, 5}},
    {"size == 10", {0}},
    {"size == 20.5", {1}},
    {"size in [5, 7]", {4, 5}},
    {"size % 2 == 1", {4, 5}},
    {"k == 'v\"q'", {8}},
    {"meta[\"a\"] > 0", {0, 1, 6, 8}},
    {"meta[\"a\"] == 1", {0}},
    {"meta[\"a\"] == 2.5", {1}},
    {"meta[\"a\"] == \"3\"", {2}},
    {"meta[\"a\"] < 2", {0, 4}},
    {"not (meta[\"a\"] < 2)", {1, 6, 8}},
    {"meta[\"a\"] == 9223372036854775807", {8}},
    {"meta[\"a\"] >= 1e19", {6}},
    {"meta[\"b\"] == true", {6}},
    {"meta[\"b\"] != \"x\"", {1}},
    {"meta[\"arr\"][0] == 1", {0, 4}},
    {"meta[\"arr\"][1] == \"a\"", {4}},
    {"meta[\"arr\"][2] == true", {4}},
    {"meta[\"arr\"][0][1] == 2", {8}},
    {"meta[\"arr\"] == [1, 2, 3]", {0}},
    {"meta[\"arr\"] != [1, 2, 3]", {1, 4, 8}},
    {"meta['nested']['k'] >= 10", {0}},
    {"meta[\"nested\"][\"k\"] == \"v\"", {4}},
    {"meta[0] == 1", {7}},
    {"meta[\"a\"] in [1, \"3\", -5]", {0, 2, 4}},
    {"1 < meta[\"a\"] < 3", {1}},
    {"-10 <= meta[\"a\"] <= 1", {0, 4}},
    {"3 > meta[\"a\"] >= 1", {0, 1}},
    {"meta[\"a\"] + 1 == 2", {0}},
    {"meta[\"a\"] * 2 > 4 and id != 8", {1, 6}},
    {"meta[\"a\"] - 0.5 == 2", {1}},
    {"颜色 == \"红\"", {0}},
    {"$meta[\"颜色\"] == \"红\"", {0}},
    {"meta[\"b\"] like \"%\"", {0, 1}},
    {"color like \"r%\"", {0, 4, 9}},
    // JSON / array containment.
    {"json_contains(meta[\"arr\"], 1)", {0, 4}},
    {"json_contains(meta[\"arr\"], [3])", {8}},
    {"json_contains_all(meta[\"arr\"], [1, 2])", {0}},
    {"json_contains_any(meta[\"arr\"], [\"a\", 3])", {0, 4}},
    {"json_contains_all(meta[\"arr\"], [])", {0, 1, 4, 8}},
    {"JSON_CONTAINS($meta[\"tags\"], \"a\")", {4}},
    {"not json_contains(meta[\"arr\"], 1)", {1, 8}},
    {"array_contains(tags, \"red\")", {0, 3, 4}},
    {"array_contains(tags, \"RED\")", {9}},
    {"json_contains(tags, \"green\")", {2, 4}},
    {"array_contains_all(tags, [\"red\", \"blue\"])", {0, 4}},
    {"array_contains_any(tags, [\"green\", \"x\"])", {2, 4, 8}},
    {"array_contains_any(tags, [])", {}},
    {"array_contains_all(tags, [])", kAll},
    {"array_contains(nums, 1)", {0, 5, 9}},
    {"not array_contains(nums, 1)", {1, 3, 4, 6, 7, 8}},
    {"array_contains_all(nums, [1, 2])", {0, 9}},
    {"ARRAY_CONTAINS_ANY(nums, [20, -1])", {3, 6}},
    // Array length and elements.
    {"array_length(tags) == 0", {1, 7}},
    {"array_length(tags) >= 2", {0, 4, 8}},
    {"array_length(nums) > 2", {0, 5, 7, 9}},
    {"array_length(meta[\"arr\"]) == 3", {0, 4}},
    {"array_length(meta[\"arr\"]) < 1", {1}},
    {"array_length($meta[\"tags\"]) == 2", {4}},
    {"tags[0] == \"red\"", {0, 3}},
    {"tags[1] == \"red\"", {4}},
    {"tags[0] != \"red\"", {2, 4, 5, 6, 8, 9}},
    {"nums[0] > 4", {3, 4, 7}},
    {"nums[3] == 10", {7}},
    {"nums[0] in [1, -1]", {0, 5, 6}},
    {"tags[0] like \"r%\"", {0, 3}},
    {"0 < nums[1] <= 2", {0, 5, 9}},
    {"nums[0] + 1 == 2", {0, 5}},
    {"nums[0] % 5 == 0", {3, 4}},
    {"tags == [\"red\", \"blue\"]", {0}},
    {"tags == []", {1, 7}},
    {"tags != [\"red\"]", {0, 1, 2, 4, 5, 6, 7, 8, 9}},
    {"nums == [1, 1, 1]", {5}},
    // LIKE on VarChar.
    {"name like \"a%\"", {0, 7, 8}},
    {"name like \"%c\"", {7, 8}},
    {"name like \"%l%\"", {0, 2}},
    {"name like \"a_c\"", {7, 8}},
    {"name like \"a\\\\_c\"", {7}},
    {"name like \"100\\\\%\"", {6}},
    {"name like \"%\\\\%\"", {6}},
    {"name like \"%\"", {0, 1, 2, 4, 5, 6, 7, 8, 9}},
    {"name like \"\"", {5}},
    {"name like \"_\"", {}},
    {"name like \"__\"", {4}},
    {"name like \"北%\"", {4}},
    {"name like \"%京\"", {4}},
    {"name like \"Á%\"", {2}},
    {"name like \"_lvaro\"", {2}},
    {"name like \"x_y\"", {9}},
    {"name like \"%l%o\"", {2}},
    {"name like \"a%c\"", {7, 8}},
    {"name like \"%b%c%\"", {8}},
    {"name like 'b%' or name like '%e'", {0, 1}},
    {"not (name like \"a%\")", {1, 2, 4, 5, 6, 9}},
    {"name LIKE \"b%\"", {1}},
    // Strings.
    {"name == \"bob\"", {1}},
    {"name == 'alice'", {0}},
    {"name > \"b\"", {1, 2, 4, 9}},
    {"name == \"\\u5317\\u4eac\"", {4}},
    {"name == \"x\\ny\"", {9}},
    {"name == \"\\x61bc\"", {8}},
    {"name == \"\\141bc\"", {8}},
    {"name == u8\"abc\"", {8}},
    {"\"a\" <= name < \"b\"", {0, 7, 8}},
    {"name == \"Álvaro\"", {2}},
    {"name != \"\"", {0, 1, 2, 4, 6, 7, 8, 9}},
    {"name == 'it\\'s' or name == \"a_c\"", {7}},
    // Floats.
    {"score > 2.5", {5, 6, 7, 9}},
    {"score == 0.1", {3}},
    {"score >= 3", {5, 6, 7, 9}},
    {"score < .5", {3, 4, 8}},
    {"score > 1e1", {5}},
    {"score == 0x1.8p1", {6}},
    {"price < 0", {5}},
    {"price >= 8.0", {6, 8, 9}},
    {"0 < price < 4", {0, 2}},
    {"10 >= price > 3", {3, 6, 8, 9}},
    {"1. <= price <= 1.5", {0}},
    // Arithmetic.
    {"score * 2 > 10", {5, 7, 9}},
    {"price - 1 < 0", {4, 5}},
    {"price / 2 == 5", {6}},
    {"age % 20 == 0", {1, 4, 6}},
    {"age + 5 == 35", {3}},
    {"age - 5 > 40", {5, 6}},
    {"age * 2 <= 40", {0, 1, 7}},
    {"age / 10 == 2", {1, 8}},
    {"5 + age == 15", {0}},
    {"2 * age == 50", {8}},
    {"id % 3 == 1", {1, 4, 7}},
    {"id % 3 != 1", {0, 2, 3, 5, 6, 8, 9}},
    {"not (age % 2 == 0)", {7, 8, 9}},
    {"i8 * -1 > 3", {7, 9}},
    {"id + 2 * 3 == 9", {3}},
    {"id == 2 ** 3", {8}},
    {"id < -(-3)", {0, 1, 2}},
    {"id == 10 - 3 * 2 - 1", {3}},
    {"id == 7 % 4", {3}},
    {"id == 7 / 2", {3}},
    {"id == +5", {5}},
    {"id + 1 * 2 == 5", {3}},
    {"-2 ** 2 == -4 and id == 0", {0}},
    {"score < 2 ** -1 * 4", {0, 1, 3, 4, 8}},
    // Bool.
    {"flag == true", {0, 2, 4, 6, 8}},
    {"flag != true", {1, 3, 5, 7, 9}},
    {"flag == False", {1, 3, 5, 7, 9}},
    {"flag == TRUE and id > 5", {6, 8}},
    // Field vs field.
    {"age > price", {0, 3, 4, 5, 6, 8, 9}},
    {"score < price", {0, 2, 3, 4, 6, 8}},
    {"i8 < id", {1, 3, 4, 5, 6, 7, 8, 9}},
    // Constants.
    {"true", kAll},
    {"false", {}},
    {"1 < 2", kAll},
    {"1 == 2 or id == 3", {3}},
    {"true and id == 4", {4}},
    {"id == 4 and true", {4}},
    {"false and id == 4", {}},
    {"true or id == 4", kAll},
    {"not false", kAll},
    {"\"a\" < \"b\" and id < 1", {0}},
    {"", kAll},
    {"  \n ", kAll},
    // Keywords in upper case.
    {"id > 7 OR id < 1", {0, 8, 9}},
    {"id IN [1] AND NOT (id == 2)", {1}},
    {"EXISTS color AND color LIKE \"b%\"", {1}},
    {"ARRAY_LENGTH(tags) == 1 && ARRAY_CONTAINS(tags, \"green\")", {2}},
    {"id NOT IN [0, 1, 2, 3, 4, 5, 6, 7]", {8, 9}},
    // Whitespace, newlines.
    {"id\n==\t1", {1}},
    {"(((id == 1)))", {1}},
};

// Templates.
inline const std::vector<Case> kTemplateCases = {
    {"age > {a}", {4, 5, 6, 9}},
    {"id in {ids}", {2, 4}},
    {"id not in {ids}", {0, 1, 3, 5, 6, 7, 8, 9}},
    {"name == {n}", {1}},
    {"{lo} < id < {hi}", {2, 3}},
    {"array_contains_any(tags, {t})", {2, 4, 8}},
    {"price > {p}", {6, 9}},
    {"color in {c}", {0, 1, 4, 9}},
    {"price in {prices}", {0, 6}},
    {"flag == {yes} and id < 3", {0, 2}},
    {"age + {a} == 40", {0}},
};

// clang-format on

// Scalar index sets over the table's batch, one per index kind, covering every column the kind
// can index and JSON paths with every cast type. Each case must match the same rows with every
// set; the batch handed to Evaluate then holds only the columns ColumnsNeeded asks for, so a
// leaf an index claims is really answered by it.
using index::ScalarIndexKind;
struct IndexSpec {
  int64_t field;
  std::vector<std::string> path;
  JsonCast cast;
};
struct IndexSet {
  const char* name;
  ScalarIndexKind kind;
  std::vector<IndexSpec> specs;
};
inline const std::vector<IndexSet>& IndexSets() {
  static const std::vector<IndexSet> kSets = {
      {"INVERTED",
       ScalarIndexKind::kInverted,
       {{kId, {}, {}},
        {kAge, {}, {}},
        {kScore, {}, {}},
        {kPrice, {}, {}},
        {kName, {}, {}},
        {kFlag, {}, {}},
        {kI8, {}, {}},
        {kTags, {}, {}},
        {kNums, {}, {}},
        {kMeta, {"a"}, JsonCast::kDouble},
        {kMeta, {"b"}, JsonCast::kVarchar},
        {kMeta, {"arr"}, JsonCast::kArrayDouble},
        {kMeta, {"nested", "k"}, JsonCast::kDouble},
        {kDyn, {"color"}, JsonCast::kVarchar},
        {kDyn, {"size"}, JsonCast::kDouble},
        {kDyn, {"tags"}, JsonCast::kArrayVarchar}}},
      {"BITMAP",
       ScalarIndexKind::kBitmap,
       {{kAge, {}, {}},
        {kName, {}, {}},
        {kFlag, {}, {}},
        {kI8, {}, {}},
        {kTags, {}, {}},
        {kNums, {}, {}},
        {kMeta, {"a"}, JsonCast::kVarchar},
        {kMeta, {"b"}, JsonCast::kBool},
        {kMeta, {"arr"}, JsonCast::kArrayVarchar},
        {kDyn, {"color"}, JsonCast::kVarchar}}},
      {"STL_SORT",
       ScalarIndexKind::kStlSort,
       {{kId, {}, {}},
        {kAge, {}, {}},
        {kScore, {}, {}},
        {kPrice, {}, {}},
        {kI8, {}, {}},
        {kName, {}, {}},
        {kMeta, {"arr"}, JsonCast::kArrayBool},
        {kDyn, {"size"}, JsonCast::kDouble}}},
      {"Trie", ScalarIndexKind::kTrie, {{kName, {}, {}}, {kMeta, {"b"}, JsonCast::kVarchar}}},
  };
  return kSets;
}

}  // namespace quiver::expr::test_table
