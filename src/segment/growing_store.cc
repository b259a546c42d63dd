#include "segment/growing_store.h"

#include "segment/field_data.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <thread>

namespace quiver::segment {

std::string PkKey(int64_t pk) {
  // Big-endian with the sign bit flipped: byte order equals numeric order.
  uint64_t u = static_cast<uint64_t>(pk) ^ (uint64_t{1} << 63);
  std::string k(9, '\0');
  k[0] = 'i';
  for (int i = 0; i < 8; ++i) k[1 + i] = static_cast<char>((u >> (56 - 8 * i)) & 0xff);
  return k;
}

std::string PkKey(const std::string& pk) { return "s" + pk; }

std::string PkKey(const FieldData& pk_column, int64_t row) {
  const auto& s = pk_column.scalars();
  return s.has_long_data() ? PkKey(s.long_data().data(static_cast<int>(row)))
                           : PkKey(s.string_data().data(static_cast<int>(row)));
}

std::string RowPkKey(const Chunk& chunk, int64_t row) {
  return PkKey(*chunk.PkColumn(), row);
}

void AppendPk(const Chunk& chunk, int64_t row, milvus::proto::schema::IDs* ids) {
  const auto& s = chunk.PkColumn()->scalars();
  if (s.has_long_data()) {
    ids->mutable_int_id()->add_data(s.long_data().data(static_cast<int>(row)));
  } else {
    *ids->mutable_str_id()->add_data() = s.string_data().data(static_cast<int>(row));
  }
}

ChunkFilter PkKeyFilter(const std::set<std::string>& keys) {
  return [&keys](const Chunk& chunk, std::vector<uint8_t>& mask) -> Status {
    for (int64_t r = 0; r < chunk.num_rows; ++r) {
      if (mask[static_cast<size_t>(r)]) mask[static_cast<size_t>(r)] = keys.contains(RowPkKey(chunk, r));
    }
    return Status::Ok();
  };
}

namespace {

void ForEachPk(const milvus::proto::schema::IDs& ids, const std::function<void(const PkValue&)>& fn) {
  if (ids.has_int_id()) {
    for (int64_t v : ids.int_id().data()) fn(PkValue{true, v, {}});
  } else if (ids.has_str_id()) {
    for (const auto& s : ids.str_id().data()) fn(PkValue{false, 0, s});
  }
}


}  // namespace

Status GrowingStore::Apply(wal::WalEntry&& entry) {
  std::unique_lock lock(mu_);
  return ApplyLocked(std::move(entry));
}

void GrowingStore::MarkDead(const PkIndex::Loc& r, Timestamp ts, int64_t partition) {
  if (r.chunk->ts >= ts) return;
  if (partition != 0 && r.chunk->partition_id != partition) return;
  Timestamp& dead = r.chunk->dead_at[static_cast<size_t>(r.row)];
  if (dead == Chunk::kAlive) ++r.chunk->dead_rows;
  dead = std::min(dead, ts);
}

void GrowingStore::KillLocked(const PkValue& pk, Timestamp ts, int64_t partition) {
  pk_index_.ForEach(pk, [&](const PkIndex::Loc& r) { MarkDead(r, ts, partition); });
}

Status GrowingStore::ApplyLocked(wal::WalEntry&& entry) {
  std::vector<std::unique_ptr<Chunk>> fresh;
  for (auto& ins : *entry.mutable_inserts()) {
    auto c = std::make_unique<Chunk>();
    c->partition_id = ins.partition_id();
    c->ts = entry.ts();
    c->num_rows = ins.num_rows();
    c->pk_field_id = pk_field_id_;
    c->columns.reserve(static_cast<size_t>(ins.columns_size()));
    for (auto& col : *ins.mutable_columns()) c->columns.push_back(std::move(col));
    for (size_t i = 0; i < c->columns.size(); ++i) {
      c->column_by_field[c->columns[i].field_id()] = static_cast<int>(i);
    }
    if (auto it = c->column_by_field.find(pk_field_id_); it != c->column_by_field.end()) c->pk_column = it->second;
    if (!c->Column(pk_field_id_)) {
      return Status::Corruption("insert entry at ts {} has no primary key column", entry.ts());
    }
    c->dead_at.assign(static_cast<size_t>(c->num_rows), Chunk::kAlive);
    fresh.push_back(std::move(c));
  }
  if (entry.truncate()) {
    ann_.clear();
    ++generation_;
    std::erase_if(chunks_, [&](const auto& c) { return c->ts < entry.ts(); });
    RebuildPkIndexLocked();
    pending_deletes_.clear();
  }
  for (const auto& del : entry.deletes()) {
    format::DeleteRecord rec;
    rec.set_ts(entry.ts());
    rec.set_partition_id(del.partition_id());
    *rec.mutable_pks() = del.pks();
    pending_deletes_.push_back(std::move(rec));
    ForEachPk(del.pks(), [&](const PkValue& pk) { KillLocked(pk, entry.ts(), del.partition_id()); });
  }
  for (auto& c : fresh) {
    c->seq = next_seq_++;
    // A newer row with the same pk replaces the older ones from its timestamp on.
    pk_index_.AddChunk(c.get(), [&](const PkIndex::Loc& r) { MarkDead(r, c->ts, 0); });
    chunks_.push_back(std::move(c));
  }
  return Status::Ok();
}

void GrowingStore::RebuildPkIndexLocked() {
  pk_index_.Clear();
  size_t rows = 0;
  for (const auto& c : chunks_) rows += static_cast<size_t>(c->num_rows);
  pk_index_.Reserve(rows);
  for (const auto& c : chunks_) {
    for (int64_t r = 0; r < c->num_rows; ++r) pk_index_.Add(RowPk(*c, r), c.get(), r);
  }
}

namespace {

bool Removable(const Chunk& c, int64_t row, Timestamp horizon, Timestamp expire_before) {
  if (c.ts > horizon) return false;
  return c.dead_at[static_cast<size_t>(row)] <= horizon || c.ts < expire_before;
}

// The field ids of a chunk's columns, in order: chunks merge only when these are equal.
std::vector<int64_t> ColumnIds(const Chunk& c) {
  std::vector<int64_t> ids;
  for (const auto& col : c.columns) ids.push_back(col.field_id());
  return ids;
}

}  // namespace

std::pair<int64_t, int64_t> GrowingStore::Garbage(Timestamp horizon, Timestamp expire_before) const {
  std::shared_lock lock(mu_);
  int64_t total = 0, removable = 0;
  for (const auto& c : chunks_) {
    total += c->num_rows;
    for (int64_t r = 0; r < c->num_rows; ++r) removable += Removable(*c, r, horizon, expire_before);
  }
  return {total, removable};
}

GrowingStore::CompactStats GrowingStore::Compact(Timestamp horizon, Timestamp expire_before,
                                                 int64_t target_rows) {
  std::unique_lock lock(mu_);
  CompactStats st;
  st.chunks_before = static_cast<int64_t>(chunks_.size());
  // Plan: the rows each chunk keeps, and merge groups of small persisted chunks.
  const size_t n = chunks_.size();
  std::vector<std::vector<int64_t>> keep(n);
  std::vector<int> group_of(n, -1);
  std::vector<std::vector<size_t>> groups;
  std::map<std::pair<int64_t, std::vector<int64_t>>, int> open;  // (partition, columns) -> group
  std::vector<int64_t> group_rows;
  bool changed = false;
  for (size_t i = 0; i < n; ++i) {
    const Chunk& c = *chunks_[i];
    st.rows_before += c.num_rows;
    for (int64_t r = 0; r < c.num_rows; ++r) {
      if (!Removable(c, r, horizon, expire_before)) keep[i].push_back(r);
    }
    const auto kept = static_cast<int64_t>(keep[i].size());
    st.rows_removed += c.num_rows - kept;
    changed |= kept < c.num_rows;
    if (kept == 0 || c.seq > persisted_seq_ || c.ts > horizon || kept >= target_rows / 2) continue;
    auto key = std::make_pair(c.partition_id, ColumnIds(c));
    auto it = open.find(key);
    if (it == open.end() || group_rows[static_cast<size_t>(it->second)] + kept > target_rows) {
      it = open.insert_or_assign(key, static_cast<int>(groups.size())).first;
      groups.emplace_back();
      group_rows.push_back(0);
    }
    groups[static_cast<size_t>(it->second)].push_back(i);
    group_rows[static_cast<size_t>(it->second)] += kept;
    group_of[i] = it->second;
  }
  for (const auto& g : groups) changed |= g.size() > 1;
  if (!changed) {
    st.chunks_after = st.chunks_before;
    return st;
  }

  auto empty_like = [](const Chunk& c) {
    auto fresh = std::make_unique<Chunk>();
    fresh->seq = c.seq;
    fresh->partition_id = c.partition_id;
    fresh->ts = c.ts;
    fresh->pk_field_id = c.pk_field_id;
    fresh->column_by_field = c.column_by_field;
    fresh->pk_column = c.pk_column;
    fresh->columns.resize(c.columns.size());
    for (size_t i = 0; i < c.columns.size(); ++i) {
      fresh->columns[i].set_field_id(c.columns[i].field_id());
      fresh->columns[i].set_field_name(c.columns[i].field_name());
      fresh->columns[i].set_type(c.columns[i].type());
      fresh->columns[i].set_is_dynamic(c.columns[i].is_dynamic());
    }
    return fresh;
  };
  auto append = [](const Chunk& src, const std::vector<int64_t>& rows, Chunk* dst) {
    for (size_t i = 0; i < src.columns.size(); ++i) GatherRows(src.columns[i], rows, &dst->columns[i]);
    for (int64_t r : rows) {
      dst->dead_at.push_back(src.dead_at[static_cast<size_t>(r)]);
      dst->dead_rows += dst->dead_at.back() != Chunk::kAlive;
    }
    dst->num_rows += static_cast<int64_t>(rows.size());
    dst->ts = std::max(dst->ts, src.ts);
    dst->seq = std::max(dst->seq, src.seq);
  };
  std::vector<std::unique_ptr<Chunk>> out;
  std::vector<Chunk*> group_chunk(groups.size(), nullptr);
  for (size_t i = 0; i < n; ++i) {
    auto& c = chunks_[i];
    const bool whole = static_cast<int64_t>(keep[i].size()) == c->num_rows;
    if (keep[i].empty()) continue;
    const int g = group_of[i];
    if (g < 0 || groups[static_cast<size_t>(g)].size() == 1) {
      if (whole) {
        out.push_back(std::move(c));
      } else {
        out.push_back(empty_like(*c));
        append(*c, keep[i], out.back().get());
      }
      continue;
    }
    Chunk*& dst = group_chunk[static_cast<size_t>(g)];
    if (dst == nullptr) {
      out.push_back(empty_like(*c));
      dst = out.back().get();
    }
    append(*c, keep[i], dst);
  }
  // chunks_ stays in seq order (flushes and the index builder rely on it).
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a->seq < b->seq; });
  chunks_ = std::move(out);
  ann_.clear();
  ++generation_;
  RebuildPkIndexLocked();
  st.chunks_after = static_cast<int64_t>(chunks_.size());
  st.changed = true;
  return st;
}

