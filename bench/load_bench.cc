// End-to-end load generator on real data. Starts `quiver serve` (bench_server.h) on a fresh
// directory, inserts fashion-mnist (fashion_mnist.h: 60,000 x 784, L2) over gRPC with a scalar
// `bucket = id % 10`, creates an HNSW index (M 16, efConstruction 200: ann_bench's parameters),
// loads the collection and waits until DescribeIndex shows every row indexed. Then closed loops
// of 1, 2, 4, 8 connections (each its own channel, TCP connection and thread) send nq = 1, k = 10
// searches of the first 1,000 test images, at each ef, without and with the filter
// `bucket == 3` (10 % of the rows): QPS, p50/p99 latency, recall@10 against the exact (filtered)
// answer, and the server's and this process's CPU time per request.
//
// The peer, measured in the same run, is the same index in this process: Quiver's HnswIndex
// (src/index) built with the same parameters, searched by the same number of threads in the same
// closed loop, over a sweep of ef. The figure to read is end-to-end QPS / in-process QPS at the
// same recall (in-process QPS interpolated on its recall curve, log-linear), and at the same ef.
// With the filter, the in-process peer runs the server's plan: at 60,000 rows the graph asked for
// k / selectivity x 1.2 + 10 hits, of which the passing ones are kept (an exact scan of the 6,000
// surviving rows is shown beside it); at --quick's 10,000 rows an exact scan of the survivors.
//
// Usage: load_bench [QUIVER_BIN] [--quick] [--queries N] [--ef 40,80] [--clients 1,2,4,8]
//                   [--seconds S] [--out FILE]
// --quick: 10,000 base rows, 200 queries, clients 1 and 2, ~1 s per point.
#include <grpcpp/grpcpp.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "bench_json.h"
#include "bench_server.h"
#include "fashion_mnist.h"
#include "index/hnsw_index.h"
#include "milvus.grpc.pb.h"

namespace mpb = milvus::proto::milvus;
namespace spb = milvus::proto::schema;
namespace cpb = milvus::proto::common;
using Clock = std::chrono::steady_clock;
using fmnist::kDim;
using fmnist::kK;

