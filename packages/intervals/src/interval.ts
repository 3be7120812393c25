import { UsageError } from '@ebt/errors';

/** A two-sided confidence interval around an estimate, at `level` (0.95 for alpha 0.05). */
export interface Interval {
  estimate: number;
  lower: number;
  upper: number;
  level: number;
}

/** alpha in (0, 1), as statsmodels and scipy take it: the interval covers 1 - alpha. */
export function checkAlpha(alpha: number): number {
  if (!(alpha > 0 && alpha < 1)) throw new UsageError(`alpha must lie in (0, 1) (got ${alpha}).`);
  return alpha;
}

/** Finite numbers only: a NaN in a sample would make every bound NaN without saying where it came from. */
export function checkSample(values: readonly number[], what = 'sample'): void {
  const bad = values.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) throw new UsageError(`${what}[${bad}] is not a finite number (got ${values[bad]}).`);
}

export const mean = (v: readonly number[]) => v.reduce((s, x) => s + x, 0) / v.length;

/** The sample standard deviation (n - 1 in the denominator), as numpy's `std(ddof=1)`. */
export function sampleSd(v: readonly number[]): number {
  const m = mean(v);
  return Math.sqrt(v.reduce((s, x) => s + (x - m) ** 2, 0) / (v.length - 1));
}