format::SegmentData GrowingStore::ExportLive(Timestamp expire_before) const {
  std::shared_lock lock(mu_);
  format::SegmentData out;
  for (const auto& c : chunks_) {
    if (c->ts < expire_before) continue;
    std::vector<int64_t> keep;
    for (int64_t r = 0; r < c->num_rows; ++r) {
      if (c->dead_at[static_cast<size_t>(r)] == Chunk::kAlive) keep.push_back(r);
    }
    if (keep.empty()) continue;
    auto* sc = out.add_chunks();
    sc->set_partition_id(c->partition_id);
    sc->set_ts(c->ts);
    sc->set_num_rows(static_cast<int64_t>(keep.size()));
    for (const auto& col : c->columns) {
      FieldData* dst = sc->add_columns();
      dst->set_field_id(col.field_id());
      dst->set_field_name(col.field_name());
      dst->set_type(col.type());
      dst->set_is_dynamic(col.is_dynamic());
      if (static_cast<int64_t>(keep.size()) == c->num_rows) {
        *dst = col;
      } else {
        GatherRows(col, keep, dst);
      }
    }
  }
  return out;
}

GrowingStore::Unpersisted GrowingStore::ExportUnpersisted() const {
  std::shared_lock lock(mu_);
  Unpersisted out;
  for (const auto& c : chunks_) {
    if (c->seq <= persisted_seq_) continue;
    auto* sc = out.data.add_chunks();
    sc->set_partition_id(c->partition_id);
    sc->set_ts(c->ts);
    sc->set_num_rows(c->num_rows);
    for (const auto& col : c->columns) *sc->add_columns() = col;
    out.rows += c->num_rows;
  }
  for (const auto& d : pending_deletes_) *out.data.add_deletes() = d;
  out.chunk_watermark = next_seq_ - 1;
  out.delete_watermark = pending_deletes_.size();
  return out;
}

