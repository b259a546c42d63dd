// MilvusServiceImpl serves milvus.proto.milvus.MilvusService over gRPC: it resolves the target
// database, validates requests, calls the coordinators and answers with Milvus's message
// shapes and error codes. RPCs it does not override answer gRPC UNIMPLEMENTED (the generated
// base class does that). Thread-safe: gRPC calls it from its thread pool. Borrows the catalog
// and TSO; both must outlive the service.
#pragma once

#include <atomic>

#include "common/executor.h"
#include "coord/catalog.h"
#include "datanode/data_service.h"
#include "coord/tso.h"
#include "milvus.grpc.pb.h"
#include "proxy/schema_validation.h"

namespace quiver::proxy {

namespace mpb = milvus::proto::milvus;
namespace cpb = milvus::proto::common;
namespace spb = milvus::proto::schema;
using grpc::ServerContext;

class MilvusServiceImpl final : public mpb::MilvusService::Service {
 public:
  MilvusServiceImpl(coord::Catalog& catalog, coord::Tso& tso, datanode::DataService& data);

  // Session and health.
  grpc::Status Connect(ServerContext*, const mpb::ConnectRequest*, mpb::ConnectResponse*) override;
  grpc::Status GetVersion(ServerContext*, const mpb::GetVersionRequest*, mpb::GetVersionResponse*) override;
  grpc::Status CheckHealth(ServerContext*, const mpb::CheckHealthRequest*, mpb::CheckHealthResponse*) override;
  grpc::Status GetComponentStates(ServerContext*, const mpb::GetComponentStatesRequest*, mpb::ComponentStates*) override;
  grpc::Status AllocTimestamp(ServerContext*, const mpb::AllocTimestampRequest*, mpb::AllocTimestampResponse*) override;

  // Databases.
  grpc::Status CreateDatabase(ServerContext*, const mpb::CreateDatabaseRequest*, cpb::Status*) override;
  grpc::Status DropDatabase(ServerContext*, const mpb::DropDatabaseRequest*, cpb::Status*) override;
  grpc::Status ListDatabases(ServerContext*, const mpb::ListDatabasesRequest*, mpb::ListDatabasesResponse*) override;
  grpc::Status DescribeDatabase(ServerContext*, const mpb::DescribeDatabaseRequest*, mpb::DescribeDatabaseResponse*) override;
  grpc::Status AlterDatabase(ServerContext*, const mpb::AlterDatabaseRequest*, cpb::Status*) override;

  // Collections.
  grpc::Status CreateCollection(ServerContext*, const mpb::CreateCollectionRequest*, cpb::Status*) override;
  grpc::Status DropCollection(ServerContext*, const mpb::DropCollectionRequest*, cpb::Status*) override;
  grpc::Status HasCollection(ServerContext*, const mpb::HasCollectionRequest*, mpb::BoolResponse*) override;
  grpc::Status DescribeCollection(ServerContext*, const mpb::DescribeCollectionRequest*, mpb::DescribeCollectionResponse*) override;
  grpc::Status BatchDescribeCollection(ServerContext*, const mpb::BatchDescribeCollectionRequest*, mpb::BatchDescribeCollectionResponse*) override;
  grpc::Status ShowCollections(ServerContext*, const mpb::ShowCollectionsRequest*, mpb::ShowCollectionsResponse*) override;
  grpc::Status RenameCollection(ServerContext*, const mpb::RenameCollectionRequest*, cpb::Status*) override;
  grpc::Status AlterCollection(ServerContext*, const mpb::AlterCollectionRequest*, cpb::Status*) override;
  grpc::Status AlterCollectionField(ServerContext*, const mpb::AlterCollectionFieldRequest*, cpb::Status*) override;
  grpc::Status AddCollectionField(ServerContext*, const mpb::AddCollectionFieldRequest*, cpb::Status*) override;
  grpc::Status GetCollectionStatistics(ServerContext*, const mpb::GetCollectionStatisticsRequest*, mpb::GetCollectionStatisticsResponse*) override;

  // Partitions.
  grpc::Status CreatePartition(ServerContext*, const mpb::CreatePartitionRequest*, cpb::Status*) override;
  grpc::Status DropPartition(ServerContext*, const mpb::DropPartitionRequest*, cpb::Status*) override;
  grpc::Status HasPartition(ServerContext*, const mpb::HasPartitionRequest*, mpb::BoolResponse*) override;
  grpc::Status ShowPartitions(ServerContext*, const mpb::ShowPartitionsRequest*, mpb::ShowPartitionsResponse*) override;
  grpc::Status GetPartitionStatistics(ServerContext*, const mpb::GetPartitionStatisticsRequest*, mpb::GetPartitionStatisticsResponse*) override;

  // Aliases.
  grpc::Status CreateAlias(ServerContext*, const mpb::CreateAliasRequest*, cpb::Status*) override;
  grpc::Status DropAlias(ServerContext*, const mpb::DropAliasRequest*, cpb::Status*) override;
  grpc::Status AlterAlias(ServerContext*, const mpb::AlterAliasRequest*, cpb::Status*) override;
  grpc::Status DescribeAlias(ServerContext*, const mpb::DescribeAliasRequest*, mpb::DescribeAliasResponse*) override;
  grpc::Status ListAliases(ServerContext*, const mpb::ListAliasesRequest*, mpb::ListAliasesResponse*) override;

