/**
 * The slope of an OLS trend line y_t = c + beta * t (t = 0..n-1) with its Newey-West (Bartlett kernel)
 * standard error: statsmodels `OLS(y, [1, t]).fit(cov_type='HAC', cov_kwds={'maxlags': lags,
 * 'use_correction': correction})`. Shared by DeJong's trend regression and the slope equivalence test.
 *
 * Reference: Newey, W.K. and West, K.D. (1987) Econometrica 55, 703-708 (the lag rule floor(4 (n/100)^(2/9))).
 */
import { StationarityError } from './errors';

export interface TrendSlope {
  lags: number;
  beta: number;
  intercept: number;
  se: number;
}

/** Newey-West's rule of thumb for the lags of an n-point series. */
export function neweyWestLags(n: number): number {
  return Math.floor(4 * Math.pow(n / 100, 2 / 9));
}

/** Resolves a `lags` option ('auto' or a non-negative integer below n) for the test named `test`. */
export function resolveLags(option: 'auto' | number, n: number, test: string): number {
  let lags: number;
  if (option === 'auto') lags = neweyWestLags(n);
  else if (typeof option === 'number' && Number.isInteger(option) && option >= 0) lags = option;
  else throw new StationarityError('invalid-argument', `${test}: lags must be 'auto' or a non-negative integer (got '${String(option)}').`);
  if (lags >= n) throw new StationarityError('maxlag', `${test}: lags ${lags} must be less than the ${n} points of the series.`);
  return lags;
}

export function trendSlope(y: Float64Array, lags: number, correction: boolean, test: string): TrendSlope {
  const n = y.length;
  // Centred sums keep a near-constant series from losing digits.
  const tBar = (n - 1) / 2;
  let yBar = 0;
  for (const v of y) yBar += v;
  yBar /= n;
  const stt = (n * (n * n - 1)) / 12; // sum (t - tBar)^2
  let sty = 0;
  for (let t = 0; t < n; t++) sty += (t - tBar) * (y[t] - yBar);
  const beta = sty / stt;
  const intercept = yBar - beta * tBar;

  // The slope's row of (X'X)^-1 X' is a_t = (t - tBar) / stt, so the sandwich's slope entry is the
  // Bartlett-weighted autocovariance sum of g_t = a_t u_t.
  const g = new Float64Array(n);
  for (let t = 0; t < n; t++) g[t] = ((t - tBar) / stt) * (y[t] - intercept - beta * t);
  let variance = 0;
  for (let t = 0; t < n; t++) variance += g[t] * g[t];
  for (let l = 1; l <= lags; l++) {
    let s = 0;
    for (let t = l; t < n; t++) s += g[t] * g[t - l];
    variance += 2 * (1 - l / (lags + 1)) * s;
  }
  if (correction) variance *= n / (n - 2);
  const se = Math.sqrt(variance);
  if (!(se > 0) || !Number.isFinite(se)) {
    throw new StationarityError('degenerate', `${test}: the residuals are zero (the series is an exact straight line), so the slope has no standard error.`);
  }
  return { lags, beta, intercept, se };
}
