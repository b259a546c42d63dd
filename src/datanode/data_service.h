// DataService owns the data of every collection in standalone mode: one WAL channel per
// collection (LogStore seam), one GrowingStore fed from it, and the collection's persisted
// segments (ObjectStore seam) published by a manifest in the MetaStore.
//
// Write: a write is acknowledged only after its WAL entry is durable and applied, so it is
// visible to the next read at any consistency level (read-your-writes).
// Flush: the rows and deletes applied since the last flush are written as one segment object
// (fsync + rename), then the manifest (segments + WAL checkpoint LSN) is committed, then the WAL
// is truncated behind the checkpoint. A crash between any two steps leaves either the old or
// the new manifest in force, and both describe all acknowledged data (objects not in the
// manifest are garbage, removed at start). Flushes happen on Flush, when a collection holds
// `flush_rows` unpersisted rows, and after TruncateCollection.
// Recover: loads each live collection's segments, replays its WAL from the checkpoint, and
// removes channels, objects and manifests of collections that no longer exist.
//
// Thread-safety: writes and flushes of one collection are serialised (timestamp, WAL append and
// apply in one critical section, so applied order equals timestamp order); collections proceed
// in parallel and share the WAL's group commit. Borrows every store, the Tso and the id
// allocator; all must outlive the service.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <stop_token>
#include <thread>

#include "catalog.pb.h"
#include "coord/tso.h"
#include "expr/index_builder.h"
#include "expr/plan.h"
#include "segment.pb.h"
#include "segment/growing_store.h"
#include "storage/disk_space.h"
#include "storage/log_store.h"
#include "storage/meta_store.h"
#include "storage/object_store.h"
#include "wal.pb.h"

namespace quiver::datanode {

struct DataOptions {
  int64_t flush_rows = 200000;
  // The search planner scans the filtered rows exactly instead of using the ANN index while
  // that costs at most this many multiply-adds per query (about 31k rows at 128-d); exact is
  // both exact and faster below it. Tests lower it to exercise the indexes on small data.
  int64_t exact_scan_max_cost = int64_t{1} << 22;
  // Free-space watermark of the data directory (borrowed, may be null): inserts and upserts are
  // refused and saved indexes are not written while it is low; deletes, flushes and compactions
  // go on (they free space, or fail cleanly on a full disk).
  storage::DiskSpaceGuard* disk = nullptr;
};

class DataService {
 public:
  DataService(storage::LogStore& log, storage::ObjectStore& objects, storage::MetaStore& meta,
              coord::Tso& tso, coord::IdAllocator& ids, DataOptions options = {})
      : log_(log), objects_(objects), meta_(meta), tso_(tso), ids_(ids), options_(options) {}
  ~DataService();
  DataService(const DataService&) = delete;
  DataService& operator=(const DataService&) = delete;

  // Starts the background ANN builder: each round it lists the catalog's collections and adds
  // newly applied rows of loaded collections to the ANN index of every vector field whose index
  // definition asks for one (AnnSpecFor). Searches use the index for the rows it covers and
  // scan the rest exactly. Once an index has caught up, it is saved as an index object and
  // recorded in the collection's manifest; after a restart (or a release and load) the saved
  // index is loaded instead of rebuilt when it matches the chunks recovery rebuilt.
  using CollectionsFn = std::function<std::vector<catalog::CollectionRecord>()>;
  void StartIndexBuilder(CollectionsFn collections);

  // The ANN index a field's definition calls for, if any.
  static std::optional<segment::AnnSpec> AnnSpecFor(const catalog::CollectionRecord& c,
                                                    int64_t field_id);

  // A scalar index definition Quiver builds (INVERTED, BITMAP, STL_SORT, Trie, AUTOINDEX on a
  // scalar field; JSON path indexes), per persisted chunk, in the background. Not saved: they
  // are rebuilt after a restart or a load (docs/architecture.md).
  struct ScalarIndexBuild {
    segment::ScalarIndexSpec spec;
    index::ScalarIndexKind kind = index::ScalarIndexKind::kInverted;
    expr::JsonCast cast = expr::JsonCast::kDouble;
    milvus::proto::schema::FieldSchema field;
  };
  static std::optional<ScalarIndexBuild> ScalarIndexFor(const catalog::CollectionRecord& c,
                                                        const catalog::IndexRecord& index);

  Status Recover(const std::vector<catalog::CollectionRecord>& live);

