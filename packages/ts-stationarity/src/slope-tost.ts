/**
 * An equivalence test on the slope of a trend line (two one-sided tests, Schuirmann 1987): H0 the slope lies
 * outside [low, upp], H1 low < beta < upp. Where DeJong's regression asks "is there a trend?" and a
 * stationarity test "is there a unit root?", this asks what an early-bird criterion needs to know: "has the
 * series stopped moving by more than a tolerance?". Absence of evidence is not evidence: a short, noisy
 * window fails to show equivalence instead of passing for want of power.
 *
 * The slope and its Newey-West standard error are those of DeJong's regression (trend-slope.ts, equal to
 * statsmodels' OLS with cov_type='HAC'). Each one-sided p-value is that of statsmodels'
 * `res.t_test` on the slope against a bound, halved on the tested side; the test's p-value is the larger
 * of the two (equivalence at level alpha when it is below alpha, i.e. when the 1 - 2 alpha confidence
 * interval lies inside the bounds). statsmodels has no TOST for a regression coefficient; its `ttost_ind`
 * and `ttost_paired` combine one-sided tests the same way.
 *
 * Reference: Schuirmann, D.J. (1987) 'A comparison of the two one-sided tests procedure and the power
 * approach for assessing the equivalence of average bioavailability', J. Pharmacokinet. Biopharm. 15, 657-680.
 */
import { StationarityError } from './errors';
import { normalCdf, studentCdf } from './normal';
import { checkNotConstant, checkSeries, Series } from './series';
import { resolveLags, trendSlope } from './trend-slope';

export interface SlopeTostOptions {
  /** the equivalence bounds on the slope per observation: the test shows low < beta < upp */
  low: number;
  upp: number;
  /** Newey-West lags: 'auto' = floor(4 * (n/100)^(2/9)) (default) or a number */
  lags?: 'auto' | number;
  /** p-values from Student t with n - 2 degrees of freedom instead of the normal (default false) */
  useT?: boolean;
  /** multiply the covariance by n / (n - 2) (default false) */
  correction?: boolean;
}

export interface SlopeTostResult {
  lags: number;
  beta: number;
  intercept: number;
  se: number;
  /** (beta - low) / se and its p-value against H0 beta <= low */
  statisticLow: number;
  pvalueLow: number;
  /** (beta - upp) / se and its p-value against H0 beta >= upp */
  statisticUpp: number;
  pvalueUpp: number;
  /** max(pvalueLow, pvalueUpp): below alpha, the slope is within the bounds at level alpha */
  pvalue: number;
}

export function slopeTost(series: Series, options: SlopeTostOptions): SlopeTostResult {
  const { low, upp } = options;
  if (!Number.isFinite(low) || !Number.isFinite(upp) || !(low < upp)) {
    throw new StationarityError('invalid-argument', `slope-tost: the bounds must be finite with low < upp (got low ${low}, upp ${upp}).`);
  }
  const y = checkSeries(series, 3, 'slope-tost');
  checkNotConstant(y, 'slope-tost');
  const n = y.length;
  const fit = trendSlope(y, resolveLags(options.lags ?? 'auto', n, 'slope-tost'), options.correction ?? false, 'slope-tost');
  const cdf = options.useT ? (t: number) => studentCdf(t, n - 2) : normalCdf;
  const statisticLow = (fit.beta - low) / fit.se;
  const statisticUpp = (fit.beta - upp) / fit.se;
  const pvalueLow = cdf(-statisticLow);
  const pvalueUpp = cdf(statisticUpp);
  return { ...fit, statisticLow, pvalueLow, statisticUpp, pvalueUpp, pvalue: Math.max(pvalueLow, pvalueUpp) };
}
