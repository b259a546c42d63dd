#include "datanode/data_service.h"

#include <fmt/format.h>

#include "common/crc32c.h"
#include "common/logging.h"
#include "coord/catalog.h"
#include "format/segment_file.h"
#include "index/hnsw_index.h"

#include <algorithm>

namespace quiver::datanode {
namespace {

std::string ManifestKey(int64_t collection_id) { return fmt::format("segments/{:020}", collection_id); }
std::string ObjectPrefix(int64_t collection_id) { return fmt::format("coll-{}/", collection_id); }

}  // namespace

DataService::~DataService() {
  builder_.request_stop();
  builder_cv_.notify_all();
}

std::optional<segment::AnnSpec> DataService::AnnSpecFor(const catalog::CollectionRecord& c,
                                                        int64_t field_id) {
  for (const auto& f : c.schema().fields()) {
    if (f.fieldid() != field_id || f.data_type() != milvus::proto::schema::DataType::FloatVector) continue;
    for (const auto& idx : c.indexes()) {
      if (idx.field_id() != field_id) continue;
      std::string type, metric, m, efc, nlist;
      for (const auto& kv : idx.params()) {
        if (kv.key() == "index_type") type = kv.value();
        if (kv.key() == "metric_type") metric = kv.value();
        if (kv.key() == "M") m = kv.value();
        if (kv.key() == "efConstruction") efc = kv.value();
        if (kv.key() == "nlist") nlist = kv.value();
      }
      bool autoindex = type == "AUTOINDEX";
      segment::AnnSpec spec;
      if (autoindex || type.starts_with("HNSW")) {
        spec.kind = segment::AnnSpec::Kind::kHnsw;
      } else if (type == "IVF_FLAT") {
        spec.kind = segment::AnnSpec::Kind::kIvfFlat;
      } else if (type == "IVF_SQ8") {
        spec.kind = segment::AnnSpec::Kind::kIvfSq8;
      } else {
        return std::nullopt;  // FLAT, and index types not built yet: exact search
      }
      spec.field_id = field_id;
      if (!index::ParseMetric(metric, &spec.metric) || spec.metric == index::Metric::kHamming ||
          spec.metric == index::Metric::kJaccard || spec.metric == index::Metric::kBm25) {
        return std::nullopt;
      }
      // Milvus's defaults: AUTOINDEX resolves to HNSW M=18, efConstruction=240; HNSW without
      // parameters uses M=30, efConstruction=360; IVF nlist defaults to 128.
      spec.m = m.empty() ? (autoindex ? 18 : 30) : std::atoi(m.c_str());
      spec.ef_construction = efc.empty() ? (autoindex ? 240 : 360) : std::atoi(efc.c_str());
      spec.nlist = nlist.empty() ? 128 : std::max<int64_t>(1, std::atoll(nlist.c_str()));
      spec.signature = fmt::format("{}|{}|{}|{}|{}|{}", idx.id(), type, metric, spec.m, spec.ef_construction, spec.nlist);
      return spec;
    }
  }
  return std::nullopt;
}

void DataService::StartIndexBuilder(CollectionsFn collections) {
  if (!index::HnswIndex::Supported()) {
    QV_LOG_WARN("CPU without AVX2: HNSW indexes are not built, searches are exact scans");
    return;
  }
  builder_ = std::jthread([this, collections = std::move(collections)](std::stop_token stop) {
    BuildLoop(stop, collections);
  });
}

void DataService::BuildLoop(std::stop_token stop, CollectionsFn collections) {
  while (!stop.stop_requested()) {
    bool progressed = false;
    for (const auto& c : collections()) {
      bool loaded = c.load_status() == catalog::LOAD_LOADED ||
                    std::any_of(c.partitions().begin(), c.partitions().end(),
                                [](const auto& p) { return p.loaded(); });
      std::shared_ptr<Collection> col;
      {
        std::lock_guard lock(mu_);
        auto it = collections_.find(c.id());
        if (it != collections_.end()) col = it->second;
      }
      if (!col) continue;
      for (const auto& f : c.schema().fields()) {
        if (f.data_type() != milvus::proto::schema::DataType::FloatVector) continue;
        auto spec = AnnSpecFor(c, f.fieldid());
        if (!spec || !loaded) {
          col->store->DropAnn(f.fieldid());
          continue;
        }
        auto added = col->store->BuildAnnStep(*spec, 20000);
        if (!added.ok()) {
          QV_LOG_WARN("collection {} field {}: index build failed: {}", c.name(), f.name(),
                      added.status().ToString());
          continue;
        }
        progressed |= *added > 0;
        if (stop.stop_requested()) return;
      }
    }
    if (progressed) continue;
    std::unique_lock lock(builder_mu_);
    builder_cv_.wait_for(lock, stop, std::chrono::milliseconds(500), [&] { return builder_wake_; });
    builder_wake_ = false;
  }
}

int64_t PrimaryKeyFieldId(const catalog::CollectionRecord& c) {
  for (const auto& f : c.schema().fields()) {
    if (f.is_primary_key()) return f.fieldid();
  }
  return 0;
}

std::string DataService::ChannelName(int64_t collection_id) {
  return fmt::format("coll-{}", collection_id);
}

std::shared_ptr<DataService::Collection> DataService::Get(const catalog::CollectionRecord& c) {
  std::lock_guard lock(mu_);
  auto& slot = collections_[c.id()];
  if (!slot) {
    slot = std::make_shared<Collection>();
    slot->store = std::make_shared<segment::GrowingStore>(PrimaryKeyFieldId(c));
    slot->manifest.set_collection_id(c.id());
    slot->manifest.set_checkpoint_lsn(1);
  }
  return slot;
}

std::shared_ptr<segment::GrowingStore> DataService::Store(const catalog::CollectionRecord& c) {
  return Get(c)->store;
}

format::SegmentManifest DataService::Manifest(const catalog::CollectionRecord& c) {
  auto col = Get(c);
  std::lock_guard lock(col->write_mu);
  return col->manifest;
}

Status DataService::RecoverOne(const catalog::CollectionRecord& c) {
  std::set<int64_t> partitions;
  for (const auto& p : c.partitions()) partitions.insert(p.id());
  auto drop_gone_partitions = [&](auto* inserts) {
    for (int i = inserts->size() - 1; i >= 0; --i) {
      if (!partitions.contains(inserts->Get(i).partition_id())) inserts->DeleteSubrange(i, 1);
    }
  };
  std::shared_ptr<Collection> col = Get(c);
  std::lock_guard lock(col->write_mu);

  QV_ASSIGN_OR_RETURN(std::optional<std::string> mbytes, meta_.Get(ManifestKey(c.id())));
  if (mbytes) QV_RETURN_IF_ERROR(coord::DecodeRecord(ManifestKey(c.id()), *mbytes, col->manifest));
  std::set<std::string> referenced;
  int64_t segment_rows = 0;
  for (const auto& ref : col->manifest.segments()) {
    referenced.insert(ref.key());
    auto bytes = objects_.Get(ref.key());
    if (!bytes.ok()) {
      return Status::Corruption("collection {}: segment {} listed in the manifest is unreadable: {}",
                                c.name(), ref.key(), bytes.status().message());
    }
    if (Crc32c(*bytes) != ref.crc() || static_cast<int64_t>(bytes->size()) != ref.bytes()) {
      return Status::Corruption("collection {}: segment {} does not match its manifest entry",
                                c.name(), ref.key());
    }
    QV_ASSIGN_OR_RETURN(format::SegmentData data, format::DecodeSegment(ref.key(), *bytes));
    drop_gone_partitions(data.mutable_chunks());
    segment_rows += ref.rows();
    QV_RETURN_IF_ERROR(col->store->LoadSegment(std::move(data)));
  }

  const std::string channel = ChannelName(c.id());
  const storage::Lsn from = std::max<storage::Lsn>(col->manifest.checkpoint_lsn(), 1);
  col->last_lsn = from - 1;
  int64_t entries = 0;
  bool saw_truncate = false;
  QV_RETURN_IF_ERROR(log_.Replay(channel, from, [&](storage::Lsn lsn, std::string_view bytes) -> Status {
    wal::WalEntry e;
    if (!e.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
      return Status::Corruption("WAL channel {} LSN {}: entry does not parse", channel, lsn);
    }
    drop_gone_partitions(e.mutable_inserts());
    saw_truncate |= e.truncate();
    ++entries;
    col->last_lsn = lsn;
    return col->store->Apply(std::move(e));
  }));

  // Objects not in the manifest were written by a flush that never published.
  QV_ASSIGN_OR_RETURN(std::vector<std::string> objects, objects_.List(ObjectPrefix(c.id())));
  for (const auto& key : objects) {
    if (!referenced.contains(key)) objects_.Delete(key).IgnoreError();
  }
  if (saw_truncate) QV_RETURN_IF_ERROR(FlushLocked(c.id(), *col, /*reset=*/true));
  if (entries > 0 || segment_rows > 0) {
    QV_LOG_INFO("collection {} recovered: {} segments ({} rows), {} WAL entries, {} rows visible",
                c.name(), col->manifest.segments_size(), segment_rows, entries,
                col->store->RowCount());
  }
  return Status::Ok();
}

Status DataService::Recover(const std::vector<catalog::CollectionRecord>& live) {
  std::set<std::string> channels;
  std::set<std::string> manifests;
  std::set<std::string> prefixes;
  for (const auto& c : live) {
    QV_RETURN_IF_ERROR(RecoverOne(c));
    channels.insert(ChannelName(c.id()));
    manifests.insert(ManifestKey(c.id()));
    prefixes.insert(ObjectPrefix(c.id()));
  }
  // What belongs to collections the catalog no longer knows (dropped, perhaps mid-drop).
  for (const auto& channel : log_.ListChannels()) {
    if (!channels.contains(channel)) {
      QV_LOG_INFO("dropping WAL channel {} of a dropped collection", channel);
      QV_RETURN_IF_ERROR(log_.DropChannel(channel));
    }
  }
  QV_ASSIGN_OR_RETURN(storage::KeyValues ms, meta_.Scan("segments/"));
  storage::WriteBatch stale;
  for (const auto& [k, v] : ms) {
    if (!manifests.contains(k)) stale.Delete(k);
  }
  QV_RETURN_IF_ERROR(meta_.Commit(stale));
  QV_ASSIGN_OR_RETURN(std::vector<std::string> objects, objects_.List("coll-"));
  for (const auto& key : objects) {
    std::string prefix = key.substr(0, key.find('/') + 1);
    if (!prefixes.contains(prefix)) objects_.Delete(key).IgnoreError();
  }
  return Status::Ok();
}

Status DataService::FlushLocked(int64_t collection_id, Collection& col, bool reset) {
  segment::GrowingStore::Unpersisted u = col.store->ExportUnpersisted();
  if (u.rows == 0 && u.data.deletes_size() == 0 && !reset) return Status::Ok();
  QV_ASSIGN_OR_RETURN(int64_t segment_id, ids_.Allocate());
  u.data.set_collection_id(collection_id);
  u.data.set_segment_id(segment_id);
  std::string key = fmt::format("{}seg-{:020}.qseg", ObjectPrefix(collection_id), segment_id);
  std::string bytes = format::EncodeSegment(u.data);
  QV_RETURN_IF_ERROR(objects_.Put(key, bytes));

  format::SegmentManifest next = col.manifest;
  std::vector<std::string> obsolete;
  if (reset) {
    for (const auto& ref : next.segments()) obsolete.push_back(ref.key());
    next.clear_segments();
  }
  auto* ref = next.add_segments();
  ref->set_id(segment_id);
  ref->set_key(key);
  ref->set_rows(u.rows);
  ref->set_bytes(static_cast<int64_t>(bytes.size()));
  ref->set_crc(Crc32c(bytes));
  next.set_checkpoint_lsn(col.last_lsn + 1);
  storage::WriteBatch b;
  b.Put(ManifestKey(collection_id), coord::EncodeRecord(next));
  QV_RETURN_IF_ERROR(meta_.Commit(b));

  col.manifest = std::move(next);
  col.store->MarkPersisted(u.chunk_watermark, u.delete_watermark);
  QV_LOG_INFO("collection {} flushed: segment {} rows={} bytes={} checkpoint LSN {}", collection_id,
              segment_id, u.rows, bytes.size(), col.manifest.checkpoint_lsn());
  // The checkpoint is published; older WAL records and replaced segments are no longer needed.
  log_.Truncate(ChannelName(collection_id), col.manifest.checkpoint_lsn()).IgnoreError();
  for (const auto& k : obsolete) objects_.Delete(k).IgnoreError();
  return Status::Ok();
}

namespace {

// The collection's TTL cut-off at `now` (rows written before it are expired), or 0.
Timestamp ExpireBefore(const catalog::CollectionRecord& c, Timestamp now) {
  for (const auto& kv : c.properties()) {
    if (kv.key() != "collection.ttl.seconds") continue;
    int64_t ttl = std::atoll(kv.value().c_str());
    if (ttl > 0) return ComposeTimestamp(std::max<int64_t>(0, PhysicalMs(now) - ttl * 1000), 0);
  }
  return 0;
}

}  // namespace

Result<DataService::CompactionResult> DataService::Compact(const catalog::CollectionRecord& c) {
  std::shared_ptr<Collection> col = Get(c);
  std::lock_guard lock(col->write_mu);
  return CompactLocked(c, *col);
}

Result<DataService::CompactionResult> DataService::CompactLocked(const catalog::CollectionRecord& c,
                                                                 Collection& col) {
  QV_RETURN_IF_ERROR(FlushLocked(c.id(), col, /*reset=*/false));
  QV_ASSIGN_OR_RETURN(Timestamp now, tso_.Allocate());
  const Timestamp horizon = ComposeTimestamp(std::max<int64_t>(0, PhysicalMs(now) - kCompactionGraceMs), 0);
  const Timestamp expire = ExpireBefore(c, now);
  CompactionResult result;
  segment::GrowingStore::CompactStats st = col.store->Compact(horizon, expire);
  result.rows_removed = st.rows_removed;
  result.chunks_before = st.chunks_before;
  result.chunks_after = st.chunks_after;
  result.segments_before = col.manifest.segments_size();

  // Everything is persisted (flushed above, under the write lock): rewrite it as one segment.
  format::SegmentData live = col.store->ExportLive(expire);
  int64_t rows = 0;
  for (const auto& ch : live.chunks()) rows += ch.num_rows();
  int64_t persisted_rows = 0;
  for (const auto& ref : col.manifest.segments()) persisted_rows += ref.rows();
  if (col.manifest.segments_size() <= 1 && rows == persisted_rows) {
    result.segments_after = col.manifest.segments_size();
    return result;  // nothing to rewrite on disk
  }
  format::SegmentManifest next = col.manifest;
  next.clear_segments();
  std::string key;
  if (rows > 0) {
    QV_ASSIGN_OR_RETURN(int64_t segment_id, ids_.Allocate());
    live.set_collection_id(c.id());
    live.set_segment_id(segment_id);
    key = fmt::format("{}seg-{:020}.qseg", ObjectPrefix(c.id()), segment_id);
    std::string bytes = format::EncodeSegment(live);
    QV_RETURN_IF_ERROR(objects_.Put(key, bytes));
    auto* ref = next.add_segments();
    ref->set_id(segment_id);
    ref->set_key(key);
    ref->set_rows(rows);
    ref->set_bytes(static_cast<int64_t>(bytes.size()));
    ref->set_crc(Crc32c(bytes));
  }
  storage::WriteBatch b;
  b.Put(ManifestKey(c.id()), coord::EncodeRecord(next));
  QV_RETURN_IF_ERROR(meta_.Commit(b));
  std::vector<std::string> obsolete;
  for (const auto& ref : col.manifest.segments()) obsolete.push_back(ref.key());
  col.manifest = std::move(next);
  for (const auto& k : obsolete) objects_.Delete(k).IgnoreError();
  result.segments_after = col.manifest.segments_size();
  QV_LOG_INFO("collection {} compacted: {} rows removed, chunks {} -> {}, segments {} -> {} ({} live rows)",
              c.name(), result.rows_removed, result.chunks_before, result.chunks_after,
              result.segments_before, result.segments_after, rows);
  return result;
}

void DataService::MaybeCompactLocked(const catalog::CollectionRecord& c, Collection& col) {
  auto now = tso_.Allocate();
  if (!now.ok()) return;
  const Timestamp horizon = ComposeTimestamp(std::max<int64_t>(0, PhysicalMs(*now) - kCompactionGraceMs), 0);
  auto [total, removable] = col.store->Garbage(horizon, ExpireBefore(c, *now));
  // Compaction rebuilds ANN indexes and rewrites the persisted data, so it waits until a
  // quarter of the rows are garbage or segments pile up.
  if (removable * 4 < total && col.manifest.segments_size() < 16) return;
  auto r = CompactLocked(c, col);
  if (!r.ok()) QV_LOG_WARN("collection {} automatic compaction failed: {}", c.name(), r.status().ToString());
}

Result<Timestamp> DataService::Write(const catalog::CollectionRecord& c, wal::WalEntry entry) {
  std::shared_ptr<Collection> col = Get(c);
  std::lock_guard lock(col->write_mu);
  QV_ASSIGN_OR_RETURN(Timestamp ts, tso_.Allocate());
  entry.set_ts(ts);
  entry.set_collection_id(c.id());
  const bool truncate = entry.truncate();
  std::string bytes = entry.SerializeAsString();
  QV_ASSIGN_OR_RETURN(storage::Lsn lsn, log_.Append(ChannelName(c.id()), bytes));
  col->last_lsn = lsn;
  QV_RETURN_IF_ERROR(col->store->Apply(std::move(entry)));
  {
    std::lock_guard wake(builder_mu_);
    builder_wake_ = true;
  }
  builder_cv_.notify_one();
  // The write is durable and visible; a failed flush here is retried by the next one.
  if (truncate) {
    FlushLocked(c.id(), *col, /*reset=*/true).IgnoreError();
  } else if (col->store->UnpersistedRows() >= options_.flush_rows) {
    Status st = FlushLocked(c.id(), *col, /*reset=*/false);
    if (!st.ok()) QV_LOG_WARN("collection {} automatic flush failed: {}", c.name(), st.ToString());
    else MaybeCompactLocked(c, *col);
  }
  return ts;
}

Result<format::SegmentManifest> DataService::Flush(const catalog::CollectionRecord& c) {
  std::shared_ptr<Collection> col = Get(c);
  std::lock_guard lock(col->write_mu);
  QV_RETURN_IF_ERROR(FlushLocked(c.id(), *col, /*reset=*/false));
  return col->manifest;
}

Status DataService::DropCollection(int64_t collection_id) {
  {
    std::lock_guard lock(mu_);
    collections_.erase(collection_id);
  }
  storage::WriteBatch b;
  b.Delete(ManifestKey(collection_id));
  QV_RETURN_IF_ERROR(meta_.Commit(b));
  QV_ASSIGN_OR_RETURN(std::vector<std::string> objects, objects_.List(ObjectPrefix(collection_id)));
  for (const auto& key : objects) objects_.Delete(key).IgnoreError();
  return log_.DropChannel(ChannelName(collection_id));
}

void DataService::DropPartition(int64_t collection_id, int64_t partition_id) {
  std::lock_guard lock(mu_);
  auto it = collections_.find(collection_id);
  if (it != collections_.end()) it->second->store->DropPartition(partition_id);
}

}  // namespace quiver::datanode
