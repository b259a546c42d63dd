// End-to-end insert throughput: starts `quiver serve` on a temporary data directory, inserts
// batches of rows (128-d float vector + 3 scalars) through the Milvus gRPC API with fsync on,
// and reports rows/s. The peer, measured in the same run, is the disk itself: appending the same
// serialized request bytes to a file with one fdatasync per batch — the ceiling any durable
// insert path can reach on this machine. The figure that matters is the ratio.
#include <fcntl.h>
#include <grpcpp/grpcpp.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <thread>

#include "bench_json.h"
#include "bench_server.h"
#include "milvus.grpc.pb.h"

namespace mpb = milvus::proto::milvus;
namespace spb = milvus::proto::schema;
using Clock = std::chrono::steady_clock;

namespace {


spb::FieldSchema Field(const std::string& name, spb::DataType t) {
  spb::FieldSchema f;
  f.set_name(name);
  f.set_data_type(t);
  return f;
}

void Param(spb::FieldSchema* f, const std::string& k, const std::string& v) {
  auto* kv = f->add_type_params();
  kv->set_key(k);
  kv->set_value(v);
}

mpb::InsertRequest MakeBatch(int64_t first, int rows, int dim, std::mt19937& rng) {
  std::uniform_real_distribution<float> u(-1, 1);
  mpb::InsertRequest req;
  req.set_collection_name("bench");
  req.set_num_rows(rows);
  auto* id = req.add_fields_data();
  id->set_field_name("id");
  id->set_type(spb::DataType::Int64);
  auto* v = req.add_fields_data();
  v->set_field_name("vector");
  v->set_type(spb::DataType::FloatVector);
  v->mutable_vectors()->set_dim(dim);
  auto* a = req.add_fields_data();
  a->set_field_name("a");
  a->set_type(spb::DataType::Int64);
  auto* b = req.add_fields_data();
  b->set_field_name("b");
  b->set_type(spb::DataType::Double);
  auto* c = req.add_fields_data();
  c->set_field_name("c");
  c->set_type(spb::DataType::VarChar);
  auto* fv = v->mutable_vectors()->mutable_float_vector()->mutable_data();
  fv->Reserve(rows * dim);
  for (int r = 0; r < rows; ++r) {
    id->mutable_scalars()->mutable_long_data()->add_data(first + r);
    for (int d = 0; d < dim; ++d) fv->Add(u(rng));
    a->mutable_scalars()->mutable_long_data()->add_data(r % 100);
    b->mutable_scalars()->mutable_double_data()->add_data(r * 0.5);
    c->mutable_scalars()->mutable_string_data()->add_data("row-" + std::to_string(first + r));
  }
  return req;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string out = bench::TakeOutFlag(argc, argv);
  std::string bin = argc > 1 ? argv[1] : "./build/quiver";
  int total = argc > 2 ? std::atoi(argv[2]) : 100000;
  const int batch = 1000, dim = 128;
  BenchServer server(bin, "quiver-bench");
  auto* stub = server.stub();
  if (!stub) {
    std::fprintf(stderr, "server did not start\n");
    return 1;
  }

  spb::CollectionSchema schema;
  schema.set_name("bench");
  auto pk = Field("id", spb::DataType::Int64);
  pk.set_is_primary_key(true);
  *schema.add_fields() = pk;
  auto vec = Field("vector", spb::DataType::FloatVector);
  Param(&vec, "dim", std::to_string(dim));
  *schema.add_fields() = vec;
  *schema.add_fields() = Field("a", spb::DataType::Int64);
  *schema.add_fields() = Field("b", spb::DataType::Double);
  auto c = Field("c", spb::DataType::VarChar);
  Param(&c, "max_length", "64");
  *schema.add_fields() = c;
  mpb::CreateCollectionRequest create;
  create.set_collection_name("bench");
  create.set_schema(schema.SerializeAsString());
  milvus::proto::common::Status st;
  {
    grpc::ClientContext ctx;
    stub->CreateCollection(&ctx, create, &st);
  }

  std::mt19937 rng(42);
  std::vector<mpb::InsertRequest> batches;
  for (int i = 0; i < total / batch; ++i) batches.push_back(MakeBatch(int64_t{i} * batch, batch, dim, rng));

  auto t0 = Clock::now();
  for (const auto& req : batches) {
    grpc::ClientContext ctx;
    mpb::MutationResult res;
    grpc::Status s = stub->Insert(&ctx, req, &res);
    if (!s.ok() || res.status().code() != 0) {
      std::fprintf(stderr, "insert failed: %s %s\n", s.error_message().c_str(), res.status().reason().c_str());
      return 1;
    }
  }
  double quiver_s = std::chrono::duration<double>(Clock::now() - t0).count();

  // Peer: the same bytes appended with one fdatasync per batch.
  std::string peer_file = server.dir() + "-peer.log";
  int fd = open(peer_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  auto t1 = Clock::now();
  for (const auto& req : batches) {
    std::string bytes = req.SerializeAsString();
    if (write(fd, bytes.data(), bytes.size()) != static_cast<ssize_t>(bytes.size())) return 1;
    fdatasync(fd);
  }
  double peer_s = std::chrono::duration<double>(Clock::now() - t1).count();
  close(fd);
  std::filesystem::remove(peer_file);


  int rows = static_cast<int>(batches.size()) * batch;
  double mb = static_cast<double>(batches[0].ByteSizeLong()) * batches.size() / 1e6;
  std::printf("insert_bench: %d rows (dim %d + 3 scalars), batches of %d, fsync on\n", rows, dim, batch);
  std::printf("  quiver (gRPC, WAL, apply): %8.0f rows/s  %6.1f MB/s  %.2f s\n", rows / quiver_s, mb / quiver_s, quiver_s);
  std::printf("  peer   (append + fdatasync): %8.0f rows/s  %6.1f MB/s  %.2f s\n", rows / peer_s, mb / peer_s, peer_s);
  std::printf("  ratio quiver/peer: %.2f\n", peer_s / quiver_s);
  bench::JsonLines(out).Write({{"bench", "insert_bench"}, {"rows", rows}, {"dim", dim}, {"batch", batch},
                               {"quiver_rows_per_s", rows / quiver_s}, {"peer_rows_per_s", rows / peer_s},
                               {"quiver_mb_per_s", mb / quiver_s}, {"ratio", peer_s / quiver_s}});
  return 0;
}
