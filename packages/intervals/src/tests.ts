/**
 * The hypothesis tests a study's endpoints are judged by (docs/study.md "Endpoints"): Student's one-sample t test,
 * the exact McNemar test of paired yes/no outcomes, and Holm's step-down correction of a family of p-values.
 */
import binomialCdf from '@stdlib/stats-base-dists-binomial-cdf';
import tCdf from '@stdlib/stats-base-dists-t-cdf';
import { UsageError } from '@ebt/errors';
import { checkAlpha, checkSample, mean, sampleSd } from './interval';

/** Which side the alternative hypothesis lies on, as scipy names it. */
export type Alternative = 'greater' | 'less' | 'two-sided';

const ALTERNATIVES: readonly Alternative[] = ['greater', 'less', 'two-sided'];

function checkAlternative(alternative: string): Alternative {
  if (!ALTERNATIVES.includes(alternative as Alternative)) throw new UsageError(`alternative must be one of ${ALTERNATIVES.join(', ')} (got '${alternative}').`);
  return alternative as Alternative;
}

/**
 * The p-value of Student's one-sample t test of `values` against `popmean`, as scipy's
 * `ttest_1samp(values, popmean, alternative=...)`. Values that do not vary give NaN there; here, 0 or 1 by the sign
 * of the difference (all at popmean: 1), since a study's seeds can agree to the last digit.
 */
export function tTest(values: readonly number[], { popmean = 0, alternative = 'two-sided' }: { popmean?: number; alternative?: Alternative } = {}): number {
  checkSample(values);
  checkAlternative(alternative);
  if (values.length < 2) throw new UsageError(`a t test needs at least 2 values (got ${values.length}).`);
  const diff = mean(values) - popmean;
  const se = sampleSd(values) / Math.sqrt(values.length);
  if (se === 0) {
    const side = alternative === 'greater' ? diff > 0 : alternative === 'less' ? diff < 0 : diff !== 0;
    return side ? 0 : 1;
  }
  const t = diff / se;
  const df = values.length - 1;
  if (alternative === 'greater') return 1 - tCdf(t, df);
  if (alternative === 'less') return tCdf(t, df);
  return Math.min(1, 2 * tCdf(-Math.abs(t), df));
}

/**
 * The exact McNemar test of paired outcomes: `b` units had the event under the first condition only, `c` under
 * the second only (those with it under both or neither carry no information). Under the null each discordant unit
 * falls either way with probability 1/2. 'less': the first condition has it less often (P[X <= b], X ~ Bin(b + c,
 * 1/2)), as scipy's `binomtest(b, b + c, 0.5, alternative='less')`; 'two-sided' as statsmodels' `mcnemar(exact=True)`.
 */
export function mcnemarExact(b: number, c: number, { alternative = 'two-sided' }: { alternative?: Alternative } = {}): number {
  for (const [name, v] of [
    ['b', b],
    ['c', c],
  ] as const)
    if (!Number.isInteger(v) || v < 0) throw new UsageError(`${name} must be a non-negative integer count (got ${v}).`);
  checkAlternative(alternative);
  const n = b + c;
  if (n === 0) return 1;
  if (alternative === 'less') return binomialCdf(b, n, 0.5);
  if (alternative === 'greater') return 1 - binomialCdf(b - 1, n, 0.5);
  return Math.min(1, 2 * binomialCdf(Math.min(b, c), n, 0.5));
}

/**
 * Holm's step-down correction (Holm 1979) of one family of p-values, as statsmodels'
 * `multipletests(p, alpha, method='holm')`: the adjusted p-values, in the given order, and which are rejected.
 */
export function holm(pvalues: readonly number[], { alpha = 0.05 }: { alpha?: number } = {}): { adjusted: number[]; reject: boolean[] } {
  checkAlpha(alpha);
  const bad = pvalues.findIndex((p) => !(p >= 0 && p <= 1));
  if (bad >= 0) throw new UsageError(`p-value ${bad} must lie in [0, 1] (got ${pvalues[bad]}).`);
  const m = pvalues.length;
  const order = pvalues.map((p, i) => [p, i] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const adjusted = new Array<number>(m);
  let running = 0;
  order.forEach(([p, i], k) => {
    running = Math.max(running, Math.min(1, (m - k) * p));
    adjusted[i] = running;
  });
  return { adjusted, reject: adjusted.map((p) => p <= alpha) };
}
