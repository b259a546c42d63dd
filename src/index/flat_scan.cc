#include "index/flat_scan.h"

#include <cblas.h>

#include <algorithm>
#include <cmath>
#include <vector>

// Declared here rather than taken from cblas.h: only OpenBLAS's header declares it, and the
// cblas.h alternative on a Debian machine may belong to another BLAS.
extern "C" void openblas_set_num_threads(int num_threads);

namespace quiver::index {
namespace {

// Parallelism belongs to the search executor (one level, STYLE.md): OpenBLAS must not start
// its own threads, whichever Debian variant (serial, pthread, openmp) the alternative selects.
void SingleThreadedBlasOnce() {
  static const bool done = [] {
    openblas_set_num_threads(1);
    return true;
  }();
  (void)done;
}

float SafeRatio(float ip, float norms) { return norms == 0 ? 0.0f : ip / norms; }

}  // namespace

void ScoreTileByKernel(Metric metric, const float* queries, const float* query_norms, int64_t nq,
                       const float* rows, int64_t n, int64_t dim, float* out) {
  // Row-major over rows: each row is read from memory once and scored against every query.
  for (int64_t j = 0; j < n; ++j) {
    const float* x = rows + j * dim;
    switch (metric) {
      case Metric::kL2:
        for (int64_t i = 0; i < nq; ++i) out[i * n + j] = L2Squared(queries + i * dim, x, dim);
        break;
      case Metric::kIP:
        for (int64_t i = 0; i < nq; ++i) out[i * n + j] = InnerProduct(queries + i * dim, x, dim);
        break;
      case Metric::kCosine: {
        const float xn = Norm(x, dim);
        for (int64_t i = 0; i < nq; ++i) {
          out[i * n + j] = SafeRatio(InnerProduct(queries + i * dim, x, dim), xn * query_norms[i]);
        }
        break;
      }
      default:
        for (int64_t i = 0; i < nq; ++i) out[i * n + j] = NAN;
    }
  }
}

void ScoreTile(Metric metric, const float* queries, const float* query_norms, int64_t nq,
               const float* rows, int64_t n, int64_t dim, float* out) {
  const bool dense_metric =
      metric == Metric::kL2 || metric == Metric::kIP || metric == Metric::kCosine;
  if (nq < kBlasMinQueries || n == 0 || !dense_metric) {
    ScoreTileByKernel(metric, queries, query_norms, nq, rows, n, dim, out);
    return;
  }
  SingleThreadedBlasOnce();
  // out = Q · Xᵀ: (nq × dim) times (dim × n).
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, static_cast<int>(nq), static_cast<int>(n),
              static_cast<int>(dim), 1.0f, queries, static_cast<int>(dim), rows,
              static_cast<int>(dim), 0.0f, out, static_cast<int>(n));
  if (metric == Metric::kIP) return;
  std::vector<float> row_norms(static_cast<size_t>(n));
  for (int64_t j = 0; j < n; ++j) {
    const float sq = InnerProduct(rows + j * dim, rows + j * dim, dim);
    row_norms[static_cast<size_t>(j)] = metric == Metric::kL2 ? sq : std::sqrt(sq);
  }
  for (int64_t i = 0; i < nq; ++i) {
    float* o = out + i * n;
    if (metric == Metric::kL2) {
      // |q − x|² = |q|² + |x|² − 2·q·x; rounding can take an exact 0 slightly below it.
      const float qq = InnerProduct(queries + i * dim, queries + i * dim, dim);
      for (int64_t j = 0; j < n; ++j)
        o[j] = std::max(0.0f, qq + row_norms[static_cast<size_t>(j)] - 2.0f * o[j]);
    } else {
      const float qn = query_norms[i];
      for (int64_t j = 0; j < n; ++j)
        o[j] = SafeRatio(o[j], row_norms[static_cast<size_t>(j)] * qn);
    }
  }
}

}  // namespace quiver::index