void GrowingStore::MarkPersisted(uint64_t chunk_watermark, size_t delete_watermark) {
  std::unique_lock lock(mu_);
  persisted_seq_ = std::max(persisted_seq_, chunk_watermark);
  // Deletes stay in deletes_ for visibility; only the log of unpersisted ones shrinks.
  size_t n = std::min(delete_watermark, pending_deletes_.size());
  pending_deletes_.erase(pending_deletes_.begin(), pending_deletes_.begin() + static_cast<std::ptrdiff_t>(n));
}

uint64_t GrowingStore::PersistedSeq() const {
  std::shared_lock lock(mu_);
  return persisted_seq_;
}

int64_t GrowingStore::UnpersistedRows() const {
  std::shared_lock lock(mu_);
  int64_t n = 0;
  for (const auto& c : chunks_) {
    if (c->seq > persisted_seq_) n += c->num_rows;
  }
  return n;
}

Status GrowingStore::LoadSegment(format::SegmentData&& data) {
  std::unique_lock lock(mu_);
  size_t rows = pk_index_.Rows();
  for (const auto& chunk : data.chunks()) rows += static_cast<size_t>(chunk.num_rows());
  pk_index_.Reserve(rows);
  for (auto& chunk : *data.mutable_chunks()) {
    wal::WalEntry e;
    e.set_ts(chunk.ts());
    auto* ins = e.add_inserts();
    ins->set_partition_id(chunk.partition_id());
    ins->set_num_rows(chunk.num_rows());
    ins->mutable_columns()->Swap(chunk.mutable_columns());
    QV_RETURN_IF_ERROR(ApplyLocked(std::move(e)));
  }
  for (auto& del : *data.mutable_deletes()) {
    wal::WalEntry e;
    e.set_ts(del.ts());
    auto* d = e.add_deletes();
    d->set_partition_id(del.partition_id());
    d->mutable_pks()->Swap(del.mutable_pks());
    QV_RETURN_IF_ERROR(ApplyLocked(std::move(e)));
  }
  persisted_seq_ = next_seq_ - 1;
  pending_deletes_.clear();
  return Status::Ok();
}

