// MacKinnon (1994) p-values and MacKinnon (2010) critical values for the ADF tau statistic (N = 1),
// evaluated exactly as statsmodels 0.13.5 statsmodels/tsa/adfvalues.py does (Horner order as numpy.polyval).
import pvalueTable from './tables/mackinnon1994-pvalue.json';
import criticalTable from './tables/mackinnon2010-critical.json';
import { normalCdf } from './normal';

export type AdfRegression = 'n' | 'c' | 'ct' | 'ctt';

export interface AdfCriticalValues {
  '1%': number;
  '5%': number;
  '10%': number;
}

/** polyval with coefficients in increasing power, evaluated from the highest power down. */
function hornerIncreasing(coef: readonly number[], x: number): number {
  let y = 0;
  for (let i = coef.length - 1; i >= 0; i--) y = y * x + coef[i];
  return y;
}

/** Approximate p-value of the ADF tau statistic, MacKinnon (1994). */
export function mackinnonp(stat: number, regression: AdfRegression): number {
  const t = pvalueTable[regression];
  const tauMax = t.tauMax ?? Infinity;
  if (stat > tauMax) return 1;
  if (stat < t.tauMin) return 0;
  const coef = stat <= t.tauStar ? t.smallp : t.largep;
  return normalCdf(hornerIncreasing(coef, stat));
}

/** Critical values for a regression with `nobs` observations, MacKinnon (2010). */
export function mackinnoncrit(regression: AdfRegression, nobs: number): AdfCriticalValues {
  const t = criticalTable[regression];
  const x = 1 / nobs;
  return {
    '1%': hornerIncreasing(t['1%'], x),
    '5%': hornerIncreasing(t['5%'], x),
    '10%': hornerIncreasing(t['10%'], x),
  };
}
