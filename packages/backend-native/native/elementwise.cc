#include <algorithm>
#include <cmath>
#include <vector>
#include <omp.h>
#include "kernels.h"
#include "parallel.h"
#include "vmath.h"

namespace ebt {

template <class F>
static void binaryLoop(F f, const float* a, const float* b, float* out, int rank, const int32_t* shape,
                       const int32_t* sa, const int32_t* sb) {
  if (rank == 0) {
    out[0] = f(a[0], b[0]);
    return;
  }
  const int64_t inner = shape[rank - 1];
  const int64_t ia = sa[rank - 1], ib = sb[rank - 1];
  int64_t rows = 1;
  for (int d = 0; d < rank - 1; d++) rows *= shape[d];
  auto run = [&](int64_t r, int64_t lo, int64_t hi) {
    int64_t offA = 0, offB = 0, rem = r;
    for (int d = rank - 2; d >= 0; d--) {
      const int64_t idx = rem % shape[d];
      rem /= shape[d];
      offA += idx * sa[d];
      offB += idx * sb[d];
    }
    const float* __restrict pa = a + offA;
    const float* __restrict pb = b + offB;
    float* __restrict po = out + r * inner;
    if (ia == 1 && ib == 1) {
      for (int64_t j = lo; j < hi; j++) po[j] = f(pa[j], pb[j]);
    } else if (ia == 1 && ib == 0) {
      const float vb = pb[0];
      for (int64_t j = lo; j < hi; j++) po[j] = f(pa[j], vb);
    } else if (ia == 0 && ib == 1) {
      const float va = pa[0];
      for (int64_t j = lo; j < hi; j++) po[j] = f(va, pb[j]);
    } else {
      for (int64_t j = lo; j < hi; j++) po[j] = f(pa[j * ia], pb[j * ib]);
    }
  };
  if (rows == 1) {
    parallelChunks(inner, inner, [&](int, int64_t lo, int64_t hi) { run(0, lo, hi); });
  } else {
    parallelChunks(rows, rows * inner, [&](int, int64_t lo, int64_t hi) {
      for (int64_t r = lo; r < hi; r++) run(r, 0, inner);
    });
  }
}

void binary(BinaryOp op, const float* a, const float* b, float* out, int rank, const int32_t* shape,
            const int32_t* sa, const int32_t* sb) {
  switch (op) {
    case kAdd: return binaryLoop([](float x, float y) { return x + y; }, a, b, out, rank, shape, sa, sb);
    case kSub: return binaryLoop([](float x, float y) { return x - y; }, a, b, out, rank, shape, sa, sb);
    case kMul: return binaryLoop([](float x, float y) { return x * y; }, a, b, out, rank, shape, sa, sb);
    case kDiv: return binaryLoop([](float x, float y) { return x / y; }, a, b, out, rank, shape, sa, sb);
    // NaN propagates as in tfjs (Math.max / Math.min)
    case kMax: return binaryLoop([](float x, float y) { return (x != x || y != y) ? NAN : std::max(x, y); }, a, b, out, rank, shape, sa, sb);
    case kMin: return binaryLoop([](float x, float y) { return (x != x || y != y) ? NAN : std::min(x, y); }, a, b, out, rank, shape, sa, sb);
    case kSquaredDifference: return binaryLoop([](float x, float y) { return (x - y) * (x - y); }, a, b, out, rank, shape, sa, sb);
    case kBinaryOpCount: return;  // not an operation: addon.cc refuses it
  }
}

template <class F>
static void unaryLoop(F f, const float* __restrict x, float* __restrict out, int64_t n) {
  parallelChunks(n, n, [&](int, int64_t lo, int64_t hi) {
    for (int64_t i = lo; i < hi; i++) out[i] = f(x[i]);
  });
}

void unary(UnaryOp op, const float* x, float* out, int64_t n, float alpha) {
  switch (op) {
    case kExp: return unaryLoop([](float v) { return std::exp(v); }, x, out, n);
    case kLog: return unaryLoop([](float v) { return std::log(v); }, x, out, n);
    case kSqrt: return unaryLoop([](float v) { return std::sqrt(v); }, x, out, n);
    case kRsqrt: return unaryLoop([](float v) { return 1.0f / std::sqrt(v); }, x, out, n);
    case kErf: return unaryLoop([](float v) { return std::erf(v); }, x, out, n);
    case kTanh: return unaryLoop([](float v) { return std::tanh(v); }, x, out, n);
    // tfjs's relu keeps NaN
    case kRelu: return unaryLoop([](float v) { return v < 0.0f ? 0.0f : v; }, x, out, n);
    case kNeg: return unaryLoop([](float v) { return -v; }, x, out, n);
    case kSquare: return unaryLoop([](float v) { return v * v; }, x, out, n);
    case kAbs: return unaryLoop([](float v) { return std::fabs(v); }, x, out, n);
    case kSigmoid: return unaryLoop([](float v) { return 1.0f / (1.0f + std::exp(-v)); }, x, out, n);
    case kReciprocal: return unaryLoop([](float v) { return 1.0f / v; }, x, out, n);
    case kStep: return unaryLoop([alpha](float v) { return v != v ? NAN : (v > 0.0f ? 1.0f : alpha); }, x, out, n);
    case kUnaryOpCount: return;  // not an operation: addon.cc refuses it
  }
}

void softmax(const float* logits, float* out, int64_t rows, int64_t cols, float scale) {
  parallelChunks(rows, rows * cols, [&](int, int64_t lo, int64_t hi) {
    for (int64_t r = lo; r < hi; r++) {
      const float* __restrict x = logits + r * cols;
      float* __restrict y = out + r * cols;
      // scaled first, rounded to float32 as x.mul(scale) rounds it: the same bits as the two ops (the row is
      // in L1 from here on)
#pragma omp simd
      for (int64_t j = 0; j < cols; j++) y[j] = scale == 1.0f ? x[j] : x[j] * scale;
      float max = -INFINITY;
      for (int64_t j = 0; j < cols; j++) max = std::max(max, y[j]);
#pragma omp simd
      for (int64_t j = 0; j < cols; j++) y[j] = expv(y[j] - max);
      // the sum in float64, as before, in eight interleaved chains (a fixed order, so runs repeat exactly)
      double s[8] = {0, 0, 0, 0, 0, 0, 0, 0};
      int64_t j = 0;
      for (; j + 8 <= cols; j += 8)
        for (int k = 0; k < 8; k++) s[k] += y[j + k];
      for (; j < cols; j++) s[0] += y[j];
      const float inv = float(1.0 / (((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]))));
      for (int64_t j = 0; j < cols; j++) y[j] *= inv;
    }
  });
}

