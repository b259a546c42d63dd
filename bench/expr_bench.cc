// In-process filter benchmark: rows/s of typical filters over 1M rows held as 16 chunks of
// 65,536 rows (the size compaction merges persisted chunks to), evaluated
//  - by the expression engine scanning columns (columns already in engine form);
//  - by the engine answering from each scalar index kind that fits the field (no column read);
//  - by a plain hand-written loop over std::vector, the peer a scan cannot beat.
// Also the build rate of each index kind. Prints a table; not a test.
//
//   cmake --build build --target expr_bench && build/bench/expr_bench [rows]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "expr/index_builder.h"
#include "expr/plan.h"

namespace {

using namespace quiver;  // NOLINT(build/namespaces): a benchmark's main
namespace pb = milvus::proto::schema;
using index::ScalarIndexKind;

constexpr int64_t kAge = 101, kPrice = 102, kCat = 103, kName = 104, kMeta = 105;
constexpr int64_t kChunkRows = 65536;

pb::CollectionSchema Schema() {
  pb::CollectionSchema s;
  auto add = [&](int64_t id, const char* name, pb::DataType t) {
    auto* f = s.add_fields();
    f->set_fieldid(id);
    f->set_name(name);
    f->set_data_type(t);
  };
  add(100, "id", pb::Int64);
  s.mutable_fields(0)->set_is_primary_key(true);
  add(kAge, "age", pb::Int64);
  add(kPrice, "price", pb::Double);
  add(kCat, "cat", pb::VarChar);
  add(kName, "name", pb::VarChar);
  add(kMeta, "meta", pb::JSON);
  return s;
}

struct Data {
  std::vector<int64_t> age;
  std::vector<double> price;
  std::vector<std::string> cat, name, meta;
};

Data Generate(int64_t rows) {
  std::mt19937_64 rng(42);
  Data d;
  for (int64_t i = 0; i < rows; ++i) {
    d.age.push_back(static_cast<int64_t>(rng() % 100));
    d.price.push_back(static_cast<double>(rng() % 100000) / 100.0);
    d.cat.push_back("c" + std::to_string(rng() % 16));
    d.name.push_back("p" + std::to_string(rng() % 100000));
    d.meta.push_back("{\"a\": " + std::to_string(rng() % 100) + ", \"b\": \"x\"}");
  }
  return d;
}

template <typename T>
std::vector<T> Slice(const std::vector<T>& v, int64_t from, int64_t to) {
  return std::vector<T>(v.begin() + from, v.begin() + to);
}

struct Chunk {
  expr::ColumnBatch columns;
  // Indexes by (field, kind); JSON: the path meta["a"] as DOUBLE.
  std::vector<
      std::pair<std::pair<int64_t, ScalarIndexKind>, std::unique_ptr<const index::ScalarIndex>>>
      indexes;
  const index::ScalarIndex* Find(int64_t field, ScalarIndexKind kind) const {
    for (const auto& [k, ix] : indexes) {
      if (k.first == field && k.second == kind) return ix.get();
    }
    return nullptr;
  }
};

double Seconds(const std::function<void()>& fn, int reps = 5) {
  double best = 1e30;
  for (int r = 0; r < reps; ++r) {
    auto t0 = std::chrono::steady_clock::now();
    fn();
    best = std::min(best,
                    std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  return best;
}

// The plain loop of one predicate over rows [from, from + n) into packed bitset words, with the
// predicate inlined (one indirect call per chunk, none per row).
using ChunkLoop = std::function<void(const Data&, int64_t from, int64_t n, uint64_t* words)>;
template <typename P>
ChunkLoop Loop(P pred) {
  return [pred](const Data& d, int64_t from, int64_t n, uint64_t* words) {
    for (int64_t i = 0; i < n; ++i) {
      words[static_cast<size_t>(i >> 6)] |= static_cast<uint64_t>(pred(d, from + i)) << (i & 63);
    }
  };
}

struct Filter {
  const char* expr;
  int64_t field;  // the field the index kinds are tried on
  std::vector<ScalarIndexKind> kinds;
  ChunkLoop loop;  // the same predicate as a plain loop over the raw vectors
};

}  // namespace

int main(int argc, char** argv) {
  const int64_t rows = argc > 1 ? std::atoll(argv[1]) : 1'000'000;
  const pb::CollectionSchema schema = Schema();
  const Data data = Generate(rows);
  std::vector<Chunk> chunks;
  for (int64_t from = 0; from < rows; from += kChunkRows) {
    const int64_t to = std::min(rows, from + kChunkRows);
    Chunk c;
    c.columns.row_count = to - from;
    c.columns.columns[kAge] = expr::Column::Ints(pb::Int64, Slice(data.age, from, to));
    c.columns.columns[kPrice] = expr::Column::Doubles(Slice(data.price, from, to));
    c.columns.columns[kCat] = expr::Column::Strings(Slice(data.cat, from, to));
    c.columns.columns[kName] = expr::Column::Strings(Slice(data.name, from, to));
    c.columns.columns[kMeta] = expr::Column::Json(Slice(data.meta, from, to));
    chunks.push_back(std::move(c));
  }

  std::printf("expr_bench: %lld rows in %zu chunks of up to %lld rows\n\n",
              static_cast<long long>(rows), chunks.size(), static_cast<long long>(kChunkRows));
  // Index builds.
  struct Build {
    int64_t field;
    ScalarIndexKind kind;
    const char* what;
  };
  const std::vector<Build> builds = {
      {kAge, ScalarIndexKind::kStlSort, "age (int64, 100 values)"},
      {kAge, ScalarIndexKind::kInverted, "age"},
      {kAge, ScalarIndexKind::kBitmap, "age"},
      {kPrice, ScalarIndexKind::kStlSort, "price (double, 100k values)"},
      {kPrice, ScalarIndexKind::kInverted, "price"},
      {kCat, ScalarIndexKind::kBitmap, "cat (varchar, 16 values)"},
      {kCat, ScalarIndexKind::kInverted, "cat"},
      {kName, ScalarIndexKind::kTrie, "name (varchar, 100k values)"},
      {kName, ScalarIndexKind::kInverted, "name"},
      {kMeta, ScalarIndexKind::kInverted, "meta[\"a\"] (JSON path, DOUBLE)"},
  };
  std::printf("%-34s %-9s %14s %12s\n", "index build", "kind", "rows/s", "MiB");
  for (const Build& b : builds) {
    size_t bytes = 0;
    double s = Seconds(
        [&] {
          bytes = 0;
          for (Chunk& c : chunks) {
            std::vector<std::string> path;
            if (b.field == kMeta) path = {"a"};
            std::unique_ptr<const index::ScalarIndex> ix =
                expr::BuildScalarIndex(b.kind, c.columns.columns.at(b.field), path,
                                       expr::JsonCast::kDouble)
                    .value();
            bytes += ix->MemoryBytes();
            std::erase_if(c.indexes, [&](const auto& e) {
              return e.first.first == b.field && e.first.second == b.kind;
            });
            c.indexes.emplace_back(std::make_pair(b.field, b.kind), std::move(ix));
          }
        },
        1);
    std::printf("%-34s %-9s %14.3e %12.1f\n", b.what, index::ScalarIndexKindName(b.kind),
                static_cast<double>(rows) / s, static_cast<double>(bytes) / (1 << 20));
  }

  const std::vector<Filter> filters = {
      {"age == 42",
       kAge,
       {ScalarIndexKind::kStlSort, ScalarIndexKind::kInverted, ScalarIndexKind::kBitmap},
       Loop([](const Data& d, int64_t i) { return d.age[i] == 42; })},
      {"age < 10",
       kAge,
       {ScalarIndexKind::kStlSort, ScalarIndexKind::kInverted, ScalarIndexKind::kBitmap},
       Loop([](const Data& d, int64_t i) { return d.age[i] < 10; })},
      {"age in [3, 17, 42, 99]",
       kAge,
       {ScalarIndexKind::kStlSort, ScalarIndexKind::kInverted, ScalarIndexKind::kBitmap},
       Loop([](const Data& d, int64_t i) {
         int64_t a = d.age[i];
         return a == 3 || a == 17 || a == 42 || a == 99;
       })},
      {"10 <= price < 20",
       kPrice,
       {ScalarIndexKind::kStlSort, ScalarIndexKind::kInverted},
       Loop([](const Data& d, int64_t i) { return d.price[i] >= 10 && d.price[i] < 20; })},
      {"cat in [\"c1\", \"c7\"]",
       kCat,
       {ScalarIndexKind::kBitmap, ScalarIndexKind::kInverted},
       Loop([](const Data& d, int64_t i) { return d.cat[i] == "c1" || d.cat[i] == "c7"; })},
      {"cat != \"c3\"",
       kCat,
       {ScalarIndexKind::kBitmap, ScalarIndexKind::kInverted},
       Loop([](const Data& d, int64_t i) { return d.cat[i] != "c3"; })},
      {"name like \"p123%\"",
       kName,
       {ScalarIndexKind::kTrie, ScalarIndexKind::kInverted},
       Loop([](const Data& d, int64_t i) { return d.name[i].starts_with("p123"); })},
      {"name like \"%99\"",
       kName,
       {ScalarIndexKind::kTrie, ScalarIndexKind::kInverted},
       Loop([](const Data& d, int64_t i) { return d.name[i].ends_with("99"); })},
      {"meta[\"a\"] < 5", kMeta, {ScalarIndexKind::kInverted}, Loop([](const Data& d, int64_t i) {
         // The value sits right after `{"a": ` in every generated document.
         return std::atoi(d.meta[i].c_str() + 6) < 5;
       })},
  };

  std::printf("\n%-26s %9s %14s %14s %9s %14s\n", "filter", "matches", "plain loop", "scan",
              "index", "index rows/s");
  for (const Filter& f : filters) {
    auto plan = expr::ParseAndBind(f.expr, schema).value();
    int64_t matches = 0;
    // Plain loop: the predicate over the raw vectors into a packed bitset, chunk by chunk.
    std::vector<uint64_t> words((kChunkRows + 63) / 64);
    double plain = Seconds([&] {
      matches = 0;
      for (int64_t from = 0; from < rows; from += kChunkRows) {
        const int64_t n = std::min(kChunkRows, rows - from);
        std::fill(words.begin(), words.end(), 0);
        f.loop(data, from, n, words.data());
        for (uint64_t w : words) matches += std::popcount(w);
      }
    });
    int64_t scan_matches = 0;
    double scan = Seconds([&] {
      scan_matches = 0;
      for (const Chunk& c : chunks) {
        expr::Bitset out;
        if (!expr::Evaluate(*plan, c.columns, &out).ok()) std::abort();
        scan_matches += out.Count();
      }
    });
    if (scan_matches != matches) {
      std::fprintf(stderr, "%s: scan %lld rows, plain loop %lld\n", f.expr,
                   static_cast<long long>(scan_matches), static_cast<long long>(matches));
      return 1;
    }
    std::printf("%-26s %9lld %14.3e %14.3e", f.expr, static_cast<long long>(matches),
                static_cast<double>(rows) / plain, static_cast<double>(rows) / scan);
    bool first = true;
    for (ScalarIndexKind kind : f.kinds) {
      int64_t index_matches = 0;
      expr::EvalStats stats;
      double indexed = Seconds([&] {
        index_matches = 0;
        stats = {};
        for (const Chunk& c : chunks) {
          // Only the columns the index leaves unanswered (none, unless it declines).
          expr::ColumnBatch batch;
          batch.row_count = c.columns.row_count;
          std::vector<std::string> path;
          if (f.field == kMeta) path = {"a"};
          batch.indexes.push_back({f.field, path, c.Find(f.field, kind)});
          for (int64_t id : expr::ColumnsNeeded(*plan, batch)) {
            batch.columns[id] = c.columns.columns.at(id);
          }
          expr::Bitset out;
          if (!expr::Evaluate(*plan, batch, &out, &stats).ok()) std::abort();
          index_matches += out.Count();
        }
      });
      if (index_matches != matches) {
        std::fprintf(stderr, "%s with %s: %lld rows, %lld leaves scanned\n", f.expr,
                     index::ScalarIndexKindName(kind), static_cast<long long>(index_matches),
                     static_cast<long long>(stats.scanned_leaves));
        return 1;
      }
      if (!first) std::printf("\n%-26s %9s %14s %14s", "", "", "", "");
      first = false;
      // "declined": the engine judged a scan cheaper and scanned (the time includes copying
      // the column into the batch, which a scan over stored chunks also pays).
      std::printf(" %9s %14.3e%s", index::ScalarIndexKindName(kind),
                  static_cast<double>(rows) / indexed, stats.scanned_leaves > 0 ? " declined" : "");
    }
    std::printf("\n");
  }
  return 0;
}
