import * as fs from 'node:fs';
import * as path from 'node:path';
import { holm, mcnemarExact, tTest } from './index';
import type { Alternative } from './index';

// scipy / statsmodels values: test/fixtures/make-tests.py
const { cases } = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'test', 'fixtures', 'tests-cases.json'), 'utf8'));
const close = (a: number, b: number, tol: number) => expect(Math.abs(a - b)).toBeLessThanOrEqual(tol * Math.max(1e-3, Math.abs(b)));

describe('tTest', () => {
  type T = { values: number[]; popmean: number; alternative: Alternative; p: number };
  test.each((cases.t as T[]).map((c) => [c.alternative, c.popmean, c.values.length, c] as [Alternative, number, number, T]))(
    '%s of mean %f (%i values) matches scipy ttest_1samp',
    (alternative, popmean, _n, c) => close(tTest(c.values, { popmean, alternative }), c.p, 1e-8),
  );

  test('values that do not vary: 0 or 1 by the side of the difference, where scipy gives NaN', () => {
    expect(tTest([2, 2, 2], { popmean: 1, alternative: 'greater' })).toBe(0);
    expect(tTest([2, 2, 2], { popmean: 1, alternative: 'less' })).toBe(1);
    expect(tTest([1, 1], { popmean: 1 })).toBe(1);
  });

  test('bad input names the argument and the value', () => {
    expect(() => tTest([1])).toThrow('a t test needs at least 2 values (got 1).');
    expect(() => tTest([1, NaN])).toThrow('sample[1] is not a finite number (got NaN).');
    expect(() => tTest([1, 2], { alternative: 'larger' as Alternative })).toThrow("alternative must be one of greater, less, two-sided (got 'larger').");
  });
});

describe('mcnemarExact', () => {
  type M = { b: number; c: number; twoSided: number; less: number };
  test.each((cases.mcnemar as M[]).map((c) => [c.b, c.c, c] as [number, number, M]))(
    'b %i, c %i: two-sided as statsmodels mcnemar(exact=True), one-sided as scipy binomtest',
    (b, c, ref) => {
      close(mcnemarExact(b, c), ref.twoSided, 1e-10);
      close(mcnemarExact(b, c, { alternative: 'less' }), ref.less, 1e-10);
      // the other side is the same test with the conditions swapped
      close(mcnemarExact(c, b, { alternative: 'greater' }), ref.less, 1e-10);
    },
  );

  test('counts must be non-negative integers', () => {
    expect(() => mcnemarExact(-1, 2)).toThrow('b must be a non-negative integer count (got -1).');
    expect(() => mcnemarExact(1, 0.5)).toThrow('c must be a non-negative integer count (got 0.5).');
  });
});

describe('holm', () => {
  type H = { p: number[]; alpha: number; reject: boolean[]; adjusted: number[] };
  test.each((cases.holm as H[]).map((c) => [c.p.join(', '), c.alpha, c] as [string, number, H]))(
    '[%s] at alpha %f matches multipletests(method="holm")',
    (_p, alpha, c) => {
      const out = holm(c.p, { alpha });
      expect(out.reject).toEqual(c.reject);
      out.adjusted.forEach((a, i) => close(a, c.adjusted[i], 1e-12));
    },
  );

  test('p-values outside [0, 1] are refused, naming the one', () => {
    expect(() => holm([0.1, 1.2])).toThrow('p-value 1 must lie in [0, 1] (got 1.2).');
  });
});
