// The one parallel loop of the kernels: body(part, lo, hi) over [0, n) in one chunk per thread, or in one
// chunk when `work` (elements touched) is too small for a parallel region to pay.
#pragma once
#include <algorithm>
#include <cstdint>
#include <omp.h>
#include "kernels.h"

namespace ebt {

constexpr int64_t kParallelMin = 1 << 15;

template <class Body>
void parallelChunks(int64_t n, int64_t work, Body body) {
  const int t = work >= kParallelMin ? int(std::min<int64_t>(threads(), n)) : 1;
  if (t <= 1) {
    body(0, int64_t(0), n);
    return;
  }
#pragma omp parallel for schedule(static) num_threads(t)
  for (int p = 0; p < t; p++) body(p, n * p / t, n * (p + 1) / t);
}

}  // namespace ebt
