// Quiver embedded in a C++ program: open a data directory, create a collection, insert rows,
// search with a filter, query, delete, and close. The directory can later be served by
// `quiver serve --data <dir>` and read with any Milvus SDK.
//
// Build against an installed Quiver:   find_package(Quiver REQUIRED)
//                                      target_link_libraries(app PRIVATE Quiver::quiver)
// Run: quiver_example <data-dir>
#include <quiver/quiver.h>

#include <cstdio>

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s <data-dir>\n", argv[0]);
    return 2;
  }
  auto db = quiver::Database::Open(argv[1]);
  if (!db.ok()) {
    std::fprintf(stderr, "open: %s\n", db.status().ToString().c_str());
    return 1;
  }
  quiver::Database& d = **db;
  auto check = [](const quiver::Status& st, const char* what) {
    if (!st.ok()) {
      std::fprintf(stderr, "%s: %s\n", what, st.ToString().c_str());
      std::exit(1);
    }
  };

  if (!d.HasCollection("demo").value()) check(d.CreateCollection("demo", 4, "L2"), "create");

  quiver::Json rows = quiver::Json::array();
  for (int i = 0; i < 100; ++i) {
    rows.push_back({{"id", i},
                    {"vector", {i * 0.1, 1.0, 0.5, i % 7 * 1.0}},
                    {"color", i % 3 == 0 ? "red" : "blue"}});  // "color" goes to the dynamic field
  }
  auto ids = d.Upsert("demo", rows);
  check(ids.status(), "upsert");

  quiver::SearchOptions search;
  search.limit = 3;
  search.filter = R"(color == "red")";
  search.output_fields = {"color"};
  auto hits = d.Search("demo", {{3.0, 1.0, 0.5, 2.0}}, search);
  check(hits.status(), "search");
  for (const auto& hit : (*hits)[0]) {
    std::printf("hit id=%lld distance=%.4f color=%s\n", hit["id"].get<long long>(), hit["distance"].get<double>(),
                hit["color"].get<std::string>().c_str());
  }

  check(d.Delete("demo", "id >= 90 and id < 100"), "delete");
  quiver::QueryOptions count;
  count.output_fields = {"count(*)"};
  auto n = d.Query("demo", "", count);
  check(n.status(), "count");
  std::printf("rows=%lld\n", (*n)[0]["count(*)"].get<long long>());
  return 0;
}
