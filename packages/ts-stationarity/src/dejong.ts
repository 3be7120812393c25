/**
 * DeJong et al.'s trend regression: y_t = c + beta * t + u_t (t = 0..n-1), H0 beta = 0, with a
 * Newey-West (Bartlett kernel) standard error. Equal to statsmodels
 * `OLS(y, [1, t]).fit(cov_type='HAC', cov_kwds={'maxlags': lags, 'use_correction': correction}, use_t=useT)`.
 *
 * References: DeJong, D.N., Nankervis, J.C., Savin, N.E. and Whiteman, C.H. (1992) 'Integration versus
 * trend stationarity in time series', Econometrica 60, 423-433; Newey, W.K. and West, K.D. (1987)
 * Econometrica 55, 703-708 (the lag rule floor(4 (n/100)^(2/9))).
 */
import { StationarityError } from './errors';
import { normalTwoSided, studentTwoSided } from './normal';
import { checkNotConstant, checkSeries, Series } from './series';

export interface DejongOptions {
  /** Newey-West lags: 'auto' = floor(4 * (n/100)^(2/9)) (default) or a number */
  lags?: 'auto' | number;
  /** p-value from Student t with n - 2 degrees of freedom instead of the normal (default false) */
  useT?: boolean;
  /** multiply the covariance by n / (n - 2) (default false) */
  correction?: boolean;
}

export interface DejongResult {
  lags: number;
  beta: number;
  intercept: number;
  se: number;
  statistic: number;
  pvalue: number;
}

export function dejong(series: Series, options: DejongOptions = {}): DejongResult {
  const y = checkSeries(series, 3, 'dejong');
  checkNotConstant(y, 'dejong');
  const n = y.length;
  const lagOption = options.lags ?? 'auto';
  let lags: number;
  if (lagOption === 'auto') {
    lags = Math.floor(4 * Math.pow(n / 100, 2 / 9));
  } else if (typeof lagOption === 'number' && Number.isInteger(lagOption) && lagOption >= 0) {
    lags = lagOption;
  } else {
    throw new StationarityError('invalid-argument', `dejong: lags must be 'auto' or a non-negative integer (got '${String(lagOption)}').`);
  }
  if (lags >= n) {
    throw new StationarityError('maxlag', `dejong: lags ${lags} must be less than the ${n} points of the series.`);
  }

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
  if (options.correction) variance *= n / (n - 2);
  const se = Math.sqrt(variance);
  if (!(se > 0) || !Number.isFinite(se)) {
    throw new StationarityError('degenerate', `dejong: the residuals are zero (the series is an exact straight line), so the slope has no standard error.`);
  }
  const statistic = beta / se;
  const pvalue = options.useT ? studentTwoSided(statistic, n - 2) : normalTwoSided(statistic);
  return { lags, beta, intercept, se, statistic, pvalue };
}
