/**
 * DeJong et al.'s trend regression: y_t = c + beta * t + u_t (t = 0..n-1), H0 beta = 0, with a
 * Newey-West (Bartlett kernel) standard error. Equal to statsmodels
 * `OLS(y, [1, t]).fit(cov_type='HAC', cov_kwds={'maxlags': lags, 'use_correction': correction}, use_t=useT)`.
 *
 * References: DeJong, D.N., Nankervis, J.C., Savin, N.E. and Whiteman, C.H. (1992) 'Integration versus
 * trend stationarity in time series', Econometrica 60, 423-433; Newey, W.K. and West, K.D. (1987)
 * Econometrica 55, 703-708 (the lag rule floor(4 (n/100)^(2/9))).
 */
import { normalTwoSided, studentTwoSided } from './normal';
import { checkNotConstant, checkSeries, Series } from './series';
import { resolveLags, trendSlope } from './trend-slope';

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
  const { lags, beta, intercept, se } = trendSlope(y, resolveLags(options.lags ?? 'auto', y.length, 'dejong'), options.correction ?? false, 'dejong');
  const n = y.length;
  const statistic = beta / se;
  const pvalue = options.useT ? studentTwoSided(statistic, n - 2) : normalTwoSided(statistic);
  return { lags, beta, intercept, se, statistic, pvalue };
}
