import { UsageError } from '@ebt/errors';
import { bootstrapInterval, BootstrapInterval, BootstrapOptions } from './bootstrap';
import { checkSample, Interval, mean, sampleSd } from './interval';
import { tInterval } from './t-interval';

/** The paired difference x - y over units measured twice (seeds): its mean and spread, and both intervals. */
export interface PairedDifference {
  n: number;
  mean: number | null;
  sd: number | null;
  /** Student's t interval of the mean difference (null under 2 pairs) */
  t: Interval | null;
  /** the percentile bootstrap of the mean difference (null under 2 pairs) */
  bootstrap: BootstrapInterval | null;
}

/** x[i] - y[i] for each pair: intervals of the mean difference at 1 - alpha (0.95 by default). */
export function pairedDifference(x: readonly number[], y: readonly number[], o: BootstrapOptions = {}): PairedDifference {
  if (x.length !== y.length) throw new UsageError(`a paired difference needs as many x as y (got ${x.length} and ${y.length}).`);
  checkSample(x, 'x');
  checkSample(y, 'y');
  const d = x.map((v, i) => v - y[i]);
  if (d.length === 0) return { n: 0, mean: null, sd: null, t: null, bootstrap: null };
  if (d.length === 1) return { n: 1, mean: d[0], sd: null, t: null, bootstrap: null };
  return { n: d.length, mean: mean(d), sd: sampleSd(d), t: tInterval(d, o), bootstrap: bootstrapInterval(d, o) };
}
