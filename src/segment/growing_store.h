// GrowingStore holds one collection's rows in memory, as immutable chunks (one per applied
// insert, columns as FieldData), and answers reads at a timestamp (MVCC): a row is visible at T
// when its chunk's timestamp is <= T and it has not died by T. A row dies when a delete of its
// pk with a later timestamp is applied, or when a newer row with the same pk is applied (so a
// pk is never returned twice); each row keeps the timestamp of its death, found through a pk
// index, so reads are a plain scan. Filtering is delegated to a caller-supplied function so
// this folder does not depend on the expression engine.
//
// Thread-safety: Apply takes the write lock; reads take the read lock and never see a half-
// applied entry (an entry is applied under one lock hold).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/status.h"
#include "common/timestamp.h"
#include "index/scalar_index.h"
#include "index/vector_index.h"
#include "segment/pk_index.h"
#include "schema.pb.h"
#include "segment.pb.h"
#include "wal.pb.h"

namespace quiver::segment {

using milvus::proto::schema::FieldData;

// A scalar index over one chunk's rows of a field (or of a JSON path in a JSON field).
struct ChunkScalarIndex {
  std::string signature;  // the index definition it was built for
  int64_t field_id = 0;
  std::vector<std::string> path;  // JSON keys; empty for the whole field
  std::shared_ptr<const index::ScalarIndex> index;
};

struct Chunk {
  uint64_t seq = 0;  // apply order within the store
  int64_t partition_id = 0;
  Timestamp ts = 0;
  int64_t num_rows = 0;
  int64_t pk_field_id = 0;
  std::vector<FieldData> columns;
  std::unordered_map<int64_t, int> column_by_field;  // field id -> index in columns
  int pk_column = -1;                                 // index of the pk column once known
  // Per row: the timestamp at which it stopped being visible (kAlive while it is). Written
  // under the store's write lock, read under its read lock.
  std::vector<Timestamp> dead_at;
  static constexpr Timestamp kAlive = UINT64_MAX;
  // Rows whose dead_at is set (same lock as dead_at): 0 lets a read skip the per-row check.
  int64_t dead_rows = 0;
  // Scalar indexes over this chunk's columns, added by the background builder once the chunk is
  // persisted. Written under the store's write lock, read under its read lock.
  std::vector<ChunkScalarIndex> scalar_indexes;

  const FieldData* Column(int64_t field_id) const {
    auto it = column_by_field.find(field_id);
    return it == column_by_field.end() ? nullptr : &columns[it->second];
  }
  // The pk column without a map lookup (the pk index reads it on every probe).
  const FieldData* PkColumn() const { return pk_column >= 0 ? &columns[static_cast<size_t>(pk_column)] : Column(pk_field_id); }
};

struct RowRef {
  const Chunk* chunk;
  int64_t row;
};

// Marks which rows of a chunk pass the filter (mask[i] != 0). Called once per chunk.
using ChunkFilter = std::function<Status(const Chunk& chunk, std::vector<uint8_t>& mask)>;

// Which ANN index to keep over one vector field (from the field's index definition).
struct AnnSpec {
  int64_t field_id = 0;
  index::IndexConfig config;
  std::string signature;  // changes when the definition changes, forcing a rebuild
};

// What a search sees of an ANN index, under the store's read lock.
struct AnnView {
  const index::VectorIndex* index = nullptr;
  const std::vector<RowRef>* labels = nullptr;  // label -> row; labels past the end are ignored
  uint64_t indexed_seq = 0;                     // chunks with seq <= this are in the index
  // With an index, ReadForSearch leaves the rows of the chunks it covers out of `rows` (a search
  // through the index never needs them listed); these are those chunks, in apply order, with
  // their passing rows in `masks`, and how many rows passed. CoveredRows lists them.
  std::vector<const Chunk*> covered_chunks;
  int64_t covered_rows = 0;
};

// Which scalar index to keep over the persisted chunks (from one scalar index definition).
struct ScalarIndexSpec {
  std::string signature;  // changes when the definition changes
  int64_t field_id = 0;
  std::vector<std::string> path;
};
// Builds a chunk's scalar index for a spec.
using ScalarBuildFn =
    std::function<Result<std::shared_ptr<const index::ScalarIndex>>(const Chunk& chunk)>;

// Identifies one chunk an ANN index covers, so a saved index can be matched to the chunks a
// restart rebuilds (same apply order, same timestamps and row counts).
struct ChunkStamp {
  Timestamp ts = 0;
  int64_t partition_id = 0;
  int64_t num_rows = 0;
  bool operator==(const ChunkStamp&) const = default;
};

// A serialised ANN index with the chunks its labels run over, in label order.
struct AnnExport {
  AnnSpec spec;
  std::string bytes;
  std::vector<ChunkStamp> chunks;
  int64_t rows = 0;
  uint64_t generation = 0;  // the store's generation when exported (see Generation())
};

// Rows that passed visibility and the filter, per chunk.
// An empty mask means every row of its chunk passed (ReadForSearch leaves it empty for an indexed
// chunk without dead rows when there is no filter); PassesMask reads either form.
using ChunkMasks = std::unordered_map<const Chunk*, std::vector<uint8_t>>;
inline bool PassesMask(const std::vector<uint8_t>& mask, int64_t row) {
  return mask.empty() || mask[static_cast<size_t>(row)] != 0;
}

// The passing rows of ann.covered_chunks, in apply and row order.
std::vector<RowRef> CoveredRows(const AnnView& ann, const ChunkMasks& masks);

// Encodes a pk (int64 or string) as one comparable, hashable key.
std::string PkKey(int64_t pk);
std::string PkKey(const std::string& pk);
// The key of row `row` of a pk column (Int64 or VarChar).
std::string PkKey(const FieldData& pk_column, int64_t row);
// The pk key of a stored row.
std::string RowPkKey(const Chunk& chunk, int64_t row);
// Appends the pk of a stored row to `ids`.
void AppendPk(const Chunk& chunk, int64_t row, milvus::proto::schema::IDs* ids);
// A filter keeping (live) rows whose pk key is in `keys`; `keys` must outlive the filter.
ChunkFilter PkKeyFilter(const std::set<std::string>& keys);

class GrowingStore {
 public:
  explicit GrowingStore(int64_t pk_field_id) : pk_field_id_(pk_field_id) {}
  GrowingStore(const GrowingStore&) = delete;
  GrowingStore& operator=(const GrowingStore&) = delete;

