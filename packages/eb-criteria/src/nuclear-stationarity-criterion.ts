/**
 * The criterion this project exists for (docs/method.md section 3.2): the nuclear norm of the pruning masks (or of
 * |C|, or every coefficient's own trajectory) is smoothed by a moving average and tested for stationarity
 * over a sliding window; the ticket is drawn when the chosen rules hold for heads and FFN both.
 */
import { adf, dejong, kpss, mannKendall } from '@ebt/ts-stationarity';
import { Criterion, MaskOptions, masksAt, Point, resolveMaskOptions, Verdict } from './criterion';
import { nuclearNorm } from './nuclear-norm';
import { StepSeries } from './step-series';
import { CriterionOptionsError } from './errors';
import type { CriterionFlag } from './criterion-flags';

export type StationarityRule = 'dejong' | 'mk' | 'adf' | 'kpss';
export type Signal = 'masks' | 'coefficients' | 'trajectories';

export interface NuclearStationarityOptions extends MaskOptions {
  signal?: Signal;
  /** moving-average length, in steps (default 200) */
  smooth?: number;
  /** the last `window` steps of the smoothed series are tested (default 300) */
  window?: number;
  /** test at the steps that are multiples of `every` (default 100) */
  every?: number;
  /** rules that must all hold (default dejong, mk, adf) */
  tests?: StationarityRule[];
  thresholds?: Partial<Record<StationarityRule, number>>;
  /** a window whose range is below flatTol * |mean| counts as stationary untested (default 1e-9) */
  flatTol?: number;
  /** consecutive passing tests needed (default 1) */
  confirm?: number;
  /** for signal 'trajectories': the share of coefficients that must pass (default 0.9) */
  share?: number;
}

export const DEFAULT_THRESHOLDS: Readonly<Record<StationarityRule, number>> = { dejong: 0.2, mk: 0.2, adf: 0.05, kpss: 0.05 };

export type ResolvedNuclearStationarityOptions = Required<Omit<NuclearStationarityOptions, 'thresholds' | keyof MaskOptions>> & {
  thresholds: Record<StationarityRule, number>;
};

/** The seed's case-study values (docs/method.md section 3.2); windows in steps. */
export const NUCLEAR_STATIONARITY_DEFAULTS: Readonly<ResolvedNuclearStationarityOptions> = {
  signal: 'masks',
  smooth: 200,
  window: 300,
  every: 100,
  tests: ['dejong', 'mk', 'adf'],
  thresholds: DEFAULT_THRESHOLDS,
  flatTol: 1e-9,
  confirm: 1,
  share: 0.9,
};

export interface WindowTest {
  pass: boolean;
  flat: boolean;
  pvalues: Partial<Record<StationarityRule, number>>;
  errors: Partial<Record<StationarityRule, string>>;
}

/** Applies the rules to one window: dejong/mk/kpss p above their thresholds, adf p below its. */
export function testWindow(window: Float64Array, tests: StationarityRule[], thresholds: Record<StationarityRule, number>, flatTol: number): WindowTest {
  let min = Infinity;
  let max = -Infinity;
  let mean = 0;
  for (const v of window) {
    if (v < min) min = v;
    if (v > max) max = v;
    mean += v;
  }
  mean /= window.length;
  const out: WindowTest = { pass: true, flat: false, pvalues: {}, errors: {} };
  if (max - min <= flatTol * Math.max(Math.abs(mean), 1e-300)) {
    out.flat = true;
    return out;
  }
  for (const t of tests) {
    try {
      const p =
        t === 'dejong'
          ? dejong(window).pvalue
          : t === 'mk'
            ? mannKendall(window).pvalue
            : t === 'adf'
              ? adf(window, { regression: 'c', autolag: 'AIC' }).pvalue
              : kpss(window, { regression: 'c' }).pvalue;
      out.pvalues[t] = p;
      const holds = t === 'adf' ? p < thresholds.adf : p > thresholds[t];
      if (!holds) out.pass = false;
    } catch (e) {
      out.errors[t] = (e as Error).message;
      out.pass = false;
    }
  }
  return out;
}

