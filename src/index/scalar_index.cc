#include "index/scalar_index.h"

#include <algorithm>
#include <bit>
#include <numeric>

namespace quiver::index {

const char* ScalarIndexKindName(ScalarIndexKind kind) {
  switch (kind) {
    case ScalarIndexKind::kInverted:
      return "INVERTED";
    case ScalarIndexKind::kBitmap:
      return "BITMAP";
    case ScalarIndexKind::kStlSort:
      return "STL_SORT";
    case ScalarIndexKind::kTrie:
      return "Trie";
  }
  return "?";
}

namespace {

// Sorts entries by (key, row), drops repeated (key, row) pairs, and hands the result out as
// the key vector (moved into `keys`) and the matching rows.
template <typename K>
void SortEntries(std::vector<K>& keys, std::vector<uint32_t>& rows) {
  std::vector<uint32_t> perm(keys.size());
  std::iota(perm.begin(), perm.end(), 0u);
  std::sort(perm.begin(), perm.end(), [&](uint32_t a, uint32_t b) {
    if (keys[a] < keys[b]) return true;
    if (keys[b] < keys[a]) return false;
    return rows[a] < rows[b];
  });
  std::vector<K> sorted_keys;
  std::vector<uint32_t> sorted_rows;
  sorted_keys.reserve(keys.size());
  sorted_rows.reserve(keys.size());
  for (uint32_t p : perm) {
    if (!sorted_keys.empty() && sorted_rows.back() == rows[p] && !(sorted_keys.back() < keys[p]) &&
        !(keys[p] < sorted_keys.back())) {
      continue;  // the same element twice in one row
    }
    sorted_keys.push_back(std::move(keys[p]));
    sorted_rows.push_back(rows[p]);
  }
  keys = std::move(sorted_keys);
  rows = std::move(sorted_rows);
}

// Merges equal adjacent keys: keys become distinct, offsets[k] is the first entry of key k.
template <typename K>
std::vector<uint32_t> Distinct(std::vector<K>& keys) {
  std::vector<uint32_t> offsets;
  std::vector<K> distinct;
  for (size_t i = 0; i < keys.size(); ++i) {
    if (i == 0 || distinct.back() < keys[i]) {
      offsets.push_back(static_cast<uint32_t>(i));
      distinct.push_back(std::move(keys[i]));
    }
  }
  offsets.push_back(static_cast<uint32_t>(keys.size()));
  keys = std::move(distinct);
  return offsets;
}

}  // namespace

std::unique_ptr<const ScalarIndex> ScalarIndex::Build(ScalarIndexKind kind, ScalarIndexInput in) {
  std::unique_ptr<ScalarIndex> ix(new ScalarIndex());
  ix->kind_ = kind;
  ix->type_ = in.type;
  ix->rows_ = in.rows;
  ix->elements_ = in.elements;
  ix->inexact_ints_ = in.inexact_ints;
  ix->valid_ = std::move(in.valid);
  ix->present_ = std::move(in.present);
  ix->nan_rows_ = std::move(in.nan_rows);
  std::sort(ix->nan_rows_.begin(), ix->nan_rows_.end());
  std::vector<uint32_t> rows = std::move(in.key_rows);
  const bool distinct = kind != ScalarIndexKind::kStlSort;
  switch (in.type) {
    case ScalarKeyType::kBool:
    case ScalarKeyType::kInt:
      ix->ints_ = std::move(in.ints);
      SortEntries(ix->ints_, rows);
      if (distinct) ix->offsets_ = Distinct(ix->ints_);
      break;
    case ScalarKeyType::kDouble:
      ix->doubles_ = std::move(in.doubles);
      SortEntries(ix->doubles_, rows);
      if (distinct) ix->offsets_ = Distinct(ix->doubles_);
      break;
    case ScalarKeyType::kString:
      ix->strings_ = std::move(in.strings);
      SortEntries(ix->strings_, rows);
      if (distinct) ix->offsets_ = Distinct(ix->strings_);
      break;
  }
  // Within one key, rows are ascending (entries were sorted by key, then row).
  if (kind == ScalarIndexKind::kBitmap && !ix->offsets_.empty()) {
    const size_t keys = ix->offsets_.size() - 1;
    const size_t words = static_cast<size_t>((ix->rows_ + 63) / 64);
    ix->bitmap_of_.assign(keys, -1);
    std::vector<uint32_t> kept;
    std::vector<uint32_t> offsets{0};
    for (size_t k = 0; k < keys; ++k) {
      const uint32_t b = ix->offsets_[k], e = ix->offsets_[k + 1];
      if (static_cast<int64_t>(e - b) * 32 >= ix->rows_) {
        std::vector<uint64_t> bits(words, 0);
        for (uint32_t i = b; i < e; ++i) bits[rows[i] >> 6] |= uint64_t{1} << (rows[i] & 63);
        ix->bitmap_of_[k] = static_cast<int32_t>(ix->bitmaps_.size());
        ix->bitmaps_.push_back(std::move(bits));
      } else {
        kept.insert(kept.end(), rows.begin() + b, rows.begin() + e);
      }
      offsets.push_back(static_cast<uint32_t>(kept.size()));
    }
    rows = std::move(kept);
    ix->offsets_ = std::move(offsets);
  }
  ix->row_ids_ = std::move(rows);
  return ix;
}

size_t ScalarIndex::KeyCount() const {
  switch (type_) {
    case ScalarKeyType::kDouble:
      return doubles_.size();
    case ScalarKeyType::kString:
      return strings_.size();
    default:
      return ints_.size();
  }
}

size_t ScalarIndex::LowerBound(int64_t v) const {
  return static_cast<size_t>(std::lower_bound(ints_.begin(), ints_.end(), v) - ints_.begin());
}
size_t ScalarIndex::UpperBound(int64_t v) const {
  return static_cast<size_t>(std::upper_bound(ints_.begin(), ints_.end(), v) - ints_.begin());
}
size_t ScalarIndex::LowerBound(double v) const {
  return static_cast<size_t>(std::lower_bound(doubles_.begin(), doubles_.end(), v) -
                             doubles_.begin());
}
size_t ScalarIndex::UpperBound(double v) const {
  return static_cast<size_t>(std::upper_bound(doubles_.begin(), doubles_.end(), v) -
                             doubles_.begin());
}
size_t ScalarIndex::LowerBound(std::string_view v) const {
  return static_cast<size_t>(
      std::lower_bound(strings_.begin(), strings_.end(), v,
                       [](const std::string& a, std::string_view b) { return a < b; }) -
      strings_.begin());
}
size_t ScalarIndex::UpperBound(std::string_view v) const {
  return static_cast<size_t>(
      std::upper_bound(strings_.begin(), strings_.end(), v,
                       [](std::string_view a, const std::string& b) { return a < b; }) -
      strings_.begin());
}

std::pair<size_t, size_t> ScalarIndex::PrefixRange(std::string_view prefix) const {
  const size_t from = LowerBound(prefix);
  // Keys with the prefix are contiguous from `from`: they sort before any key without it
  // that is >= prefix.
  auto it =
      std::partition_point(strings_.begin() + static_cast<std::ptrdiff_t>(from), strings_.end(),
                           [&](const std::string& s) { return s.starts_with(prefix); });
  return {from, static_cast<size_t>(it - strings_.begin())};
}

void ScalarIndex::SetPosition(size_t pos, uint64_t* words) const {
  if (!bitmap_of_.empty() && bitmap_of_[pos] >= 0) {
    const std::vector<uint64_t>& bits = bitmaps_[static_cast<size_t>(bitmap_of_[pos])];
    for (size_t w = 0; w < bits.size(); ++w) words[w] |= bits[w];
    return;
  }
  for (uint32_t i = offsets_[pos]; i < offsets_[pos + 1]; ++i) {
    words[row_ids_[i] >> 6] |= uint64_t{1} << (row_ids_[i] & 63);
  }
}

void ScalarIndex::SetRows(size_t from, size_t to, uint64_t* words) const {
  if (from >= to) return;
  if (offsets_.empty()) {  // kStlSort: one entry per position
    for (size_t i = from; i < to; ++i) words[row_ids_[i] >> 6] |= uint64_t{1} << (row_ids_[i] & 63);
    return;
  }
  if (bitmap_of_.empty()) {  // row lists of consecutive keys are consecutive
    for (uint32_t i = offsets_[from]; i < offsets_[to]; ++i) {
      words[row_ids_[i] >> 6] |= uint64_t{1} << (row_ids_[i] & 63);
    }
    return;
  }
  for (size_t k = from; k < to; ++k) SetPosition(k, words);
}

int64_t ScalarIndex::CountRows(size_t from, size_t to) const {
  if (from >= to) return 0;
  if (offsets_.empty()) return static_cast<int64_t>(to - from);
  int64_t n = 0;
  for (size_t k = from; k < to; ++k) {
    if (!bitmap_of_.empty() && bitmap_of_[k] >= 0) {
      for (uint64_t w : bitmaps_[static_cast<size_t>(bitmap_of_[k])]) n += std::popcount(w);
    } else {
      n += offsets_[k + 1] - offsets_[k];
    }
  }
  return n;
}

size_t ScalarIndex::MemoryBytes() const {
  size_t n = ints_.size() * 8 + doubles_.size() * 8 + offsets_.size() * 4 + row_ids_.size() * 4 +
             bitmap_of_.size() * 4 + nan_rows_.size() * 4 + (valid_.size() + present_.size()) * 8;
  for (const auto& s : strings_) n += sizeof(std::string) + (s.size() > 15 ? s.size() : 0);
  for (const auto& b : bitmaps_) n += b.size() * 8;
  return n;
}

}  // namespace quiver::index
