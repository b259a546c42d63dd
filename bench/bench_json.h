// JSON lines for the benchmarks' result files (`make bench` writes one per benchmark into
// build/bench-results/): TakeOutFlag removes `--out FILE` from the arguments, JsonLines appends
// one flat object per Write. Values are numbers or strings, written in insertion order. For
// benchmarks only; not thread-safe.
#pragma once

#include <cmath>
#include <cstdio>
#include <fstream>
#include <string>
#include <utility>
#include <type_traits>
#include <vector>

namespace bench {

// Removes "--out FILE" from argv (argc shrinks) and returns FILE, or "" when absent.
inline std::string TakeOutFlag(int& argc, char** argv) {
  std::string out;
  int w = 1;
  for (int r = 1; r < argc; ++r) {
    if (std::string(argv[r]) == "--out" && r + 1 < argc) {
      out = argv[++r];
      continue;
    }
    argv[w++] = argv[r];
  }
  argc = w;
  return out;
}

// A number or a string.
struct JsonValue {
  template <typename T>
    requires std::is_arithmetic_v<T>
  JsonValue(T v) : number(static_cast<double>(v)) {}  // NOLINT: implicit, for brace lists
  JsonValue(std::string s) : is_string(true), text(std::move(s)) {}  // NOLINT
  JsonValue(const char* s) : is_string(true), text(s) {}             // NOLINT
  bool is_string = false;
  double number = 0;
  std::string text;
};
using JsonFields = std::vector<std::pair<std::string, JsonValue>>;

class JsonLines {
 public:
  // No file when `path` is empty: Write does nothing.
  explicit JsonLines(const std::string& path) {
    if (!path.empty()) out_.open(path);
  }
  void Write(const JsonFields& fields) {
    if (!out_) return;
    std::string line = "{";
    for (const auto& [key, value] : fields) {
      if (line.size() > 1) line += ",";
      line += Quote(key) + ":";
      if (value.is_string) {
        line += Quote(value.text);
      } else if (!std::isfinite(value.number)) {
        line += "null";
      } else {
        // Whole numbers (counts, rows) as integers; the rest with 6 significant digits.
        char buf[40];
        const double v = value.number;
        if (v == std::floor(v) && std::fabs(v) < 1e15) {
          std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(v));
        } else {
          std::snprintf(buf, sizeof buf, "%.6g", v);
        }
        line += buf;
      }
    }
    out_ << line << "}\n";
    out_.flush();
  }

 private:
  static std::string Quote(const std::string& s) {
    std::string q = "\"";
    for (char c : s) {
      if (c == '"' || c == '\\') q += '\\';
      q += c;
    }
    return q + "\"";
  }
  std::ofstream out_;
};

}  // namespace bench