  // Stamps `entry` with a fresh timestamp, makes it durable, applies it; returns the timestamp.
  Result<Timestamp> Write(const catalog::CollectionRecord& collection, wal::WalEntry entry);

  // Persists everything applied so far; returns the collection's persisted segments.
  Result<format::SegmentManifest> Flush(const catalog::CollectionRecord& collection);
  format::SegmentManifest Manifest(const catalog::CollectionRecord& collection);

  // The collection's store (empty when nothing was written yet).
  std::shared_ptr<segment::GrowingStore> Store(const catalog::CollectionRecord& collection);

  // Test hook: one round of the index builder over `collections`, on the calling thread (the
  // builder thread must not be running). Returns whether any index grew.
  bool BuildIndexesForTesting(const std::vector<catalog::CollectionRecord>& collections);

  // Compaction: flushes, drops rows no read can see any more (deleted or replaced at least
  // `kCompactionGraceMs` ago, or past the collection's TTL) from memory and merges small
  // persisted chunks, then rewrites the persisted segments as one segment holding only live
  // rows (published by the manifest like a flush; a crash leaves the old or the new set).
  struct CompactionResult {
    int64_t rows_removed = 0;
    int64_t chunks_before = 0, chunks_after = 0;
    int64_t segments_before = 0, segments_after = 0;
  };
  static constexpr int64_t kCompactionGraceMs = 5000;
  Result<CompactionResult> Compact(const catalog::CollectionRecord& collection);

  Status DropCollection(int64_t collection_id);
  void DropPartition(int64_t collection_id, int64_t partition_id);

  static std::string ChannelName(int64_t collection_id);
  const DataOptions& options() const { return options_; }

 private:
  struct Collection {
    std::mutex write_mu;  // serialises writes and flushes of the collection
    std::shared_ptr<segment::GrowingStore> store;
    format::SegmentManifest manifest;  // guarded by write_mu
    storage::Lsn last_lsn = 0;         // last WAL record applied; guarded by write_mu
  };
  std::shared_ptr<Collection> Get(const catalog::CollectionRecord& c);
  Status FlushLocked(int64_t collection_id, Collection& col, bool reset);
  Result<CompactionResult> CompactLocked(const catalog::CollectionRecord& c, Collection& col);
  // Compacts after an automatic flush when enough is removable or segments piled up.
  void MaybeCompactLocked(const catalog::CollectionRecord& c, Collection& col);
  Status RecoverOne(const catalog::CollectionRecord& c);
  // Saved ANN indexes (builder thread only). Publish replaces the field's manifest entry (none
  // when `ref` is null) and deletes the object it replaced.
  Status PublishIndexRefLocked(Collection& col, int64_t field_id, const format::IndexRef* ref);
  // Drops the field's saved index unless it was built for `signature` ("" = always).
  void ForgetSavedAnn(const catalog::CollectionRecord& c, Collection& col, int64_t field_id,
                      const std::string& signature);
  void LoadSavedAnn(const catalog::CollectionRecord& c, Collection& col, const segment::AnnSpec& spec);
  void SaveAnn(const catalog::CollectionRecord& c, Collection& col, const segment::AnnSpec& spec);
  // One round of scalar index building for a collection; true when rows were indexed.
  bool BuildScalarIndexes(const catalog::CollectionRecord& c, Collection& col, bool loaded);

  storage::LogStore& log_;
  storage::ObjectStore& objects_;
  storage::MetaStore& meta_;
  coord::Tso& tso_;
  coord::IdAllocator& ids_;
  const DataOptions options_;
  void BuildLoop(std::stop_token stop, CollectionsFn collections);
  // One builder round; returns whether any index grew.
  bool BuildRound(const std::vector<catalog::CollectionRecord>& collections,
                  const std::stop_token& stop);

  std::mutex mu_;  // guards collections_
  std::mutex builder_mu_;
  std::condition_variable_any builder_cv_;
  bool builder_wake_ = false;  // guarded by builder_mu_
  // Builder thread only: saved indexes found unusable (not retried) and when each was saved.
  std::set<std::string> unusable_indexes_;
  std::map<std::string, std::chrono::steady_clock::time_point> last_save_;
  // shared so a writer in flight keeps its collection alive across a concurrent drop
  std::map<int64_t, std::shared_ptr<Collection>> collections_;
  std::jthread builder_;  // last member: stopped and joined first
};

int64_t PrimaryKeyFieldId(const catalog::CollectionRecord& c);

}  // namespace quiver::datanode