  // Takes the entry's columns (moved, not copied).
  Status Apply(wal::WalEntry&& entry);
  // Removes every row of the partition (DropPartition).
  void DropPartition(int64_t partition_id);

  // Visible rows at `ts` in `partitions` (empty = all) that pass `filter` (may be empty), one
  // per pk, in pk order when `sorted`, else in storage order. `fn` runs under the read lock,
  // so the chunks the rows point into stay alive while it runs.
  using RowsFn = std::function<Status(const std::vector<RowRef>& rows)>;
  Status Read(Timestamp ts, const std::vector<int64_t>& partitions, const ChunkFilter& filter,
              const RowsFn& fn, bool sorted = true) const;

  int64_t RowCount(const std::vector<int64_t>& partitions = {}) const;  // visible now

  // Like Read (unsorted), also handing `fn` the per-chunk masks and the ANN view of `field_id`.
  // When the field has an index, `rows` holds only the rows it does not cover (see AnnView).
  using SearchRowsFn =
      std::function<Status(const std::vector<RowRef>& rows, const ChunkMasks& masks, const AnnView& ann)>;
  Status ReadForSearch(Timestamp ts, const std::vector<int64_t>& partitions, const ChunkFilter& filter,
                       int64_t field_id, const SearchRowsFn& fn) const;

  // Background index building: adds the next whole chunks (about `max_rows` rows) to the ANN
  // index described by `spec`, creating or replacing it when the spec changed. An index that
  // needs training (IVF_*, BIN_IVF_FLAT) is trained on its first step, which waits (adds
  // nothing) until the store holds the rows training needs; until then searches scan exactly.
  // Float16, bfloat16 and int8 vectors are decoded to float for dense indexes. Returns the
  // number of rows added (0 when the index is complete or waiting). One caller at a time (the
  // same caller as ExportAnn and ImportAnn).
  Result<int64_t> BuildAnnStep(const AnnSpec& spec, int64_t max_rows);
  void DropAnn(int64_t field_id);
  int64_t AnnRows(int64_t field_id) const;
  // The signature of the field's index, or "" when there is none.
  std::string AnnSignature(int64_t field_id) const;
  // Serialises the field's index (NotFound when there is none). The store lock is not held
  // while the index serialises.
  Result<AnnExport> ExportAnn(int64_t field_id) const;
  // Installs a saved index when `chunks` match, in order, the first chunks holding the field
  // (FailedPrecondition otherwise: the caller rebuilds). Later chunks are added by BuildAnnStep.
  Status ImportAnn(const AnnSpec& spec, std::unique_ptr<index::VectorIndex> index,
                   const std::vector<ChunkStamp>& chunks);
  // Bumped whenever rows are removed or chunks rewritten (truncate, drop partition,
  // compaction): ANN labels and saved indexes from an older generation are stale.
  uint64_t Generation() const;

