// The kernels of the native backend. Row-major float32 buffers owned by the tfjs cpu backend; nothing here
// allocates tensors. Parallel loops use OpenMP; OpenBLAS runs single-threaded inside them (see matmul.cc).
#pragma once
#include <vector>
#include <cstdint>

namespace ebt {

void setThreads(int threads);
int threads();

// c[batch, m, n] = op(a)[batch % batchA, m, k] * op(b)[batch % batchB, k, n] (+ bias[n] on every row, when
// bias is not null: added by each part right after its product, while that part of c is still in cache)
void batchMatMul(const float* a, const float* b, float* c, int batchA, int batchB, int m, int n, int k,
                 bool transA, bool transB, const float* bias = nullptr);

// A matrix of a batch of heads: element (r, j) of head h of batch i at p[i * s0 + h * s1 + r * ld + j].
struct StridedOperand {
  const float* p;
  int64_t s0, s1;
  int ld;
};
struct StridedOutput {
  float* p;
  int64_t s0, s1;
  int ld;
};
// c[i, h] = op(a[i, h]) op(b[i, h]) for every batch i and head h: attention's products on the interleaved
// [B, T, H * d] layout
void headMatMul(const StridedOperand& a, const StridedOperand& b, const StridedOutput& c, int batch, int heads, int m,
                int n, int k, bool transA, bool transB);

// The operation enums end in a count; src/addon.ts has the same names in the same order, and its spec checks
// the counts the addon reports (opCounts) against its own, so the two cannot drift apart by position.
enum BinaryOp { kAdd, kSub, kMul, kDiv, kMax, kMin, kSquaredDifference, kBinaryOpCount };
// out[shape] = a op b, with the inputs read through strides (0 along broadcast axes).
void binary(BinaryOp op, const float* a, const float* b, float* out, int rank, const int32_t* shape,
            const int32_t* stridesA, const int32_t* stridesB);

enum UnaryOp { kExp, kLog, kSqrt, kRsqrt, kErf, kTanh, kRelu, kNeg, kSquare, kAbs, kSigmoid, kReciprocal, kStep, kUnaryOpCount };
void unary(UnaryOp op, const float* x, float* out, int64_t n, float alpha);

// out[rows, cols] = softmax over each row of logits * scale
void softmax(const float* logits, float* out, int64_t rows, int64_t cols, float scale = 1.0f);
// dx = d softmax(x * scale) / dx given dy and y = softmax(x * scale)
void softmaxGrad(const float* dy, const float* y, float* dx, int64_t rows, int64_t cols, float scale);

// out = x transposed; shape and srcStrides are per output axis
void transpose(const float* x, float* out, int rank, const int32_t* shape, const int64_t* srcStrides);

enum ReduceOp { kSum, kMean, kMaxR, kMinR, kReduceOpCount };
// out[o, i] = reduce over r of x[o, r, i]
void reduce(ReduceOp op, const float* x, float* out, int64_t outer, int64_t reduced, int64_t inner);

}  // namespace ebt

namespace ebt {
void gelu(const float* x, float* y, int64_t n);
void geluGrad(const float* dy, const float* x, float* dx, int64_t n);
void layerNorm(const float* x, const float* gamma, const float* beta, float* y, int64_t rows, int64_t cols, float eps);
void addLayerNorm(const float* a, const float* r, const float* gamma, const float* beta, float* s, float* y,
                  int64_t rows, int64_t cols, float eps);
void layerNormGrad(const float* dy, const float* x, const float* gamma, float* dx, float* dgamma, float* dbeta,
                   int64_t rows, int64_t cols, float eps, const float* dsum = nullptr);
}  // namespace ebt

namespace ebt {
struct AdamHyper {
  float lr, beta1, beta2, eps, bc1, bc2, weightDecay;
  bool decoupled;
};
void adamStep(const float* p, const float* g, const float* m, const float* v, float* pOut, float* mOut, float* vOut,
              int64_t n, const AdamHyper& h);
// One parameter tensor of a multi-tensor step: its buffers, length and weight decay.
struct AdamTensor {
  const float *p, *g, *m, *v;
  float *pOut, *mOut, *vOut;
  int64_t n;
  float weightDecay;
};
// The update of adamStep for every tensor (h.weightDecay is ignored: each tensor has its own), in one parallel
// region over chunks of all of them.
void adamSteps(const std::vector<AdamTensor>& tensors, const AdamHyper& h);
}  // namespace ebt
