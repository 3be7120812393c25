import * as path from 'node:path';
import { readMetrics } from '@ebt/training';

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
  const rows = readMetrics(path.join(dir, 'metrics.csv'));
  const points = rows.filter((r) => r.split === 'train').map((r) => ({ step: r.step, seconds: r.seconds }));
  return { points, totalSeconds: rows.length ? rows[rows.length - 1].seconds : 0 };
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
