#include <gtest/gtest.h>

#include <map>
#include <set>

#include "segment/field_data.h"
#include "segment/growing_store.h"
#include "index/hnsw_index.h"

namespace quiver::segment {
namespace {

using milvus::proto::schema::DataType;

CollectionSchema TestSchema(bool auto_id = false) {
  CollectionSchema s;
  auto add = [&](const std::string& name, DataType t, int64_t id) {
    auto* f = s.add_fields();
    f->set_name(name);
    f->set_data_type(t);
    f->set_fieldid(id);
    return f;
  };
  auto* pk = add("id", DataType::Int64, 100);
  pk->set_is_primary_key(true);
  pk->set_autoid(auto_id);
  auto* v = add("v", DataType::FloatVector, 101);
  auto* dim = v->add_type_params();
  dim->set_key("dim");
  dim->set_value("2");
  auto* name = add("name", DataType::VarChar, 102);
  auto* ml = name->add_type_params();
  ml->set_key("max_length");
  ml->set_value("5");
  auto* age = add("age", DataType::Int32, 103);
  age->set_nullable(true);
  auto* score = add("score", DataType::Double, 104);
  score->mutable_default_value()->set_double_data(1.5);
  auto* meta = add("$meta", DataType::JSON, 105);
  meta->set_is_dynamic(true);
  return s;
}

google::protobuf::RepeatedPtrField<FieldData> Rows(int n, bool with_pk = true) {
  google::protobuf::RepeatedPtrField<FieldData> out;
  if (with_pk) {
    auto* id = out.Add();
    id->set_field_name("id");
    id->set_type(DataType::Int64);
    for (int i = 0; i < n; ++i) id->mutable_scalars()->mutable_long_data()->add_data(10 + i);
  }
  auto* v = out.Add();
  v->set_field_name("v");
  v->set_type(DataType::FloatVector);
  v->mutable_vectors()->set_dim(2);
  for (int i = 0; i < 2 * n; ++i) v->mutable_vectors()->mutable_float_vector()->add_data(i);
  auto* name = out.Add();
  name->set_field_name("name");
  name->set_type(DataType::VarChar);
  for (int i = 0; i < n; ++i) name->mutable_scalars()->mutable_string_data()->add_data("n" + std::to_string(i));
  return out;
}

TEST(NormalizeInsert, PadsNullableAndFillsDefaults) {
  auto in = Rows(3);
  auto* age = in.Add();  // compact: rows 0 and 2 valid
  age->set_field_name("age");
  age->set_type(DataType::Int32);
  age->mutable_scalars()->mutable_int_data()->add_data(30);
  age->mutable_scalars()->mutable_int_data()->add_data(32);
  age->add_valid_data(true);
  age->add_valid_data(false);
  age->add_valid_data(true);
  auto r = NormalizeInsert(TestSchema(), in, 3, {});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const FieldData& a = r->columns[3];
  ASSERT_EQ(a.scalars().int_data().data_size(), 3);
  EXPECT_EQ(a.scalars().int_data().data(2), 32);
  EXPECT_FALSE(a.valid_data(1));
  const FieldData& score = r->columns[4];  // missing, defaulted
  ASSERT_EQ(score.scalars().double_data().data_size(), 3);
  EXPECT_EQ(score.scalars().double_data().data(0), 1.5);
  EXPECT_EQ(r->columns[5].scalars().json_data().data(0), "{}");
  EXPECT_EQ(r->pk_index, 0);
}

TEST(NormalizeInsert, RejectsBadInput) {
  auto long_name = Rows(1);
  long_name[2].mutable_scalars()->mutable_string_data()->set_data(0, "toolong");
  EXPECT_FALSE(NormalizeInsert(TestSchema(), long_name, 1, {}).ok());
  auto bad_dim = Rows(2);
  bad_dim[1].mutable_vectors()->mutable_float_vector()->add_data(9);
  EXPECT_FALSE(NormalizeInsert(TestSchema(), bad_dim, 2, {}).ok());
  EXPECT_FALSE(NormalizeInsert(TestSchema(), Rows(2, /*with_pk=*/false), 2, {}).ok());
  auto extra = Rows(1);
  auto* x = extra.Add();
  x->set_field_name("nope");
  x->set_type(DataType::Int64);
  x->mutable_scalars()->mutable_long_data()->add_data(1);
  EXPECT_FALSE(NormalizeInsert(TestSchema(), extra, 1, {}).ok());
  auto bad_utf8 = Rows(1);
  bad_utf8[2].mutable_scalars()->mutable_string_data()->set_data(0, "\xff");
  EXPECT_FALSE(NormalizeInsert(TestSchema(), bad_utf8, 1, {}).ok());
}

TEST(NormalizeInsert, AutoIdFillsPrimaryKey) {
  NormalizeOptions o;
  o.allocate_ids = [](int64_t n) -> Result<int64_t> { return int64_t{500}; };
  auto r = NormalizeInsert(TestSchema(true), Rows(2, false), 2, o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->columns[0].scalars().long_data().data(1), 501);
  EXPECT_FALSE(NormalizeInsert(TestSchema(true), Rows(2, true), 2, o).ok());
}

TEST(GatherRows, CopiesScalarsAndVectors) {
  auto r = NormalizeInsert(TestSchema(), Rows(3), 3, {});
  ASSERT_TRUE(r.ok());
  std::vector<int64_t> rows = {2, 0};
  FieldData v, n;
  GatherRows(r->columns[1], rows, &v);
  GatherRows(r->columns[2], rows, &n);
  ASSERT_EQ(v.vectors().float_vector().data_size(), 4);
  EXPECT_EQ(v.vectors().float_vector().data(0), 4);
  EXPECT_EQ(n.scalars().string_data().data(0), "n2");
  EXPECT_EQ(ColumnRows(v), 2);
}

wal::WalEntry InsertEntry(Timestamp ts, std::vector<int64_t> pks) {
  wal::WalEntry e;
  e.set_ts(ts);
  auto* ins = e.add_inserts();
  ins->set_partition_id(1);
  ins->set_num_rows(static_cast<int64_t>(pks.size()));
  auto* col = ins->add_columns();
  col->set_field_id(100);
  col->set_type(DataType::Int64);
  for (int64_t p : pks) col->mutable_scalars()->mutable_long_data()->add_data(p);
  return e;
}

wal::WalEntry DeleteEntry(Timestamp ts, std::vector<int64_t> pks) {
  wal::WalEntry e;
  e.set_ts(ts);
  auto* d = e.add_deletes();
  for (int64_t p : pks) d->mutable_pks()->mutable_int_id()->add_data(p);
  return e;
}

std::vector<int64_t> VisiblePks(const GrowingStore& s, Timestamp ts) {
  std::vector<int64_t> out;
  EXPECT_TRUE(s.Read(ts, {}, nullptr, [&](const std::vector<RowRef>& rows) {
                 for (const auto& r : rows) {
                   out.push_back(r.chunk->Column(100)->scalars().long_data().data(static_cast<int>(r.row)));
                 }
                 return Status::Ok();
               }).ok());
  return out;
}

TEST(GrowingStore, DeletedAtT7VisibleAtT6NotT8) {
  GrowingStore s(100);
  ASSERT_TRUE(s.Apply(InsertEntry(5, {3, 1, 2})).ok());
  ASSERT_TRUE(s.Apply(DeleteEntry(7, {2})).ok());
  EXPECT_EQ(VisiblePks(s, 4), (std::vector<int64_t>{}));
  EXPECT_EQ(VisiblePks(s, 6), (std::vector<int64_t>{1, 2, 3}));
  EXPECT_EQ(VisiblePks(s, 8), (std::vector<int64_t>{1, 3}));
  EXPECT_EQ(s.RowCount(), 2);
}

TEST(GrowingStore, UpsertAtOneTimestampKeepsOnlyNewRow) {
  GrowingStore s(100);
  ASSERT_TRUE(s.Apply(InsertEntry(5, {1})).ok());
  wal::WalEntry up = InsertEntry(9, {1});
  *up.add_deletes()->mutable_pks() = DeleteEntry(9, {1}).deletes(0).pks();
  ASSERT_TRUE(s.Apply(std::move(up)).ok());
  int found = 0;
  ASSERT_TRUE(s.Read(10, {}, nullptr, [&](const std::vector<RowRef>& rows) {
                 found = static_cast<int>(rows.size());
                 EXPECT_EQ(rows[0].chunk->ts, 9u);
                 return Status::Ok();
               }).ok());
  EXPECT_EQ(found, 1);
}

TEST(GrowingStore, TruncateDropsEverythingBefore) {
  GrowingStore s(100);
  ASSERT_TRUE(s.Apply(InsertEntry(5, {1, 2})).ok());
  ASSERT_TRUE(s.Apply(DeleteEntry(6, {1})).ok());
  wal::WalEntry t;
  t.set_ts(7);
  t.set_truncate(true);
  ASSERT_TRUE(s.Apply(std::move(t)).ok());
  EXPECT_EQ(VisiblePks(s, 6), (std::vector<int64_t>{}));
  ASSERT_TRUE(s.Apply(InsertEntry(8, {1})).ok());
  EXPECT_EQ(VisiblePks(s, 9), (std::vector<int64_t>{1}));
}

TEST(GrowingStore, PersistedSegmentReloadsWithSameVisibility) {
  GrowingStore s(100);
  ASSERT_TRUE(s.Apply(InsertEntry(5, {1, 2, 3})).ok());
  ASSERT_TRUE(s.Apply(DeleteEntry(7, {2})).ok());
  auto u = s.ExportUnpersisted();
  EXPECT_EQ(u.rows, 3);
  EXPECT_EQ(u.data.deletes_size(), 1);
  s.MarkPersisted(u.chunk_watermark, u.delete_watermark);
  EXPECT_EQ(s.UnpersistedRows(), 0);
  EXPECT_EQ(s.ExportUnpersisted().data.deletes_size(), 0);
  ASSERT_TRUE(s.Apply(InsertEntry(9, {4})).ok());
  EXPECT_EQ(s.UnpersistedRows(), 1);

  GrowingStore reloaded(100);
  ASSERT_TRUE(reloaded.LoadSegment(std::move(u.data)).ok());
  EXPECT_EQ(reloaded.UnpersistedRows(), 0);
  EXPECT_EQ(VisiblePks(reloaded, 6), (std::vector<int64_t>{1, 2, 3}));
  EXPECT_EQ(VisiblePks(reloaded, 8), (std::vector<int64_t>{1, 3}));
}

TEST(GrowingStore, CompactionRemovesDeadRowsMergesChunksAndKeepsVisibility) {
  GrowingStore s(100);
  // 40 small chunks of 5 rows (pks 0..199), then deletes and upserts.
  for (int b = 0; b < 40; ++b) {
    std::vector<int64_t> pks;
    for (int i = 0; i < 5; ++i) pks.push_back(b * 5 + i);
    ASSERT_TRUE(s.Apply(InsertEntry(10 + b, pks)).ok());
  }
  std::vector<int64_t> gone;
  for (int64_t p = 0; p < 200; p += 3) gone.push_back(p);
  ASSERT_TRUE(s.Apply(DeleteEntry(60, gone)).ok());
  ASSERT_TRUE(s.Apply(InsertEntry(61, {1, 2})).ok());  // replaces the rows of 1 and 2
  auto u = s.ExportUnpersisted();
  s.MarkPersisted(u.chunk_watermark, u.delete_watermark);
  ASSERT_TRUE(s.Apply(DeleteEntry(100, {4})).ok());  // newer than the horizon below: kept
  const std::vector<int64_t> before = VisiblePks(s, 200);
  const std::vector<int64_t> before_at_99 = VisiblePks(s, 99);
  auto [total, removable] = s.Garbage(/*horizon=*/90, /*expire_before=*/0);
  EXPECT_EQ(total, 202);
  EXPECT_EQ(removable, static_cast<int64_t>(gone.size()) + 2);  // and the replaced rows of 1 and 2

  GrowingStore::CompactStats st = s.Compact(/*horizon=*/90, /*expire_before=*/0, /*target_rows=*/64);
  EXPECT_EQ(st.rows_before, 202);
  EXPECT_EQ(st.rows_removed, removable);
  EXPECT_EQ(st.chunks_before, 41);
  EXPECT_LT(st.chunks_after, 10);
  EXPECT_EQ(VisiblePks(s, 200), before);
  EXPECT_EQ(VisiblePks(s, 99), before_at_99);  // the delete at 100 still applies from 100 on
  EXPECT_EQ(s.Garbage(90, 0).first, 202 - st.rows_removed);
  // The pk index follows the new chunks: deletes and upserts still find merged rows.
  ASSERT_TRUE(s.Apply(DeleteEntry(201, {5, 7})).ok());
  ASSERT_TRUE(s.Apply(InsertEntry(202, {8})).ok());
  std::vector<int64_t> after = VisiblePks(s, 300);
  EXPECT_EQ(std::count(after.begin(), after.end(), 5), 0);
  EXPECT_EQ(std::count(after.begin(), after.end(), 7), 0);
  EXPECT_EQ(std::count(after.begin(), after.end(), 8), 1);
  EXPECT_EQ(after.size(), before.size() - 2);
  // Nothing left to do: a second pass changes nothing.
  GrowingStore::CompactStats again = s.Compact(90, 0, 64);
  EXPECT_EQ(again.rows_removed, 0);
  EXPECT_EQ(again.chunks_after, again.chunks_before);
}

TEST(GrowingStore, CompactionDropsExpiredRowsAndSparesUnpersistedOrder) {
  GrowingStore s(100);
  ASSERT_TRUE(s.Apply(InsertEntry(10, {1, 2})).ok());
  ASSERT_TRUE(s.Apply(InsertEntry(20, {3})).ok());
  auto u = s.ExportUnpersisted();
  s.MarkPersisted(u.chunk_watermark, u.delete_watermark);
  ASSERT_TRUE(s.Apply(InsertEntry(30, {4})).ok());  // not persisted: never merged
  auto st = s.Compact(/*horizon=*/50, /*expire_before=*/15);
  EXPECT_EQ(st.rows_removed, 2);  // ts 10 < 15
  EXPECT_EQ(VisiblePks(s, 60), (std::vector<int64_t>{3, 4}));
  EXPECT_EQ(s.UnpersistedRows(), 1);
  format::SegmentData live = s.ExportLive(/*expire_before=*/25);
  ASSERT_EQ(live.chunks_size(), 1);  // pk 3 (ts 20) is expired at 25
  EXPECT_EQ(live.chunks(0).columns(0).scalars().long_data().data(0), 4);
  EXPECT_EQ(live.deletes_size(), 0);
}

TEST(GrowingStore, NegativePksSortNumerically) {
  GrowingStore s(100);
  ASSERT_TRUE(s.Apply(InsertEntry(5, {5, -3, 0, -100})).ok());
  EXPECT_EQ(VisiblePks(s, 6), (std::vector<int64_t>{-100, -3, 0, 5}));
}

}  // namespace
}  // namespace quiver::segment

