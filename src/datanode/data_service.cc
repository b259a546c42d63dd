#include "datanode/data_service.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <deque>
#include <future>
#include <map>

#include "common/crash_point.h"
#include "common/crc32c.h"
#include "common/logging.h"
#include "coord/catalog.h"
#include "format/index_file.h"
#include "format/segment_file.h"
#include "index/hnsw_index.h"
#include "segment/field_data.h"

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
  using milvus::proto::schema::DataType;
  using index::IndexKind;
  for (const auto& f : c.schema().fields()) {
    if (f.fieldid() != field_id) continue;
    const DataType t = f.data_type();
    const bool dense = t == DataType::FloatVector || t == DataType::Float16Vector ||
                       t == DataType::BFloat16Vector || t == DataType::Int8Vector;
    const bool binary = t == DataType::BinaryVector;
    const bool sparse = t == DataType::SparseFloatVector;
    if (!dense && !binary && !sparse) return std::nullopt;
    for (const auto& idx : c.indexes()) {
      if (idx.field_id() != field_id) continue;
      std::map<std::string, std::string> p;
      for (const auto& kv : idx.params()) p[kv.key()] = kv.value();
      const std::string type = p["index_type"];
      const bool autoindex = type == "AUTOINDEX";
      segment::AnnSpec spec;
      spec.field_id = field_id;
      index::IndexConfig& cfg = spec.config;
      cfg.dim = segment::VectorDim(f);
      // Index types Quiver builds; the rest (FLAT, BIN_FLAT, MINHASH_LSH) are exact scans.
      // HNSW_SQ/PQ/PRQ keep 8-bit codes in the graph and rescore exactly; DISKANN builds the
      // graph over full-precision vectors; SCANN and IVF_RABITQ the IVF lists they refine to
      // (docs/behaviour.md, "Indexes and load").
      if (dense && (type == "HNSW_SQ" || type == "HNSW_PQ" || type == "HNSW_PRQ")) {
        cfg.kind = IndexKind::kHnswSq;
      } else if (dense && (autoindex || type == "HNSW" || type == "DISKANN")) {
        cfg.kind = IndexKind::kHnsw;
      } else if (dense && (type == "IVF_FLAT" || type == "SCANN")) {
        cfg.kind = IndexKind::kIvfFlat;
      } else if (dense && (type == "IVF_SQ8" || type == "IVF_RABITQ")) {
        cfg.kind = IndexKind::kIvfSq8;
      } else if (dense && type == "IVF_PQ") {
        cfg.kind = IndexKind::kIvfPq;
      } else if (binary && (autoindex || type == "BIN_IVF_FLAT")) {
        cfg.kind = IndexKind::kBinIvfFlat;
      } else if (sparse && (autoindex || type == "SPARSE_INVERTED_INDEX" || type == "SPARSE_WAND")) {
        cfg.kind = IndexKind::kSparseInverted;
      } else {
        return std::nullopt;
      }
      if (!index::ParseMetric(p["metric_type"], &cfg.metric) || cfg.metric == index::Metric::kBm25) {
        return std::nullopt;
      }
      auto num = [&](const char* key, int64_t fallback) {
        auto it = p.find(key);
        return it == p.end() || it->second.empty() ? fallback : std::atoll(it->second.c_str());
      };
      // Milvus's defaults: AUTOINDEX resolves to HNSW M=18, efConstruction=240 for dense vectors
      // and to BIN_IVF_FLAT nlist=1024 for binary ones; HNSW without parameters uses M=30,
      // efConstruction=360; IVF nlist defaults to 128, IVF_PQ nbits to 8.
      cfg.m = static_cast<int>(num("M", autoindex ? 18 : 30));
      cfg.ef_construction = static_cast<int>(num("efConstruction", autoindex ? 240 : 360));
      cfg.nlist = std::max<int64_t>(1, num("nlist", autoindex && binary ? 1024 : 128));
      cfg.pq_m = num("m", 0);
      cfg.pq_nbits = static_cast<int>(num("nbits", 8));
      spec.signature = fmt::format("{}|{}|{}|{}|{}|{}|{}|{}|{}", idx.id(), type, p["metric_type"], cfg.m,
                                   cfg.ef_construction, cfg.nlist, cfg.pq_m, cfg.pq_nbits, cfg.dim);
      return spec;
    }
  }
  return std::nullopt;
}

