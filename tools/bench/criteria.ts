/**
 * Cost of observing one point of a BERT-base-sized trajectory (12 x 12 heads, 12 x 3,072 FFN neurons)
 * with both criteria and every stationarity test on at every point. Target: under 5 ms per point.
 * Run: npx ebt bench criteria --json
 */
import {
  calibrateRule,
  CRITERION_MODES,
  CriterionModeName,
  MaskDistanceCriterion,
  NuclearStationarityCriterion,
  Point,
  SeriesCalibration,
  WINDOW_PRESETS,
} from '@ebt/eb-criteria';
import { mulberry32, normals } from './random';

export interface CriteriaBench {
  msPerPoint: number;
  points: number;
  shape: { layers: number; heads: number; neurons: number };
  target: number;
}

export function benchCriteria(options: { points?: number } = {}): CriteriaBench {
  const count = options.points ?? 300;
  const z = normals(mulberry32(3));
  const heads = Array.from({ length: 12 }, () => Float64Array.from({ length: 12 }, () => 1));
  const ffn = Array.from({ length: 12 }, () => Float64Array.from({ length: 3072 }, () => 1));
  const points: Point[] = [];
  for (let t = 0; t < count + 40; t++) {
    for (const row of heads) for (let i = 0; i < row.length; i++) row[i] += 0.01 * z() - 0.001 * row[i];
    for (const row of ffn) for (let i = 0; i < row.length; i++) row[i] += 0.01 * z() - 0.001 * row[i];
    points.push({ step: 10 * t, epoch: 0, heads: heads.map((r) => Float32Array.from(r)), ffn: ffn.map((r) => Float32Array.from(r)) });
  }
  const criteria = [
    new MaskDistanceCriterion({ queue: 5, epsilon: 0 }),
    new NuclearStationarityCriterion({ smooth: 10, window: 30, every: 1, tests: ['dejong', 'mk', 'adf', 'kpss'], thresholds: { adf: -1 } }),
  ];
  for (const p of points.slice(0, 40)) criteria.forEach((c) => c.observe(p)); // fill the windows
  const t0 = process.hrtime.bigint();
  for (const p of points.slice(40)) criteria.forEach((c) => c.observe(p));
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  return { msPerPoint: ms / count, points: count, shape: { layers: 12, heads: 12, neurons: 3072 }, target: 5 };
}

export interface CalibrationRow {
  /** 'unsmoothed' (no moving average, window 100) or a window preset */
  windows: string;
  /** the criterion's mode (calibrated, all, seed) */
  mode: CriterionModeName;
  smooth: number;
  window: number;
  every: number;
  results: SeriesCalibration[];
}

/**
 * The nuclear-norm criterion on synthetic series with known answers (docs/method.md section 3.4), per window
 * preset and mode: the share of windows it calls settled on stationary series (should be high), on a rising
 * ramp (should be near 0), and its delay after the ramp stops. Run: npx ebt bench criteria --calibration
 */
export function benchCalibration(windows = 100): CalibrationRow[] {
  const sizes: Array<[string, { smooth: number; window: number; every: number; flatTol: number }]> = [
    ['unsmoothed', { smooth: 1, window: 100, every: 25, flatTol: 1e-3 }],
    ...Object.entries(WINDOW_PRESETS).map(([name, p]) => [name, p] as [string, typeof p]),
  ];
  const modes = Object.keys(CRITERION_MODES) as CriterionModeName[];
  return sizes.flatMap(([name, p]) =>
    modes.map((mode) => ({
      windows: name,
      mode,
      smooth: p.smooth,
      window: p.window,
      every: p.every,
      results: calibrateRule({ mode, smooth: p.smooth, window: p.window, every: p.every, flatTol: p.flatTol }, windows),
    })),
  );
}
