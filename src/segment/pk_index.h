// PkIndex maps a primary key (int64 or string) to the stored rows that carry it (usually one;
// older rows of a pk stay until compaction). Compact: 16 bytes per row (chunk, row, chain link)
// plus an open-addressing table of 8-byte slots (head entry, 32 hash bits) at most 70 % full,
// about 28 bytes per row against ~130 for a node-based map of strings. Keys are not stored: a
// probe compares the pk read from the row the slot points to, so the index borrows the chunks
// (they must outlive it, or the index be rebuilt without them).
//
// Thread-safety: none; GrowingStore guards it with its own lock.
#pragma once

#include <cstdint>
#include <functional>
#include <string_view>
#include <vector>

namespace quiver::segment {

struct Chunk;

// A primary key value as read from a request or a stored row (the string is borrowed).
struct PkValue {
  bool is_int = true;
  int64_t i = 0;
  std::string_view s;
  bool operator==(const PkValue& o) const {
    return is_int == o.is_int && (is_int ? i == o.i : s == o.s);
  }
};

// The pk of row `row` of a chunk.
PkValue RowPk(const Chunk& chunk, int64_t row);

class PkIndex {
 public:
  struct Loc {
    Chunk* chunk;
    int64_t row;
  };

  void Add(const PkValue& pk, Chunk* chunk, int64_t row);
  // Adds every row of `chunk` in order, first calling older(loc) for each row already stored
  // under that row's pk (rows of the chunk added before it included). One probe per row, the
  // table's slots prefetched a few rows ahead: a bulk load is bound by cache misses otherwise.
  void AddChunk(Chunk* chunk, const std::function<void(const Loc&)>& older);
  // Calls fn for each stored row with this pk.
  void ForEach(const PkValue& pk, const std::function<void(const Loc&)>& fn) const;
  // Drops the rows `drop` selects (rebuilds the table).
  void RemoveIf(const std::function<bool(const Chunk&)>& drop);
  void Clear();
  void Reserve(size_t rows);
  size_t Rows() const { return entries_.size(); }

 private:
  struct Entry {
    Chunk* chunk;
    uint32_t row;
    uint32_t next;  // entry index + 1 of the next row with the same pk; 0 ends the chain
  };
  struct Slot {
    uint32_t head = 0;  // entry index + 1; 0 = empty
    uint32_t tag = 0;   // high hash bits, to skip most foreign keys without reading their rows
  };
  static uint64_t Hash(const PkValue& pk);
  // The slot holding pk's chain, or the empty slot where it would go.
  size_t Find(const PkValue& pk, uint64_t hash) const;
  // Puts (chunk, row) at the head of slot s's chain (s holds the pk, or is empty for it).
  void Push(Slot& s, uint64_t hash, Chunk* chunk, uint32_t row);
  void Grow();

  std::vector<Entry> entries_;
  std::vector<Slot> slots_;  // size a power of two (or 0)
  size_t used_ = 0;          // non-empty slots
};

}  // namespace quiver::segment