namespace quiver::segment {
namespace {

wal::WalEntry VectorEntry(Timestamp ts, int64_t first, int n, int dim) {
  wal::WalEntry e = InsertEntry(ts, {});
  auto* ins = e.mutable_inserts(0);
  ins->set_num_rows(n);
  auto* pk = ins->mutable_columns(0);
  auto* v = ins->add_columns();
  v->set_field_id(101);
  v->set_type(DataType::FloatVector);
  v->mutable_vectors()->set_dim(dim);
  for (int i = 0; i < n; ++i) {
    pk->mutable_scalars()->mutable_long_data()->add_data(first + i);
    for (int d = 0; d < dim; ++d) v->mutable_vectors()->mutable_float_vector()->add_data(static_cast<float>(first + i));
  }
  return e;
}

TEST(GrowingStore, AnnIndexCoversChunksInStepsAndResetsOnTruncate) {
  if (!index::HnswIndex::Supported()) GTEST_SKIP() << "no AVX2";
  GrowingStore s(100);
  ASSERT_TRUE(s.Apply(VectorEntry(5, 0, 50, 4)).ok());
  ASSERT_TRUE(s.Apply(VectorEntry(6, 50, 50, 4)).ok());
  AnnSpec spec;
  spec.field_id = 101;
  spec.config.kind = index::IndexKind::kHnsw;
  spec.config.dim = 4;
  spec.signature = "hnsw";
  EXPECT_EQ(*s.BuildAnnStep(spec, 10), 50);  // whole chunks: the first one
  EXPECT_EQ(s.AnnRows(101), 50);
  EXPECT_EQ(*s.BuildAnnStep(spec, 1000), 50);
  EXPECT_EQ(*s.BuildAnnStep(spec, 1000), 0);
  ASSERT_TRUE(s.ReadForSearch(10, {}, nullptr, 101, [&](const std::vector<RowRef>& rows,
                                                        const ChunkMasks& masks, const AnnView& ann) {
    // Both chunks are in the index: none is listed, both are covered.
    EXPECT_EQ(rows.size(), 0u);
    EXPECT_EQ(ann.covered_rows, 100);
    EXPECT_EQ(ann.covered_chunks.size(), 2u);
    EXPECT_EQ(CoveredRows(ann, masks).size(), 100u);
    EXPECT_EQ(CoveredRows(ann, masks)[60].row, 10);
    EXPECT_NE(ann.index, nullptr);
    float q[4] = {42, 42, 42, 42};
    index::IndexSearchParams ip;
    ip.ef = 16;
    index::QueryRef qr;
    qr.dense = q;
    auto hits = ann.index->Search(qr, 1, ip);
    EXPECT_EQ((*ann.labels)[hits[0].second].row, 42);
    return Status::Ok();
  }).ok());
  wal::WalEntry t;
  t.set_ts(7);
  t.set_truncate(true);
  ASSERT_TRUE(s.Apply(std::move(t)).ok());
  EXPECT_EQ(s.AnnRows(101), 0);
  spec.signature = "hnsw2";
  EXPECT_EQ(*s.BuildAnnStep(spec, 1000), 0);
}

}  // namespace
}  // namespace quiver::segment

