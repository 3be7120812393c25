#include <algorithm>
#include <cstring>
#include <omp.h>
#include "kernels.h"
#include "parallel.h"

namespace ebt {

void transpose(const float* x, float* out, int rank, const int32_t* shape, const int64_t* srcStrides) {
  if (rank == 0) {
    out[0] = x[0];
    return;
  }
  const int64_t inner = shape[rank - 1], step = srcStrides[rank - 1];
  int64_t rows = 1;
  for (int d = 0; d < rank - 1; d++) rows *= shape[d];
  parallelChunks(rows, rows * inner, [&](int, int64_t lo, int64_t hi) {
    for (int64_t r = lo; r < hi; r++) {
      int64_t off = 0, rem = r;
      for (int d = rank - 2; d >= 0; d--) {
        off += (rem % shape[d]) * srcStrides[d];
        rem /= shape[d];
      }
      const float* __restrict src = x + off;
      float* __restrict dst = out + r * inner;
      if (step == 1) std::memcpy(dst, src, inner * sizeof(float));
      else for (int64_t j = 0; j < inner; j++) dst[j] = src[j * step];
    }
  });
}

}  // namespace ebt
