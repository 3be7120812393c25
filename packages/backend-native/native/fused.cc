// Fused kernels for the two patterns of a transformer layer that tfjs would otherwise run as many small ops
// (each a full pass over memory): exact GELU and LayerNorm over the last axis, forward and backward.
#include <algorithm>
#include <cmath>
#include <vector>
#include <omp.h>
#include "kernels.h"
#include "parallel.h"
#include "vmath.h"

namespace ebt {

static constexpr float kInvSqrt2Pi = 0.39894228040143267794f;

// y = x Phi(x)
void gelu(const float* x, float* y, int64_t n) {
  parallelChunks(n, n, [&](int, int64_t lo, int64_t hi) {
#pragma omp simd
    for (int64_t i = lo; i < hi; i++) y[i] = x[i] * normalCdf(x[i], normalTail(x[i], gaussian(x[i])));
  });
}

// dx = dy * (Phi(x) + x phi(x))
void geluGrad(const float* dy, const float* x, float* dx, int64_t n) {
  parallelChunks(n, n, [&](int, int64_t lo, int64_t hi) {
#pragma omp simd
    for (int64_t i = lo; i < hi; i++) {
      const float v = x[i], g = gaussian(v);
      dx[i] = dy[i] * (normalCdf(v, normalTail(v, g)) + v * kInvSqrt2Pi * g);
    }
  });
}

// Each row's mean and variance are float64 sums over its columns, as the composite ops accumulate; the sums
// run in vector lanes (`omp simd reduction`: a fixed order for a given build, so runs repeat exactly), where
// they were one serial chain per row.
struct RowStats {
  float mean, rstd;
};

static RowStats rowStats(const float* __restrict x, int64_t cols, float eps) {
  double s = 0, v = 0;
#pragma omp simd reduction(+ : s)
  for (int64_t j = 0; j < cols; j++) s += x[j];
  const double m = s / double(cols);
#pragma omp simd reduction(+ : v)
  for (int64_t j = 0; j < cols; j++) v += (x[j] - m) * (x[j] - m);
  return {float(m), float(1.0 / std::sqrt(v / double(cols) + eps))};
}

void layerNorm(const float* x, const float* gamma, const float* beta, float* y, int64_t rows, int64_t cols, float eps) {
  parallelChunks(rows, rows * cols, [&](int, int64_t lo, int64_t hi) {
    for (int64_t r = lo; r < hi; r++) {
      const float* __restrict xr = x + r * cols;
      float* __restrict yr = y + r * cols;
      const RowStats st = rowStats(xr, cols, eps);
#pragma omp simd
      for (int64_t j = 0; j < cols; j++) yr[j] = (xr[j] - st.mean) * st.rstd * gamma[j] + beta[j];
    }
  });
}

// s = a + r, then y = LayerNorm(s): a residual add and the LayerNorm after it in one pass over each row (the
// same bits as the Add and LayerNorm kernels)
void addLayerNorm(const float* a, const float* r, const float* gamma, const float* beta, float* s, float* y,
                  int64_t rows, int64_t cols, float eps) {
  parallelChunks(rows, rows * cols, [&](int, int64_t lo, int64_t hi) {
    for (int64_t i = lo; i < hi; i++) {
      const float* __restrict ar = a + i * cols;
      const float* __restrict rr = r + i * cols;
      float* __restrict sr = s + i * cols;
      float* __restrict yr = y + i * cols;
#pragma omp simd
      for (int64_t j = 0; j < cols; j++) sr[j] = ar[j] + rr[j];
      const RowStats st = rowStats(sr, cols, eps);
#pragma omp simd
      for (int64_t j = 0; j < cols; j++) yr[j] = (sr[j] - st.mean) * st.rstd * gamma[j] + beta[j];
    }
  });
}

// dx = rstd (g - mean(g) - xhat mean(g xhat)) with g = dy gamma; dgamma = sum_rows dy xhat; dbeta = sum_rows dy
// (float64 partial sums per part of the rows, added in part order). With dsum (the gradient that reaches x
// by its other path, a residual), dx += dsum in a loop of its own: in the loop above GCC would contract it into
// a fused multiply-add, not the bits of LayerNormGrad then Add.
void layerNormGrad(const float* dy, const float* x, const float* gamma, float* dx, float* dgamma, float* dbeta,
                   int64_t rows, int64_t cols, float eps, const float* dsum) {
  const int parts = parallelParts(rows, rows * cols);
  std::vector<double> acc(size_t(2 * cols * parts), 0.0);
  parallelChunks(rows, rows * cols, [&](int p, int64_t lo, int64_t hi) {
    double* __restrict dg = acc.data() + 2 * cols * p;
    double* __restrict db = dg + cols;
    // Rows in blocks of four: dgamma and dbeta take the four rows' terms in row order, as one row at a time
    // would (the same bits), with one load and store of each float64 partial per block instead of per row.
    constexpr int kBlock = 4;
    RowStats st[kBlock];
    for (int64_t r0 = lo; r0 < hi; r0 += kBlock) {
      const int rowsHere = int(std::min<int64_t>(kBlock, hi - r0));
      for (int q = 0; q < rowsHere; q++) {
        const int64_t r = r0 + q;
        const float* __restrict xr = x + r * cols;
        const float* __restrict dyr = dy + r * cols;
        float* __restrict dxr = dx + r * cols;
        st[q] = rowStats(xr, cols, eps);
        double sg = 0, sgx = 0;
#pragma omp simd reduction(+ : sg, sgx)
        for (int64_t j = 0; j < cols; j++) {
          const float xhat = (xr[j] - st[q].mean) * st[q].rstd;
          const float g = dyr[j] * gamma[j];
          sg += g;
          sgx += g * xhat;
        }
        const float mg = float(sg / double(cols)), mgx = float(sgx / double(cols));
#pragma omp simd
        for (int64_t j = 0; j < cols; j++) {
          const float xhat = (xr[j] - st[q].mean) * st[q].rstd;
          dxr[j] = st[q].rstd * (dyr[j] * gamma[j] - mg - xhat * mgx);
        }
        if (dsum) {
          const float* __restrict dsr = dsum + r * cols;
#pragma omp simd
          for (int64_t j = 0; j < cols; j++) dxr[j] += dsr[j];
        }
      }
      const float* __restrict xb = x + r0 * cols;
      const float* __restrict dyb = dy + r0 * cols;
      if (rowsHere == kBlock) {
#pragma omp simd
        for (int64_t j = 0; j < cols; j++) {
          double g = dg[j], b = db[j];
          for (int q = 0; q < kBlock; q++) {
            const float v = dyb[q * cols + j];
            g += v * ((xb[q * cols + j] - st[q].mean) * st[q].rstd);
            b += v;
          }
          dg[j] = g;
          db[j] = b;
        }
      } else {
        for (int q = 0; q < rowsHere; q++) {
#pragma omp simd
          for (int64_t j = 0; j < cols; j++) {
            const float v = dyb[q * cols + j];
            dg[j] += v * ((xb[q * cols + j] - st[q].mean) * st[q].rstd);
            db[j] += v;
          }
        }
      }
    }
  });
  for (int64_t j = 0; j < cols; j++) {
    double g = 0, b = 0;
    for (int p = 0; p < parts; p++) {
      g += acc[2 * cols * p + j];
      b += acc[2 * cols * p + cols + j];
    }
    dgamma[j] = float(g);
    dbeta[j] = float(b);
  }
}

}  // namespace ebt

