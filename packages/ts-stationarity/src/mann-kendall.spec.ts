import { mannKendall, StationarityError } from './index';
import { expectPvalue, expectRelative, referenceCases } from '../test/reference';

describe('mannKendall reproduces the original test (Gilbert 1987) and scipy theilslopes', () => {
  for (const c of referenceCases) {
    test(c.name, () => {
      const ref = c.mann_kendall;
      const r = mannKendall(c.series, { alpha: ref.args.alpha });
      expect(r.S).toBe(ref.S);
      expectRelative(r.varS, ref.varS, 1e-12, `${c.name} varS`);
      expectRelative(r.z, ref.z, 1e-9, `${c.name} z`);
      expectPvalue(r.pvalue, ref.pvalue, c.name);
      expectRelative(r.tau, ref.tau, 1e-12, `${c.name} tau`);
      expect(r.trend).toBe(ref.trend);
      expectRelative(r.senSlope, ref.sen_slope, 1e-9, `${c.name} senSlope`);
      expectRelative(r.senIntercept, ref.sen_intercept, 1e-9, `${c.name} senIntercept`);
    });
  }

  test('a hand-computed case: 1, 3, 2, 4', () => {
    // pairs: (1,3)+ (1,2)+ (1,4)+ (3,2)- (3,4)+ (2,4)+ => S = 4; varS = 4*3*13/18
    const r = mannKendall([1, 3, 2, 4]);
    expect(r.S).toBe(4);
    expect(r.varS).toBeCloseTo((4 * 3 * 13) / 18, 12);
    expect(r.tau).toBeCloseTo(4 / 6, 12);
  });

  test('refuses a constant series and non-finite values', () => {
    expect(() => mannKendall([1, 1, 1, 1])).toThrow(StationarityError);
    expect(() => mannKendall([1, 2, -Infinity])).toThrow(/index 2/);
  });
});

describe("Sen's slope", () => {
  test('is the median of all pairwise slopes (checked against a full sort) for odd and even pair counts', () => {
    let seed = 7;
    const rand = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    for (const n of [3, 4, 5, 17, 40, 41, 64, 200, 300, 302]) {
      const y = Array.from({ length: n }, (_, i) => Math.round(rand() * 20) / 4 + i * 0.01);
      const slopes: number[] = [];
      for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) slopes.push((y[j] - y[i]) / (j - i));
      slopes.sort((a, b) => a - b);
      const h = slopes.length >> 1;
      const median = slopes.length % 2 ? slopes[h] : (slopes[h - 1] + slopes[h]) / 2;
      expect(mannKendall(y).senSlope).toBe(median);
    }
  });
});
