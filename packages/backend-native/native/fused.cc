// Fused kernels for the two patterns of a transformer layer that tfjs would otherwise run as many small ops
// (each a full pass over memory): exact GELU and LayerNorm over the last axis, forward and backward.
#include <algorithm>
#include <cmath>
#include <vector>
#include <omp.h>
#include "kernels.h"
#include "parallel.h"

namespace ebt {

static constexpr float kSqrt1_2 = 0.70710678118654752440f;
static constexpr float kInvSqrt2Pi = 0.39894228040143267794f;

void gelu(const float* x, float* y, int64_t n) {
  parallelChunks(n, n, [&](int, int64_t lo, int64_t hi) {
    for (int64_t i = lo; i < hi; i++) y[i] = 0.5f * x[i] * (1.0f + std::erf(x[i] * kSqrt1_2));
  });
}

// dx = dy * (Phi(x) + x phi(x))
void geluGrad(const float* dy, const float* x, float* dx, int64_t n) {
  parallelChunks(n, n, [&](int, int64_t lo, int64_t hi) {
    for (int64_t i = lo; i < hi; i++) {
      const float v = x[i];
      const float cdf = 0.5f * (1.0f + std::erf(v * kSqrt1_2));
      dx[i] = dy[i] * (cdf + v * kInvSqrt2Pi * std::exp(-0.5f * v * v));
    }
  });
}

// Rows go through the LayerNorm kernels R at a time. Each row's sums are serial chains in float64 whose
// order must stay as it is (the results are bit-for-bit those of one row at a time); a chain waits on its
// previous add, so interleaving the chains of R rows keeps the core busy instead.
constexpr int R = 4;

// Mean and 1/sqrt(biased variance + eps) of rows x[0..n), n <= R, in double as the composite ops accumulate.
static void rowStats(const float* const* x, int n, int64_t cols, float eps, float* mean, float* rstd) {
  double s[R] = {0, 0, 0, 0}, m[R], v[R] = {0, 0, 0, 0};
  for (int64_t j = 0; j < cols; j++)
    for (int k = 0; k < n; k++) s[k] += x[k][j];
  for (int k = 0; k < n; k++) m[k] = s[k] / double(cols);
  for (int64_t j = 0; j < cols; j++)
    for (int k = 0; k < n; k++) v[k] += (x[k][j] - m[k]) * (x[k][j] - m[k]);
  for (int k = 0; k < n; k++) {
    mean[k] = float(m[k]);
    rstd[k] = float(1.0 / std::sqrt(v[k] / double(cols) + eps));
  }
}

// Calls body(first row, rows in the block) for blocks of up to R rows of [lo, hi).
template <class Body>
static void rowBlocks(int64_t lo, int64_t hi, Body body) {
  for (int64_t r = lo; r < hi; r += R) body(r, int(std::min<int64_t>(R, hi - r)));
}

void layerNorm(const float* x, const float* gamma, const float* beta, float* y, int64_t rows, int64_t cols, float eps) {
  parallelChunks(rows, rows * cols, [&](int, int64_t lo, int64_t hi) {
    rowBlocks(lo, hi, [&](int64_t r0, int n) {
      const float* xs[R];
      float mean[R], rstd[R];
      for (int k = 0; k < n; k++) xs[k] = x + (r0 + k) * cols;
      rowStats(xs, n, cols, eps, mean, rstd);
      for (int k = 0; k < n; k++) {
        const float* xr = xs[k];
        float* yr = y + (r0 + k) * cols;
        for (int64_t j = 0; j < cols; j++) yr[j] = (xr[j] - mean[k]) * rstd[k] * gamma[j] + beta[j];
      }
    });
  });
}

// dx = rstd (g - mean(g) - xhat mean(g xhat)) with g = dy gamma; dgamma = sum_rows dy xhat; dbeta = sum_rows dy
void layerNormGrad(const float* dy, const float* x, const float* gamma, float* dx, float* dgamma, float* dbeta,
                   int64_t rows, int64_t cols, float eps) {
  const int t = rows * cols >= kParallelMin ? int(std::min<int64_t>(threads(), rows)) : 1;
  std::vector<double> acc(size_t(2 * cols * t), 0.0);
  parallelChunks(rows, rows * cols, [&](int p, int64_t lo, int64_t hi) {
    double* dg = acc.data() + 2 * cols * p;
    double* db = dg + cols;
    rowBlocks(lo, hi, [&](int64_t r0, int n) {
      const float* xs[R];
      float mean[R], rstd[R];
      for (int k = 0; k < n; k++) xs[k] = x + (r0 + k) * cols;
      rowStats(xs, n, cols, eps, mean, rstd);
      double sg[R] = {0, 0, 0, 0}, sgx[R] = {0, 0, 0, 0};
      for (int64_t j = 0; j < cols; j++) {
        for (int k = 0; k < n; k++) {
          const float xhat = (xs[k][j] - mean[k]) * rstd[k];
          const float g = dy[(r0 + k) * cols + j] * gamma[j];
          sg[k] += g;
          sgx[k] += g * xhat;
        }
      }
      for (int k = 0; k < n; k++) {
        const float* xr = xs[k];
        const float* dyr = dy + (r0 + k) * cols;
        float* dxr = dx + (r0 + k) * cols;
        const float mg = float(sg[k] / double(cols)), mgx = float(sgx[k] / double(cols));
        // independent across columns (vectorised); each column's terms still arrive in row order
        for (int64_t j = 0; j < cols; j++) {
          const float xhat = (xr[j] - mean[k]) * rstd[k];
          dg[j] += dyr[j] * xhat;
          db[j] += dyr[j];
          dxr[j] = rstd[k] * (dyr[j] * gamma[j] - mg - xhat * mgx);
        }
      }
    });
  });
  for (int64_t j = 0; j < cols; j++) {
    double g = 0, b = 0;
    for (int p = 0; p < t; p++) {
      g += acc[2 * cols * p + j];
      b += acc[2 * cols * p + cols + j];
    }
    dgamma[j] = float(g);
    dbeta[j] = float(b);
  }
}

}  // namespace ebt

namespace ebt {

// One Adam/AdamW update of a parameter tensor, as the composite in @ebt/training computes it.
void adamStep(const float* p, const float* g, const float* m, const float* v, float* pOut, float* mOut, float* vOut,
              int64_t n, const AdamHyper& h) {
  const float c1 = 1.0f - h.beta1, c2 = 1.0f - h.beta2, sqrtBc2 = std::sqrt(h.bc2), stepSize = h.lr / h.bc1;
  const float coupled = h.decoupled ? 0.0f : h.weightDecay, decoupled = h.decoupled ? h.lr * h.weightDecay : 0.0f;
  parallelChunks(n, n, [&](int, int64_t lo, int64_t hi) {
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
  });
}

}  // namespace ebt