  // Background scalar indexing: builds `spec`'s index for the next persisted chunks that lack
  // it (about `max_rows` rows) with `build`, which runs under the read lock (a chunk's columns
  // are immutable; reads proceed, writes wait for one step); the indexes are installed under
  // the write lock unless rows were removed meanwhile. Returns the rows indexed (0: none
  // left). One caller at a time (the ANN builder's).
  Result<int64_t> BuildScalarStep(const ScalarIndexSpec& spec, int64_t max_rows,
                                  const ScalarBuildFn& build);
  // Drops every chunk's scalar indexes whose signature is not in `keep`.
  void RetainScalarIndexes(const std::set<std::string>& keep);
  // Rows of the chunks that hold the index built for `signature`.
  int64_t ScalarIndexedRows(const std::string& signature) const;
  // Hands `fn` every chunk, in apply order, under the read lock (planner statistics).
  Status VisitChunks(const std::function<Status(const std::vector<const Chunk*>&)>& fn) const;

  // Persistence: what was applied since the last MarkPersisted (chunks and delete records),
  // as segment data, with a watermark to pass back once that data is durable elsewhere.
  struct Unpersisted {
    format::SegmentData data;
    uint64_t chunk_watermark = 0;
    size_t delete_watermark = 0;
    int64_t rows = 0;
  };
  Unpersisted ExportUnpersisted() const;
  void MarkPersisted(uint64_t chunk_watermark, size_t delete_watermark);
  int64_t UnpersistedRows() const;
  // Chunks with seq <= this are persisted (Milvus's sealed data); later ones are growing.
  uint64_t PersistedSeq() const;
  // Loads a persisted segment: its chunks and deletes are applied and count as persisted.
  Status LoadSegment(format::SegmentData&& data);

  // Compaction in memory: removes rows no read can see any more — dead at or before `horizon`
  // (the oldest timestamp a read may still use), or written before `expire_before` (the
  // collection TTL; 0 = none) — and merges persisted chunks of one partition and column set,
  // all older than `horizon`, into chunks of up to `target_rows` rows. Merged rows keep their
  // order; a merged chunk carries the newest timestamp of its sources. Clears the ANN indexes
  // when anything changed (their labels point at rows). Memory then follows the live data.
  struct CompactStats {
    int64_t rows_before = 0;
    int64_t rows_removed = 0;
    int64_t chunks_before = 0;
    int64_t chunks_after = 0;
    bool changed = false;  // rows removed or chunks merged (the generation moved)
  };
  CompactStats Compact(Timestamp horizon, Timestamp expire_before, int64_t target_rows = 65536);
  // Rows stored (live or not) and rows Compact(horizon, expire_before) would remove.
  std::pair<int64_t, int64_t> Garbage(Timestamp horizon, Timestamp expire_before) const;
  // Every row alive now and written at or after `expire_before`, as one segment's data (no
  // delete records: nothing older is left to delete). For rewriting persisted segments; the
  // caller has persisted everything first.
  format::SegmentData ExportLive(Timestamp expire_before) const;

 private:

  Status ApplyLocked(wal::WalEntry&& entry);
  void RebuildPkIndexLocked();

  struct AnnState {
    AnnSpec spec;
    std::unique_ptr<index::VectorIndex> index;
    std::vector<RowRef> labels;
    std::vector<ChunkStamp> chunks;  // the chunks the labels run over, in order
    uint64_t indexed_seq = 0;
  };
  // Runs the visibility + filter scan; fills `masks` when given. With `ann`, rows of chunks
  // with seq <= ann->indexed_seq are not listed in `rows` but recorded in ann->covered_*.
  Status ScanLocked(Timestamp ts, const std::vector<int64_t>& partitions, const ChunkFilter& filter,
                    std::vector<RowRef>* rows, ChunkMasks* masks, AnnView* ann = nullptr) const;

  // Marks rows of `pk` older than `ts` (in `partition`, 0 = any) dead at `ts`.
  // Row r (stored before ts) dies at ts, if it is in `partition` (0: any).
  static void MarkDead(const PkIndex::Loc& r, Timestamp ts, int64_t partition);
  void KillLocked(const PkValue& pk, Timestamp ts, int64_t partition);

  const int64_t pk_field_id_;
  mutable std::shared_mutex mu_;
  std::vector<std::unique_ptr<Chunk>> chunks_;
  // pk -> every stored row with that pk (usually one).
  PkIndex pk_index_;
  // ANN indexes by field id; cleared whenever chunks are removed (their rows are referenced).
  std::map<int64_t, std::shared_ptr<AnnState>> ann_;
  uint64_t generation_ = 0;  // bumped when chunks are removed
  uint64_t next_seq_ = 1;
  uint64_t persisted_seq_ = 0;  // chunks with seq <= this are persisted
  // Delete records applied since the last persist, in apply order.
  std::vector<format::DeleteRecord> pending_deletes_;
};

}  // namespace quiver::segment
