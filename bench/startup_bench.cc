// Start-up and footprint: fills `quiver serve` with N rows (128-d float vector + 3 scalars,
// default 1,000,000), flushes and loads them, then restarts the server and measures the time
// from the new process to the first answered search, plus resident memory (VmRSS) before and
// after. The peer, in the same run, is reading the data directory's files once (the floor for
// any start-up that looks at its data): the figure that matters is the ratio.
// Usage: startup_bench [quiver-binary] [rows]
#include <chrono>
#include <cstdio>
#include <fstream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "bench_json.h"
#include "bench_server.h"
#include "milvus.grpc.pb.h"

namespace mpb = milvus::proto::milvus;
namespace spb = milvus::proto::schema;
namespace cpb = milvus::proto::common;
using Clock = std::chrono::steady_clock;

namespace {

double Seconds(Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double>(b - a).count(); }

int64_t RssBytes(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stoll(line.substr(6)) * 1024;
  }
  return 0;
}


// One search (nq=1, k=10); true when answered with hits.
bool SearchOnce(mpb::MilvusService::Stub* stub, const std::vector<float>& q) {
  mpb::SearchRequest req;
  req.set_collection_name("s");
  req.set_dsl_type(cpb::DslType::BoolExprV1);
  cpb::PlaceholderGroup group;
  auto* ph = group.add_placeholders();
  ph->set_tag("$0");
  ph->set_type(cpb::PlaceholderType::FloatVector);
  ph->add_values(std::string(reinterpret_cast<const char*>(q.data()), q.size() * sizeof(float)));
  req.set_placeholder_group(group.SerializeAsString());
  req.set_nq(1);
  Kv(req.mutable_search_params(), "anns_field", "v");
  Kv(req.mutable_search_params(), "topk", "10");
  Kv(req.mutable_search_params(), "metric_type", "L2");
  Kv(req.mutable_search_params(), "params", "{}");
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
  mpb::SearchResults res;
  grpc::Status s = stub->Search(&ctx, req, &res);
  return s.ok() && res.status().code() == 0 && res.results().scores_size() == 10;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string out = bench::TakeOutFlag(argc, argv);
  std::string bin = argc > 1 ? argv[1] : "./build/quiver";
  const int n = argc > 2 ? std::atoi(argv[2]) : 1000000;
  const int dim = 128, batch = 10000;
  BenchServer server(bin, "quiver-startup");
  if (!server.stub()) {
    std::fprintf(stderr, "server did not start\n");
    return 1;
  }
  const int64_t idle_rss = RssBytes(server.pid());
  spb::CollectionSchema schema;
  auto add = [&](const char* name, spb::DataType t) {
    auto* f = schema.add_fields();
    f->set_name(name);
    f->set_data_type(t);
    return f;
  };
  add("id", spb::DataType::Int64)->set_is_primary_key(true);
  Kv(add("v", spb::DataType::FloatVector)->mutable_type_params(), "dim", std::to_string(dim));
  add("n", spb::DataType::Int64);
  add("f", spb::DataType::Float);
  Kv(add("s", spb::DataType::VarChar)->mutable_type_params(), "max_length", "16");
  cpb::Status st;
  {
    grpc::ClientContext ctx;
    mpb::CreateCollectionRequest req;
    req.set_collection_name("s");
    req.set_schema(schema.SerializeAsString());
    if (!Ok(server.stub()->CreateCollection(&ctx, req, &st), st, "create")) return 1;
  }
  std::mt19937 rng(11);
  std::uniform_real_distribution<float> u(-1, 1);
  auto fill_start = Clock::now();
  for (int first = 0; first < n; first += batch) {
    int rows = std::min(batch, n - first);
    mpb::InsertRequest req;
    req.set_collection_name("s");
    req.set_num_rows(rows);
    auto* id = req.add_fields_data();
    id->set_field_name("id");
    id->set_type(spb::DataType::Int64);
    auto* v = req.add_fields_data();
    v->set_field_name("v");
    v->set_type(spb::DataType::FloatVector);
    v->mutable_vectors()->set_dim(dim);
    auto* num = req.add_fields_data();
    num->set_field_name("n");
    num->set_type(spb::DataType::Int64);
    auto* fl = req.add_fields_data();
    fl->set_field_name("f");
    fl->set_type(spb::DataType::Float);
    auto* str = req.add_fields_data();
    str->set_field_name("s");
    str->set_type(spb::DataType::VarChar);
    auto* vec = v->mutable_vectors()->mutable_float_vector()->mutable_data();
    vec->Reserve(rows * dim);
    for (int r = 0; r < rows; ++r) {
      id->mutable_scalars()->mutable_long_data()->add_data(first + r);
      num->mutable_scalars()->mutable_long_data()->add_data((first + r) % 1000);
      fl->mutable_scalars()->mutable_float_data()->add_data(u(rng));
      str->mutable_scalars()->mutable_string_data()->add_data("s" + std::to_string(r % 100));
      for (int j = 0; j < dim; ++j) vec->Add(u(rng));
    }
    grpc::ClientContext ctx;
    mpb::MutationResult res;
    if (!Ok(server.stub()->Insert(&ctx, req, &res), res.status(), "insert")) return 1;
  }
  {
    grpc::ClientContext ctx;
    mpb::FlushRequest req;
    req.add_collection_names("s");
    mpb::FlushResponse res;
    if (!Ok(server.stub()->Flush(&ctx, req, &res), res.status(), "flush")) return 1;
  }
  const double fill_s = Seconds(fill_start, Clock::now());
  {
    grpc::ClientContext ctx;
    mpb::CreateIndexRequest req;
    req.set_collection_name("s");
    req.set_field_name("v");
    Kv(req.mutable_extra_params(), "index_type", "FLAT");
    Kv(req.mutable_extra_params(), "metric_type", "L2");
    if (!Ok(server.stub()->CreateIndex(&ctx, req, &st), st, "index")) return 1;
  }
  {
    grpc::ClientContext ctx;
    mpb::LoadCollectionRequest req;
    req.set_collection_name("s");
    if (!Ok(server.stub()->LoadCollection(&ctx, req, &st), st, "load")) return 1;
  }
  std::vector<float> q(dim, 0.1f);
  if (!SearchOnce(server.stub(), q)) {
    std::fprintf(stderr, "search before restart failed\n");
    return 1;
  }
  const int64_t loaded_rss = RssBytes(server.pid());

  // Restart: from the new process to the first answered search (stopping is timed apart).
  auto s0 = Clock::now();
  server.Stop();
  const double stop_s = Seconds(s0, Clock::now());
  auto t0 = Clock::now();
  server.Start();
  auto connected = Clock::now();
  bool answered = false;
  while (server.stub() && !answered && Seconds(t0, Clock::now()) < 120) {
    answered = SearchOnce(server.stub(), q);
    if (!answered) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  auto first = Clock::now();
  if (!answered) {
    std::fprintf(stderr, "no search answered after restart\n");
    return 1;
  }
  const int64_t restarted_rss = RssBytes(server.pid());

  // Peer: read every file of the data directory once.
  int64_t bytes = 0;
  auto r0 = Clock::now();
  std::vector<char> buf(1 << 20);
  for (const auto& e : std::filesystem::recursive_directory_iterator(server.dir())) {
    if (!e.is_regular_file()) continue;
    std::ifstream in(e.path(), std::ios::binary);
    while (in.read(buf.data(), static_cast<std::streamsize>(buf.size())) || in.gcount() > 0) bytes += in.gcount();
  }
  const double read_s = Seconds(r0, Clock::now());

  const double restart_s = Seconds(t0, first);
  const double raw = static_cast<double>(n) * (dim * 4 + 8 + 8 + 4 + 4);
  std::printf("start-up and footprint: %d rows (128-d float + int64, float, varchar), fill %.1f s (%.0f rows/s)\n", n,
              fill_s, n / fill_s);
  std::printf("  data directory          %8.1f MB (raw column bytes %.1f MB)\n", bytes / 1e6, raw / 1e6);
  std::printf("  clean stop (SIGTERM)    %8.3f s\n", stop_s);
  std::printf("  start to port open      %8.3f s\n", Seconds(t0, connected));
  std::printf("  start to first search   %8.3f s\n", restart_s);
  std::printf("  peer: read data dir once%8.3f s   ratio start-up / read = %.2f\n", read_s, restart_s / read_s);
  std::printf("  RSS idle (empty)        %8.1f MB\n", idle_rss / 1e6);
  std::printf("  RSS loaded              %8.1f MB  (%.0f bytes/row, raw %.0f)\n", loaded_rss / 1e6,
              static_cast<double>(loaded_rss - idle_rss) / n, raw / n);
  std::printf("  RSS after restart       %8.1f MB  (%.0f bytes/row)\n", restarted_rss / 1e6,
              static_cast<double>(restarted_rss - idle_rss) / n);
  bench::JsonLines(out).Write({{"bench", "startup_bench"}, {"rows", n}, {"fill_s", fill_s}, {"data_dir_mb", bytes / 1e6},
                               {"raw_mb", raw / 1e6}, {"stop_s", stop_s}, {"start_to_port_s", Seconds(t0, connected)},
                               {"start_to_first_search_s", restart_s}, {"peer_read_s", read_s},
                               {"ratio", restart_s / read_s}, {"rss_idle_mb", idle_rss / 1e6},
                               {"rss_loaded_bytes_per_row", static_cast<double>(loaded_rss - idle_rss) / n},
                               {"rss_restarted_bytes_per_row", static_cast<double>(restarted_rss - idle_rss) / n}});
  return 0;
}
