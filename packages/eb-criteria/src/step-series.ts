/**
 * A signal observed at increasing training steps, with its moving average over the last `smooth` steps.
 * The criteria's windows are in steps (docs/method.md section 3.2), whatever the spacing of the points:
 * a run observed at every step and a trajectory recorded every 10 steps describe the same window.
 */
/** The fewest values a window may hold: no trend or stationarity test says anything about fewer. */
export const MIN_WINDOW = 3;

export class StepSeries {
  readonly steps: number[] = [];
  readonly raw: number[] = [];
  /** the steps at which the moving average is defined, and its values */
  readonly smoothSteps: number[] = [];
  readonly smooth: number[] = [];
  private first = 0;
  private sum = 0;

  constructor(private readonly length: number) {}

  push(step: number, value: number): void {
    this.steps.push(step);
    this.raw.push(value);
    this.sum += value;
    // the average covers the points of steps (step - length, step]
    while (this.steps[this.first] <= step - this.length) this.sum -= this.raw[this.first++];
    // defined once the observations span `length` steps
    if (step - this.steps[0] + 1 >= this.length) {
      this.smoothSteps.push(step);
      this.smooth.push(this.sum / (this.raw.length - this.first));
    }
  }

  /**
   * The smoothed values of the last `window` steps, or null while the smoothed series spans fewer steps or
   * the window holds fewer than MIN_WINDOW values (points sparser than the window: nothing to test).
   */
  window(window: number): Float64Array | null {
    const n = this.smoothSteps.length;
    if (n === 0) return null;
    const last = this.smoothSteps[n - 1];
    if (last - this.smoothSteps[0] + 1 < window) return null;
    let i = n - 1;
    while (i > 0 && this.smoothSteps[i - 1] > last - window) i--;
    return n - i < MIN_WINDOW ? null : Float64Array.from(this.smooth.slice(i));
  }

  /** The observed (unsmoothed) values of the last `window` steps, or null while they hold fewer than MIN_WINDOW. */
  rawWindow(window: number): Float64Array | null {
    const n = this.steps.length;
    if (n === 0) return null;
    const last = this.steps[n - 1];
    let i = n - 1;
    while (i > 0 && this.steps[i - 1] > last - window) i--;
    return n - i < MIN_WINDOW ? null : Float64Array.from(this.raw.slice(i));
  }
}
