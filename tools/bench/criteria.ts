/**
 * Cost of observing one point of a BERT-base-sized trajectory (12 x 12 heads, 12 x 3,072 FFN neurons)
 * with both criteria and every stationarity test on at every point. Target: under 5 ms per point.
 * Run: npx ebt bench criteria --json
 */
import { MaskDistanceCriterion, NuclearStationarityCriterion, Point } from '@ebt/eb-criteria';
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
