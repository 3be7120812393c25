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
