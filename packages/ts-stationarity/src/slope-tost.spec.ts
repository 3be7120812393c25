import { slopeTost, StationarityError } from './index';
import { expectPvalue, expectRelative } from '../test/reference';
import reference from '../test/fixtures/slope-tost-cases.json';

interface Case {
  series: string;
  args: { low: number; upp: number; lags: number; use_t: boolean; correction: boolean };
  beta: number;
  intercept: number;
  se: number;
  statistic_low: number;
  pvalue_low: number;
  statistic_upp: number;
  pvalue_upp: number;
  pvalue: number;
}

const { series, cases } = reference as unknown as { series: Record<string, number[]>; cases: Case[] };

describe('slopeTost reproduces statsmodels HAC OLS and its one-sided t tests of the slope', () => {
  for (const name of Object.keys(series)) {
    test(name, () => {
      const mine = cases.filter((c) => c.series === name);
      expect(mine.length).toBeGreaterThan(0);
      for (const c of mine) {
        const { low, upp, lags, use_t, correction } = c.args;
        const label = `${name} slopeTost(${low.toPrecision(3)}, ${upp.toPrecision(3)}, lags ${lags}, useT ${use_t}, correction ${correction})`;
        const r = slopeTost(series[name], { low, upp, lags, useT: use_t, correction });
        expect(r.lags).toBe(lags);
        expectRelative(r.beta, c.beta, 1e-8, `${label} beta`);
        expectRelative(r.se, c.se, 1e-8, `${label} se`);
        expectRelative(r.statisticLow, c.statistic_low, 1e-7, `${label} statistic low`);
        expectRelative(r.statisticUpp, c.statistic_upp, 1e-7, `${label} statistic upp`);
        expectPvalue(r.pvalueLow, c.pvalue_low, `${label} low`);
        expectPvalue(r.pvalueUpp, c.pvalue_upp, `${label} upp`);
        expectPvalue(r.pvalue, c.pvalue, label);
      }
    });
  }

  test('a flat noisy series is equivalent to no trend within wide bounds, a ramp is not', () => {
    const y = series.white_noise_100;
    expect(slopeTost(y, { low: -0.05, upp: 0.05 }).pvalue).toBeLessThan(0.05);
    const ramp = series.ramp_100; // rises 0.02 per step
    expect(slopeTost(ramp, { low: -0.01, upp: 0.01 }).pvalue).toBeGreaterThan(0.5);
    expect(slopeTost(ramp, { low: 0.01, upp: 0.03 }).pvalue).toBeLessThan(0.05);
  });

  test('refuses bounds out of order, a constant series and too many lags, naming them', () => {
    expect(() => slopeTost([1, 3, 2, 5], { low: 1, upp: -1 })).toThrow(/low 1, upp -1/);
    expect(() => slopeTost([1, 3, 2, 5], { low: NaN, upp: 1 })).toThrow(StationarityError);
    expect(() => slopeTost([2, 2, 2, 2], { low: -1, upp: 1 })).toThrow(StationarityError);
    expect(() => slopeTost([1, 3, 2, 5], { low: -1, upp: 1, lags: 4 })).toThrow(/lags 4/);
  });
});