// The float64 sum of x[0, n) in four interleaved chains (tfjs's cpu backend sums in float64; four accumulators
// for the vector units), added as ((s0 + s1) + s2) + s3: the order of every row sum of reduce() and of
// softmaxGrad, which must give reduce's bits.
static double sumFourChains(const float* __restrict x, int64_t n) {
  double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  int64_t j = 0;
  for (; j + 4 <= n; j += 4) {
    s0 += x[j];
    s1 += x[j + 1];
    s2 += x[j + 2];
    s3 += x[j + 3];
  }
  for (; j < n; j++) s0 += x[j];
  return s0 + s1 + s2 + s3;
}

// tfjs's gradient of softmax, then of the scale: t = dy y; dx = (t - sum(t) y) scale, each step rounded to
// float32 as the ops round it, and sum(t) in float64 as reduce() sums (sumFourChains): the same bits as the
// five ops (Multiply, Sum, Multiply, Sub, Multiply), in one pass over each row while it is in cache.
void softmaxGrad(const float* dy, const float* y, float* dx, int64_t rows, int64_t cols, float scale) {
  parallelChunks(rows, rows * cols, [&](int, int64_t lo, int64_t hi) {
    std::vector<float> scratch(static_cast<size_t>(cols));
    float* __restrict sy = scratch.data();
    for (int64_t r = lo; r < hi; r++) {
      const float* __restrict dyr = dy + r * cols;
      const float* __restrict yr = y + r * cols;
      float* __restrict dxr = dx + r * cols;
#pragma omp simd
      for (int64_t j = 0; j < cols; j++) dxr[j] = dyr[j] * yr[j];
      const float sum = float(sumFourChains(dxr, cols));
      // sum y stored before it is subtracted: written as one expression, GCC contracts it into a fused
      // multiply-add (C++ is not ISO C to -ffp-contract), which rounds once where the two ops round twice
#pragma omp simd
      for (int64_t j = 0; j < cols; j++) sy[j] = sum * yr[j];
#pragma omp simd
      for (int64_t j = 0; j < cols; j++) dxr[j] = scale == 1.0f ? dxr[j] - sy[j] : (dxr[j] - sy[j]) * scale;
    }
  });
}