namespace quiver::segment {
namespace {

// A saved index is installed only over the chunks it was built on: same order, timestamps,
// partitions and row counts.
TEST(GrowingStore, SavedAnnIndexLoadsOnlyOverTheChunksItCovers) {
  if (!index::HnswIndex::Supported()) GTEST_SKIP() << "no AVX2";
  AnnSpec spec;
  spec.field_id = 101;
  spec.config.kind = index::IndexKind::kHnsw;
  spec.config.dim = 4;
  spec.signature = "hnsw";
  GrowingStore a(100);
  ASSERT_TRUE(a.Apply(VectorEntry(5, 0, 50, 4)).ok());
  ASSERT_TRUE(a.Apply(VectorEntry(6, 50, 50, 4)).ok());
  ASSERT_EQ(*a.BuildAnnStep(spec, 1000), 100);
  auto saved = a.ExportAnn(101);
  ASSERT_TRUE(saved.ok()) << saved.status().ToString();
  EXPECT_EQ(saved->rows, 100);
  ASSERT_EQ(saved->chunks.size(), 2u);
  EXPECT_EQ(saved->chunks[1].ts, 6u);

  auto load = [&](GrowingStore& s) {
    auto idx = index::LoadVectorIndex(spec.config, saved->bytes);
    EXPECT_TRUE(idx.ok());
    return s.ImportAnn(spec, std::move(*idx), saved->chunks);
  };
  // The same chunks rebuilt (as recovery does), plus a newer one: loads, and the builder only
  // adds the newer chunk.
  GrowingStore b(100);
  ASSERT_TRUE(b.Apply(VectorEntry(5, 0, 50, 4)).ok());
  ASSERT_TRUE(b.Apply(VectorEntry(6, 50, 50, 4)).ok());
  ASSERT_TRUE(b.Apply(VectorEntry(8, 100, 30, 4)).ok());
  ASSERT_TRUE(load(b).ok());
  EXPECT_EQ(b.AnnRows(101), 100);
  EXPECT_EQ(b.AnnSignature(101), "hnsw");
  EXPECT_EQ(*b.BuildAnnStep(spec, 1000), 30);
  ASSERT_TRUE(b.ReadForSearch(10, {}, nullptr, 101, [&](const std::vector<RowRef>&, const ChunkMasks&,
                                                        const AnnView& ann) {
    float q[4] = {120, 120, 120, 120};
    index::QueryRef qr;
    qr.dense = q;
    index::IndexSearchParams ip;
    ip.ef = 16;
    auto hits = ann.index->Search(qr, 1, ip);
    EXPECT_EQ((*ann.labels)[hits[0].second].chunk->ts, 8u);
    EXPECT_EQ((*ann.labels)[hits[0].second].row, 20);
    return Status::Ok();
  }).ok());
  // A chunk missing (e.g. its partition was dropped) or of another size: refused.
  GrowingStore c(100);
  ASSERT_TRUE(c.Apply(VectorEntry(6, 50, 50, 4)).ok());
  EXPECT_EQ(load(c).code(), StatusCode::kFailedPrecondition);
  GrowingStore d(100);
  ASSERT_TRUE(d.Apply(VectorEntry(5, 0, 50, 4)).ok());
  ASSERT_TRUE(d.Apply(VectorEntry(6, 50, 49, 4)).ok());
  EXPECT_EQ(load(d).code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(d.AnnRows(101), 0);
}

TEST(GrowingStore, CompactionReportsWhetherItChangedTheChunks) {
  GrowingStore s(100);
  ASSERT_TRUE(s.Apply(VectorEntry(5, 0, 10, 4)).ok());
  const uint64_t g = s.Generation();
  EXPECT_FALSE(s.Compact(100, 0).changed);
  EXPECT_EQ(s.Generation(), g);
  wal::WalEntry del;
  del.set_ts(6);
  del.add_deletes()->mutable_pks()->mutable_int_id()->add_data(3);
  ASSERT_TRUE(s.Apply(std::move(del)).ok());
  EXPECT_TRUE(s.Compact(100, 0).changed);
  EXPECT_GT(s.Generation(), g);
}

}  // namespace
}  // namespace quiver::segment

namespace quiver::segment {
namespace {

// The compact pk index against a plain map: int and string keys, repeated keys (chains), growth
// past many table sizes, and removal by chunk.
TEST(PkIndex, MatchesAPlainMultimap) {
  std::vector<std::unique_ptr<Chunk>> chunks;
  for (int kind = 0; kind < 2; ++kind) {
    for (int c = 0; c < 40; ++c) {
      auto ch = std::make_unique<Chunk>();
      ch->partition_id = c % 3;
      ch->pk_field_id = 100;
      ch->num_rows = 1000;
      FieldData col;
      col.set_field_id(100);
      for (int r = 0; r < 1000; ++r) {
        const int64_t key = (c * 1000 + r) % 25000;  // every key appears once or twice
        if (kind == 0) col.mutable_scalars()->mutable_long_data()->add_data(key * 7919 - 100000);
        else col.mutable_scalars()->mutable_string_data()->add_data("k" + std::to_string(key));
      }
      ch->columns.push_back(col);
      ch->column_by_field[100] = 0;
      chunks.push_back(std::move(ch));
    }
  }
  PkIndex index;
  std::multimap<std::string, std::pair<const Chunk*, int64_t>> truth;
  for (size_t i = 0; i < chunks.size(); ++i) {
    Chunk* c = chunks[i].get();
    if (i % 2 == 0) {
      for (int64_t r = 0; r < c->num_rows; ++r) {
        index.Add(RowPk(*c, r), c, r);
        truth.emplace(RowPkKey(*c, r), std::make_pair(c, r));
      }
      continue;
    }
    // AddChunk visits, for each row in order, the rows already stored under its pk.
    std::multiset<std::pair<const Chunk*, int64_t>> visited, want;
    index.AddChunk(c, [&](const PkIndex::Loc& l) { visited.insert({l.chunk, l.row}); });
    for (int64_t r = 0; r < c->num_rows; ++r) {
      auto [a, b] = truth.equal_range(RowPkKey(*c, r));
      for (auto it = a; it != b; ++it) want.insert(it->second);
      truth.emplace(RowPkKey(*c, r), std::make_pair(c, r));
    }
    ASSERT_EQ(visited, want);
  }
  auto check = [&] {
    for (auto& c : chunks) {
      for (int64_t r = 0; r < c->num_rows; r += 7) {
        std::set<std::pair<const Chunk*, int64_t>> got, want;
        index.ForEach(RowPk(*c, r), [&](const PkIndex::Loc& l) { got.insert({l.chunk, l.row}); });
        auto [a, b] = truth.equal_range(RowPkKey(*c, r));
        for (auto it = a; it != b; ++it) want.insert(it->second);
        ASSERT_EQ(got, want);
      }
    }
    int found = 0;
    index.ForEach(PkValue{true, 123456789, {}}, [&](const PkIndex::Loc&) { ++found; });
    index.ForEach(PkValue{false, 0, "absent"}, [&](const PkIndex::Loc&) { ++found; });
    EXPECT_EQ(found, 0);
  };
  check();
  EXPECT_EQ(index.Rows(), truth.size());
  index.RemoveIf([](const Chunk& c) { return c.partition_id == 1; });
  std::erase_if(truth, [](const auto& kv) { return kv.second.first->partition_id == 1; });
  std::erase_if(chunks, [](const auto& c) { return c->partition_id == 1; });
  check();
  EXPECT_EQ(index.Rows(), truth.size());
}

}  // namespace
}  // namespace quiver::segment
