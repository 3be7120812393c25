import { adf, AdfAutolag, AdfRegression, StationarityError } from './index';
import { expectPvalue, expectRelative, referenceCases } from '../test/reference';

describe('adf reproduces statsmodels 0.13.5 adfuller', () => {
  for (const c of referenceCases) {
    test(c.name, () => {
      for (const ref of c.adf) {
        const { regression, autolag, maxlag } = ref.args as { regression: AdfRegression; autolag: AdfAutolag; maxlag: number | null };
        const label = `${c.name} adf(${regression}, ${autolag}, ${maxlag})`;
        if (ref.degenerate) {
          expect(() => adf(c.series, { regression, autolag, maxlag })).toThrow(StationarityError);
          continue;
        }
        const r = adf(c.series, { regression, autolag, maxlag });
        expect({ label, usedlag: r.usedlag, nobs: r.nobs }).toEqual({ label, usedlag: ref.usedlag, nobs: ref.nobs });
        expectRelative(r.statistic, ref.statistic, 1e-6, `${label} statistic`);
        expectPvalue(r.pvalue, ref.pvalue, label);
        expect(r.critical).toEqual(ref.critical);
        if (ref.icbest === undefined) expect(r.icbest).toBeNull();
        else expectRelative(r.icbest as number, ref.icbest, 1e-6, `${label} icbest`);
      }
    });
  }

  test('agrees with R urca ur.df(type = "trend") tau3', () => {
    for (const c of referenceCases as Array<any>) {
      const ref = c.r_urca_adf_trend;
      const r = adf(c.series, { regression: 'ct', autolag: 'none', maxlag: ref.lags });
      expectRelative(r.statistic, ref.tau3, 1e-6, `${c.name} tau3`);
    }
  });
});

describe('adf refuses what it cannot test', () => {
  const walk = referenceCases.find((c) => c.name === 'random_walk_150')!.series;
  const expectCode = (fn: () => unknown, code: string) => {
    try {
      fn();
    } catch (e) {
      expect(e).toBeInstanceOf(StationarityError);
      expect((e as StationarityError).code).toBe(code);
      return;
    }
    throw new Error(`expected a StationarityError '${code}'`);
  };
  test('NaN and Infinity', () => {
    expectCode(() => adf([1, 2, NaN, 4, 5, 6, 7, 8]), 'non-finite');
    expectCode(() => adf([1, 2, Infinity, 4, 5, 6, 7, 8]), 'non-finite');
  });
  test('a constant series', () => expectCode(() => adf(new Array(50).fill(3)), 'constant'));
  test('too few points', () => expectCode(() => adf([1, 2, 1]), 'too-short'));
  test('maxlag too large', () => expectCode(() => adf(walk, { maxlag: 80 }), 'maxlag'));
  test('an unknown regression', () => expectCode(() => adf(walk, { regression: 'x' as AdfRegression }), 'invalid-argument'));
});
