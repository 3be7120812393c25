import { calibrate, calibrateRule, calibrationSeries, NUCLEAR_STATIONARITY_DEFAULTS, WINDOW_PRESETS } from './index';
import type { CalibratedRule, StationarityRule } from './index';

const thresholds = NUCLEAR_STATIONARITY_DEFAULTS.thresholds;
// windows that do not overlap (every = window) and no smoothing: independent draws of each test's verdict
const independent = (tests: StationarityRule[]): CalibratedRule => ({ smooth: 1, window: 100, every: 100, flatTol: 0, tests, thresholds });
const iid = calibrationSeries('iid', 1 + 100 * 301, { seed: 7 });

describe('calibration on series with known answers', () => {
  test('on i.i.d. noise each rule holds at its nominal rate: MK and DeJong p > 0.2 in about 80% of windows, KPSS p > 0.05 in about 95%, ADF rejects a unit root', () => {
    // 300 independent windows: a binomial share's sd is at most 0.029, so 0.08 is nearly 3 sd
    expect(Math.abs(calibrate(iid, independent(['mk'])).rate - 0.8)).toBeLessThan(0.08);
    expect(Math.abs(calibrate(iid, independent(['dejong'])).rate - 0.8)).toBeLessThan(0.08);
    expect(Math.abs(calibrate(iid, independent(['kpss'])).rate - 0.95)).toBeLessThan(0.05);
    expect(calibrate(iid, independent(['adf'])).rate).toBeGreaterThan(0.97);
  });

  test('the default rule reproduces issue 28: settled in most unsmoothed windows of i.i.d. noise, in almost none once smoothed by a preset', () => {
    const rule = (p: { smooth: number; window: number; every: number; flatTol: number }) => ({
      ...p,
      tests: [...NUCLEAR_STATIONARITY_DEFAULTS.tests],
      thresholds,
    });
    const unsmoothed = calibrateRule(rule({ smooth: 1, window: 100, every: 25, flatTol: 1e-3 }));
    expect(unsmoothed.find((r) => r.series === 'iid')!.rate).toBeGreaterThan(0.7);
    for (const name of ['seed', 'short'] as const) expect(calibrateRule(rule(WINDOW_PRESETS[name])).find((r) => r.series === 'iid')!.rate).toBeLessThan(0.1);
  });

  test('a ramp rising 10x the flat tolerance per window is not settled while it rises; unsmoothed, the rule settles within a window after it stops', () => {
    const rule: CalibratedRule = { smooth: 1, window: 100, every: 25, flatTol: 1e-3, tests: ['mk'], thresholds };
    const ramp = calibrateRule(rule).find((r) => r.series === 'ramp')!;
    expect(ramp.rate).toBeLessThan(0.05);
    expect(ramp.delay).not.toBeNull();
    expect(ramp.delay!).toBeLessThanOrEqual(rule.window);
  });

  test('the series are what they say: a two-state signal takes two values, a ramp stops at its change point', () => {
    expect(new Set(calibrationSeries('flipping', 500))).toEqual(new Set([10, 11]));
    const ramp = calibrationSeries('ramp', 300, { changePoint: 100, rise: 0.5 });
    const mean = (a: Float64Array) => a.reduce((s, v) => s + v, 0) / a.length;
    expect(mean(ramp.subarray(200, 300))).toBeCloseTo(60, 0);
    expect(mean(ramp.subarray(0, 10))).toBeCloseTo(12.25, 0);
  });
});