namespace {

constexpr int kM = 16, kEfConstruction = 200;
constexpr int kBuckets = 10, kBucketKept = 3;

double Seconds(Clock::time_point a) { return std::chrono::duration<double>(Clock::now() - a).count(); }

std::vector<int> ParseList(const std::string& s) {
  std::vector<int> out;
  std::stringstream in(s);
  std::string item;
  while (std::getline(in, item, ',')) out.push_back(std::atoi(item.c_str()));
  return out;
}


// CPU seconds (user + system) the server process has used so far.
double ProcessCpuSeconds(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // Fields after the parenthesised command name: state is field 3, utime 14, stime 15.
  std::stringstream rest(stat.substr(stat.rfind(')') + 2));
  std::string field;
  double ticks = 0;
  for (int i = 3; i <= 15 && rest >> field; ++i) {
    if (i >= 14) ticks += std::stod(field);
  }
  return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
}

double SelfCpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

struct LoopResult {
  double qps = 0, p50_ms = 0, p99_ms = 0, recall = 0;
  int64_t requests = 0;
  double server_cpu_us = 0, client_cpu_us = 0;  // per request
  bool failed = false;
};

// One search: worker number, query number, the hits' row numbers out; false on error.
using SearchFn = std::function<bool(int, int, std::vector<int64_t>*)>;

// A closed loop: `threads` workers each take the next request number from a shared counter and
// run query (number % nq) until `seconds` have passed and every query ran at least once; each
// worker has one request in flight. `truth` holds k row numbers per query (-1: none).
LoopResult ClosedLoop(int threads, int nq, double seconds, const std::vector<int>& truth, const SearchFn& search,
                      pid_t server) {
  std::atomic<int64_t> next{0};
  std::atomic<bool> failed{false};
  std::vector<std::vector<float>> latencies(static_cast<size_t>(threads));
  std::vector<int64_t> hits(static_cast<size_t>(threads)), expected(static_cast<size_t>(threads));
  const double server0 = server > 0 ? ProcessCpuSeconds(server) : 0, client0 = SelfCpuSeconds();
  const auto t0 = Clock::now();
  auto work = [&](int w) {
    std::vector<int64_t> ids;
    auto& lat = latencies[static_cast<size_t>(w)];
    lat.reserve(1 << 16);
    while (!failed.load(std::memory_order_relaxed)) {
      const int64_t i = next.fetch_add(1);
      if (i >= 2'000'000 || (i >= nq && Seconds(t0) >= seconds)) break;
      const int q = static_cast<int>(i % nq);
      ids.clear();
      const auto r0 = Clock::now();
      if (!search(w, q, &ids)) {
        failed = true;
        break;
      }
      lat.push_back(static_cast<float>(Seconds(r0) * 1e3));
      const int* t = &truth[static_cast<size_t>(q) * kK];
      hits[static_cast<size_t>(w)] += fmnist::Hits(t, ids);
      expected[static_cast<size_t>(w)] += std::count_if(t, t + kK, [](int x) { return x >= 0; });
    }
  };
  std::vector<std::thread> pool;
  for (int w = 1; w < threads; ++w) pool.emplace_back(work, w);
  work(0);
  for (auto& t : pool) t.join();
  const double wall = Seconds(t0);
  LoopResult r;
  r.failed = failed;
  std::vector<float> all;
  int64_t h = 0, e = 0;
  for (int w = 0; w < threads; ++w) {
    all.insert(all.end(), latencies[static_cast<size_t>(w)].begin(), latencies[static_cast<size_t>(w)].end());
    h += hits[static_cast<size_t>(w)];
    e += expected[static_cast<size_t>(w)];
  }
  if (all.empty()) return r;
  r.requests = static_cast<int64_t>(all.size());
  r.qps = static_cast<double>(r.requests) / wall;
  std::sort(all.begin(), all.end());
  r.p50_ms = all[all.size() / 2];
  r.p99_ms = all[std::min(all.size() - 1, all.size() * 99 / 100)];
  r.recall = e ? static_cast<double>(h) / static_cast<double>(e) : 1.0;
  r.server_cpu_us = server > 0 ? (ProcessCpuSeconds(server) - server0) * 1e6 / static_cast<double>(r.requests) : 0;
  r.client_cpu_us = (SelfCpuSeconds() - client0) * 1e6 / static_cast<double>(r.requests);
  return r;
}

// In-process QPS at `recall` on a curve of (recall, qps) points ordered by ef: log-linear
// between the two points around it; the first point's QPS below the curve, none above it.
std::optional<double> QpsAtRecall(const std::vector<std::pair<double, double>>& curve, double recall) {
  if (curve.empty()) return std::nullopt;
  if (recall <= curve.front().first) return curve.front().second;
  for (size_t i = 1; i < curve.size(); ++i) {
    const auto& [r0, q0] = curve[i - 1];
    const auto& [r1, q1] = curve[i];
    if (recall <= r1) {
      if (r1 <= r0) return q1;
      const double t = (recall - r0) / (r1 - r0);
      return std::exp(std::log(q0) + t * (std::log(q1) - std::log(q0)));
    }
  }
  return std::nullopt;
}

std::string Fixed(std::optional<double> v, int decimals) {
  if (!v) return "-";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, *v);
  return buf;
}

}  // namespace

