// libFuzzer target: the filter-expression parser and binder (src/expr) over a fixed schema
// holding every scalar, JSON, array and vector field type, with and without a dynamic field.
// Any input must yield a plan or an InvalidArgument, never a crash, hang or sanitizer report.
#include <pthread.h>

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "expr/expr_test_table.h"
#include "expr/plan.h"

namespace {

namespace pb = milvus::proto::schema;

// The field helper of the engine's table tests (its primary key is field 100 too).
using quiver::expr::test_table::AddField;

pb::CollectionSchema MakeSchema(bool dynamic) {
  pb::CollectionSchema s;
  s.set_name("c");
  s.set_enable_dynamic_field(dynamic);
  AddField(&s, 100, "id", pb::Int64);
  AddField(&s, 101, "b", pb::Bool);
  AddField(&s, 102, "i8", pb::Int8);
  AddField(&s, 103, "i16", pb::Int16, true);
  AddField(&s, 104, "age", pb::Int32, true);
  AddField(&s, 105, "score", pb::Float);
  AddField(&s, 106, "price", pb::Double, true);
  AddField(&s, 107, "name", pb::VarChar, true);
  AddField(&s, 108, "body", pb::Text);
  AddField(&s, 109, "meta", pb::JSON, true);
  AddField(&s, 110, "tags", pb::Array, false, pb::VarChar);
  AddField(&s, 111, "nums", pb::Array, true, pb::Int64);
  AddField(&s, 112, "fl", pb::Array, false, pb::Double);
  AddField(&s, 113, "vec", pb::FloatVector);
  AddField(&s, 114, "bvec", pb::BinaryVector);
  AddField(&s, 115, "sv", pb::SparseFloatVector);
  AddField(&s, 116, "ts", pb::Timestamptz);
  AddField(&s, 117, "geo", pb::Geometry);
  if (dynamic) AddField(&s, 199, "$meta", pb::JSON, false, pb::None, true);
  return s;
}

void Run(std::string_view expr) {
  static const pb::CollectionSchema kDynamic = MakeSchema(true);
  static const pb::CollectionSchema kStatic = MakeSchema(false);
  auto plan = quiver::expr::ParseAndBind(expr, kDynamic);
  if (plan.ok()) {
    (void)(*plan)->DebugString();
    (void)(*plan)->ReferencedFields();
  }
  (void)quiver::expr::ParseAndBind(expr, kStatic).ok();
}

// The parser and binder recurse once per nesting level up to kMaxDepth (1000); the gcc
// RelWithDebInfo build needs more than 2 KB of stack per level of unary operators (1,000 levels
// overflow a 2 MiB stack). Server threads have the 8 MiB default. The input runs on a thread
// with a 4 MiB stack, half of that, so the replay test fails if frames grow; under ASan (frames
// over 13 KB per level: this fuzzer found a stack overflow at depth 620) it gets 64 MiB.
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define QUIVER_FUZZ_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(QUIVER_FUZZ_ASAN)
constexpr size_t kStackBytes = 64 << 20;
#else
constexpr size_t kStackBytes = 4 << 20;
#endif

struct Input {
  std::string_view expr;
};

void* RunThread(void* arg) {
  Run(static_cast<Input*>(arg)->expr);
  return nullptr;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Input in{std::string_view(reinterpret_cast<const char*>(data), size)};
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, kStackBytes);
  pthread_t thread;
  if (pthread_create(&thread, &attr, RunThread, &in) != 0) __builtin_trap();
  pthread_join(thread, nullptr);
  pthread_attr_destroy(&attr);
  return 0;
}
