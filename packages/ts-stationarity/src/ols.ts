/**
 * Least squares by Householder QR on a column-major design matrix.
 *
 * Why our own QR rather than ml-matrix: the ADF lag search needs, for every prefix X[:, :p] of one design
 * matrix, the residual sum of squares and the t-ratio of the last column. One Householder factorisation of
 * the full matrix gives all of them (reflections p+1.. leave the norm of rows p.. of Q'y unchanged), so
 * a search over 13 lags costs one QR instead of 13; and it works in place on Float64Arrays without
 * allocating a Matrix object per fit (see the package README for the measurement).
 */
export interface QrFit {
  /** rows of the design matrix */
  n: number;
  /** columns of the design matrix */
  k: number;
  /** Q'y */
  qty: Float64Array;
  /** diagonal of R */
  rDiag: Float64Array;
  /** ssrPrefix[p - 1]: residual sum of squares of the fit on the first p columns */
  ssrPrefix: Float64Array;
}

/**
 * Factorises the n x k column-major matrix `x` in place (it is overwritten by the reflectors) and
 * applies the reflections to a copy of `y`.
 */
export function householderLstsq(x: Float64Array, n: number, k: number, y: ArrayLike<number>): QrFit {
  const qty = Float64Array.from(y as ArrayLike<number>);
  const rDiag = new Float64Array(k);
  for (let j = 0; j < k; j++) {
    const col = j * n;
    let sq = 0;
    for (let i = j; i < n; i++) sq += x[col + i] * x[col + i];
    const norm = Math.sqrt(sq);
    if (norm === 0) {
      rDiag[j] = 0;
      continue;
    }
    const head = x[col + j];
    const alpha = head > 0 ? -norm : norm;
    // v = x[j:, j] - alpha e1, stored in place; H = I - 2 v v' / (v'v), and v'v = 2 (|x|^2 - alpha x_j)
    x[col + j] = head - alpha;
    const vv = 2 * (sq - alpha * head);
    for (let c = j + 1; c < k; c++) {
      const cc = c * n;
      const f = (2 * dot4(x, col, cc, j, n)) / vv;
      for (let i = j; i < n; i++) x[cc + i] -= f * x[col + i];
    }
    let dot = 0;
    for (let i = j; i < n; i++) dot += x[col + i] * qty[i];
    const f = (2 * dot) / vv;
    for (let i = j; i < n; i++) qty[i] -= f * x[col + i];
    rDiag[j] = alpha;
  }
  const ssrPrefix = new Float64Array(k);
  let tail = 0;
  for (let i = k; i < n; i++) tail += qty[i] * qty[i];
  for (let p = k; p >= 1; p--) {
    ssrPrefix[p - 1] = tail;
    tail += qty[p - 1] * qty[p - 1];
  }
  return { n, k, qty, rDiag, ssrPrefix };
}

/**
 * sum_i a[offA + i] * a[offB + i] for i in [from, to), with four accumulators: the additions no longer wait
 * on each other, which roughly doubles the speed of the QR's inner loop.
 */
function dot4(a: Float64Array, offA: number, offB: number, from: number, to: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let i = from;
  for (; i + 3 < to; i += 4) {
    s0 += a[offA + i] * a[offB + i];
    s1 += a[offA + i + 1] * a[offB + i + 1];
    s2 += a[offA + i + 2] * a[offB + i + 2];
    s3 += a[offA + i + 3] * a[offB + i + 3];
  }
  for (; i < to; i++) s0 += a[offA + i] * a[offB + i];
  return s0 + s1 + (s2 + s3);
}

/** t-ratio of the last column of the fit on the first p columns. */
export function lastColumnTValue(fit: QrFit, p: number): number {
  const dfResid = fit.n - p;
  const sigma = Math.sqrt(fit.ssrPrefix[p - 1] / dfResid);
  // beta_p = qty[p-1] / R[p-1,p-1] and se_p = sigma / |R[p-1,p-1]|
  return (Math.sign(fit.rDiag[p - 1]) * fit.qty[p - 1]) / sigma;
}

/** Gaussian log-likelihood of an OLS fit, as statsmodels' RegressionResults.llf computes it. */
export function olsLogLikelihood(ssr: number, nobs: number): number {
  const nobs2 = nobs / 2;
  return -nobs2 * Math.log(2 * Math.PI) - nobs2 * Math.log(ssr / nobs) - nobs2;
}
