import { StationarityError } from './errors';

export type Series = ArrayLike<number>;

/** Refuses what no test can use: too few points, NaN or infinite values. */
export function checkSeries(y: Series, minLength: number, test: string): Float64Array {
  if (y == null || typeof y.length !== 'number') {
    throw new StationarityError('invalid-argument', `${test}: the series must be an array of numbers.`);
  }
  if (y.length < minLength) {
    throw new StationarityError('too-short', `${test}: the series has ${y.length} points; at least ${minLength} are needed.`);
  }
  const out = new Float64Array(y.length);
  for (let i = 0; i < y.length; i++) {
    const v = y[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new StationarityError('non-finite', `${test}: value ${String(v)} at index ${i} is not a finite number.`);
    }
    out[i] = v;
  }
  return out;
}

/** Refuses a constant series: every test divides by its variance. */
export function checkNotConstant(y: Float64Array, test: string): void {
  let min = Infinity;
  let max = -Infinity;
  for (const v of y) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (max === min) {
    throw new StationarityError('constant', `${test}: the series is constant (every value is ${min}).`);
  }
}