namespace ebt {

// One Adam/AdamW update of elements [lo, hi) of a parameter tensor, as the composite in @ebt/training computes it.
static void adamRange(const float* p, const float* g, const float* m, const float* v, float* pOut, float* mOut,
                      float* vOut, int64_t lo, int64_t hi, const AdamHyper& h, float weightDecay) {
  const float c1 = 1.0f - h.beta1, c2 = 1.0f - h.beta2, sqrtBc2 = std::sqrt(h.bc2), stepSize = h.lr / h.bc1;
  const float coupled = h.decoupled ? 0.0f : weightDecay, decoupled = h.decoupled ? h.lr * weightDecay : 0.0f;
  for (int64_t i = lo; i < hi; i++) {
    const float gi = coupled > 0.0f ? g[i] + p[i] * coupled : g[i];
    const float mi = m[i] * h.beta1 + gi * c1;
    const float vi = v[i] * h.beta2 + gi * gi * c2;
    const float denom = std::sqrt(vi) / sqrtBc2 + h.eps;
    float next = p[i] - mi / denom * stepSize;
    if (decoupled > 0.0f) next -= p[i] * decoupled;
    mOut[i] = mi;
    vOut[i] = vi;
    pOut[i] = next;
  }
}

void adamStep(const float* p, const float* g, const float* m, const float* v, float* pOut, float* mOut, float* vOut,
              int64_t n, const AdamHyper& h) {
  parallelChunks(n, n, [&](int, int64_t lo, int64_t hi) { adamRange(p, g, m, v, pOut, mOut, vOut, lo, hi, h, h.weightDecay); });
}

// A step over every parameter of a model was ~100 calls, most of them on tensors too small for a parallel
// region of their own (biases, LayerNorms), each paying one anyway; here the tensors are cut into chunks of at
// most kAdamChunk elements and all chunks share one region. Elementwise, so the bits are adamStep's.
void adamSteps(const std::vector<AdamTensor>& tensors, const AdamHyper& h) {
  constexpr int64_t kAdamChunk = 1 << 14;
  struct Chunk {
    const AdamTensor* t;
    int64_t lo, hi;
  };
  std::vector<Chunk> chunks;
  int64_t total = 0;
  for (const AdamTensor& t : tensors) {
    for (int64_t lo = 0; lo < t.n; lo += kAdamChunk) chunks.push_back({&t, lo, std::min(t.n, lo + kAdamChunk)});
    total += t.n;
  }
  const int64_t count = int64_t(chunks.size());
  const auto run = [&](int64_t c) {
    const AdamTensor& t = *chunks[c].t;
    adamRange(t.p, t.g, t.m, t.v, t.pOut, t.mOut, t.vOut, chunks[c].lo, chunks[c].hi, h, t.weightDecay);
  };
  if (parallelParts(count, total) <= 1) {
    for (int64_t c = 0; c < count; c++) run(c);
    return;
  }
#pragma omp parallel for schedule(dynamic, 1)
  for (int64_t c = 0; c < count; c++) run(c);
}

}  // namespace ebt