void GrowingStore::DropPartition(int64_t partition_id) {
  std::unique_lock lock(mu_);
  ann_.clear();
  ++generation_;
  // The index reads its chunks: drop their rows before the chunks themselves.
  pk_index_.RemoveIf([&](const Chunk& c) { return c.partition_id == partition_id; });
  std::erase_if(chunks_, [&](const auto& c) { return c->partition_id == partition_id; });
}

Status GrowingStore::ScanLocked(Timestamp ts, const std::vector<int64_t>& partitions,
                                const ChunkFilter& filter, std::vector<RowRef>* rows,
                                ChunkMasks* masks, AnnView* ann) const {
  std::vector<uint8_t> local;
  int64_t listed = 0;
  for (const auto& c : chunks_) {
    if (c->ts <= ts && (ann == nullptr || c->seq > ann->indexed_seq)) listed += c->num_rows;
  }
  rows->reserve(static_cast<size_t>(listed));
  for (const auto& c : chunks_) {
    if (c->ts > ts) continue;
    if (!partitions.empty() &&
        std::find(partitions.begin(), partitions.end(), c->partition_id) == partitions.end()) {
      continue;
    }
    std::vector<uint8_t>& mask = masks ? (*masks)[c.get()] : local;
    const bool covered = ann != nullptr && c->seq <= ann->indexed_seq;
    if (covered && !filter && c->dead_rows == 0) {
      // Every row passes: the empty mask says so without a byte per row.
      mask.clear();
      ann->covered_chunks.push_back(c.get());
      ann->covered_rows += c->num_rows;
      continue;
    }
    mask.assign(static_cast<size_t>(c->num_rows), 1);
    // Rows dead by `ts` are masked before the filter runs, so it sees only live rows.
    const Timestamp* dead = c->dead_at.data();
    uint8_t* m = mask.data();
    for (int64_t r = 0; r < c->num_rows; ++r) m[r] = dead[r] > ts;
    if (filter) QV_RETURN_IF_ERROR(filter(*c, mask));
    if (covered) {
      ann->covered_chunks.push_back(c.get());
      for (int64_t r = 0; r < c->num_rows; ++r) ann->covered_rows += m[r] != 0;
      continue;
    }
    for (int64_t r = 0; r < c->num_rows; ++r) {
      if (m[r]) rows->push_back({c.get(), r});
    }
  }
  return Status::Ok();
}

