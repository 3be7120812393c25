// Student's t interval of a mean, as scipy's `t.interval(1 - alpha, n - 1, loc=mean, scale=sd / sqrt(n))`.
import tQuantile from '@stdlib/stats-base-dists-t-quantile';
import { UsageError } from '@ebt/errors';
import { checkAlpha, checkSample, Interval, mean, sampleSd } from './interval';

/** The t interval of the mean of `values` (two or more): mean -+ t(1 - alpha/2, n - 1) * sd / sqrt(n). */
export function tInterval(values: readonly number[], { alpha = 0.05 }: { alpha?: number } = {}): Interval {
  checkAlpha(alpha);
  checkSample(values);
  if (values.length < 2) throw new UsageError(`a t interval needs at least 2 values (got ${values.length}).`);
  const m = mean(values);
  const half = (tQuantile(1 - alpha / 2, values.length - 1) * sampleSd(values)) / Math.sqrt(values.length);
  return { estimate: m, lower: m - half, upper: m + half, level: 1 - alpha };
}
