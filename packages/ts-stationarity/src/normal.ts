// Distribution functions come from jStat (one package, no dependencies; stdlib-js's micro-packages pulled 226
// packages, 26 MB, into every install of this library for these two functions). Where this departs from
// statsmodels (scipy's Cephes): a normal tail below about 1e-16 (|z| > 8.3) comes out as 0 where scipy gives
// the tail value, since jStat's erfc is accurate to about 1e-16 absolute, not relative; the t CDF agrees with
// scipy to about 4e-8 relative (its incomplete beta's tolerance), far tails included. statsmodels' p-values
// are matched to 1e-5 (test/reference.ts) either way, and no decision at a usable alpha moves.
import jStat from 'jstat';

/** Standard normal CDF Phi(x), as erfc(-x / sqrt 2) / 2 (no cancellation in the lower tail, unlike 1 + erf). */
export function normalCdf(x: number): number {
  return 0.5 * jStat.erfc(-x / Math.SQRT2);
}

/** Two-sided p-value of a z statistic: 2 * Phi(-|z|). */
export function normalTwoSided(z: number): number {
  return 2 * normalCdf(-Math.abs(z));
}

/** Two-sided p-value of a t statistic with `df` degrees of freedom. */
export function studentTwoSided(t: number, df: number): number {
  return 2 * studentCdf(-Math.abs(t), df);
}

/** Student t CDF with `df` degrees of freedom. */
export function studentCdf(t: number, df: number): number {
  return jStat.studentt.cdf(t, df);
}