/** What saveState returns and restoreState takes (a resumed run's criterion state). */
export interface NuclearStationarityState {
  steps: Array<{ step: number; epoch: number }>;
  raw: { heads: number[][]; ffn: number[][] };
  tested: Array<{ step: number; epoch: number; heads: unknown; ffn: unknown; pass: boolean }>;
  streak: number;
  verdict: Verdict;
}

/** The criterion's name, in run.json, detections.json and on the command line. */
export const NUCLEAR_STATIONARITY = 'nuclear-stationarity' as const;

const RULES: readonly StationarityRule[] = ['dejong', 'mk', 'adf', 'kpss'];

export const NUCLEAR_STATIONARITY_FLAGS: readonly CriterionFlag[] = [
  { key: 'signal', flag: '--signal', value: { choice: ['masks', 'coefficients', 'trajectories'] }, help: 'the series tested' },
  { key: 'smooth', flag: '--smooth', value: 'integer', help: 'moving average over n steps', training: true },
  { key: 'window', flag: '--window', value: 'integer', help: 'the last n steps of the smoothed signal are tested', training: true },
  { key: 'every', flag: '--every', value: 'integer', help: 'test at the steps that are multiples of n', training: true },
  { key: 'tests', flag: '--tests', value: { list: RULES }, help: 'rules that must hold' },
  { key: 'thresholds.dejong', flag: '--dejong-threshold', value: 'number', help: 'the DeJong p-value must exceed this' },
  { key: 'thresholds.mk', flag: '--mk-threshold', value: 'number', help: 'the Mann-Kendall p-value must exceed this' },
  { key: 'thresholds.adf', flag: '--adf-threshold', value: 'number', help: 'the ADF p-value must be below this' },
  { key: 'thresholds.kpss', flag: '--kpss-threshold', value: 'number', help: 'the KPSS p-value must exceed this' },
  { key: 'flatTol', flag: '--flat-tol', value: 'number', help: 'a window whose range is below x times its mean counts as settled', training: true },
  { key: 'confirm', flag: '--confirm', value: 'integer', help: 'consecutive passing tests needed' },
  { key: 'share', flag: '--share', value: 'number', help: 'signal trajectories: the share of coefficients that must pass' },
];

export class NuclearStationarityCriterion implements Criterion {
  readonly name = NUCLEAR_STATIONARITY;
  private readonly o: ResolvedNuclearStationarityOptions;
  private readonly masks: Required<MaskOptions>;
  private streak = 0;
  private verdict: Verdict = { drawn: false };
  private series = { heads: [] as StepSeries[], ffn: [] as StepSeries[] };
  private readonly steps: Array<{ step: number; epoch: number }> = [];
  private readonly tested: Array<{ step: number; epoch: number; heads: unknown; ffn: unknown; pass: boolean }> = [];

  constructor(options: NuclearStationarityOptions = {}) {
    this.masks = resolveMaskOptions(options);
    const d = NUCLEAR_STATIONARITY_DEFAULTS;
    this.o = {
      signal: options.signal ?? d.signal,
      smooth: options.smooth ?? d.smooth,
      window: options.window ?? d.window,
      every: options.every ?? d.every,
      tests: options.tests ?? [...d.tests],
      thresholds: { ...d.thresholds, ...options.thresholds },
      flatTol: options.flatTol ?? d.flatTol,
      confirm: options.confirm ?? d.confirm,
      share: options.share ?? d.share,
    };
    for (const k of ['smooth', 'window', 'every', 'confirm'] as const) {
      if (!Number.isInteger(this.o[k]) || this.o[k] < 1)
        throw new CriterionOptionsError(`nuclear-stationarity: ${k} (--${k}) must be a positive integer (got ${this.o[k]}).`);
    }
    if (this.o.window < 3) throw new CriterionOptionsError(`nuclear-stationarity: window (--window) must be at least 3 steps (got ${this.o.window}).`);
    if (!(this.o.share > 0 && this.o.share <= 1))
      throw new CriterionOptionsError(`nuclear-stationarity: share (--share) must lie in (0, 1] (got ${this.o.share}).`);
    if (this.o.tests.length === 0) throw new CriterionOptionsError('nuclear-stationarity: tests (--tests) must name at least one rule.');
    if (!(this.o.flatTol >= 0)) throw new CriterionOptionsError(`nuclear-stationarity: flatTol (--flat-tol) must be non-negative (got ${this.o.flatTol}).`);
  }

