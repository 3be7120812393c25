import { calibrate, calibrateRule, calibrationSeries, NUCLEAR_STATIONARITY_DEFAULTS, WINDOW_PRESETS } from './index';
import type { StationarityRule } from './index';

// windows that do not overlap (every = window) and no smoothing: independent draws of each test's verdict
const independent = (tests: StationarityRule[]) => ({ mode: 'all' as const, smooth: 1, window: 100, every: 100, flatTol: 0, tests });
const iid = calibrationSeries('iid', 1 + 100 * 301, { seed: 7 });
const presets = Object.entries(WINDOW_PRESETS);

describe('calibration on series with known answers', () => {
  test('on i.i.d. noise each rule holds at its nominal rate: MK and DeJong p > 0.2 in about 80% of windows, KPSS p > 0.05 in about 95%, ADF rejects a unit root', () => {
    // 300 independent windows: a binomial share's sd is at most 0.029, so 0.08 is nearly 3 sd
    expect(Math.abs(calibrate(iid, independent(['mk'])).rate - 0.8)).toBeLessThan(0.08);
    expect(Math.abs(calibrate(iid, independent(['dejong'])).rate - 0.8)).toBeLessThan(0.08);
    expect(Math.abs(calibrate(iid, independent(['kpss'])).rate - 0.95)).toBeLessThan(0.05);
    expect(calibrate(iid, independent(['adf'])).rate).toBeGreaterThan(0.97);
  });

  test('mode all reproduces issue 28: settled in most unsmoothed windows of i.i.d. noise, in almost none once smoothed by a preset', () => {
    const unsmoothed = calibrateRule({ mode: 'all', smooth: 1, window: 100, every: 25, flatTol: 1e-3 });
    expect(unsmoothed.find((r) => r.series === 'iid')!.rate).toBeGreaterThan(0.7);
    for (const name of ['seed', 'short'] as const) {
      expect(calibrateRule({ mode: 'all', ...WINDOW_PRESETS[name] }).find((r) => r.series === 'iid')!.rate).toBeLessThan(0.1);
    }
  });

  test.each(presets)(
    'the calibrated default meets its targets at preset %s: settled in >= 80%% of stationary windows, <= 5%% of a ramp, within a window after it stops',
    (_, p) => {
      const results = calibrateRule({ smooth: p.smooth, window: p.window, every: p.every, flatTol: p.flatTol });
      for (const r of results.filter((x) => x.series !== 'ramp')) expect([r.series, r.rate >= 0.8]).toEqual([r.series, true]);
      const ramp = results.find((r) => r.series === 'ramp')!;
      expect(ramp.windows).toBeGreaterThanOrEqual(100);
      expect(ramp.rate).toBeLessThanOrEqual(0.05);
      expect(ramp.delay).not.toBeNull();
      expect(ramp.delay!).toBeLessThanOrEqual(p.window);
    },
  );

  test("a ramp just above the tolerance (1.1 tolerances per window) is called settled in at most the test's 5%", () => {
    for (const [, p] of presets) {
      const ramp = calibrateRule({ ...p }, 200, 3, 1.1).find((r) => r.series === 'ramp')!;
      expect(ramp.rate).toBeLessThanOrEqual(0.05);
    }
  });

  test('the series are what they say: scaled by the tolerance, a two-state signal takes two values, a ramp stops at its change point', () => {
    const t = NUCLEAR_STATIONARITY_DEFAULTS.tolerance;
    expect(new Set(calibrationSeries('flipping', 500))).toEqual(new Set([10, 10 + (10 * t) / 2]));
    const sd = (a: Float64Array) => {
      const m = a.reduce((s, v) => s + v, 0) / a.length;
      return Math.sqrt(a.reduce((s, v) => s + (v - m) ** 2, 0) / (a.length - 1));
    };
    expect(sd(calibrationSeries('iid', 20000))).toBeCloseTo((10 * t) / 4, 2);
    expect(sd(calibrationSeries('ar1', 20000))).toBeCloseTo((10 * t) / 4, 1);
    const ramp = calibrationSeries('ramp', 600, { changePoint: 300, window: 100, rise: 2, tolerance: 0.05 });
    const mean = (a: Float64Array) => a.reduce((s, v) => s + v, 0) / a.length;
    // 10 x 1.1^3 = 13.31 after three windows of +10%
    expect(mean(ramp.subarray(400, 600))).toBeCloseTo(13.31, 1);
    expect(ramp[0]).toBeCloseTo(10, 0);
  });
});