void reduce(ReduceOp op, const float* x, float* out, int64_t outer, int64_t reduced, int64_t inner) {
  const bool isSum = op == kSum || op == kMean;
  const double scale = op == kMean ? 1.0 / double(reduced) : 1.0;
  if (inner == 1) {
    parallelChunks(outer, outer * reduced, [&](int, int64_t lo, int64_t hi) {
      for (int64_t o = lo; o < hi; o++) {
        const float* __restrict row = x + o * reduced;
        if (isSum) {
          out[o] = float(sumFourChains(row, reduced) * scale);
        } else {
          float m = row[0];
          for (int64_t r = 1; r < reduced; r++) {
            const float v = row[r];
            if (v != v || m != m) m = NAN;
            else m = op == kMaxR ? std::max(m, v) : std::min(m, v);
          }
          out[o] = m;
        }
      }
    });
    return;
  }
  if (outer == 1 && isSum) {
    // Column sums of a [reduced, inner] matrix (every bias's gradient): the rows are split, each part adds
    // its rows into float64 partial sums, and the parts are added in part order (fixed: runs repeat exactly).
    // Splitting the columns instead had every part walk all rows with a stride.
    const int parts = parallelParts(reduced, reduced * inner);
    std::vector<double> acc(size_t(parts * inner), 0.0);
    parallelChunks(reduced, reduced * inner, [&](int p, int64_t lo, int64_t hi) {
      double* __restrict a = acc.data() + p * inner;
      for (int64_t r = lo; r < hi; r++) {
        const float* __restrict row = x + r * inner;
        for (int64_t i = 0; i < inner; i++) a[i] += row[i];
      }
    });
    for (int64_t i = 0; i < inner; i++) {
      double s = 0;
      for (int p = 0; p < parts; p++) s += acc[p * inner + i];
      out[i] = float(s * scale);
    }
    return;
  }
  // Reduced axes in the middle or in front: accumulate whole rows of `inner` values.
  parallelChunks(outer * inner, outer * reduced * inner, [&](int, int64_t lo, int64_t hi) {
    std::vector<double> acc;
    for (int64_t o = lo / inner; o * inner < hi; o++) {
      const int64_t i0 = std::max(lo, o * inner) - o * inner, i1 = std::min(hi, (o + 1) * inner) - o * inner;
      const int64_t len = i1 - i0;
      const float* base = x + o * reduced * inner + i0;
      float* __restrict y = out + o * inner + i0;
      if (isSum) {
        acc.assign(len, 0.0);
        for (int64_t r = 0; r < reduced; r++) {
          const float* __restrict row = base + r * inner;
          for (int64_t i = 0; i < len; i++) acc[i] += row[i];
        }
        for (int64_t i = 0; i < len; i++) y[i] = float(acc[i] * scale);
      } else {
        for (int64_t i = 0; i < len; i++) y[i] = base[i];
        for (int64_t r = 1; r < reduced; r++) {
          const float* __restrict row = base + r * inner;
          for (int64_t i = 0; i < len; i++) {
            const float v = row[i], m = y[i];
            y[i] = (v != v || m != m) ? NAN : (op == kMaxR ? std::max(m, v) : std::min(m, v));
          }
        }
      }
    }
  });
}

}  // namespace ebt