std::optional<DataService::ScalarIndexBuild> DataService::ScalarIndexFor(
    const catalog::CollectionRecord& c, const catalog::IndexRecord& idx) {
  using milvus::proto::schema::DataType;
  const milvus::proto::schema::FieldSchema* field = nullptr;
  for (const auto& f : c.schema().fields()) {
    if (f.fieldid() == idx.field_id()) field = &f;
  }
  if (field == nullptr) return std::nullopt;
  std::map<std::string, std::string> p;
  for (const auto& kv : idx.params()) p[kv.key()] = kv.value();
  const std::string type = p["index_type"];
  const DataType t = field->data_type();
  const DataType elem = t == DataType::Array ? field->element_type() : t;
  const bool floating = elem == DataType::Float || elem == DataType::Double;
  ScalarIndexBuild b;
  if (type == "INVERTED") {
    b.kind = index::ScalarIndexKind::kInverted;
  } else if (type == "BITMAP") {
    b.kind = index::ScalarIndexKind::kBitmap;
  } else if (type == "STL_SORT") {
    b.kind = index::ScalarIndexKind::kStlSort;
  } else if (type == "Trie" || type == "TRIE") {
    b.kind = index::ScalarIndexKind::kTrie;
  } else if (type == "AUTOINDEX") {
    // Milvus resolves scalar AUTOINDEX to BITMAP (bool), HYBRID (ints, strings: bitmaps for
    // frequent values, which is how Quiver's BITMAP stores them) and INVERTED (floats, JSON).
    b.kind = floating || t == DataType::JSON ? index::ScalarIndexKind::kInverted
                                             : index::ScalarIndexKind::kBitmap;
  } else {
    return std::nullopt;  // vector indexes; NGRAM (LIKE is scanned)
  }
  const bool scalar = t == DataType::Bool || t == DataType::Int8 || t == DataType::Int16 ||
                      t == DataType::Int32 || t == DataType::Int64 || t == DataType::Float ||
                      t == DataType::Double || t == DataType::VarChar || t == DataType::String ||
                      t == DataType::Array || t == DataType::JSON;
  if (!scalar) return std::nullopt;
  b.field = *field;
  b.spec.field_id = field->fieldid();
  std::string cast;
  if (t == DataType::JSON) {
    cast = p["json_cast_type"];
    auto parsed = expr::ParseJsonCast(cast);
    if (!parsed) return std::nullopt;  // e.g. JSON: accepted, answered by scanning
    b.cast = *parsed;
    const std::string path = p.contains("json_path") ? p["json_path"] : field->name();
    auto ref = expr::ResolveIdentifier(path, c.schema());
    if (!ref.ok() || ref->field_id != field->fieldid()) return std::nullopt;
    b.spec.path = ref->path;
  }
  b.spec.signature = fmt::format("{}|{}|{}|{}|{}", idx.id(), index::ScalarIndexKindName(b.kind),
                                 fmt::join(b.spec.path, "/"), cast, field->fieldid());
  return b;
}

bool DataService::BuildScalarIndexes(const catalog::CollectionRecord& c, Collection& col,
                                     bool loaded) {
  std::vector<ScalarIndexBuild> builds;
  std::set<std::string> keep;
  if (loaded) {
    for (const auto& idx : c.indexes()) {
      if (auto b = ScalarIndexFor(c, idx)) {
        keep.insert(b->spec.signature);
        builds.push_back(std::move(*b));
      }
    }
  }
  // Released collections and dropped or changed definitions give their memory back.
  col.store->RetainScalarIndexes(keep);
  bool progressed = false;
  for (const ScalarIndexBuild& b : builds) {
    auto build =
        [&b](const segment::Chunk& chunk) -> Result<std::shared_ptr<const index::ScalarIndex>> {
      const milvus::proto::schema::FieldData* stored = chunk.Column(b.spec.field_id);
      milvus::proto::schema::FieldData missing;
      if (!stored) {
        missing = segment::NullColumn(b.field, chunk.num_rows);
        stored = &missing;
      }
      QV_ASSIGN_OR_RETURN(expr::Column column,
                          expr::ColumnFromFieldData(b.field, *stored, chunk.num_rows));
      QV_ASSIGN_OR_RETURN(std::unique_ptr<const index::ScalarIndex> ix,
                          expr::BuildScalarIndex(b.kind, column, b.spec.path, b.cast));
      return std::shared_ptr<const index::ScalarIndex>(std::move(ix));
    };
    auto added = col.store->BuildScalarStep(b.spec, 200000, build);
    if (!added.ok()) {
      QV_LOG_WARN("collection {} field {}: scalar index build failed: {}", c.name(), b.field.name(),
                  added.status().ToString());
      continue;
    }
    progressed |= *added > 0;
  }
  return progressed;
}

