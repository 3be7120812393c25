// The percentile bootstrap of a mean (Efron 1979). With the few seeds a study has, the bootstrap distribution is
// computed exactly rather than sampled: the n^n equally likely resamples of n values fall into C(2n - 1, n)
// multisets, each a composition (c_1..c_n) of n with multinomial weight n! / prod(c_i!) and mean sum(c_i x_i) / n -
// 1,716 for 7 seeds, 92,378 for 10. The interval is the alpha/2 and 1 - alpha/2 quantiles of that distribution,
// interpolated as numpy's `percentile` (method 'linear') over the n^n resample means, so it equals scipy's
// `bootstrap(method='percentile')` in the limit of infinitely many resamples, without its Monte Carlo noise.
// Past EXACT_MULTISETS the distribution is sampled (a seeded Mersenne Twister: the same interval every run).
import { factory as mt19937 } from '@stdlib/random-base-mt19937';
import { UsageError } from '@ebt/errors';
import { checkAlpha, checkSample, Interval } from './interval';

export interface BootstrapInterval extends Interval {
  /** 'exact': every resample weighed; 'monte-carlo': `resamples` drawn */
  method: 'exact' | 'monte-carlo';
  /** the resamples the quantiles are taken over (n^n when exact) */
  resamples: number;
}

export interface BootstrapOptions {
  alpha?: number;
  /** resamples drawn when the exact distribution is too large (default 10,000) */
  resamples?: number;
  /** the Mersenne Twister's seed for those draws, a positive integer (default 1) */
  seed?: number;
}

/** The largest number of multisets enumerated exactly (n = 12 has 1,352,078). */
export const EXACT_MULTISETS = 2_000_000;

/** A distribution as atoms: values with integer weights (counts of resamples). */
interface Atoms {
  values: number[];
  weights: number[];
}

const binomial = (n: number, k: number) => {
  let c = 1;
  for (let i = 1; i <= k; i++) c = (c * (n - k + i)) / i;
  return Math.round(c);
};

/** The exact bootstrap distribution of the mean: one atom per multiset of the sample. */
function exactMeans(x: readonly number[]): Atoms {
  const n = x.length;
  const factorial = [1];
  for (let i = 1; i <= n; i++) factorial.push(factorial[i - 1] * i);
  const out: Atoms = { values: [], weights: [] };
  // counts of x[i..] still to place: `left`; running sum and the product of the factorials placed so far
  const place = (i: number, left: number, sum: number, denominator: number) => {
    if (i === n - 1) {
      out.values.push((sum + left * x[i]) / n);
      out.weights.push(factorial[n] / (denominator * factorial[left]));
      return;
    }
    for (let c = 0; c <= left; c++) place(i + 1, left - c, sum + c * x[i], denominator * factorial[c]);
  };
  place(0, n, 0, 1);
  return out;
}

/** Resample means drawn with a seeded generator, each of weight 1. */
function sampledMeans(x: readonly number[], resamples: number, seed: number): Atoms {
  const rand = mt19937({ seed });
  const n = x.length;
  const values = new Array<number>(resamples);
  for (let b = 0; b < resamples; b++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += x[Math.floor((rand() / 2 ** 32) * n)];
    values[b] = s / n;
  }
  return { values, weights: values.map(() => 1) };
}

/**
 * The q-quantile of the expanded list (each value repeated its weight times), as numpy's linear method: the
 * sorted list's element at h = (N - 1) q, interpolated between its neighbours.
 */
export function weightedQuantile({ values, weights }: Atoms, q: number): number {
  const order = values.map((_, i) => i).sort((a, b) => values[a] - values[b]);
  const total = weights.reduce((s, w) => s + w, 0);
  const h = (total - 1) * q;
  const lo = Math.floor(h);
  // the value at 0-based position p of the expanded list
  let k = 0;
  let seen = 0;
  const at = (p: number) => {
    while (seen + weights[order[k]] <= p) seen += weights[order[k++]];
    return values[order[k]];
  };
  const a = at(lo);
  return h === lo ? a : a + (h - lo) * (at(lo + 1) - a);
}

/** The percentile bootstrap interval of the mean of `values` (two or more). */
export function bootstrapInterval(values: readonly number[], o: BootstrapOptions = {}): BootstrapInterval {
  const alpha = checkAlpha(o.alpha ?? 0.05);
  checkSample(values);
  const n = values.length;
  if (n < 2) throw new UsageError(`a bootstrap interval needs at least 2 values (got ${n}).`);
  const resamples = o.resamples ?? 10_000;
  if (!Number.isInteger(resamples) || resamples < 100) throw new UsageError(`resamples must be an integer of at least 100 (got ${resamples}).`);
  const seed = o.seed ?? 1;
  // stdlib's Mersenne Twister takes seeds in [1, 2^32 - 1]
  if (!Number.isInteger(seed) || seed < 1 || seed > 0xffffffff) throw new UsageError(`seed must be an integer in [1, 4294967295] (got ${seed}).`);
  const exact = binomial(2 * n - 1, n) <= EXACT_MULTISETS;
  const atoms = exact ? exactMeans(values) : sampledMeans(values, resamples, seed);
  return {
    estimate: values.reduce((s, x) => s + x, 0) / n,
    lower: weightedQuantile(atoms, alpha / 2),
    upper: weightedQuantile(atoms, 1 - alpha / 2),
    level: 1 - alpha,
    method: exact ? 'exact' : 'monte-carlo',
    resamples: exact ? n ** n : resamples,
  };
}
