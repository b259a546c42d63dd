// End-to-end exact search throughput: starts `quiver serve`, loads N random 128-d vectors
// (L2, FLAT index), and times nq=1 searches (top 10) through the Milvus gRPC API. The peer,
// measured in the same run on the same data, is a plain single-threaded brute-force scan in
// this process (portable loop, std::partial_sort) — the work a search must do at least once,
// with no RPC, no MVCC and no SIMD. Ratio > 1 means Quiver's search beats the naive scan.
// `search_bench <quiver> fmnist <index> [filtered]` uses Debian's fashion-mnist instead (60,000
// base images, 784-d, the first 200 test images as queries): real data for the filtered recall.
#include <fcntl.h>
#include <grpcpp/grpcpp.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <optional>
#include <cstdio>
#include <filesystem>
#include <random>
#include <string>

#include "bench_json.h"
#include "bench_server.h"
#include "fashion_mnist.h"
#include "milvus.grpc.pb.h"

namespace mpb = milvus::proto::milvus;
namespace spb = milvus::proto::schema;
namespace cpb = milvus::proto::common;
using Clock = std::chrono::steady_clock;

int main(int argc, char** argv) {
  const std::string out = bench::TakeOutFlag(argc, argv);
  std::string bin = argc > 1 ? argv[1] : "./build/quiver";
  const bool fashion = argc > 2 && std::string(argv[2]) == "fmnist";
  const int n = fashion ? 60000 : argc > 2 ? std::atoi(argv[2]) : 100000;
  const std::string index_type = argc > 3 ? argv[3] : "FLAT";
  const bool filtered = argc > 4 && std::string(argv[4]) == "filtered";
  const int dim = fashion ? fmnist::kDim : 128, k = 10, queries = 200;
  BenchServer server(bin, "quiver-sbench");
  auto* stub = server.stub();
  if (!stub) {
    std::fprintf(stderr, "server did not start\n");
    return 1;
  }
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> u(-1, 1);
  std::vector<float> data;
  if (fashion) {
    data = fmnist::Base(n);
  } else {
    data.resize(static_cast<size_t>(n) * dim);
    for (auto& x : data) x = u(rng);
  }

  spb::CollectionSchema schema;
  auto* pk = schema.add_fields();
  pk->set_name("id");
  pk->set_data_type(spb::DataType::Int64);
  pk->set_is_primary_key(true);
  auto* vf = schema.add_fields();
  vf->set_name("v");
  vf->set_data_type(spb::DataType::FloatVector);
  Kv(vf->mutable_type_params(), "dim", std::to_string(dim));
  auto* bf = schema.add_fields();  // bucket = id % 100, for filters of 1 % steps
  bf->set_name("bucket");
  bf->set_data_type(spb::DataType::Int64);
  cpb::Status st;
  {
    grpc::ClientContext ctx;
    mpb::CreateCollectionRequest req;
    req.set_collection_name("b");
    req.set_schema(schema.SerializeAsString());
    if (!Ok(stub->CreateCollection(&ctx, req, &st), st, "create")) return 1;
  }
  const int batch = fashion ? 2000 : 10000;  // requests stay well under gRPC's message limit
  for (int first = 0; first < n; first += batch) {
    int rows = std::min(batch, n - first);
    mpb::InsertRequest req;
    req.set_collection_name("b");
    req.set_num_rows(rows);
    auto* id = req.add_fields_data();
    id->set_field_name("id");
    id->set_type(spb::DataType::Int64);
    auto* v = req.add_fields_data();
    v->set_field_name("v");
    v->set_type(spb::DataType::FloatVector);
    v->mutable_vectors()->set_dim(dim);
    auto* bucket = req.add_fields_data();
    bucket->set_field_name("bucket");
    bucket->set_type(spb::DataType::Int64);
    for (int r = 0; r < rows; ++r) {
      id->mutable_scalars()->mutable_long_data()->add_data(first + r);
      bucket->mutable_scalars()->mutable_long_data()->add_data((first + r) % 100);
    }
    v->mutable_vectors()->mutable_float_vector()->mutable_data()->Add(
        data.begin() + static_cast<std::ptrdiff_t>(first) * dim,
        data.begin() + static_cast<std::ptrdiff_t>(first + rows) * dim);
    grpc::ClientContext ctx;
    mpb::MutationResult res;
    if (!Ok(stub->Insert(&ctx, req, &res), res.status(), "insert")) return 1;
  }
  {
    grpc::ClientContext ctx;
    mpb::CreateIndexRequest req;
    req.set_collection_name("b");
    req.set_field_name("v");
    Kv(req.mutable_extra_params(), "index_type", index_type);
    Kv(req.mutable_extra_params(), "metric_type", "L2");
    if (!Ok(stub->CreateIndex(&ctx, req, &st), st, "index")) return 1;
  }
  {
    grpc::ClientContext ctx;
    mpb::LoadCollectionRequest req;
    req.set_collection_name("b");
    if (!Ok(stub->LoadCollection(&ctx, req, &st), st, "load")) return 1;
  }
  // Wait for the background index build to cover every row (HNSW/AUTOINDEX).
  auto build_start = Clock::now();
  for (int i = 0; i < 6000 && index_type != "FLAT"; ++i) {
    grpc::ClientContext ctx;
    mpb::DescribeIndexRequest req;
    req.set_collection_name("b");
    mpb::DescribeIndexResponse res;
    stub->DescribeIndex(&ctx, req, &res);
    if (res.index_descriptions_size() == 1 &&
        res.index_descriptions(0).indexed_rows() == res.index_descriptions(0).total_rows()) {
      break;
    }
    usleep(100000);
  }
  double build_s = std::chrono::duration<double>(Clock::now() - build_start).count();
  std::vector<std::vector<float>> qs(queries, std::vector<float>(dim));
  if (fashion) {
    const std::vector<float> test = fmnist::Queries(queries);
    for (int i = 0; i < queries; ++i) {
      qs[static_cast<size_t>(i)].assign(test.begin() + static_cast<std::ptrdiff_t>(i) * dim,
                                        test.begin() + static_cast<std::ptrdiff_t>(i + 1) * dim);
    }
  } else {
    for (auto& q : qs) for (auto& x : q) x = u(rng);
  }

  // Searches every query with `filter` (empty: none) through the server and scores the same
  // queries exactly in process over the rows the filter keeps (`keep(row)`): QPS both ways and
  // recall@k of the server against the exact answer.
  struct Run {
    double quiver_qps, peer_qps, recall;
  };
  auto run = [&](const std::string& filter, const std::function<bool(int)>& keep) -> std::optional<Run> {
    int agree = 0, expected = 0;
    std::vector<std::vector<int64_t>> server_top(static_cast<size_t>(queries));
    auto t0 = Clock::now();
    for (int i = 0; i < queries; ++i) {
      mpb::SearchRequest req;
      req.set_collection_name("b");
      cpb::PlaceholderGroup g;
      auto* ph = g.add_placeholders();
      ph->set_tag("$0");
      ph->set_type(cpb::PlaceholderType::FloatVector);
      ph->add_values(std::string(reinterpret_cast<const char*>(qs[i].data()), dim * sizeof(float)));
      req.set_placeholder_group(g.SerializeAsString());
      req.set_dsl_type(cpb::DslType::BoolExprV1);
      req.set_dsl(filter);
      Kv(req.mutable_search_params(), "topk", std::to_string(k));
      Kv(req.mutable_search_params(), "anns_field", "v");
      Kv(req.mutable_search_params(), "metric_type", "L2");
      grpc::ClientContext ctx;
      mpb::SearchResults res;
      if (!Ok(stub->Search(&ctx, req, &res), res.status(), "search")) return std::nullopt;
      for (int j = 0; j < res.results().ids().int_id().data_size(); ++j) {
        server_top[static_cast<size_t>(i)].push_back(res.results().ids().int_id().data(j));
      }
    }
    double quiver_s = std::chrono::duration<double>(Clock::now() - t0).count();
    auto t1 = Clock::now();
    std::vector<std::pair<float, int64_t>> scored;
    for (int i = 0; i < queries; ++i) {
      scored.clear();
      for (int r = 0; r < n; ++r) {
        if (!keep(r)) continue;
        const float* row = data.data() + static_cast<size_t>(r) * dim;
        float s = 0;
        for (int d = 0; d < dim; ++d) {
          float x = qs[i][d] - row[d];
          s += x * x;
        }
        scored.emplace_back(s, r);
      }
      const size_t kk = std::min(scored.size(), static_cast<size_t>(k));
      std::partial_sort(scored.begin(), scored.begin() + static_cast<std::ptrdiff_t>(kk), scored.end());
      // Recall: how many of the true top-k the server returned, in any order.
      const auto& got = server_top[static_cast<size_t>(i)];
      for (size_t j = 0; j < kk; ++j) {
        agree += std::find(got.begin(), got.end(), scored[j].second) != got.end();
        ++expected;
      }
    }
    double peer_s = std::chrono::duration<double>(Clock::now() - t1).count();
    return Run{queries / quiver_s, queries / peer_s, expected ? static_cast<double>(agree) / expected : 1.0};
  };

  auto all = run("", [](int) { return true; });
  if (!all) return 1;
  std::printf("search_bench: %d vectors x %d-d (%s), L2, top %d, %d queries (nq=1), index %s\n", n, dim,
              fashion ? "fashion-mnist" : "uniform random", k, queries, index_type.c_str());
  if (index_type != "FLAT") std::printf("  index build (background): %.1f s\n", build_s);
  std::printf("  quiver (gRPC, %s):      %8.1f QPS\n", index_type.c_str(), all->quiver_qps);
  std::printf("  peer   (in-process naive scan):     %8.1f QPS\n", all->peer_qps);
  std::printf("  ratio quiver/peer: %.2f   recall@%d against the exact peer: %.4f\n",
              all->quiver_qps / all->peer_qps, k, all->recall);
  bench::JsonLines jl(out);
  auto record = [&](const std::string& filter, double keeps, const Run& r) {
    jl.Write({{"bench", "search_bench"}, {"data", fashion ? "fashion-mnist" : "uniform"}, {"rows", n}, {"dim", dim}, {"index", index_type}, {"filter", filter},
              {"filter_keeps", keeps}, {"build_s", index_type != "FLAT" ? build_s : 0.0}, {"quiver_qps", r.quiver_qps},
              {"peer_qps", r.peer_qps}, {"ratio", r.quiver_qps / r.peer_qps}, {"recall", r.recall}});
  };
  record("", 1.0, *all);
  if (filtered) {
    std::printf("  filtered search (bucket < p, p %% of the rows pass):\n");
    for (int pct : {1, 10, 50}) {
      auto r = run("bucket < " + std::to_string(pct), [pct](int row) { return row % 100 < pct; });
      if (!r) return 1;
      std::printf("    %2d %%: quiver %8.1f QPS, exact peer %8.1f QPS, recall@%d %.4f\n", pct, r->quiver_qps,
                  r->peer_qps, k, r->recall);
      record("bucket < " + std::to_string(pct), pct / 100.0, *r);
    }
  }
  return 0;
}
