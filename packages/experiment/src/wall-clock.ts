import * as fs from 'node:fs';
import * as path from 'node:path';
import { RunError } from '@ebt/errors';

/** (step, seconds since the run started) at the end of each train row of a run's metrics.csv. */
export interface ClockPoint {
  step: number;
  seconds: number;
}

/**
 * The train rows of DIR/metrics.csv as clock points, and the run's whole wall-clock time (its last row,
 * the final evaluation included). `seconds` in metrics.csv runs on across --resume.
 */
export function readRunClock(dir: string): { points: ClockPoint[]; totalSeconds: number } {
  const file = path.join(dir, 'metrics.csv');
  let lines: string[];
  try {
    lines = fs.readFileSync(file, 'utf8').trim().split('\n');
  } catch (e) {
    throw new RunError(`Cannot read '${file}' (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}).`);
  }
  const header = lines[0].split(',');
  const [stepCol, splitCol, secondsCol] = ['step', 'split', 'seconds'].map((c) => header.indexOf(c));
  if (stepCol < 0 || splitCol < 0 || secondsCol < 0) throw new RunError(`'${file}' has no step, split and seconds columns: the file is damaged.`);
  const rows = lines.slice(1).map((l) => l.split(','));
  const points = rows.filter((r) => r[splitCol] === 'train').map((r) => ({ step: Number(r[stepCol]), seconds: Number(r[secondsCol]) }));
  const totalSeconds = rows.length ? Number(rows[rows.length - 1][secondsCol]) : 0;
  if (!points.every((p) => Number.isFinite(p.step) && Number.isFinite(p.seconds)) || !Number.isFinite(totalSeconds))
    throw new RunError(`'${file}' holds a step or seconds that is not a number: the file is damaged.`);
  return { points, totalSeconds };
}

/**
 * Seconds since the start when training reached `step`: linear between the clock points around it (steps
 * of one epoch take about equal time), from (0, 0); past the last point, the last point's time.
 */
export function secondsAtStep(points: ClockPoint[], step: number): number {
  let prev: ClockPoint = { step: 0, seconds: 0 };
  for (const p of points) {
    if (step <= p.step) return p.step === prev.step ? p.seconds : prev.seconds + ((step - prev.step) / (p.step - prev.step)) * (p.seconds - prev.seconds);
    prev = p;
  }
  return prev.seconds;
}