  // Indexes.
  grpc::Status CreateIndex(ServerContext*, const mpb::CreateIndexRequest*, cpb::Status*) override;
  grpc::Status DescribeIndex(ServerContext*, const mpb::DescribeIndexRequest*, mpb::DescribeIndexResponse*) override;
  grpc::Status DropIndex(ServerContext*, const mpb::DropIndexRequest*, cpb::Status*) override;
  grpc::Status AlterIndex(ServerContext*, const mpb::AlterIndexRequest*, cpb::Status*) override;
  grpc::Status GetIndexState(ServerContext*, const mpb::GetIndexStateRequest*, mpb::GetIndexStateResponse*) override;
  grpc::Status GetIndexBuildProgress(ServerContext*, const mpb::GetIndexBuildProgressRequest*, mpb::GetIndexBuildProgressResponse*) override;
  grpc::Status GetIndexStatistics(ServerContext*, const mpb::GetIndexStatisticsRequest*, mpb::GetIndexStatisticsResponse*) override;

  // Data.
  grpc::Status Insert(ServerContext*, const mpb::InsertRequest*, mpb::MutationResult*) override;
  grpc::Status Upsert(ServerContext*, const mpb::UpsertRequest*, mpb::MutationResult*) override;
  grpc::Status Delete(ServerContext*, const mpb::DeleteRequest*, mpb::MutationResult*) override;
  grpc::Status Query(ServerContext*, const mpb::QueryRequest*, mpb::QueryResults*) override;
  grpc::Status Search(ServerContext*, const mpb::SearchRequest*, mpb::SearchResults*) override;
  grpc::Status HybridSearch(ServerContext*, const mpb::HybridSearchRequest*, mpb::SearchResults*) override;
  grpc::Status Flush(ServerContext*, const mpb::FlushRequest*, mpb::FlushResponse*) override;
  grpc::Status TruncateCollection(ServerContext*, const mpb::TruncateCollectionRequest*, mpb::TruncateCollectionResponse*) override;
  grpc::Status ManualCompaction(ServerContext*, const mpb::ManualCompactionRequest*, mpb::ManualCompactionResponse*) override;
  grpc::Status GetCompactionState(ServerContext*, const mpb::GetCompactionStateRequest*, mpb::GetCompactionStateResponse*) override;
  grpc::Status GetPersistentSegmentInfo(ServerContext*, const mpb::GetPersistentSegmentInfoRequest*, mpb::GetPersistentSegmentInfoResponse*) override;
  grpc::Status FlushAll(ServerContext*, const mpb::FlushAllRequest*, mpb::FlushAllResponse*) override;
  grpc::Status GetFlushAllState(ServerContext*, const mpb::GetFlushAllStateRequest*, mpb::GetFlushAllStateResponse*) override;
  grpc::Status GetFlushState(ServerContext*, const mpb::GetFlushStateRequest*, mpb::GetFlushStateResponse*) override;

  // Load state.
  grpc::Status LoadCollection(ServerContext*, const mpb::LoadCollectionRequest*, cpb::Status*) override;
  grpc::Status ReleaseCollection(ServerContext*, const mpb::ReleaseCollectionRequest*, cpb::Status*) override;
  grpc::Status LoadPartitions(ServerContext*, const mpb::LoadPartitionsRequest*, cpb::Status*) override;
  grpc::Status ReleasePartitions(ServerContext*, const mpb::ReleasePartitionsRequest*, cpb::Status*) override;
  grpc::Status GetLoadState(ServerContext*, const mpb::GetLoadStateRequest*, mpb::GetLoadStateResponse*) override;
  grpc::Status GetLoadingProgress(ServerContext*, const mpb::GetLoadingProgressRequest*, mpb::GetLoadingProgressResponse*) override;

 private:
  Status FillDescribe(const std::string& db, const coord::CollectionRecord& c,
                      mpb::DescribeCollectionResponse* resp);
  Status DescribeIndexes(const std::string& db, const std::string& collection,
                         const std::string& field_name, const std::string& index_name,
                         mpb::DescribeIndexResponse* resp);
  Result<int64_t> LoadProgress(const std::string& db, const std::string& collection,
                               const google::protobuf::RepeatedPtrField<std::string>& partitions);

  Result<Timestamp> WriteRows(const std::string& db, const coord::CollectionRecord& c,
                              const std::string& partition_name,
                              const google::protobuf::RepeatedPtrField<spb::FieldData>& fields,
                              int64_t num_rows, bool upsert, mpb::MutationResult* resp);
  // For a partial upsert: completes `fields` with the current values of the fields the request
  // left out, row by row (rows whose key does not exist yet need every required field).
  Status FillPartialUpdate(const coord::CollectionRecord& c,
                           google::protobuf::RepeatedPtrField<spb::FieldData>* fields,
                           int64_t num_rows);
  Status RunQuery(ServerContext* ctx, const mpb::QueryRequest& req, mpb::QueryResults* resp);
  Status RunSearch(ServerContext* ctx, const mpb::SearchRequest& req, mpb::SearchResults* resp);

  coord::Catalog& catalog_;
  coord::Tso& tso_;
  datanode::DataService& data_;
  SchemaLimits limits_;
  std::atomic<int64_t> next_identifier_;
  // Parallel parts of searches (queries of one request, large exact scans); one worker per
  // core beyond the calling gRPC thread.
  Executor executor_;
};

}  // namespace quiver::proxy
