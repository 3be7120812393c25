import * as fs from 'node:fs';
import * as path from 'node:path';
import { bootstrapInterval, clopperPearson, EXACT_MULTISETS, pairedDifference, tInterval } from './index';

// statsmodels / scipy / numpy values: test/fixtures/make-intervals.py
const { cases } = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'test', 'fixtures', 'intervals-cases.json'), 'utf8'));
interface Case {
  values: number[];
  alpha: number;
  estimate: number;
  lower: number;
  upper: number;
  resamples: number;
}
const close = (a: number, b: number, tol: number) => expect(Math.abs(a - b)).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(b)));

describe('clopperPearson', () => {
  test.each(cases.clopperPearson.map((c: Record<string, number>) => [c.successes, c.trials, c.alpha, c]) as [number, number, number, Record<string, number>][])(
    '%i of %i at alpha %f matches proportion_confint(method="beta")',
    (k, n, alpha, c) => {
      const ci = clopperPearson(k, n, { alpha });
      close(ci.lower, c.lower, 1e-10);
      close(ci.upper, c.upper, 1e-10);
      expect(ci.estimate).toBe(k / n);
      expect(ci.level).toBeCloseTo(1 - alpha, 12);
    },
  );

  test('bad counts name the argument and the value', () => {
    expect(() => clopperPearson(3, 2)).toThrow('successes must be an integer in [0, 2] (got 3).');
    expect(() => clopperPearson(1.5, 4)).toThrow('successes must be an integer in [0, 4] (got 1.5).');
    expect(() => clopperPearson(0, 0)).toThrow('trials must be a positive integer (got 0).');
    expect(() => clopperPearson(1, 4, { alpha: 1.2 })).toThrow('alpha must lie in (0, 1) (got 1.2).');
  });
});

describe('tInterval', () => {
  test.each(cases.t.map((c: { values: number[]; alpha: number }) => [c.values.length, c.alpha, c]) as [number, number, Case][])(
    '%i values at alpha %f match scipy.stats.t.interval',
    (_n, alpha, c) => {
      const ci = tInterval(c.values, { alpha });
      close(ci.estimate, c.estimate, 1e-12);
      // stdlib's t quantile (a Cephes port) and scipy's (Boost) agree to about 3e-9 of the bound
      close(ci.lower, c.lower, 1e-8);
      close(ci.upper, c.upper, 1e-8);
    },
  );

  test('one value has no interval; a NaN is named by its index', () => {
    expect(() => tInterval([1])).toThrow('a t interval needs at least 2 values (got 1).');
    expect(() => tInterval([1, NaN, 2])).toThrow('sample[1] is not a finite number (got NaN).');
  });
});

describe('bootstrapInterval', () => {
  test.each(cases.bootstrap.map((c: { values: number[]; alpha: number }) => [c.values.length, c.alpha, c]) as [number, number, Case][])(
    'the exact distribution of %i values at alpha %f equals numpy.percentile over all n^n resamples',
    (_n, alpha, c) => {
      const ci = bootstrapInterval(c.values, { alpha });
      expect(ci.method).toBe('exact');
      expect(ci.resamples).toBe(c.resamples);
      close(ci.lower, c.lower, 1e-12);
      close(ci.upper, c.upper, 1e-12);
    },
  );

  test('past the exact limit it samples, repeatably, near the normal approximation', () => {
    // 13 values have C(25, 13) = 5,200,300 multisets > EXACT_MULTISETS: sampled; 12 are still enumerated
    const x = [0.3, -1.2, 0.8, 0.1, 2.2, -0.4, 0.05, 1.1, -0.7, 0.6, 0.0, 1.4, -0.2];
    expect(5_200_300).toBeGreaterThan(EXACT_MULTISETS);
    expect(bootstrapInterval(x.slice(0, 12)).method).toBe('exact');
    const sampled = bootstrapInterval(x, { resamples: 20_000, seed: 3 });
    expect(sampled).toMatchObject({ method: 'monte-carlo', resamples: 20_000 });
    expect(bootstrapInterval(x, { resamples: 20_000, seed: 3 })).toEqual(sampled);
    expect(bootstrapInterval(x, { resamples: 20_000, seed: 4 }).lower).not.toBe(sampled.lower);
    // without a seed it samples too (seed 1: the generator refuses 0, which the default once was)
    expect(bootstrapInterval(x)).toEqual(bootstrapInterval(x, { seed: 1 }));
    // the bootstrap distribution of a mean has sd = the plug-in sd / sqrt(n), and is near normal at n = 13:
    // its 2.5% and 97.5% points lie about 1.96 of those from the mean
    const se = Math.sqrt(x.reduce((s, v) => s + (v - sampled.estimate) ** 2, 0) / x.length / x.length);
    expect((sampled.estimate - sampled.lower) / se).toBeGreaterThan(1.75);
    expect((sampled.estimate - sampled.lower) / se).toBeLessThan(2.15);
    expect((sampled.upper - sampled.estimate) / se).toBeGreaterThan(1.75);
    expect((sampled.upper - sampled.estimate) / se).toBeLessThan(2.15);
  });

  test('bad options are named', () => {
    expect(() => bootstrapInterval([1])).toThrow('a bootstrap interval needs at least 2 values (got 1).');
    expect(() => bootstrapInterval([1, 2], { resamples: 10 })).toThrow('resamples must be an integer of at least 100 (got 10).');
    expect(() => bootstrapInterval([1, 2], { seed: 0 })).toThrow('seed must be an integer in [1, 4294967295] (got 0).');
  });
});

describe('pairedDifference', () => {
  test('is the t and bootstrap interval of x - y', () => {
    const c = cases.t.find((x: { values: number[]; alpha: number }) => x.values.length === 5 && x.alpha === 0.05);
    const y = [0.9, 0.85, 0.88, 0.91, 0.87];
    const x = y.map((v, i) => v + c.values[i]);
    const d = pairedDifference(x, y);
    expect(d.n).toBe(5);
    close(d.t!.lower, c.lower, 1e-8);
    close(d.t!.upper, c.upper, 1e-8);
    const b = cases.bootstrap.find((x: { values: number[]; alpha: number }) => x.values.join() === c.values.join() && x.alpha === 0.05);
    close(d.bootstrap!.lower, b.lower, 1e-9);
    close(d.bootstrap!.upper, b.upper, 1e-9);
  });

  test('under two pairs it has no intervals; unequal lengths are an error', () => {
    expect(pairedDifference([], [])).toEqual({ n: 0, mean: null, sd: null, t: null, bootstrap: null });
    expect(pairedDifference([0.8], [0.75])).toEqual({ n: 1, mean: 0.8 - 0.75, sd: null, t: null, bootstrap: null });
    expect(() => pairedDifference([1, 2], [1])).toThrow('a paired difference needs as many x as y (got 2 and 1).');
    expect(() => pairedDifference([1, 2], [1, Infinity])).toThrow('y[1] is not a finite number (got Infinity).');
  });
});
