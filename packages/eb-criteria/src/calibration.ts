/**
 * Calibration of the nuclear-norm criterion's rule on series whose answer is known (docs/method.md section
 * 3.4): each series goes through the criterion's own moving average (StepSeries) and window test
 * (testWindow) at one point per step, tested where the criterion tests (steps that are multiples of
 * `every`, once the smoothed series spans the window). Reported per series: the share of tested windows the
 * rule calls settled, and, for a ramp that stops at a known step, how long after that step the first settled
 * window comes. Seeded: every run gives the same numbers.
 */
import type { StationarityRule } from './nuclear-stationarity-criterion';
import { testWindow } from './nuclear-stationarity-criterion';
import { StepSeries } from './step-series';

/** The window sizes and rule under calibration: a preset's smooth/window/every/flatTol and the tests that must all hold. */
export interface CalibratedRule {
  smooth: number;
  window: number;
  every: number;
  flatTol: number;
  tests: StationarityRule[];
  thresholds: Record<StationarityRule, number>;
}

export type CalibrationSeries = 'iid' | 'ar1' | 'flipping' | 'ramp';

export interface SeriesCalibration {
  series: CalibrationSeries;
  /** windows tested, and those the rule called settled (flat ones included) */
  windows: number;
  settled: number;
  /** settled / windows: what a stationary series should get often, a ramp rarely */
  rate: number;
  /** ramp: the steps from the end of the ramp to the first settled window after it (null: never within the series) */
  delay?: number | null;
}

/** mulberry32 (uniform on [0, 1)) and Box-Muller on it: the calibration's one source of noise. */
function noise(seed: number): { uniform: () => number; normal: () => number } {
  let a = seed >>> 0;
  const uniform = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { uniform, normal: () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform()) };
}

/** Level and noise of the synthetic signals: a nuclear norm of about 10 that moves by about 1 from step to step. */
const LEVEL = 10;

/**
 * The series with known answers, `n` steps each. Stationary: i.i.d. normal noise, AR(1) with phi 0.9, and a
 * two-state signal that flips with probability 0.05 per step (a mask that keeps swapping one neuron). Not
 * stationary until `changePoint`: a ramp rising by `rise` per step (with the same noise) that then stays level.
 */
export function calibrationSeries(kind: CalibrationSeries, n: number, o: { seed?: number; changePoint?: number; rise?: number } = {}): Float64Array {
  const { uniform, normal: z } = noise(o.seed ?? 1);
  const out = new Float64Array(n);
  let state = 0;
  for (let t = 0; t < n; t++) {
    if (kind === 'iid') out[t] = LEVEL + z();
    else if (kind === 'ar1') out[t] = LEVEL + (state = 0.9 * state + Math.sqrt(1 - 0.81) * z());
    else if (kind === 'flipping') {
      if (uniform() < 0.05) state = 1 - state;
      out[t] = LEVEL + state;
    } else out[t] = LEVEL + (o.rise ?? 0.01) * Math.min(t, o.changePoint ?? n / 2) + 0.1 * z();
  }
  return out;
}

/** The rule's verdicts on one series, observed at every step, as the criterion would give them. */
export function calibrate(values: Float64Array, rule: CalibratedRule, changePoint?: number): Omit<SeriesCalibration, 'series'> {
  const series = new StepSeries(rule.smooth);
  let windows = 0;
  let settled = 0;
  let delay: number | null = null;
  for (let step = 0; step < values.length; step++) {
    series.push(step, values[step]);
    const window = step % rule.every === 0 ? series.window(rule.window) : null;
    if (!window) continue;
    // a ramp's windows count only while the window lies wholly on the ramp (their answer is "not settled")
    if (changePoint !== undefined && step > changePoint) {
      if (delay === null && testWindow(window, rule.tests, rule.thresholds, rule.flatTol).pass) delay = step - changePoint;
      continue;
    }
    windows++;
    if (testWindow(window, rule.tests, rule.thresholds, rule.flatTol).pass) settled++;
  }
  const out = { windows, settled, rate: windows ? settled / windows : NaN };
  return changePoint === undefined ? out : { ...out, delay };
}

/** The four series through one rule: `windows` tested windows of each stationary series, and a ramp that stops after as many. */
export function calibrateRule(rule: CalibratedRule, windows = 100, seed = 1): SeriesCalibration[] {
  const n = rule.smooth + rule.window + rule.every * windows;
  const out: SeriesCalibration[] = (['iid', 'ar1', 'flipping'] as const).map((series) => ({
    series,
    ...calibrate(calibrationSeries(series, n, { seed }), rule),
  }));
  // the ramp rises 10x the flat tolerance over a window (plus noise), so "settled" on it is a false positive
  const changePoint = n;
  const rise = (10 * Math.max(rule.flatTol, 1e-3) * LEVEL) / rule.window;
  const ramp = calibrationSeries('ramp', n + rule.smooth + rule.window * 4, { seed, changePoint, rise });
  out.push({ series: 'ramp', ...calibrate(ramp, rule, changePoint) });
  return out;
}