std::vector<RowRef> CoveredRows(const AnnView& ann, const ChunkMasks& masks) {
  std::vector<RowRef> out;
  out.reserve(static_cast<size_t>(ann.covered_rows));
  for (const Chunk* c : ann.covered_chunks) {
    const std::vector<uint8_t>& m = masks.at(c);
    for (int64_t r = 0; r < c->num_rows; ++r) {
      if (PassesMask(m, r)) out.push_back({c, r});
    }
  }
  return out;
}

Status GrowingStore::ReadForSearch(Timestamp ts, const std::vector<int64_t>& partitions,
                                   const ChunkFilter& filter, int64_t field_id,
                                   const SearchRowsFn& fn) const {
  std::shared_lock lock(mu_);
  std::vector<RowRef> rows;
  ChunkMasks masks;
  AnnView view;
  auto it = ann_.find(field_id);
  if (it != ann_.end() && it->second->index) {
    view.index = it->second->index.get();
    view.labels = &it->second->labels;
    view.indexed_seq = it->second->indexed_seq;
  }
  QV_RETURN_IF_ERROR(ScanLocked(ts, partitions, filter, &rows, &masks, view.index ? &view : nullptr));
  return fn(rows, masks, view);
}

namespace {

// Index input gathered from chunk columns, in the form the index kind reads.
struct BatchBuffers {
  std::vector<float> dense;
  std::vector<uint8_t> bits;
  std::vector<std::string> sparse;
  size_t n = 0;
  index::VectorBatch View() const {
    index::VectorBatch b;
    b.dense = dense.empty() ? nullptr : dense.data();
    b.bits = bits.empty() ? nullptr : bits.data();
    b.sparse = sparse.empty() ? nullptr : sparse.data();
    b.n = n;
    return b;
  }
};

// Appends a chunk's vector column to `out`; false (nothing appended) when the column does not
// hold `rows` vectors of the form the index kind reads.
bool AppendVectors(const FieldData& col, int64_t rows, const index::IndexConfig& config, BatchBuffers* out) {
  using milvus::proto::schema::VectorField;
  const VectorField& v = col.vectors();
  const auto n = static_cast<size_t>(rows);
  const auto dim = static_cast<size_t>(config.dim);
  if (config.kind == index::IndexKind::kSparseInverted) {
    if (!v.has_sparse_float_vector() || v.sparse_float_vector().contents_size() != rows) return false;
    for (const auto& row : v.sparse_float_vector().contents()) out->sparse.push_back(row);
  } else if (config.kind == index::IndexKind::kBinIvfFlat) {
    if (v.data_case() != VectorField::kBinaryVector || v.binary_vector().size() != n * dim / 8) return false;
    const auto* p = reinterpret_cast<const uint8_t*>(v.binary_vector().data());
    out->bits.insert(out->bits.end(), p, p + n * dim / 8);
  } else {
    const size_t at = out->dense.size();
    out->dense.resize(at + n * dim);
    if (!DecodeDenseRows(v, 0, rows, config.dim, out->dense.data() + at) ||
        ColumnRows(col, config.dim) != rows) {
      out->dense.resize(at);
      return false;
    }
  }
  out->n += n;
  return true;
}

ChunkStamp StampOf(const Chunk& c) { return {c.ts, c.partition_id, c.num_rows}; }

}  // namespace

