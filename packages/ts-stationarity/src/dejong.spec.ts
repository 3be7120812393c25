import { dejong, StationarityError } from './index';
import { expectPvalue, expectRelative, referenceCases } from '../test/reference';

describe('dejong reproduces statsmodels OLS with HAC (Newey-West) covariance', () => {
  for (const c of referenceCases) {
    test(c.name, () => {
      for (const ref of c.dejong) {
        const { lags, use_t, correction } = ref.args as { lags: 'auto' | number; use_t: boolean; correction: boolean };
        const label = `${c.name} dejong(${lags}, useT=${use_t}, correction=${correction})`;
        const r = dejong(c.series, { lags, useT: use_t, correction });
        expect(r.lags).toBe(ref.lags);
        expectRelative(r.beta, ref.beta, 1e-6, `${label} beta`);
        expectRelative(r.intercept, ref.intercept, 1e-6, `${label} intercept`);
        expectRelative(r.se, ref.se, 1e-6, `${label} se`);
        expectRelative(r.statistic, ref.statistic, 1e-6, `${label} statistic`);
        expectPvalue(r.pvalue, ref.pvalue, label);
      }
    });
  }

  test('refuses an exact straight line and too many lags', () => {
    expect(() => dejong([1, 2, 3, 4, 5])).toThrow(StationarityError);
    expect(() => dejong([1, 3, 2, 5], { lags: 4 })).toThrow(/lags 4/);
  });
});
