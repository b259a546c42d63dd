#include "expr/like_matcher.h"

#include "expr/errors.h"

namespace quiver::expr {
namespace {

// Bytes of the UTF-8 character starting at s[p]; invalid bytes count as one character.
size_t CharLen(std::string_view s, size_t p) {
  auto b = static_cast<unsigned char>(s[p]);
  size_t len = b < 0x80                   ? 1
               : (b >= 0xC2 && b <= 0xDF) ? 2
               : (b & 0xF0) == 0xE0       ? 3
               : (b >= 0xF0 && b <= 0xF4) ? 4
                                          : 1;
  if (p + len > s.size()) return 1;
  for (size_t k = 1; k < len; ++k) {
    if ((static_cast<unsigned char>(s[p + k]) & 0xC0) != 0x80) return 1;
  }
  return len;
}

}  // namespace

Result<LikePattern> LikePattern::Compile(std::string_view pattern) {
  std::vector<Piece> pieces;
  pieces.reserve(pattern.size());
  for (size_t p = 0; p < pattern.size(); ++p) {
    char c = pattern[p];
    if (c == '\\') {
      if (p + 1 >= pattern.size()) {
        return ExprError("invalid LIKE pattern '{}': trailing escape character", pattern);
      }
      pieces.push_back({pattern[++p], false});
    } else {
      pieces.push_back({c, c == '%' || c == '_'});
    }
  }
  LikePattern out;
  size_t lead = 0;
  while (lead < pieces.size() && pieces[lead].wildcard && pieces[lead].byte == '%') ++lead;
  size_t trail = 0;
  while (trail < pieces.size() - lead && pieces[pieces.size() - 1 - trail].wildcard &&
         pieces[pieces.size() - 1 - trail].byte == '%') {
    ++trail;
  }
  bool core_wild = false;
  for (size_t k = lead; k < pieces.size() - trail; ++k) core_wild |= pieces[k].wildcard;
  if (!core_wild) {
    for (size_t k = lead; k < pieces.size() - trail; ++k) out.literal_.push_back(pieces[k].byte);
    if (lead == pieces.size()) {
      out.kind_ = pieces.empty() ? Kind::kEqual : Kind::kPrefix;  // "%" matches everything
    } else if (lead > 0 && trail > 0) {
      out.kind_ = Kind::kInner;
    } else if (lead > 0) {
      out.kind_ = Kind::kPostfix;
    } else if (trail > 0) {
      out.kind_ = Kind::kPrefix;
    } else {
      out.kind_ = Kind::kEqual;
    }
    return out;
  }
  out.kind_ = Kind::kMatch;
  out.pieces_ = std::move(pieces);
  return out;
}

bool LikePattern::Matches(std::string_view s) const {
  switch (kind_) {
    case Kind::kEqual:
      return s == literal_;
    case Kind::kPrefix:
      return s.substr(0, literal_.size()) == literal_;
    case Kind::kPostfix:
      return s.size() >= literal_.size() && s.substr(s.size() - literal_.size()) == literal_;
    case Kind::kInner:
      return s.find(literal_) != std::string_view::npos;
    case Kind::kMatch:
      return MatchGeneral(s);
  }
  return false;
}

// Greedy wildcard matching with one backtrack point (the last '%'): O(|s| * |pattern|) worst
// case, no recursion.
bool LikePattern::MatchGeneral(std::string_view s) const {
  size_t si = 0, pi = 0;
  size_t star_pi = std::string::npos, star_si = 0;
  const size_t n = pieces_.size();
  while (si < s.size()) {
    if (pi < n) {
      const Piece& p = pieces_[pi];
      if (p.wildcard && p.byte == '%') {
        star_pi = pi++;
        star_si = si;
        continue;
      }
      if (p.wildcard) {  // '_'
        si += CharLen(s, si);
        ++pi;
        continue;
      }
      if (p.byte == s[si]) {
        ++si;
        ++pi;
        continue;
      }
    }
    if (star_pi == std::string::npos) return false;
    pi = star_pi + 1;
    star_si += CharLen(s, star_si);
    si = star_si;
  }
  while (pi < n && pieces_[pi].wildcard && pieces_[pi].byte == '%') ++pi;
  return pi == n;
}

}  // namespace quiver::expr
