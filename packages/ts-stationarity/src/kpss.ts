/**
 * KPSS test of level or trend stationarity, as statsmodels 0.13.5 `kpss`.
 *
 * References: Kwiatkowski, D., Phillips, P.C.B., Schmidt, P. and Shin, Y. (1992) Journal of Econometrics
 * 54, 159-178; Hobijn, B., Franses, P.H. and Ooms, M. (1998) Econometric Institute Report 9802/A (the
 * automatic bandwidth); Newey, W.K. and West, K.D. (1994) Review of Economic Studies 61, 631-653.
 */
import table from './tables/kpss-critical.json';
import { StationarityError } from './errors';
import { householderLstsq } from './ols';
import { checkNotConstant, checkSeries, Series } from './series';

export type KpssRegression = 'c' | 'ct';

export interface KpssOptions {
  /** 'c': level stationarity (default); 'ct': trend stationarity */
  regression?: KpssRegression;
  /** 'auto' (Hobijn et al. 1998, default), 'legacy' (ceil(12 * (n/100)^(1/4))) or a number of lags */
  nlags?: 'auto' | 'legacy' | number;
}

export interface KpssCriticalValues {
  '10%': number;
  '5%': number;
  '2.5%': number;
  '1%': number;
}

export interface KpssResult {
  statistic: number;
  /** interpolated in the KPSS table, so within [0.01, 0.10] */
  pvalue: number;
  lags: number;
  critical: KpssCriticalValues;
  /** true when the statistic fell outside the table and the p-value is only a bound */
  pvalueClipped: boolean;
}

export function kpss(series: Series, options: KpssOptions = {}): KpssResult {
  const regression = options.regression ?? 'c';
  const nlagsOption = options.nlags ?? 'auto';
  if (regression !== 'c' && regression !== 'ct') {
    throw new StationarityError('invalid-argument', `kpss: regression must be 'c' or 'ct' (got '${regression}').`);
  }
  const y = checkSeries(series, regression === 'ct' ? 3 : 2, 'kpss');
  checkNotConstant(y, 'kpss');
  const n = y.length;
  const resid = regression === 'ct' ? trendResiduals(y) : demean(y);

  let lags: number;
  if (nlagsOption === 'legacy') {
    lags = Math.min(Math.ceil(12 * Math.pow(n / 100, 1 / 4)), n - 1);
  } else if (nlagsOption === 'auto') {
    lags = Math.min(hobijnLags(resid), n - 1);
  } else if (typeof nlagsOption === 'number' && Number.isInteger(nlagsOption) && nlagsOption >= 0) {
    if (nlagsOption >= n) {
      throw new StationarityError('maxlag', `kpss: nlags ${nlagsOption} must be less than the ${n} points of the series.`);
    }
    lags = nlagsOption;
  } else {
    throw new StationarityError('invalid-argument', `kpss: nlags must be 'auto', 'legacy' or a non-negative integer (got '${String(nlagsOption)}').`);
  }

  let partial = 0;
  let eta = 0;
  for (let t = 0; t < n; t++) {
    partial += resid[t];
    eta += partial * partial;
  }
  eta /= n * n;
  const statistic = eta / longRunVariance(resid, lags);
  const crit = table[regression];
  const pvalue = interp(statistic, crit, table.pvalues);
  return {
    statistic,
    pvalue,
    lags,
    critical: { '10%': crit[0], '5%': crit[1], '2.5%': crit[2], '1%': crit[3] },
    pvalueClipped: pvalue === table.pvalues[0] || pvalue === table.pvalues[table.pvalues.length - 1],
  };
}

function demean(y: Float64Array): Float64Array {
  let mean = 0;
  for (const v of y) mean += v;
  mean /= y.length;
  return y.map((v) => v - mean);
}

/** Residuals of y on [1, t], t = 1..n. */
function trendResiduals(y: Float64Array): Float64Array {
  const n = y.length;
  const x = new Float64Array(2 * n);
  for (let t = 0; t < n; t++) {
    x[t] = 1;
    x[n + t] = t + 1;
  }
  const fit = householderLstsq(x, n, 2, y);
  // residuals = Q [0; (Q'y)[2:]]: apply the stored reflectors in reverse order
  const r = new Float64Array(n);
  for (let i = 2; i < n; i++) r[i] = fit.qty[i];
  for (let j = 1; j >= 0; j--) {
    const col = j * n;
    let vv = 0;
    let dot = 0;
    for (let i = j; i < n; i++) {
      vv += x[col + i] * x[col + i];
      dot += x[col + i] * r[i];
    }
    if (vv === 0) continue;
    const f = (2 * dot) / vv;
    for (let i = j; i < n; i++) r[i] -= f * x[col + i];
  }
  return r;
}

function autocovarianceSum(resid: Float64Array, lag: number): number {
  let s = 0;
  for (let t = lag; t < resid.length; t++) s += resid[t] * resid[t - lag];
  return s;
}

/** Bartlett-kernel long-run variance s^2(l). */
function longRunVariance(resid: Float64Array, lags: number): number {
  const n = resid.length;
  let s = autocovarianceSum(resid, 0);
  for (let i = 1; i <= lags; i++) s += 2 * autocovarianceSum(resid, i) * (1 - i / (lags + 1));
  return s / n;
}

/** Hobijn et al. (1998) automatic bandwidth, as statsmodels' _kpss_autolag. */
function hobijnLags(resid: Float64Array): number {
  const n = resid.length;
  const covlags = Math.trunc(Math.pow(n, 2 / 9));
  let s0 = autocovarianceSum(resid, 0) / n;
  let s1 = 0;
  for (let i = 1; i <= covlags; i++) {
    const prod = autocovarianceSum(resid, i) / (n / 2);
    s0 += prod;
    s1 += i * prod;
  }
  const sHat = s1 / s0;
  const gammaHat = 1.1447 * Math.pow(sHat * sHat, 1 / 3);
  return Math.trunc(gammaHat * Math.pow(n, 1 / 3));
}

/** numpy.interp: linear interpolation, clamped to the end values. */
function interp(x: number, xp: readonly number[], fp: readonly number[]): number {
  if (x <= xp[0]) return fp[0];
  const last = xp.length - 1;
  if (x >= xp[last]) return fp[last];
  let i = 0;
  while (x > xp[i + 1]) i++;
  const w = (x - xp[i]) / (xp[i + 1] - xp[i]);
  return fp[i] + w * (fp[i + 1] - fp[i]);
}
