import { kpss, KpssRegression, StationarityError } from './index';
import { expectPvalue, expectRelative, referenceCases } from '../test/reference';

describe('kpss reproduces statsmodels 0.13.5 kpss', () => {
  for (const c of referenceCases) {
    test(c.name, () => {
      for (const ref of c.kpss) {
        const { regression, nlags } = ref.args as { regression: KpssRegression; nlags: 'auto' | 'legacy' | number };
        const label = `${c.name} kpss(${regression}, ${nlags})`;
        const r = kpss(c.series, { regression, nlags });
        expect({ label, lags: r.lags, clipped: r.pvalueClipped }).toEqual({ label, lags: ref.lags, clipped: ref.pvalue_clipped });
        expectRelative(r.statistic, ref.statistic, 1e-6, `${label} statistic`);
        expectPvalue(r.pvalue, ref.pvalue, label);
        expect(r.critical).toEqual(ref.critical);
      }
    });
  }

  test('refuses nlags >= n, NaN and a constant series', () => {
    expect(() => kpss([1, 2, 3, 4], { nlags: 4 })).toThrow(/nlags 4/);
    expect(() => kpss([1, NaN, 3, 4])).toThrow(StationarityError);
    expect(() => kpss([2, 2, 2, 2])).toThrow(/constant/);
  });
});
