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
  let S = 0;
  const slopes = new Float64Array((n * (n - 1)) / 2);
  let m = 0;
  for (let i = 0; i < n - 1; i++) {
    for (let j = i + 1; j < n; j++) {
      const d = y[j] - y[i];
      S += Math.sign(d);
      slopes[m++] = d / (j - i);
    }
  }
  const sorted = Float64Array.from(y).sort();
  let tieTerm = 0;
  for (let i = 0; i < n; ) {
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
  const senSlope = median(slopes.sort());
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

function median(sorted: Float64Array): number {
  const n = sorted.length;
  const h = n >> 1;
  return n % 2 === 1 ? sorted[h] : (sorted[h - 1] + sorted[h]) / 2;
}
