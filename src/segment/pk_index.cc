#include "segment/pk_index.h"

#include <algorithm>
#include <bit>
#include <functional>

#include "common/logging.h"
#include "segment/growing_store.h"

namespace quiver::segment {

PkValue RowPk(const Chunk& chunk, int64_t row) {
  const auto& s = chunk.PkColumn()->scalars();
  PkValue v;
  if (s.has_long_data()) {
    v.i = s.long_data().data(static_cast<int>(row));
  } else {
    v.is_int = false;
    v.s = s.string_data().data(static_cast<int>(row));
  }
  return v;
}

uint64_t PkIndex::Hash(const PkValue& pk) {
  if (!pk.is_int) return std::hash<std::string_view>{}(pk.s) * 0x9e3779b97f4a7c15ULL;
  // splitmix64's finaliser: consecutive ids spread over the whole table.
  uint64_t z = static_cast<uint64_t>(pk.i) + 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

size_t PkIndex::Find(const PkValue& pk, uint64_t hash) const {
  const size_t mask = slots_.size() - 1;
  const auto tag = static_cast<uint32_t>(hash >> 32);
  for (size_t i = hash & mask;; i = (i + 1) & mask) {
    const Slot& s = slots_[i];
    if (s.head == 0) return i;
    if (s.tag != tag) continue;
    const Entry& e = entries_[s.head - 1];
    if (RowPk(*e.chunk, e.row) == pk) return i;
  }
}

void PkIndex::Grow() {
  std::vector<Slot> old = std::move(slots_);
  slots_.assign(old.empty() ? 1024 : old.size() * 2, Slot{});
  const size_t mask = slots_.size() - 1;
  for (const Slot& s : old) {
    if (s.head == 0) continue;
    const Entry& e = entries_[s.head - 1];
    const uint64_t h = Hash(RowPk(*e.chunk, e.row));
    size_t i = h & mask;
    while (slots_[i].head != 0) i = (i + 1) & mask;
    slots_[i] = s;
  }
}

void PkIndex::Add(const PkValue& pk, Chunk* chunk, int64_t row) {
  QV_CHECK(row >= 0 && row <= UINT32_MAX && entries_.size() < UINT32_MAX);
  if ((used_ + 1) * 10 > slots_.size() * 7) Grow();
  const uint64_t h = Hash(pk);
  Push(slots_[Find(pk, h)], h, chunk, static_cast<uint32_t>(row));
}

void PkIndex::Push(Slot& s, uint64_t hash, Chunk* chunk, uint32_t row) {
  if (s.head == 0) {
    s.tag = static_cast<uint32_t>(hash >> 32);
    ++used_;
  }
  entries_.push_back({chunk, row, s.head});
  s.head = static_cast<uint32_t>(entries_.size());
}

void PkIndex::AddChunk(Chunk* chunk, const std::function<void(const Loc&)>& older) {
  const int64_t n = chunk->num_rows;
  if (n <= 0) return;
  QV_CHECK(n - 1 <= UINT32_MAX && entries_.size() + static_cast<size_t>(n) < UINT32_MAX);
  // Grown once for the whole chunk (each row uses at most one new slot), so the mask below holds.
  Reserve(entries_.size() + static_cast<size_t>(n));
  // Each row's key is read once (a string key is a copy) and hashed ahead, for the prefetch.
  std::vector<PkValue> pks(static_cast<size_t>(n));
  std::vector<uint64_t> hashes(static_cast<size_t>(n));
  for (int64_t r = 0; r < n; ++r) {
    pks[static_cast<size_t>(r)] = RowPk(*chunk, r);
    hashes[static_cast<size_t>(r)] = Hash(pks[static_cast<size_t>(r)]);
  }
  const size_t mask = slots_.size() - 1;
  constexpr int64_t kAhead = 16;
  for (int64_t r = 0; r < n; ++r) {
    if (r + kAhead < n) __builtin_prefetch(&slots_[hashes[static_cast<size_t>(r + kAhead)] & mask]);
    const uint64_t h = hashes[static_cast<size_t>(r)];
    Slot& s = slots_[Find(pks[static_cast<size_t>(r)], h)];
    for (uint32_t e = s.head; e != 0; e = entries_[e - 1].next)
      older({entries_[e - 1].chunk, entries_[e - 1].row});
    Push(s, h, chunk, static_cast<uint32_t>(r));
  }
}

void PkIndex::ForEach(const PkValue& pk, const std::function<void(const Loc&)>& fn) const {
  if (slots_.empty()) return;
  const Slot& s = slots_[Find(pk, Hash(pk))];
  for (uint32_t e = s.head; e != 0; e = entries_[e - 1].next)
    fn({entries_[e - 1].chunk, entries_[e - 1].row});
}

void PkIndex::RemoveIf(const std::function<bool(const Chunk&)>& drop) {
  std::vector<Entry> kept;
  kept.reserve(entries_.size());
  for (const Entry& e : entries_) {
    if (!drop(*e.chunk)) kept.push_back(e);
  }
  Clear();
  Reserve(kept.size());
  for (const Entry& e : kept) Add(RowPk(*e.chunk, e.row), e.chunk, e.row);
}

void PkIndex::Clear() {
  entries_.clear();
  slots_.clear();
  used_ = 0;
}

void PkIndex::Reserve(size_t rows) {
  // Geometric, as push_back: a reserve per insert batch must not copy the entries every time.
  if (rows > entries_.capacity()) entries_.reserve(std::max(rows, entries_.capacity() * 2));
  size_t want = 1024;
  while (want * 7 < rows * 10) want *= 2;
  if (want > slots_.size()) {
    // Grow doubles: step up to the size below, then once more.
    while (slots_.size() * 2 <= want) Grow();
  }
}

}  // namespace quiver::segment