void DataService::StartIndexBuilder(CollectionsFn collections) {
  if (!index::HnswIndex::Supported()) {
    QV_LOG_WARN("CPU without AVX2: HNSW indexes are not built, those fields are searched exactly");
  }
  builder_ = std::jthread([this, collections = std::move(collections)](std::stop_token stop) {
    BuildLoop(stop, collections);
  });
}

void DataService::BuildLoop(std::stop_token stop, CollectionsFn collections) {
  while (!stop.stop_requested()) {
    if (BuildRound(collections(), stop)) continue;
    std::unique_lock lock(builder_mu_);
    builder_cv_.wait_for(lock, stop, std::chrono::milliseconds(500), [&] { return builder_wake_; });
    builder_wake_ = false;
  }
}

bool DataService::BuildIndexesForTesting(
    const std::vector<catalog::CollectionRecord>& collections) {
  return BuildRound(collections, std::stop_token());
}

bool DataService::BuildRound(const std::vector<catalog::CollectionRecord>& collections,
                             const std::stop_token& stop) {
  bool progressed = false;
  for (const auto& c : collections) {
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
    progressed |= BuildScalarIndexes(c, *col, loaded);
    if (stop.stop_requested()) return progressed;
    for (const auto& f : c.schema().fields()) {
      auto spec = AnnSpecFor(c, f.fieldid());
      if (!spec) {
        col->store->DropAnn(f.fieldid());
        ForgetSavedAnn(c, *col, f.fieldid(), "");
        continue;
      }
      // A released collection keeps its saved index (as Milvus keeps index files) and loads
      // it again on the next load.
      const bool hnsw = spec->config.kind == index::IndexKind::kHnsw ||
                        spec->config.kind == index::IndexKind::kHnswSq;
      if (!loaded || (hnsw && !index::HnswIndex::Supported())) {
        col->store->DropAnn(f.fieldid());
        continue;
      }
      ForgetSavedAnn(c, *col, f.fieldid(), spec->signature);
      if (col->store->AnnSignature(f.fieldid()) != spec->signature) LoadSavedAnn(c, *col, *spec);
      auto added = col->store->BuildAnnStep(*spec, 20000);
      if (!added.ok()) {
        QV_LOG_WARN("collection {} field {}: index build failed: {}", c.name(), f.name(),
                    added.status().ToString());
        continue;
      }
      progressed |= *added > 0;
      if (*added == 0) SaveAnn(c, *col, *spec);
      if (stop.stop_requested()) return progressed;
    }
  }
  return progressed;
}

namespace {

const format::IndexRef* SavedIndexRef(const format::SegmentManifest& m, int64_t field_id) {
  for (const auto& ref : m.indexes()) {
    if (ref.field_id() == field_id) return &ref;
  }
  return nullptr;
}

}  // namespace

Status DataService::PublishIndexRefLocked(Collection& col, int64_t field_id, const format::IndexRef* ref) {
  format::SegmentManifest next = col.manifest;
  std::string obsolete;
  next.clear_indexes();
  for (const auto& r : col.manifest.indexes()) {
    if (r.field_id() == field_id) obsolete = r.key();
    else *next.add_indexes() = r;
  }
  if (ref) *next.add_indexes() = *ref;
  storage::WriteBatch b;
  b.Put(ManifestKey(col.manifest.collection_id()), coord::EncodeRecord(next));
  QV_RETURN_IF_ERROR(meta_.Commit(b));
  col.manifest = std::move(next);
  if (ref) CrashPoint("index.after_publish");
  if (!obsolete.empty() && (!ref || ref->key() != obsolete)) objects_.Delete(obsolete).IgnoreError();
  return Status::Ok();
}

void DataService::ForgetSavedAnn(const catalog::CollectionRecord& c, Collection& col, int64_t field_id,
                                 const std::string& signature) {
  std::lock_guard lock(col.write_mu);
  const format::IndexRef* ref = SavedIndexRef(col.manifest, field_id);
  if (!ref || (!signature.empty() && ref->signature() == signature)) return;
  Status st = PublishIndexRefLocked(col, field_id, nullptr);
  if (!st.ok()) QV_LOG_WARN("collection {} field {}: dropping the saved index failed: {}", c.name(), field_id, st.ToString());
}

