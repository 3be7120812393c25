// The one parallel loop of the kernels: body(part, lo, hi) over [0, n) in a few parts per thread, handed out
// one at a time (dynamic schedule), or in one part when `work` (elements touched) is too small for a parallel
// region to pay. With one part per thread, a thread that lost its core to another process held up the whole
// region for half its work (a shared machine made the step 1.8x slower against PyTorch); now the threads that
// run take the parts it has not started.
#pragma once
#include <algorithm>
#include <cstdint>
#include <omp.h>
#include "kernels.h"

namespace ebt {

constexpr int64_t kParallelMin = 1 << 15;
constexpr int kPartsPerThread = 4;

// How many parts parallelChunks cuts [0, n) into. It depends on n, work and the thread count only, never on
// timing, so per-part partial results (layerNormGrad's parameter gradients) add up the same way on every run.
inline int parallelParts(int64_t n, int64_t work) {
  if (work < kParallelMin || threads() <= 1) return 1;
  return int(std::min<int64_t>(n, int64_t(threads()) * kPartsPerThread));
}

template <class Body>
void parallelChunks(int64_t n, int64_t work, Body body) {
  const int parts = parallelParts(n, work);
  if (parts <= 1) {
    body(0, int64_t(0), n);
    return;
  }
#pragma omp parallel for schedule(dynamic, 1) num_threads(std::min(threads(), parts))
  for (int p = 0; p < parts; p++) body(p, n * p / parts, n * (p + 1) / parts);
}

}  // namespace ebt