Result<int64_t> GrowingStore::BuildAnnStep(const AnnSpec& spec, int64_t max_rows) {
  std::shared_ptr<AnnState> st;
  BatchBuffers batch;
  std::vector<RowRef> refs;
  std::vector<ChunkStamp> stamps;
  uint64_t last_seq = 0, gen = 0;
  std::unique_ptr<index::VectorIndex> fresh;
  {
    std::unique_lock lock(mu_);
    auto& slot = ann_[spec.field_id];
    if (!slot || slot->spec.signature != spec.signature) {
      auto state = std::make_shared<AnnState>();
      state->spec = spec;
      slot = state;
    }
    st = slot;
    gen = generation_;
    last_seq = st->indexed_seq;
    int64_t want = max_rows;
    if (!st->index) {
      QV_ASSIGN_OR_RETURN(fresh, index::CreateVectorIndex(spec.config));
      // An index that trains does so on its first step: gather a training sample's worth.
      if (fresh->TrainingRows() > 0) want = std::max({max_rows, spec.config.nlist * 256, fresh->TrainingRows()});
    }
    for (const auto& c : chunks_) {
      if (c->seq <= st->indexed_seq) continue;
      if (static_cast<int64_t>(refs.size()) >= want) break;
      const FieldData* col = c->Column(spec.field_id);
      last_seq = c->seq;
      if (!col || !AppendVectors(*col, c->num_rows, spec.config, &batch)) continue;
      for (int64_t r = 0; r < c->num_rows; ++r) refs.push_back({c.get(), r});
      stamps.push_back(StampOf(*c));
    }
  }
  if (last_seq == st->indexed_seq) return int64_t{0};
  // Created, trained and filled outside the lock; a new index is published with its first rows.
  index::VectorIndex* target = fresh ? fresh.get() : st->index.get();
  if (fresh && fresh->TrainingRows() > 0) {
    if (static_cast<int64_t>(refs.size()) < fresh->TrainingRows()) return int64_t{0};  // wait for more rows
    QV_RETURN_IF_ERROR(fresh->Train(batch.View()));
  }
  // Only this thread appends to st->labels, so its size is the next label; readers see new
  // labels only after the publish below and ignore index hits beyond it.
  const uint64_t base = st->labels.size();
  if (!refs.empty()) {
    const int threads = static_cast<int>(std::clamp(std::thread::hardware_concurrency(), 1u, 4u));
    QV_RETURN_IF_ERROR(target->AddBatch(batch.View(), base, threads));
  }
  std::unique_lock lock(mu_);
  auto it = ann_.find(spec.field_id);
  if (generation_ != gen || it == ann_.end() || it->second != st) return int64_t{0};  // reset meanwhile
  if (fresh && !refs.empty()) st->index = std::move(fresh);
  if (st->index) {
    st->labels.insert(st->labels.end(), refs.begin(), refs.end());
    st->chunks.insert(st->chunks.end(), stamps.begin(), stamps.end());
  }
  st->indexed_seq = last_seq;
  return static_cast<int64_t>(std::max<size_t>(refs.size(), 1));
}