  observe(point: Point): Verdict {
    if (this.verdict.drawn) return this.verdict;
    const last = this.steps[this.steps.length - 1];
    if (last && point.step <= last.step) throw new CriterionOptionsError(`points must come in increasing steps (got step ${point.step} after ${last.step}).`);
    this.steps.push({ step: point.step, epoch: point.epoch });
    this.pushSignal(point);
    // tested at the steps that are multiples of `every`, once the smoothed series spans `window` steps
    if (point.step % this.o.every === 0 && this.series.heads[0].window(this.o.window)) {
      const heads = this.testKind(this.series.heads);
      const ffn = this.testKind(this.series.ffn);
      const pass = heads.pass && ffn.pass;
      this.tested.push({ step: point.step, epoch: point.epoch, heads: heads.detail, ffn: ffn.detail, pass });
      this.streak = pass ? this.streak + 1 : 0;
      if (this.streak >= this.o.confirm) this.verdict = { drawn: true, step: point.step, epoch: point.epoch };
    }
    return this.verdict;
  }

  private pushSignal(point: Point): void {
    if (this.o.signal === 'trajectories') {
      for (const kind of ['heads', 'ffn'] as const) {
        const values = point[kind].flatMap((row) => Array.from(row));
        while (this.series[kind].length < values.length) this.series[kind].push(new StepSeries(this.o.smooth));
        values.forEach((v, i) => this.series[kind][i].push(point.step, v));
      }
      return;
    }
    let h: number;
    let f: number;
    if (this.o.signal === 'masks') {
      const m = masksAt(point, this.masks);
      h = nuclearNorm(m.heads);
      f = nuclearNorm(m.ffn);
    } else {
      h = nuclearNorm(point.heads.map((r) => Array.from(r, Math.abs)));
      f = nuclearNorm(point.ffn.map((r) => Array.from(r, Math.abs)));
    }
    if (this.series.heads.length === 0) {
      this.series.heads.push(new StepSeries(this.o.smooth));
      this.series.ffn.push(new StepSeries(this.o.smooth));
    }
    this.series.heads[0].push(point.step, h);
    this.series.ffn[0].push(point.step, f);
  }

  private testKind(series: StepSeries[]): { pass: boolean; detail: unknown } {
    const results = series.map((s) => testWindow(s.window(this.o.window)!, this.o.tests, this.o.thresholds, this.o.flatTol));
    if (this.o.signal !== 'trajectories') return { pass: results[0].pass, detail: results[0] };
    const passed = results.filter((r) => r.pass).length;
    return { pass: passed >= this.o.share * results.length, detail: { passed, of: results.length } };
  }

  saveState(): NuclearStationarityState {
    return {
      steps: this.steps,
      raw: { heads: this.series.heads.map((s) => s.raw), ffn: this.series.ffn.map((s) => s.raw) },
      tested: this.tested,
      streak: this.streak,
      verdict: this.verdict,
    };
  }

  /** Rebuilds the signal from its raw values (the moving averages are recomputed, identically). */
  restoreState(state: unknown): void {
    const s = state as NuclearStationarityState;
    this.steps.splice(0, this.steps.length, ...s.steps);
    for (const kind of ['heads', 'ffn'] as const) {
      this.series[kind] = s.raw[kind].map((raw) => {
        const series = new StepSeries(this.o.smooth);
        raw.forEach((v, i) => series.push(s.steps[i].step, v));
        return series;
      });
    }
    this.tested.splice(0, this.tested.length, ...s.tested);
    this.streak = s.streak;
    this.verdict = s.verdict;
  }

  details(): Record<string, unknown> {
    const signal =
      this.o.signal === 'trajectories'
        ? undefined
        : {
            steps: this.steps,
            nuclearNorm: { heads: this.series.heads[0]?.raw ?? [], ffn: this.series.ffn[0]?.raw ?? [] },
            smoothedSteps: this.series.heads[0]?.smoothSteps ?? [],
            smoothed: { heads: this.series.heads[0]?.smooth ?? [], ffn: this.series.ffn[0]?.smooth ?? [] },
          };
    return { options: { ...this.masks, ...this.o }, verdict: this.verdict, signal, tests: this.tested };
  }
}