void DataService::LoadSavedAnn(const catalog::CollectionRecord& c, Collection& col, const segment::AnnSpec& spec) {
  format::IndexRef ref;
  {
    std::lock_guard lock(col.write_mu);
    const format::IndexRef* r = SavedIndexRef(col.manifest, spec.field_id);
    if (!r || r->signature() != spec.signature || unusable_indexes_.contains(r->key())) return;
    ref = *r;
  }
  // A saved index is derived data: one that cannot be used is reported and rebuilt, never served.
  auto fail = [&](const Status& st) {
    QV_LOG_WARN("collection {} field {}: saved index {} not used, rebuilding: {}", c.name(), spec.field_id,
                ref.key(), st.ToString());
    unusable_indexes_.insert(ref.key());
  };
  auto bytes = objects_.Get(ref.key());
  if (!bytes.ok()) return fail(bytes.status());
  if (static_cast<int64_t>(bytes->size()) != ref.bytes() || Crc32c(*bytes) != ref.crc()) {
    return fail(Status::Corruption("index {} does not match its manifest entry", ref.key()));
  }
  auto file = format::DecodeIndexFile(ref.key(), *bytes);
  if (!file.ok()) return fail(file.status());
  if (file->meta.signature() != spec.signature || file->meta.kind() != static_cast<uint32_t>(spec.config.kind) ||
      file->meta.field_id() != spec.field_id) {
    return fail(Status::Corruption("index {} was built for another definition", ref.key()));
  }
  auto idx = index::LoadVectorIndex(spec.config, file->index_bytes);
  if (!idx.ok()) return fail(idx.status());
  std::vector<segment::ChunkStamp> chunks;
  for (const auto& ch : file->meta.chunks()) chunks.push_back({ch.ts(), ch.partition_id(), ch.num_rows()});
  Status st = col.store->ImportAnn(spec, std::move(*idx), chunks);
  if (!st.ok()) return fail(st);
  QV_LOG_INFO("collection {} field {}: loaded saved {} index {} ({} rows)", c.name(), spec.field_id,
              index::IndexKindName(spec.config.kind), ref.key(), ref.rows());
}

