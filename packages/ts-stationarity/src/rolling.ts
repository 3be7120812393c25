import { Series } from './series';

export interface RollingOptions {
  /** points in each window */
  window: number;
  /** distance between the starts of consecutive windows (default 1) */
  step?: number;
  /** index of the first window's start (default 0) */
  start?: number;
}

export interface RollingResult<R> {
  /** index one past the window's last point: the window covers [end - window, end) */
  end: number;
  result: R;
}

/**
 * Runs `test` over sliding windows of a long series. Each window is a subarray view on the same buffer,
 * so the series is copied once (into a Float64Array, if it is not one already) and never per window.
 */
export function* rolling<R>(series: Series, test: (window: Float64Array) => R, options: RollingOptions): Generator<RollingResult<R>> {
  const { window } = options;
  const step = options.step ?? 1;
  const start = options.start ?? 0;
  if (!Number.isInteger(window) || window < 1) throw new RangeError(`rolling: window must be a positive integer (got ${window}).`);
  if (!Number.isInteger(step) || step < 1) throw new RangeError(`rolling: step must be a positive integer (got ${step}).`);
  const y = series instanceof Float64Array ? series : Float64Array.from(series as ArrayLike<number>);
  for (let s = start; s + window <= y.length; s += step) {
    yield { end: s + window, result: test(y.subarray(s, s + window)) };
  }
}
