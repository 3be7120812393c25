// The exact binomial interval of Clopper and Pearson (1934) through the beta quantile, as statsmodels'
// `proportion_confint(count, nobs, alpha, method='beta')`: with k of n, the lower bound is the alpha/2 quantile of
// Beta(k, n - k + 1) and the upper the 1 - alpha/2 quantile of Beta(k + 1, n - k); 0 and 1 at the edges, where
// those distributions do not exist.
import betaQuantile from '@stdlib/stats-base-dists-beta-quantile';
import { UsageError } from '@ebt/errors';
import { checkAlpha, Interval } from './interval';

/** The Clopper-Pearson interval of a rate: `successes` of `trials` (a false-positive rate: false positives of draws). */
export function clopperPearson(successes: number, trials: number, { alpha = 0.05 }: { alpha?: number } = {}): Interval {
  checkAlpha(alpha);
  if (!Number.isInteger(trials) || trials < 1) throw new UsageError(`trials must be a positive integer (got ${trials}).`);
  if (!Number.isInteger(successes) || successes < 0 || successes > trials)
    throw new UsageError(`successes must be an integer in [0, ${trials}] (got ${successes}).`);
  const k = successes;
  const n = trials;
  return {
    estimate: k / n,
    lower: k === 0 ? 0 : betaQuantile(alpha / 2, k, n - k + 1),
    upper: k === n ? 1 : betaQuantile(1 - alpha / 2, k + 1, n - k),
    level: 1 - alpha,
  };
}
