/**
 * Augmented Dickey-Fuller unit-root test, as statsmodels 0.13.5 `adfuller`.
 *
 * References: Dickey, D.A. and Fuller, W.A. (1979) JASA 74, 427-431; MacKinnon, J.G. (1994) JBES 12,
 * 167-176; MacKinnon, J.G. (2010) QED Working Paper 1227; Schwert (1989) for the default maxlag.
 */
import { StationarityError } from './errors';
import { AdfCriticalValues, AdfRegression, mackinnoncrit, mackinnonp } from './mackinnon';
import { householderLstsq, lastColumnTValue, olsLogLikelihood } from './ols';
import { checkNotConstant, checkSeries, Series } from './series';

export type AdfAutolag = 'AIC' | 'BIC' | 't-stat' | 'none';

export interface AdfOptions {
  /** deterministic terms: none, constant, constant + trend, constant + linear + quadratic trend (default 'c') */
  regression?: AdfRegression;
  /** lag selection (default 'AIC'); 'none' uses exactly `maxlag` lags */
  autolag?: AdfAutolag;
  /** largest lag tried; default ceil(12 * (nobs/100)^(1/4)), capped at nobs/2 - ntrend - 1 */
  maxlag?: number | null;
}

export interface AdfResult {
  statistic: number;
  pvalue: number;
  usedlag: number;
  nobs: number;
  critical: AdfCriticalValues;
  /** the best information criterion (or |t| for 't-stat'); null when autolag is 'none' */
  icbest: number | null;
}

const REGRESSIONS: readonly AdfRegression[] = ['n', 'c', 'ct', 'ctt'];
const AUTOLAGS: readonly AdfAutolag[] = ['AIC', 'BIC', 't-stat', 'none'];
/** scipy.stats.norm.ppf(0.95), the stopping rule of statsmodels' t-stat lag search */
const T_STAT_STOP = 1.6448536269514722;