void GrowingStore::DropAnn(int64_t field_id) {
  std::unique_lock lock(mu_);
  ann_.erase(field_id);
}

int64_t GrowingStore::AnnRows(int64_t field_id) const {
  std::shared_lock lock(mu_);
  auto it = ann_.find(field_id);
  return it == ann_.end() ? 0 : static_cast<int64_t>(it->second->labels.size());
}

std::string GrowingStore::AnnSignature(int64_t field_id) const {
  std::shared_lock lock(mu_);
  auto it = ann_.find(field_id);
  return it == ann_.end() || !it->second->index ? "" : it->second->spec.signature;
}

uint64_t GrowingStore::Generation() const {
  std::shared_lock lock(mu_);
  return generation_;
}

Result<AnnExport> GrowingStore::ExportAnn(int64_t field_id) const {
  std::shared_ptr<AnnState> st;
  AnnExport out;
  {
    std::shared_lock lock(mu_);
    auto it = ann_.find(field_id);
    if (it == ann_.end() || !it->second->index) return Status::NotFound("field {} has no ANN index", field_id);
    st = it->second;
    out.spec = st->spec;
    out.chunks = st->chunks;
    out.rows = static_cast<int64_t>(st->labels.size());
    out.generation = generation_;
  }
  // Rows published above are in the index; the builder (this caller) adds no more meanwhile.
  QV_RETURN_IF_ERROR(st->index->Serialize(&out.bytes));
  if (static_cast<int64_t>(st->index->Size()) != out.rows) {
    return Status::Internal("field {}: index holds {} rows, labels {}", field_id, st->index->Size(), out.rows);
  }
  return out;
}

Status GrowingStore::ImportAnn(const AnnSpec& spec, std::unique_ptr<index::VectorIndex> index,
                               const std::vector<ChunkStamp>& chunks) {
  std::unique_lock lock(mu_);
  auto state = std::make_shared<AnnState>();
  state->spec = spec;
  size_t next = 0;
  for (const auto& c : chunks_) {
    if (next == chunks.size()) break;
    if (!c->Column(spec.field_id)) continue;
    if (!(StampOf(*c) == chunks[next])) {
      return Status::FailedPrecondition("saved index of field {}: chunk {} (ts {}) does not match", spec.field_id,
                                        next, chunks[next].ts);
    }
    for (int64_t r = 0; r < c->num_rows; ++r) state->labels.push_back({c.get(), r});
    state->indexed_seq = c->seq;
    ++next;
  }
  if (next != chunks.size() || state->labels.size() != index->Size()) {
    return Status::FailedPrecondition("saved index of field {}: covers {} chunks / {} rows, the store has {} / {}",
                                      spec.field_id, chunks.size(), index->Size(), next, state->labels.size());
  }
  state->chunks = chunks;
  state->index = std::move(index);
  ann_[spec.field_id] = std::move(state);
  return Status::Ok();
}

