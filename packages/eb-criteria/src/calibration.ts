/**
 * Calibration of the nuclear-norm criterion on series whose answer is known (docs/method.md section 3.4). Each
 * series is fed to the criterion itself - its moving average, windows, mode and tests - as a signal it reads
 * unchanged (signal 'coefficients' on a 1 x 1 coefficient matrix: the nuclear norm of |c| is c), observed at
 * every step, with a confirmation it never reaches so that every window's verdict is recorded. Reported per
 * series: the share of tested windows called settled, and, for a ramp that stops at a known step, the steps
 * from that stop to the first settled window. Seeded: every run gives the same numbers.
 *
 * The series are scaled by the tolerance the calibrated mode works to (T = tolerance x level): stationary ones
 * move by a quarter of T, a ramp rises by 1.5 T per window. The mask rule of the calibrated mode (a mask stays
 * within maskDelta of the window's first) sees no mask here; it is exact, and its spec shows it.
 */
import type { NuclearStationarityOptions, TestedWindow } from './nuclear-stationarity-criterion';
import { NUCLEAR_STATIONARITY_DEFAULTS, NuclearStationarityCriterion } from './nuclear-stationarity-criterion';

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

/** The level of the synthetic signals (a nuclear norm of about 10). */
export const LEVEL = 10;

export interface SeriesOptions {
  seed?: number;
  /** the tolerated change over a window, relative to the level (default the criterion's 0.02) */
  tolerance?: number;
  /** ramp: the window it rises `rise` tolerances over (default 1.5), and the step it stops at */
  window?: number;
  rise?: number;
  changePoint?: number;
}

/**
 * The series with known answers, `n` steps each, around LEVEL with T = tolerance x LEVEL. Stationary: i.i.d.
 * normal noise of sd T/4, AR(1) with phi 0.9 and the same stationary sd, and a two-state signal T/2 apart
 * that flips with probability 0.05 per step (a mask that keeps swapping one neuron). Not stationary until
 * `changePoint`: a ramp rising by 1.5 tolerances per `window` (relative to where it is, with the i.i.d.
 * noise) that then stays level.
 */
export function calibrationSeries(kind: CalibrationSeries, n: number, o: SeriesOptions = {}): Float64Array {
  const { uniform, normal: z } = noise(o.seed ?? 1);
  const tolerance = o.tolerance ?? NUCLEAR_STATIONARITY_DEFAULTS.tolerance;
  const sd = (tolerance * LEVEL) / 4;
  const out = new Float64Array(n);
  let state = 0;
  for (let t = 0; t < n; t++) {
    if (kind === 'iid') out[t] = LEVEL + sd * z();
    else if (kind === 'ar1') out[t] = LEVEL + (state = 0.9 * state + Math.sqrt(1 - 0.81) * sd * z());
    else if (kind === 'flipping') {
      if (uniform() < 0.05) state = 1 - state;
      out[t] = LEVEL + 2 * sd * state;
    } else out[t] = LEVEL * Math.pow(1 + (o.rise ?? 1.5) * tolerance, Math.min(t, o.changePoint ?? n) / (o.window ?? 100)) + sd * z();
  }
  return out;
}

/** Every tested window's verdict on `values` (one point per step), as the criterion with `options` gives them. */
export function windowVerdicts(values: Float64Array, options: NuclearStationarityOptions): TestedWindow[] {
  const criterion = new NuclearStationarityCriterion({ ...options, signal: 'coefficients', confirm: Number.MAX_SAFE_INTEGER });
  for (let step = 0; step < values.length; step++) criterion.observe({ step, epoch: 0, heads: [[values[step]]], ffn: [[values[step]]] });
  return criterion.details().tests as TestedWindow[];
}

/** The rule's verdicts on one series; with a change point, windows count while they lie on the ramp and the delay after it. */
export function calibrate(values: Float64Array, options: NuclearStationarityOptions, changePoint?: number): Omit<SeriesCalibration, 'series'> {
  const verdicts = windowVerdicts(values, options);
  const before = changePoint === undefined ? verdicts : verdicts.filter((v) => v.step <= changePoint);
  const settled = before.filter((v) => v.pass).length;
  const out = { windows: before.length, settled, rate: before.length ? settled / before.length : NaN };
  if (changePoint === undefined) return out;
  const first = verdicts.find((v) => v.step > changePoint && v.pass);
  return { ...out, delay: first ? first.step - changePoint : null };
}

/** The four series through the criterion with `options`: `windows` tested windows of each stationary series, and a ramp (rising `rise` tolerances per window) that stops after as many. */
export function calibrateRule(options: NuclearStationarityOptions, windows = 100, seed = 1, rise = 1.5): SeriesCalibration[] {
  const d = NUCLEAR_STATIONARITY_DEFAULTS;
  const [smooth, window, every] = [options.smooth ?? d.smooth, options.window ?? d.window, options.every ?? d.every];
  const tolerance = options.tolerance ?? d.tolerance;
  const n = smooth + window + every * windows;
  const out: SeriesCalibration[] = (['iid', 'ar1', 'flipping'] as const).map((series) => ({
    series,
    ...calibrate(calibrationSeries(series, n, { seed, tolerance }), options),
  }));
  const changePoint = n;
  const ramp = calibrationSeries('ramp', n + smooth + window * 4, { seed, tolerance, window, changePoint, rise });
  out.push({ series: 'ramp', ...calibrate(ramp, options, changePoint) });
  return out;
}