export function adf(series: Series, options: AdfOptions = {}): AdfResult {
  const regression = options.regression ?? 'c';
  const autolag = options.autolag ?? 'AIC';
  if (!REGRESSIONS.includes(regression)) {
    throw new StationarityError('invalid-argument', `adf: regression must be one of n, c, ct, ctt (got '${regression}').`);
  }
  if (!AUTOLAGS.includes(autolag)) {
    throw new StationarityError('invalid-argument', `adf: autolag must be one of AIC, BIC, t-stat, none (got '${autolag}').`);
  }
  const ntrend = regression === 'n' ? 0 : regression.length;
  const x = checkSeries(series, 3, 'adf');
  checkNotConstant(x, 'adf');
  const n = x.length;
  const lagCap = Math.floor(n / 2) - ntrend - 1;

  let maxlag: number;
  if (options.maxlag == null) {
    maxlag = Math.min(lagCap, Math.ceil(12 * Math.pow(n / 100, 1 / 4)));
    if (maxlag < 0) {
      throw new StationarityError('too-short', `adf: ${n} points are too few for regression '${regression}'.`);
    }
  } else {
    maxlag = options.maxlag;
    if (!Number.isInteger(maxlag) || maxlag < 0) {
      throw new StationarityError('invalid-argument', `adf: maxlag must be a non-negative integer (got ${maxlag}).`);
    }
    if (maxlag > lagCap) {
      throw new StationarityError(
        'maxlag',
        `adf: maxlag ${maxlag} is too large for ${n} points with regression '${regression}'; it must be at most ${lagCap} (nobs/2 - 1 - ntrend).`,
      );
    }
  }

  let usedlag = maxlag;
  let icbest: number | null = null;
  if (autolag !== 'none') {
    // Every lag is fitted on the same sample (the one of maxlag) so that the criteria are comparable.
    const nobs = n - 1 - maxlag;
    const startlag = ntrend + 1;
    const k = startlag + maxlag;
    // A fit with no residual degrees of freedom has no t-ratio (statsmodels gets NaN and the t-stat
    // search passes over it) and an information criterion of -infinity (statsmodels then picks it and
    // returns a meaningless statistic): the first is skipped, the second refused.
    if (nobs - k < 1 && (autolag !== 't-stat' || nobs - startlag < 1)) {
      throw new StationarityError(
        'degenerate',
        `adf: ${n} points leave no residual degrees of freedom for the lag search up to ${maxlag} lags with regression '${regression}'; pass a smaller maxlag or a longer series.`,
      );
    }
    const design = buildDesign(x, maxlag, maxlag, ntrend, 'search');
    const fit = householderLstsq(design, nobs, k, diffs(x, maxlag));
    let bestlag = startlag;
    if (autolag === 't-stat') {
      icbest = 0;
      for (let p = Math.min(k, nobs - 1); p >= startlag; p--) {
        icbest = Math.abs(lastColumnTValue(fit, p));
        bestlag = p;
        if (icbest >= T_STAT_STOP) break;
      }
    } else {
      const penalty = autolag === 'AIC' ? 2 : Math.log(nobs);
      let best = Infinity;
      for (let p = startlag; p <= k; p++) {
        const ic = -2 * olsLogLikelihood(fit.ssrPrefix[p - 1], nobs) + penalty * p;
        if (ic < best) {
          best = ic;
          bestlag = p;
        }
      }
      icbest = best;
    }
    usedlag = bestlag - startlag;
  }

  // The chosen lag is refitted on its own, longer sample; the level column goes last so its t-ratio
  // comes straight from the factorisation.
  const nobs = n - 1 - usedlag;
  const k = ntrend + 1 + usedlag;
  if (nobs - k < 1) {
    throw new StationarityError('degenerate', `adf: ${n} points leave no residual degrees of freedom for ${usedlag} lags with regression '${regression}'.`);
  }
  const design = buildDesign(x, usedlag, usedlag, ntrend, 'final');
  const fit = householderLstsq(design, nobs, k, diffs(x, usedlag));
  const statistic = lastColumnTValue(fit, k);
  if (!Number.isFinite(statistic)) {
    throw new StationarityError('degenerate', `adf: the regression is singular for this series (usedlag ${usedlag}).`);
  }
  return {
    statistic,
    pvalue: mackinnonp(statistic, regression),
    usedlag,
    nobs,
    critical: mackinnoncrit(regression, nobs),
    icbest,
  };
}

/** diff(x)[skip:], the dependent variable of the regression with `skip` lags. */
function diffs(x: Float64Array, skip: number): Float64Array {
  const out = new Float64Array(x.length - 1 - skip);
  for (let r = 0; r < out.length; r++) out[r] = x[skip + r + 1] - x[skip + r];
  return out;
}

/**
 * Column-major design matrix on the sample that drops the first `skip` differences.
 * 'search' order: [trend terms, level, lag 1..lags] (statsmodels' prefix order for the lag search);
 * 'final' order: [trend terms, lag 1..lags, level].
 */
function buildDesign(x: Float64Array, skip: number, lags: number, ntrend: number, order: 'search' | 'final'): Float64Array {
  const nobs = x.length - 1 - skip;
  const k = ntrend + 1 + lags;
  const m = new Float64Array(nobs * k);
  for (let r = 0; r < nobs; r++) {
    const t = r + 1; // statsmodels' add_trend counts time from 1
    if (ntrend >= 1) m[r] = 1;
    if (ntrend >= 2) m[nobs + r] = t;
    if (ntrend >= 3) m[2 * nobs + r] = t * t;
    const levelCol = order === 'search' ? ntrend : ntrend + lags;
    m[levelCol * nobs + r] = x[skip + r];
    for (let j = 1; j <= lags; j++) {
      const col = order === 'search' ? ntrend + j : ntrend + j - 1;
      const i = skip + r - j; // index into diff(x)
      m[col * nobs + r] = x[i + 1] - x[i];
    }
  }
  return m;
}
