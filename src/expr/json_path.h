// JSON helpers shared by the evaluator and the scalar index builder, so both resolve a path in
// a document the same way: what a predicate sees is exactly what an index over the path holds.
// Internal to src/expr. Pure functions; thread-safe.
#pragma once

#include <charconv>
#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace quiver::expr {

// nlohmann stores non-negative integers as unsigned; view any integer that fits as int64.
inline bool JsonInt(const nlohmann::json& j, int64_t* out) {
  if (j.is_number_unsigned()) {
    auto u = j.get<uint64_t>();
    if (u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return false;
    *out = static_cast<int64_t>(u);
    return true;
  }
  if (j.is_number_integer()) {
    *out = j.get<int64_t>();
    return true;
  }
  return false;
}

inline bool ParseIndex(const std::string& s, size_t* out) {
  uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return false;
  *out = static_cast<size_t>(v);
  return true;
}

// The value at path[from..] in `doc` (object keys; decimal indexes into arrays), or null.
inline const nlohmann::json* ResolveJsonPath(const nlohmann::json& doc,
                                             const std::vector<std::string>& path,
                                             size_t from = 0) {
  const nlohmann::json* j = &doc;
  for (size_t p = from; p < path.size(); ++p) {
    const std::string& key = path[p];
    if (j->is_object()) {
      auto it = j->find(key);
      if (it == j->end()) return nullptr;
      j = &*it;
    } else if (j->is_array()) {
      size_t idx = 0;
      if (!ParseIndex(key, &idx) || idx >= j->size()) return nullptr;
      j = &(*j)[idx];
    } else {
      return nullptr;
    }
  }
  return j;
}

// A stored JSON document; text that does not parse reads as JSON null.
inline nlohmann::json ParseJsonOrNull(std::string_view text) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return nullptr;
  return j;
}

}  // namespace quiver::expr
