/**
 * Mann-Kendall trend test (original form) with Sen's slope.
 *
 * References: Mann, H.B. (1945) Econometrica 13, 245-259; Kendall, M.G. (1948) Rank Correlation Methods;
 * Gilbert, R.O. (1987) Statistical Methods for Environmental Pollution Monitoring, ch. 16 (tie-corrected
 * variance, continuity correction); Sen, P.K. (1968) JASA 63, 1379-1389.
 */
import { StationarityError } from './errors';
import { normalTwoSided } from './normal';
import { checkSeries, Series } from './series';

export type Trend = 'increasing' | 'decreasing' | 'no trend';

export interface MannKendallOptions {
  /** significance level of the verdict (default 0.05) */
  alpha?: number;
}

export interface MannKendallResult {
  S: number;
  varS: number;
  z: number;
  pvalue: number;
  tau: number;
  trend: Trend;
  senSlope: number;
  senIntercept: number;
}

export function mannKendall(series: Series, options: MannKendallOptions = {}): MannKendallResult {
  const alpha = options.alpha ?? 0.05;
  if (!(alpha > 0 && alpha < 1)) {
    throw new StationarityError('invalid-argument', `mann-kendall: alpha must lie in (0, 1) (got ${alpha}).`);
  }
  const y = checkSeries(series, 3, 'mann-kendall');
  const n = y.length;
  const slopes = scratch((n * (n - 1)) / 2);
  let S = 0;
  let m = 0;
  for (let i = 0; i < n - 1; i++) {
    const yi = y[i];
    for (let j = i + 1; j < n; j++) {
      const d = y[j] - yi;
      S += d > 0 ? 1 : d < 0 ? -1 : 0;
      slopes[m++] = d / (j - i);
    }
  }
  const sorted = Float64Array.from(y).sort();
  let tieTerm = 0;
  for (let i = 0; i < n;) {
    let j = i;
    while (j + 1 < n && sorted[j + 1] === sorted[i]) j++;
    const t = j - i + 1;
    tieTerm += t * (t - 1) * (2 * t + 5);
    i = j + 1;
  }
  const varS = (n * (n - 1) * (2 * n + 5) - tieTerm) / 18;
  if (varS <= 0) {
    throw new StationarityError('constant', `mann-kendall: the series is constant, so the variance of S is zero.`);
  }
  const z = S > 0 ? (S - 1) / Math.sqrt(varS) : S < 0 ? (S + 1) / Math.sqrt(varS) : 0;
  const pvalue = normalTwoSided(z);
  const significant = pvalue < alpha;
  const senSlope = medianInPlace(slopes);
  return {
    S,
    varS,
    z,
    pvalue,
    tau: S / ((n * (n - 1)) / 2),
    trend: !significant ? 'no trend' : z > 0 ? 'increasing' : 'decreasing',
    senSlope,
    senIntercept: median(sorted) - senSlope * ((n - 1) / 2),
  };
}

let scratchBuffer = new Float64Array(0);

let insideBuffer = new Float64Array(0);
function insideScratch(size: number): Float64Array {
  if (insideBuffer.length < size) insideBuffer = new Float64Array(size);
  return insideBuffer;
}

/** A reused buffer for the pairwise slopes, so that rolling over many windows does not allocate each time. */
function scratch(size: number): Float64Array {
  if (scratchBuffer.length < size) scratchBuffer = new Float64Array(size);
  return scratchBuffer.subarray(0, size);
}

/**
 * Median of the pairwise slopes. For many slopes (a window of 500 has 124,750) a sorted sample brackets the
 * median, one pass counts the slopes below the bracket and keeps the few inside it, and only those are
 * selected from (Floyd & Rivest's sampling idea, one level deep); a miss falls back to full selection.
 */
function medianInPlace(a: Float64Array): number {
  const n = a.length;
  const h = n >> 1;
  const lowRank = n % 2 === 1 ? h : h - 1; // the median is the mean of ranks lowRank..h
  if (n > 20000) {
    const m = 1024;
    const sample = new Float64Array(m);
    let state = 0x2545f491;
    for (let i = 0; i < m; i++) {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      sample[i] = a[state % n];
    }
    sample.sort();
    const spread = 3 * Math.sqrt(m / 4); // 3 standard deviations of the median's rank in the sample
    const lo = sample[Math.max(0, Math.floor((lowRank * m) / n - spread))];
    const hi = sample[Math.min(m - 1, Math.ceil((h * m) / n + spread))];
    let below = 0;
    let count = 0;
    const inside = insideScratch(n);
    for (let i = 0; i < n; i++) {
      const v = a[i];
      if (v < lo) below++;
      else if (v <= hi) inside[count++] = v;
    }
    if (below <= lowRank && h < below + count) {
      const b = inside.subarray(0, count);
      select(b, h - below);
      const upper = b[h - below];
      if (lowRank === h) return upper;
      let lower = -Infinity;
      for (let i = 0; i < h - below; i++) if (b[i] > lower) lower = b[i];
      return (lower + upper) / 2;
    }
  }
  select(a, h);
  if (n % 2 === 1) return a[h];
  let below = -Infinity;
  for (let i = 0; i < h; i++) if (a[i] > below) below = a[i];
  return (below + a[h]) / 2;
}

/**
 * Floyd-Rivest selection (Floyd & Rivest 1975, CACM 18(3) 'Algorithm 489'): afterwards a[k] is the k-th
 * smallest and a[left..k] <= a[k] <= a[k..right]. It samples to pick pivots close to k, so it touches
 * the array about 1.5 times where quickselect needs 3-4 passes.
 */
function select(a: Float64Array, k: number, left = 0, right = a.length - 1): void {
  while (right > left) {
    if (right - left > 600) {
      const n = right - left + 1;
      const i = k - left + 1;
      const z = Math.log(n);
      const s = 0.5 * Math.exp((2 * z) / 3);
      const sd = 0.5 * Math.sqrt((z * s * (n - s)) / n) * (i - n / 2 < 0 ? -1 : 1);
      const newLeft = Math.max(left, Math.floor(k - (i * s) / n + sd));
      const newRight = Math.min(right, Math.floor(k + ((n - i) * s) / n + sd));
      select(a, k, newLeft, newRight);
    }
    const t = a[k];
    let i = left;
    let j = right;
    swap(a, left, k);
    if (a[right] > t) swap(a, left, right);
    while (i < j) {
      swap(a, i, j);
      i++;
      j--;
      while (a[i] < t) i++;
      while (a[j] > t) j--;
    }
    if (a[left] === t) swap(a, left, j);
    else {
      j++;
      swap(a, j, right);
    }
    if (j <= k) left = j + 1;
    if (k <= j) right = j - 1;
  }
}

function swap(a: Float64Array, i: number, j: number): void {
  const t = a[i];
  a[i] = a[j];
  a[j] = t;
}

function median(sorted: Float64Array): number {
  const n = sorted.length;
  const h = n >> 1;
  return n % 2 === 1 ? sorted[h] : (sorted[h - 1] + sorted[h]) / 2;
}