Result<int64_t> GrowingStore::BuildScalarStep(const ScalarIndexSpec& spec, int64_t max_rows,
                                              const ScalarBuildFn& build) {
  std::vector<std::pair<Chunk*, std::shared_ptr<const index::ScalarIndex>>> built;
  int64_t rows = 0;
  uint64_t gen = 0;
  {
    std::shared_lock lock(mu_);
    gen = generation_;
    for (const auto& c : chunks_) {
      if (c->seq > persisted_seq_ || rows >= max_rows) break;
      if (std::any_of(c->scalar_indexes.begin(), c->scalar_indexes.end(),
                      [&](const ChunkScalarIndex& s) { return s.signature == spec.signature; })) {
        continue;
      }
      QV_ASSIGN_OR_RETURN(std::shared_ptr<const index::ScalarIndex> ix, build(*c));
      built.emplace_back(c.get(), std::move(ix));
      rows += c->num_rows;
    }
  }
  if (built.empty()) return int64_t{0};
  std::unique_lock lock(mu_);
  if (generation_ != gen) return int64_t{0};  // chunks removed or rewritten: start over
  for (auto& [chunk, ix] : built) {
    chunk->scalar_indexes.push_back({spec.signature, spec.field_id, spec.path, std::move(ix)});
  }
  return std::max<int64_t>(rows, 1);
}

void GrowingStore::RetainScalarIndexes(const std::set<std::string>& keep) {
  auto stale = [&](const ChunkScalarIndex& s) { return !keep.contains(s.signature); };
  {
    std::shared_lock lock(mu_);
    if (std::none_of(chunks_.begin(), chunks_.end(), [&](const auto& c) {
          return std::any_of(c->scalar_indexes.begin(), c->scalar_indexes.end(), stale);
        })) {
      return;
    }
  }
  std::unique_lock lock(mu_);
  for (auto& c : chunks_) std::erase_if(c->scalar_indexes, stale);
}

int64_t GrowingStore::ScalarIndexedRows(const std::string& signature) const {
  std::shared_lock lock(mu_);
  int64_t n = 0;
  for (const auto& c : chunks_) {
    for (const auto& s : c->scalar_indexes) {
      if (s.signature == signature) {
        n += c->num_rows;
        break;
      }
    }
  }
  return n;
}

Status GrowingStore::VisitChunks(
    const std::function<Status(const std::vector<const Chunk*>&)>& fn) const {
  std::shared_lock lock(mu_);
  std::vector<const Chunk*> chunks;
  chunks.reserve(chunks_.size());
  for (const auto& c : chunks_) chunks.push_back(c.get());
  return fn(chunks);
}

Status GrowingStore::Read(Timestamp ts, const std::vector<int64_t>& partitions,
                          const ChunkFilter& filter, const RowsFn& fn, bool sorted) const {
  std::shared_lock lock(mu_);
  std::vector<RowRef> rows;
  QV_RETURN_IF_ERROR(ScanLocked(ts, partitions, filter, &rows, nullptr));
  if (sorted) {
    const int64_t pk = pk_field_id_;
    std::sort(rows.begin(), rows.end(), [pk](const RowRef& a, const RowRef& b) {
      const FieldData* ca = a.chunk->Column(pk);
      const FieldData* cb = b.chunk->Column(pk);
      if (ca->scalars().has_long_data()) {
        return ca->scalars().long_data().data(static_cast<int>(a.row)) <
               cb->scalars().long_data().data(static_cast<int>(b.row));
      }
      return ca->scalars().string_data().data(static_cast<int>(a.row)) <
             cb->scalars().string_data().data(static_cast<int>(b.row));
    });
  }
  return fn(rows);
}

int64_t GrowingStore::RowCount(const std::vector<int64_t>& partitions) const {
  int64_t n = 0;
  Read(Chunk::kAlive - 1, partitions, nullptr, [&](const std::vector<RowRef>& rows) {
    n = static_cast<int64_t>(rows.size());
    return Status::Ok();
  }, /*sorted=*/false).IgnoreError();
  return n;
}

}  // namespace quiver::segment