void DataService::SaveAnn(const catalog::CollectionRecord& c, Collection& col, const segment::AnnSpec& spec) {
  const int64_t rows = col.store->AnnRows(spec.field_id);
  if (rows == 0 || col.store->AnnSignature(spec.field_id) != spec.signature) return;
  if (options_.disk && options_.disk->Low()) return;  // saved later, once space returns
  {
    std::lock_guard lock(col.write_mu);
    const format::IndexRef* ref = SavedIndexRef(col.manifest, spec.field_id);
    if (ref && ref->signature() == spec.signature && ref->rows() == rows) return;
    // While rows stream in, save again only after a quarter more rows or a quiet 10 s.
    if (ref && ref->signature() == spec.signature && rows < ref->rows() + ref->rows() / 4) {
      auto it = last_save_.find(ref->key());
      if (it != last_save_.end() && std::chrono::steady_clock::now() - it->second < std::chrono::seconds(10)) return;
    }
  }
  auto exported = col.store->ExportAnn(spec.field_id);
  if (!exported.ok()) {
    QV_LOG_WARN("collection {} field {}: saving the index failed: {}", c.name(), spec.field_id,
                exported.status().ToString());
    return;
  }
  format::IndexFileMeta meta;
  meta.set_collection_id(c.id());
  meta.set_field_id(spec.field_id);
  meta.set_signature(spec.signature);
  meta.set_kind(static_cast<uint32_t>(spec.config.kind));
  meta.set_rows(exported->rows);
  for (const auto& ch : exported->chunks) {
    auto* m = meta.add_chunks();
    m->set_ts(ch.ts);
    m->set_partition_id(ch.partition_id);
    m->set_num_rows(ch.num_rows);
  }
  auto id = ids_.Allocate();
  if (!id.ok()) return;
  format::IndexRef ref;
  ref.set_field_id(spec.field_id);
  ref.set_key(fmt::format("{}idx-{}-{:020}.qidx", ObjectPrefix(c.id()), spec.field_id, *id));
  ref.set_signature(spec.signature);
  ref.set_rows(exported->rows);
  {
    std::string bytes = format::EncodeIndexFile(meta, exported->bytes);
    exported->bytes.clear();
    exported->bytes.shrink_to_fit();
    ref.set_bytes(static_cast<int64_t>(bytes.size()));
    ref.set_crc(Crc32c(bytes));
    Status put = objects_.Put(ref.key(), bytes);
    if (!put.ok()) {
      QV_LOG_WARN("collection {} field {}: writing index {} failed: {}", c.name(), spec.field_id, ref.key(), put.ToString());
      return;
    }
    CrashPoint("index.after_put");
  }
  std::lock_guard lock(col.write_mu);
  // Rows removed or chunks rewritten meanwhile: the labels no longer fit the chunks.
  if (col.store->Generation() != exported->generation) {
    objects_.Delete(ref.key()).IgnoreError();
    return;
  }
  Status st = PublishIndexRefLocked(col, spec.field_id, &ref);
  if (!st.ok()) {
    objects_.Delete(ref.key()).IgnoreError();
    QV_LOG_WARN("collection {} field {}: publishing index {} failed: {}", c.name(), spec.field_id, ref.key(), st.ToString());
    return;
  }
  last_save_[ref.key()] = std::chrono::steady_clock::now();
  QV_LOG_INFO("collection {} field {}: saved {} index {} ({} rows, {} bytes)", c.name(), spec.field_id,
              index::IndexKindName(spec.config.kind), ref.key(), ref.rows(), ref.bytes());
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
  if (mbytes) {
    QV_RETURN_IF_ERROR(coord::DecodeRecord(ManifestKey(c.id()), *mbytes, col->manifest));
    if (col->manifest.collection_id() != c.id()) {
      return Status::Corruption("manifest {} belongs to collection {}", ManifestKey(c.id()),
                                col->manifest.collection_id());
    }
  }
  std::set<std::string> referenced;
  int64_t segment_rows = 0;
  auto read_segment = [this, &c](const format::SegmentRef& ref) -> Result<format::SegmentData> {
    // Mapped, not copied: the bytes are checked and parsed straight from the page cache.
    auto bytes = objects_.GetBytes(ref.key());
    if (!bytes.ok()) {
      return Status::Corruption("collection {}: segment {} listed in the manifest is unreadable: {}",
                                c.name(), ref.key(), bytes.status().message());
    }
    if (Crc32c(bytes->view()) != ref.crc() || static_cast<int64_t>(bytes->size()) != ref.bytes()) {
      return Status::Corruption("collection {}: segment {} does not match its manifest entry",
                                c.name(), ref.key());
    }
    return format::DecodeSegment(ref.key(), bytes->view(), format::PayloadCheck::kWholeFileVerified);
  };
  // The next kReadAhead segments are read, checked and decoded on their own threads while one
  // is applied, in manifest order (reading and decoding cost about four times the apply; a
  // future's destructor waits, so an early return leaves no reader behind).
  constexpr int kReadAhead = 2;
  const auto& segments = col->manifest.segments();
  std::deque<std::future<Result<format::SegmentData>>> ahead;
  int started = 0;
  for (int i = 0; i < segments.size(); ++i) {
    referenced.insert(segments[i].key());
    while (started < segments.size() && started < i + kReadAhead) {
      ahead.push_back(std::async(std::launch::async, read_segment, std::cref(segments[started++])));
    }
    Result<format::SegmentData> data = ahead.front().get();
    ahead.pop_front();
    if (!data.ok()) return data.status();
    drop_gone_partitions(data->mutable_chunks());
    segment_rows += segments[i].rows();
    QV_RETURN_IF_ERROR(col->store->LoadSegment(std::move(*data)));
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
    // The checkpoint's record must still be there: WAL files start at or before it (truncation
    // never removes the file holding it), so a later first record means records were lost.
    if (entries == 0 && lsn != from) {
      return Status::Corruption(
          "WAL channel {}: replay from checkpoint LSN {} found LSN {} first: records are missing",
          channel, from, lsn);
    }
    if (e.collection_id() != 0 && e.collection_id() != c.id()) {
      return Status::Corruption("WAL channel {} LSN {}: entry of collection {}, not {}", channel,
                                lsn, e.collection_id(), c.id());
    }
    drop_gone_partitions(e.mutable_inserts());
    saw_truncate |= e.truncate();
    ++entries;
    col->last_lsn = lsn;
    return col->store->Apply(std::move(e));
  }));

  for (const auto& ref : col->manifest.indexes()) referenced.insert(ref.key());  // loaded by the builder
  CrashPoint("recovery.before_gc");
  // Objects not in the manifest were written by a flush (or index save) that never published.
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
  CrashPoint("flush.after_segment_put");

  format::SegmentManifest next = col.manifest;
  std::vector<std::string> obsolete;
  if (reset) {
    for (const auto& ref : next.segments()) obsolete.push_back(ref.key());
    for (const auto& ref : next.indexes()) obsolete.push_back(ref.key());
    next.clear_segments();
    next.clear_indexes();
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
  // The negative control of the crash tests: the WAL is truncated behind a checkpoint that was
  // never committed, so the rows of this flush are lost at the next restart.
  if (!Unsafe("flush_skip_manifest")) QV_RETURN_IF_ERROR(meta_.Commit(b));
  CrashPoint("flush.after_manifest_commit");

  col.manifest = std::move(next);
  col.store->MarkPersisted(u.chunk_watermark, u.delete_watermark);
  QV_LOG_INFO("collection {} flushed: segment {} rows={} bytes={} checkpoint LSN {}", collection_id,
              segment_id, u.rows, bytes.size(), col.manifest.checkpoint_lsn());
  // The checkpoint is published; older WAL records and replaced segments are no longer needed.
  log_.Truncate(ChannelName(collection_id), col.manifest.checkpoint_lsn()).IgnoreError();
  CrashPoint("flush.after_wal_truncate");
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
  // Saved indexes label the rows of the chunks as they were: stale once rows went or chunks merged.
  const bool drop_indexes = st.changed && col.manifest.indexes_size() > 0;
  if (col.manifest.segments_size() <= 1 && rows == persisted_rows && !drop_indexes) {
    result.segments_after = col.manifest.segments_size();
    return result;  // nothing to rewrite on disk
  }
  format::SegmentManifest next = col.manifest;
  next.clear_segments();
  if (drop_indexes) next.clear_indexes();
  std::string key;
  if (rows > 0) {
    QV_ASSIGN_OR_RETURN(int64_t segment_id, ids_.Allocate());
    live.set_collection_id(c.id());
    live.set_segment_id(segment_id);
    key = fmt::format("{}seg-{:020}.qseg", ObjectPrefix(c.id()), segment_id);
    std::string bytes = format::EncodeSegment(live);
    QV_RETURN_IF_ERROR(objects_.Put(key, bytes));
    CrashPoint("compaction.after_segment_put");
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
  CrashPoint("compaction.after_manifest_commit");
  std::vector<std::string> obsolete;
  for (const auto& ref : col.manifest.segments()) obsolete.push_back(ref.key());
  if (drop_indexes) {
    for (const auto& ref : col.manifest.indexes()) obsolete.push_back(ref.key());
  }
  col.manifest = std::move(next);
  for (const auto& k : obsolete) {
    objects_.Delete(k).IgnoreError();
    CrashPoint("compaction.after_first_delete");
  }
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
  // Milvus's disk quota denies inserts and upserts but lets deletes through (they free space).
  if (options_.disk && entry.inserts_size() > 0) QV_RETURN_IF_ERROR(options_.disk->CheckWritable());
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
  format::SegmentManifest manifest;
  {
    std::lock_guard lock(col->write_mu);
    QV_RETURN_IF_ERROR(FlushLocked(c.id(), *col, /*reset=*/false));
    manifest = col->manifest;
  }
  // Persisted chunks get their scalar indexes now rather than at the builder's next round.
  {
    std::lock_guard wake(builder_mu_);
    builder_wake_ = true;
  }
  builder_cv_.notify_one();
  return manifest;
}

Status DataService::DropCollection(int64_t collection_id) {
  CrashPoint("drop.after_catalog_commit");  // the proxy dropped the catalog record first
  {
    std::lock_guard lock(mu_);
    collections_.erase(collection_id);
  }
  storage::WriteBatch b;
  b.Delete(ManifestKey(collection_id));
  QV_RETURN_IF_ERROR(meta_.Commit(b));
  CrashPoint("drop.after_manifest_delete");
  QV_ASSIGN_OR_RETURN(std::vector<std::string> objects, objects_.List(ObjectPrefix(collection_id)));
  for (const auto& key : objects) {
    objects_.Delete(key).IgnoreError();
    CrashPoint("drop.after_first_object_delete");
  }
  return log_.DropChannel(ChannelName(collection_id));
}

void DataService::DropPartition(int64_t collection_id, int64_t partition_id) {
  std::lock_guard lock(mu_);
  auto it = collections_.find(collection_id);
  if (it != collections_.end()) it->second->store->DropPartition(partition_id);
}

}  // namespace quiver::datanode
