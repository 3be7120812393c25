/**
 * Throughput of the four stationarity tests (ADF autolag AIC, KPSS auto, Mann-Kendall, DeJong) on
 * 10,000 generated series of length 100 and 1,000 of length 500, against statsmodels doing the same work
 * in the same run (tools/bench/stationarity_reference.py) when python3 has statsmodels.
 * Run: npx ebt bench stationarity --json
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { adf, dejong, kpss, mannKendall } from '@ebt/ts-stationarity';
import { mulberry32, normals } from './random';

export interface BenchResult {
  seriesPerSecond: number;
  reference: { name: string; seriesPerSecond: number } | null;
  ratio: number | null;
  series: number;
  seconds: number;
}

/** AR(1) series with phi drawn from {0, 0.5, 0.9, 1}: stationary through unit root. */
export function generateSeries(count: number, length: number, seed: number): Float64Array[] {
  const rand = mulberry32(seed);
  const z = normals(rand);
  const phis = [0, 0.5, 0.9, 1];
  const out: Float64Array[] = [];
  for (let s = 0; s < count; s++) {
    const phi = phis[s % phis.length];
    const y = new Float64Array(length);
    y[0] = z();
    for (let t = 1; t < length; t++) y[t] = phi * y[t - 1] + z();
    out.push(y);
  }
  return out;
}

export function runAll(series: Float64Array[]): number {
  let checksum = 0;
  for (const y of series) {
    checksum += adf(y, { autolag: 'AIC' }).statistic;
    checksum += kpss(y, { nlags: 'auto' }).statistic;
    checksum += mannKendall(y).z;
    checksum += dejong(y).statistic;
  }
  return checksum;
}

export function benchStationarity(options: { reference?: boolean; scale?: number } = {}): BenchResult {
  const scale = options.scale ?? 1;
  const sets = [generateSeries(Math.round(10000 * scale), 100, 1), generateSeries(Math.round(1000 * scale), 500, 2)];
  runAll(sets[0].slice(0, 200)); // warm-up for the JIT
  const t0 = process.hrtime.bigint();
  for (const s of sets) runAll(s);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const count = sets[0].length + sets[1].length;
  const seriesPerSecond = count / seconds;
  const reference = options.reference === false ? null : statsmodelsReference(scale);
  return {
    seriesPerSecond,
    reference,
    ratio: reference ? seriesPerSecond / reference.seriesPerSecond : null,
    series: count,
    seconds,
  };
}

/** Runs the same work in statsmodels (on a tenth of the series: it is slow) when python3 has it. */
function statsmodelsReference(scale: number): BenchResult['reference'] {
  const script = path.join(__dirname, 'stationarity_reference.py');
  for (const python of ['python3', '/usr/bin/python3']) {
    const probe = spawnSync(python, ['-c', 'import statsmodels'], { encoding: 'utf8' });
    if (probe.status !== 0) continue;
    const run = spawnSync(python, [script, String(Math.max(1, Math.round(1000 * scale))), String(Math.max(1, Math.round(100 * scale)))], {
      encoding: 'utf8',
      maxBuffer: 1 << 20,
    });
    if (run.status !== 0) throw new Error(`the statsmodels reference failed: ${run.stderr.trim().split('\n').pop()}`);
    const out = JSON.parse(run.stdout) as { name: string; seriesPerSecond: number };
    return { name: out.name, seriesPerSecond: out.seriesPerSecond };
  }
  return null;
}
