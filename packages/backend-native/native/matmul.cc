#include <algorithm>
#include <cblas.h>
#include <omp.h>
#include "kernels.h"

namespace ebt {

// A large product is split into this many parts per thread (fewer than the element-wise kernels' four: each
// part packs the whole of the other operand again, which costs the weight gradients' long-k products).
constexpr int kMatMulPartsPerThread = 2;

static int numThreads = omp_get_num_procs();

void setThreads(int n) {
  numThreads = std::max(1, n);
  // One pool of threads for everything: OpenMP splits the work, each part is a single-threaded sgemm.
  // OpenBLAS's own pool would spin against OpenMP's on the same cores.
  openblas_set_num_threads(1);
  omp_set_num_threads(numThreads);
}

int threads() { return numThreads; }

static void sgemm(const float* a, const float* b, float* c, int m, int n, int k, bool transA, bool transB, int lda,
                  int ldb, int ldc) {
  cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans, m, n, k, 1.0f, a,
              lda, b, ldb, 0.0f, c, ldc);
}

// c[rows, cols] (row stride ldc) += bias[cols]
static void addBias(float* c, const float* bias, int rows, int cols, int ldc) {
  if (!bias) return;
  for (int64_t i = 0; i < rows; i++) {
    float* __restrict row = c + i * ldc;
#pragma omp simd
    for (int j = 0; j < cols; j++) row[j] += bias[j];
  }
}

void batchMatMul(const float* a, const float* b, float* c, int batchA, int batchB, int m, int n, int k, bool transA,
                 bool transB, const float* bias) {
  const int batch = std::max(batchA, batchB);
  const int lda = transA ? m : k, ldb = transB ? k : n;
  const int64_t sizeA = int64_t(m) * k, sizeB = int64_t(k) * n, sizeC = int64_t(m) * n;
  if (m == 0 || n == 0) return;
  if (k == 0) {
    std::fill(c, c + batch * sizeC, 0.0f);
    for (int i = 0; i < batch; i++) addBias(c + i * sizeC, bias, m, n, n);
    return;
  }
  const double flops = 2.0 * m * n * k;
  if (batch >= numThreads || numThreads == 1 || flops < 1e6) {
    // Small or many matrices: one whole product per thread.
#pragma omp parallel for schedule(dynamic, 1) if (numThreads > 1 && batch > 1 && flops * batch > 1e6)
    for (int i = 0; i < batch; i++) {
      sgemm(a + (i % batchA) * sizeA, b + (i % batchB) * sizeB, c + i * sizeC, m, n, k, transA, transB, lda, ldb, n);
      addBias(c + i * sizeC, bias, m, n, n);
    }
    return;
  }
  // Few large products: split each across the threads along its longer output side.
  for (int i = 0; i < batch; i++) {
    const float* ai = a + (i % batchA) * sizeA;
    const float* bi = b + (i % batchB) * sizeB;
    float* ci = c + i * sizeC;
    const bool splitRows = m >= n;
    const int side = splitRows ? m : n;
    // Parts are multiples of 16 rows/columns so that every part keeps the BLAS kernel's full tiles.
    const int want = numThreads * kMatMulPartsPerThread;
    const int part = std::max(16, ((side + want - 1) / want + 15) / 16 * 16);
    const int parts = (side + part - 1) / part;
#pragma omp parallel for schedule(dynamic, 1) num_threads(std::min(numThreads, parts))
    for (int p = 0; p < parts; p++) {
      const int lo = p * part, len = std::min(part, side - lo);
      if (splitRows) {
        const float* ap = transA ? ai + lo : ai + int64_t(lo) * lda;
        sgemm(ap, bi, ci + int64_t(lo) * n, len, n, k, transA, transB, lda, ldb, n);
        addBias(ci + int64_t(lo) * n, bias, len, n, n);
      } else {
        const float* bp = transB ? bi + int64_t(lo) * ldb : bi + lo;
        sgemm(ai, bp, ci + lo, m, len, k, transA, transB, lda, ldb, n);
        addBias(ci + lo, bias ? bias + lo : nullptr, m, len, n);
      }
    }
  }
}

// One sgemm per (batch, head), each operand found at p + i * s0 + h * s1 with its own leading dimension: the
// heads of attention read from and written into the [B, T, H * d] layout of the projections, never transposed.
// The products are those of batchMatMul on the transposed copies (the same sgemm on the same numbers).
void headMatMul(const StridedOperand& a, const StridedOperand& b, const StridedOutput& c, int batch, int heads, int m,
                int n, int k, bool transA, bool transB) {
  if (m == 0 || n == 0 || batch == 0 || heads == 0) return;
  const int64_t count = int64_t(batch) * heads;
  const double flops = 2.0 * m * n * k;
#pragma omp parallel for schedule(dynamic, 1) if (numThreads > 1 && count > 1 && flops * count > 1e6)
  for (int64_t bh = 0; bh < count; bh++) {
    const int64_t i = bh / heads, h = bh % heads;
    float* ci = c.p + i * c.s0 + h * c.s1;
    if (k == 0) {
      for (int r = 0; r < m; r++) std::fill(ci + int64_t(r) * c.ld, ci + int64_t(r) * c.ld + n, 0.0f);
      continue;
    }
    sgemm(a.p + i * a.s0 + h * a.s1, b.p + i * b.s0 + h * b.s1, ci, m, n, k, transA, transB, a.ld, b.ld, c.ld);
  }
}

}  // namespace ebt
