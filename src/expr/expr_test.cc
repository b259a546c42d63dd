// Table-driven tests of the filter-expression engine: parse + bind against a fixed schema, then
// evaluate over a fixed 10-row batch with nulls, JSON edge cases, unicode strings and empty
// arrays, comparing matched row ids. Error cases check Milvus-style message fragments.
#include <gtest/gtest.h>

#include <set>

#include <functional>
#include <random>
#include <string>
#include <vector>

#include "expr/parser.h"
#include "expr/plan.h"

namespace quiver::expr {
namespace {

namespace pb = milvus::proto::schema;
using Rows = std::vector<int64_t>;

constexpr int64_t kId = 100, kAge = 101, kScore = 102, kPrice = 103, kName = 104, kFlag = 105,
                  kMeta = 106, kTags = 107, kNums = 108, kBody = 109, kVec = 110, kI8 = 111,
                  kDyn = 199;

void AddField(pb::CollectionSchema* s, int64_t id, const std::string& name, pb::DataType t,
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

pb::CollectionSchema MakeSchema(bool dynamic) {
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

ArrayData StringArrays(const std::vector<std::vector<std::string>>& rows) {
  ArrayData a;
  a.element_type = pb::VarChar;
  for (const auto& r : rows) {
    for (const auto& s : r) a.strings.push_back(s);
    a.offsets.push_back(static_cast<uint32_t>(a.strings.size()));
  }
  return a;
}

ArrayData IntArrays(const std::vector<std::vector<int64_t>>& rows) {
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
ColumnBatch MakeBatch() {
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

TemplateValues MakeTemplates() {
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

const Rows kAll = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};

struct Case {
  const char* expr;
  Rows rows;
};

// clang-format off
const std::vector<Case> kCases = {
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
const std::vector<Case> kTemplateCases = {
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

struct ErrorCase {
  const char* expr;
  const char* fragment;
};

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

TEST_P(ExprTable, MatchesExpectedRows) {
  std::string error;
  Rows rows = RunExpr(GetParam().expr, nullptr, &error);
  ASSERT_EQ(error, "") << GetParam().expr;
  EXPECT_EQ(rows, GetParam().rows) << GetParam().expr;
}

TEST_P(ExprTemplateTable, MatchesExpectedRows) {
  static const TemplateValues kTemplates = MakeTemplates();
  std::string error;
  Rows rows = RunExpr(GetParam().expr, &kTemplates, &error);
  ASSERT_EQ(error, "") << GetParam().expr;
  EXPECT_EQ(rows, GetParam().rows) << GetParam().expr;
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
  const std::vector<std::string> typed = {"age > 20", "age is null", "id < 4", "name like \"a%\"", "flag == true"};
  const std::vector<std::string> json = {"meta[\"a\"] == 1", "exists meta[\"b\"]", "color == \"red\"",
                                         "json_contains(meta[\"arr\"], 2)", "array_length(nums) > 1"};
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
      EXPECT_EQ(rows("not (" + j + " and " + t + ")"), both(rows("not (" + j + ")"), rows("not (" + t + ")"), false))
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
  for (const char* e : {"meta[0][0] == 1", "exists meta[0]", "json_contains(meta, 1)", "meta[\"a\"][0] == 1",
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
