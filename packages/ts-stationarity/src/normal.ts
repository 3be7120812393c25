// Distribution functions come from stdlib-js, which ports Cephes/Boost (accurate in the tails).
import normalCdfImpl from '@stdlib/stats-base-dists-normal-cdf';
import tCdfImpl from '@stdlib/stats-base-dists-t-cdf';

/** Standard normal CDF Phi(x). */
export function normalCdf(x: number): number {
  return normalCdfImpl(x, 0, 1);
}

/** Two-sided p-value of a z statistic: 2 * Phi(-|z|). */
export function normalTwoSided(z: number): number {
  return 2 * normalCdf(-Math.abs(z));
}

/** Two-sided p-value of a t statistic with `df` degrees of freedom. */
export function studentTwoSided(t: number, df: number): number {
  return 2 * tCdfImpl(-Math.abs(t), df);
}

/** Student t CDF with `df` degrees of freedom. */
export function studentCdf(t: number, df: number): number {
  return tCdfImpl(t, df);
}