int main(int argc, char** argv) {
  std::string bin = "./build/quiver", out;
  bool quick = false;
  int nq = 1000;
  std::vector<int> efs = {40, 80}, clients = {1, 2, 4, 8};
  double seconds = 3;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--quick") quick = true;
    else if (a == "--queries" && i + 1 < argc) nq = std::atoi(argv[++i]);
    else if (a == "--ef" && i + 1 < argc) efs = ParseList(argv[++i]);
    else if (a == "--clients" && i + 1 < argc) clients = ParseList(argv[++i]);
    else if (a == "--seconds" && i + 1 < argc) seconds = std::atof(argv[++i]);
    else if (a == "--out" && i + 1 < argc) out = argv[++i];
    else if (a.rfind("--", 0) != 0) bin = a;
  }
  if (quick) {
    nq = std::min(nq, 200);
    clients = {1, 2};
    seconds = std::min(seconds, 1.0);
  }
  const std::vector<float> base = fmnist::Base(quick ? 10000 : 60000);
  const std::vector<float> queries = fmnist::Queries(nq);
  const int nb = static_cast<int>(base.size() / kDim);
  nq = static_cast<int>(queries.size() / kDim);
  auto keep = [](int row) { return row % kBuckets == kBucketKept; };
  auto g0 = Clock::now();
  const std::vector<int> truth = fmnist::GroundTruth(base, queries, nb, nq);
  const std::vector<int> truth_filtered = fmnist::ExactTopK(base, queries, nb, nq, keep);
  const double gt_s = Seconds(g0);

  // --- The server: insert, index, load, wait for the index to cover every row.
  BenchServer server(bin, "quiver-load-bench");
  auto* stub = server.stub();
  if (!stub) {
    std::fprintf(stderr, "server did not start\n");
    return 1;
  }
  const std::string coll = "fmnist";
  cpb::Status st;
  {
    spb::CollectionSchema schema;
    auto* pk = schema.add_fields();
    pk->set_name("id");
    pk->set_data_type(spb::DataType::Int64);
    pk->set_is_primary_key(true);
    auto* vf = schema.add_fields();
    vf->set_name("v");
    vf->set_data_type(spb::DataType::FloatVector);
    Kv(vf->mutable_type_params(), "dim", std::to_string(kDim));
    auto* bf = schema.add_fields();
    bf->set_name("bucket");
    bf->set_data_type(spb::DataType::Int64);
    grpc::ClientContext ctx;
    mpb::CreateCollectionRequest req;
    req.set_collection_name(coll);
    req.set_schema(schema.SerializeAsString());
    if (!Ok(stub->CreateCollection(&ctx, req, &st), st, "create collection")) return 1;
  }
  auto i0 = Clock::now();
  constexpr int kBatch = 5000;  // 15.7 MB of floats per request
  for (int first = 0; first < nb; first += kBatch) {
    const int rows = std::min(kBatch, nb - first);
    mpb::InsertRequest req;
    req.set_collection_name(coll);
    req.set_num_rows(static_cast<uint32_t>(rows));
    auto* id = req.add_fields_data();
    id->set_field_name("id");
    id->set_type(spb::DataType::Int64);
    auto* v = req.add_fields_data();
    v->set_field_name("v");
    v->set_type(spb::DataType::FloatVector);
    v->mutable_vectors()->set_dim(kDim);
    auto* bucket = req.add_fields_data();
    bucket->set_field_name("bucket");
    bucket->set_type(spb::DataType::Int64);
    for (int r = first; r < first + rows; ++r) {
      id->mutable_scalars()->mutable_long_data()->add_data(r);
      bucket->mutable_scalars()->mutable_long_data()->add_data(r % kBuckets);
    }
    v->mutable_vectors()->mutable_float_vector()->mutable_data()->Add(
        base.begin() + static_cast<std::ptrdiff_t>(first) * kDim,
        base.begin() + static_cast<std::ptrdiff_t>(first + rows) * kDim);
    grpc::ClientContext ctx;
    mpb::MutationResult res;
    if (!Ok(stub->Insert(&ctx, req, &res), res.status(), "insert")) return 1;
  }
  const double insert_s = Seconds(i0);
  {
    grpc::ClientContext ctx;
    mpb::CreateIndexRequest req;
    req.set_collection_name(coll);
    req.set_field_name("v");
    Kv(req.mutable_extra_params(), "index_type", "HNSW");
    Kv(req.mutable_extra_params(), "metric_type", "L2");
    Kv(req.mutable_extra_params(), "params",
       "{\"M\": " + std::to_string(kM) + ", \"efConstruction\": " + std::to_string(kEfConstruction) + "}");
    if (!Ok(stub->CreateIndex(&ctx, req, &st), st, "create index")) return 1;
  }
  // Quiver builds a collection's ANN index in the background while it is loaded (as Milvus
  // builds only sealed segments' indexes; unindexed rows are scanned exactly meanwhile), so the
  // build is timed from the load to the first DescribeIndex that shows every row indexed.
  auto b0 = Clock::now();
  {
    grpc::ClientContext ctx;
    mpb::LoadCollectionRequest req;
    req.set_collection_name(coll);
    if (!Ok(stub->LoadCollection(&ctx, req, &st), st, "load")) return 1;
  }
  bool indexed = false;
  for (int i = 0; i < 12000 && !indexed; ++i) {
    grpc::ClientContext ctx;
    mpb::DescribeIndexRequest req;
    req.set_collection_name(coll);
    mpb::DescribeIndexResponse res;
    if (!Ok(stub->DescribeIndex(&ctx, req, &res), res.status(), "describe index")) return 1;
    indexed = res.index_descriptions_size() == 1 && res.index_descriptions(0).total_rows() == nb &&
              res.index_descriptions(0).indexed_rows() == nb;
    if (!indexed) usleep(50000);
  }
  const double server_build_s = Seconds(b0);
  if (!indexed) {
    std::fprintf(stderr, "the index did not cover every row within 10 minutes\n");
    return 1;
  }

  // --- The in-process peer: the same index kind and parameters, built with the same two threads
  // the server's builder uses on this machine.
  b0 = Clock::now();
  auto made = quiver::index::HnswIndex::Create(quiver::index::Metric::kL2, kDim, kM, kEfConstruction);
  if (!made.ok()) {
    std::fprintf(stderr, "HnswIndex: %s\n", made.status().ToString().c_str());
    return 1;
  }
  std::unique_ptr<quiver::index::HnswIndex> hnsw = std::move(*made);
  {
    quiver::index::VectorBatch batch;
    batch.dense = base.data();
    batch.n = static_cast<size_t>(nb);
    const int threads = static_cast<int>(std::clamp(std::thread::hardware_concurrency(), 1u, 4u));
    if (auto s = hnsw->AddBatch(batch, 0, threads); !s.ok()) {
      std::fprintf(stderr, "HnswIndex::AddBatch: %s\n", s.ToString().c_str());
      return 1;
    }
  }
  const double inproc_build_s = Seconds(b0);

  // Requests are built once; each worker owns a channel with its own subchannel pool, so every
  // worker has its own TCP connection (gRPC would otherwise share one between equal channels).
  const int max_clients = *std::max_element(clients.begin(), clients.end());
  std::vector<std::unique_ptr<mpb::MilvusService::Stub>> stubs;
  for (int w = 0; w < max_clients; ++w) {
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    args.SetMaxReceiveMessageSize(64 << 20);
    auto channel = grpc::CreateCustomChannel("127.0.0.1:" + std::to_string(server.port()),
                                             grpc::InsecureChannelCredentials(), args);
    channel->WaitForConnected(std::chrono::system_clock::now() + std::chrono::seconds(10));
    stubs.push_back(mpb::MilvusService::NewStub(channel));
  }
  auto requests_for = [&](int ef, const std::string& filter) {
    std::vector<mpb::SearchRequest> reqs(static_cast<size_t>(nq));
    for (int q = 0; q < nq; ++q) {
      auto& req = reqs[static_cast<size_t>(q)];
      req.set_collection_name(coll);
      cpb::PlaceholderGroup g;
      auto* ph = g.add_placeholders();
      ph->set_tag("$0");
      ph->set_type(cpb::PlaceholderType::FloatVector);
      ph->add_values(std::string(reinterpret_cast<const char*>(&queries[static_cast<size_t>(q) * kDim]),
                                 kDim * sizeof(float)));
      req.set_placeholder_group(g.SerializeAsString());
      req.set_dsl_type(cpb::DslType::BoolExprV1);
      req.set_dsl(filter);
      req.set_nq(1);
      req.set_use_default_consistency(true);
      Kv(req.mutable_search_params(), "topk", std::to_string(kK));
      Kv(req.mutable_search_params(), "anns_field", "v");
      Kv(req.mutable_search_params(), "metric_type", "L2");
      Kv(req.mutable_search_params(), "params", "{\"ef\": " + std::to_string(ef) + "}");
    }
    return reqs;
  };

  std::printf(
      "load_bench: fashion-mnist %d x %d-d, L2, k=%d, nq=1, %d queries, HNSW M=%d efConstruction=%d; "
      "closed loop, %.0f s per point\n",
      nb, kDim, kK, nq, kM, kEfConstruction, seconds);
  std::printf("  ground truth %.1f s; insert %.1f s (%.0f rows/s); index build: server %.1f s (load -> all rows indexed), "
              "in process %.1f s (same threads); ratio %.2f\n",
              gt_s, insert_s, nb / insert_s, server_build_s, inproc_build_s, inproc_build_s / server_build_s);
  bench::JsonLines jl(out);
  jl.Write({{"bench", "load_bench"}, {"kind", "build"}, {"base", nb}, {"queries", nq}, {"insert_s", insert_s},
            {"server_build_s", server_build_s}, {"inproc_build_s", inproc_build_s}});

  // In-process sweep: per thread count, (recall, qps) over ef, for the same-recall ratio.
  std::vector<int> sweep = {10, 16, 20, 30, 40, 60, 80, 120, 160, 240};
  for (int ef : efs) sweep.push_back(ef);
  std::sort(sweep.begin(), sweep.end());
  sweep.erase(std::unique(sweep.begin(), sweep.end()), sweep.end());
  const double sweep_seconds = quick ? 0.3 : 0.8;
  auto inproc_search = [&](int ef) -> SearchFn {
    return [&, ef](int, int q, std::vector<int64_t>* ids) {
      for (const auto& [score, label] : hnsw->Search(&queries[static_cast<size_t>(q) * kDim], kK, static_cast<size_t>(ef))) {
        ids->push_back(static_cast<int64_t>(label));
      }
      return true;
    };
  };
  std::map<int, std::vector<std::pair<double, double>>> curve;  // threads -> (recall, qps) by ef
  std::map<std::pair<int, int>, LoopResult> inproc;             // (threads, ef)
  for (int n : clients) {
    for (int ef : sweep) {
      LoopResult r = ClosedLoop(n, nq, sweep_seconds, truth, inproc_search(ef), -1);
      curve[n].emplace_back(r.recall, r.qps);
      inproc[{n, ef}] = r;
      jl.Write({{"bench", "load_bench"}, {"kind", "inproc"}, {"filter", ""}, {"ef", ef}, {"threads", n}, {"qps", r.qps},
                {"recall", r.recall}, {"p50_ms", r.p50_ms}, {"p99_ms", r.p99_ms}, {"base", nb}, {"queries", nq}});
    }
  }

  std::vector<int> survivors;
  for (int i = 0; i < nb; ++i) {
    if (keep(i)) survivors.push_back(i);
  }
  // The server's filtered plan in process (src/proxy/search.cc, default options): an exact scan
  // of the survivors when that costs at most 2^22 multiply-adds or the filter keeps under 5 %;
  // otherwise ask the graph for enough hits that k of them pass (k / selectivity x 1.2 + 10) and
  // keep the passing ones.
  const double selectivity = static_cast<double>(survivors.size()) / nb;
  const bool server_scans = static_cast<int64_t>(survivors.size()) * kDim <= (int64_t{1} << 22) || selectivity < 0.05;
  const size_t overfetch = static_cast<size_t>(static_cast<double>(kK) / selectivity * 1.2) + 10;
  auto inproc_filtered = [&](int ef) -> SearchFn {
    return [&, ef](int, int q, std::vector<int64_t>* ids) {
      // As the server: up to four tries, asking for 4x more hits while fewer than k pass.
      size_t want = overfetch;
      for (int attempt = 0; attempt < 4; ++attempt) {
        want = std::min(want, static_cast<size_t>(nb));
        ids->clear();
        for (const auto& [score, label] : hnsw->Search(&queries[static_cast<size_t>(q) * kDim], want,
                                                       std::max(want, static_cast<size_t>(ef)))) {
          if (keep(static_cast<int>(label)) && ids->size() < static_cast<size_t>(kK)) {
            ids->push_back(static_cast<int64_t>(label));
          }
        }
        if (ids->size() >= static_cast<size_t>(kK) || want >= static_cast<size_t>(nb)) break;
        want *= 4;
      }
      return true;
    };
  };
  SearchFn exact_filtered = [&](int, int q, std::vector<int64_t>* ids) {
    quiver::index::TopK top(kK, false);
    for (int row : survivors) {
      top.Push(quiver::index::L2Squared(&queries[static_cast<size_t>(q) * kDim], &base[static_cast<size_t>(row) * kDim], kDim),
               static_cast<uint64_t>(row));
    }
    for (const auto& [score, label] : top.Take()) ids->push_back(static_cast<int64_t>(label));
    return true;
  };

  std::printf("\n%-10s %4s %7s | %9s %8s %8s %9s %8s %8s | %9s %9s %9s | %7s %7s\n", "filter", "ef", "clients",
              "e2e QPS", "p50 ms", "p99 ms", "recall@10", "srv us/q", "cli us/q", "inproc", "in recall", "@recall",
              "÷ef", "÷recall");
  for (const std::string filter : {"", "bucket == 3"}) {
    const bool filtered = !filter.empty();
    const auto& t = filtered ? truth_filtered : truth;
    for (int ef : efs) {
      const std::vector<mpb::SearchRequest> reqs = requests_for(ef, filter);
      SearchFn e2e = [&](int w, int q, std::vector<int64_t>* ids) {
        grpc::ClientContext ctx;
        mpb::SearchResults res;
        grpc::Status s = stubs[static_cast<size_t>(w)]->Search(&ctx, reqs[static_cast<size_t>(q)], &res);
        if (!Ok(s, res.status(), "search")) return false;
        for (int64_t id : res.results().ids().int_id().data()) ids->push_back(id);
        return true;
      };
      for (int n : clients) {
        // Warm-up (not measured): each connection sends a few requests.
        (void)ClosedLoop(n, std::min(nq, 20 * n), 0, t, e2e, -1);
        LoopResult r = ClosedLoop(n, nq, seconds, t, e2e, server.pid());
        if (r.failed) return 1;
        LoopResult peer;
        std::optional<double> at_recall;
        LoopResult exact;
        if (filtered) {
          exact = ClosedLoop(n, nq, sweep_seconds, t, exact_filtered, -1);
          peer = server_scans ? exact : ClosedLoop(n, nq, sweep_seconds, t, inproc_filtered(ef), -1);
        } else {
          peer = inproc[{n, ef}];
          at_recall = QpsAtRecall(curve[n], r.recall);
        }
        const double ratio_ef = r.qps / peer.qps;
        std::printf("%-10s %4d %7d | %9.0f %8.3f %8.3f %9.4f %8.0f %8.0f | %9.0f %9.4f %9s | %7.2f %7s\n",
                    filtered ? "bucket==3" : "none", ef, n, r.qps, r.p50_ms, r.p99_ms, r.recall, r.server_cpu_us,
                    r.client_cpu_us, peer.qps, peer.recall, Fixed(at_recall, 0).c_str(), ratio_ef,
                    Fixed(at_recall ? std::optional<double>(r.qps / *at_recall) : std::nullopt, 2).c_str());
        if (filtered && !server_scans) {
          std::printf("%-10s %4s %7s   in-process exact scan of the %zu surviving rows: %.0f QPS (recall %.4f); e2e ÷ it %.2f\n",
                      "", "", "", survivors.size(), exact.qps, exact.recall, r.qps / exact.qps);
        }
        bench::JsonFields f = {{"bench", "load_bench"}, {"kind", "e2e"}, {"filter", filter}, {"ef", ef}, {"clients", n},
                               {"qps", r.qps}, {"p50_ms", r.p50_ms}, {"p99_ms", r.p99_ms}, {"recall", r.recall},
                               {"requests", static_cast<double>(r.requests)},
                               {"server_cpu_us_per_req", r.server_cpu_us}, {"client_cpu_us_per_req", r.client_cpu_us},
                               {"inproc_qps_same_ef", peer.qps}, {"inproc_recall_same_ef", peer.recall},
                               {"ratio_same_ef", ratio_ef}, {"base", nb}, {"queries", nq}};
        if (at_recall) {
          f.emplace_back("inproc_qps_same_recall", *at_recall);
          f.emplace_back("ratio_same_recall", r.qps / *at_recall);
        }
        if (filtered) {
          f.emplace_back("filtered_plan", server_scans ? "exact scan" : "graph over-fetch");
          f.emplace_back("exact_scan_qps", exact.qps);
          f.emplace_back("ratio_exact_scan", r.qps / exact.qps);
        }
        jl.Write(f);
      }
    }
  }
  std::printf("\n÷ef: end-to-end QPS / in-process QPS at the same ef and thread count (filtered: the server's plan "
              "in process, here %s); ÷recall: / in-process QPS interpolated at the end-to-end recall. srv/cli us/q: CPU "
              "microseconds per request in the server / in this client (2 cores shared).\n",
              server_scans ? "an exact scan of the survivors" : "the graph over-fetched, then filtered");
  return 0;
}
