/**
 * The criterion this project exists for (docs/method.md section 3.2): the nuclear norm of the pruning masks (or of
 * |C|, or every coefficient's own trajectory) is tested over a sliding window; the ticket is drawn when the
 * mode's rules hold for every kind of mask it watches. The default mode, `calibrated`, asks whether the signal
 * moved by less than a tolerance over the window (an equivalence test on its slope) and whether the mask itself
 * stayed put; the modes `all` and `seed` apply the stationarity tests to the moving average as before.
 */
import { adf, dejong, kpss, mannKendall, slopeTost } from '@ebt/ts-stationarity';
import { Criterion, MaskOptions, masksAt, Point, resolveMaskOptions, Verdict } from './criterion';
import { nuclearNorm } from './nuclear-norm';
import { StepSeries } from './step-series';
import { CriterionOptionsError } from './errors';
import { CriterionFlag, KINDS_FLAG } from './criterion-flags';
import { CRITERION_MODES, CriterionModeName, StationarityRule } from './criterion-modes';
import { Mask, MaskKind } from './mask';
import { maskDistance } from './mask-distance';
import { MASK_RULE_DELTA } from './judge';

export type { StationarityRule };
export type Signal = 'masks' | 'coefficients' | 'trajectories';

export interface NuclearStationarityOptions extends MaskOptions {
  /** how the tests combine, on which masks and series (default calibrated; criterion-modes.ts) */
  mode?: CriterionModeName;
  signal?: Signal;
  /** moving-average length, in steps (default 200) */
  smooth?: number;
  /** the last `window` steps of the series are tested (default 300) */
  window?: number;
  /** test at the steps that are multiples of `every` (default 100) */
  every?: number;
  /** rules tested on each window (default: the mode's) */
  tests?: StationarityRule[];
  /** the masks that must settle (default: the mode's) */
  kinds?: MaskKind[];
  thresholds?: Partial<Record<StationarityRule, number>>;
  /** rule tost: the largest change over the window the signal may show, relative to its level (default 0.02) */
  tolerance?: number;
  /** mode calibrated: the largest distance of a mask from the window's first one (default the mask rule's 0.1) */
  maskDelta?: number;
  /** a window whose range is below flatTol * |mean| counts as stationary untested (default 1e-9) */
  flatTol?: number;
  /** consecutive passing tests needed (default 1) */
  confirm?: number;
  /** for signal 'trajectories': the share of coefficients that must pass (default 0.9) */
  share?: number;
}

/** p-value thresholds: dejong/mk/kpss hold above theirs, adf and tost below. */
export const DEFAULT_THRESHOLDS: Readonly<Record<StationarityRule, number>> = { dejong: 0.2, mk: 0.2, adf: 0.05, kpss: 0.05, tost: 0.05 };

export type ResolvedNuclearStationarityOptions = Required<Omit<NuclearStationarityOptions, 'thresholds' | keyof MaskOptions>> & {
  thresholds: Record<StationarityRule, number>;
};

/** The seed's case-study windows (docs/method.md section 3.2), in steps, and the calibrated mode. */
export const NUCLEAR_STATIONARITY_DEFAULTS: Readonly<Omit<ResolvedNuclearStationarityOptions, 'tests' | 'kinds'>> = {
  mode: 'calibrated',
  signal: 'masks',
  smooth: 200,
  window: 300,
  every: 100,
  thresholds: DEFAULT_THRESHOLDS,
  tolerance: 0.02,
  maskDelta: MASK_RULE_DELTA,
  flatTol: 1e-9,
  confirm: 1,
  share: 0.9,
};

/** How one window is judged: the rules, how they combine, and their settings. */
export interface WindowRule {
  tests: readonly StationarityRule[];
  thresholds: Record<StationarityRule, number>;
  flatTol: number;
  combine: 'all' | 'any';
  errorsHold: boolean;
  tolerance: number;
}

export interface WindowTest {
  pass: boolean;
  flat: boolean;
  pvalues: Partial<Record<StationarityRule, number>>;
  errors: Partial<Record<StationarityRule, string>>;
}

/** One rule's p-value on a window; tost's bounds are +-tolerance * |mean| over the window's n - 1 intervals. */
function pvalueOf(rule: StationarityRule, window: Float64Array, mean: number, tolerance: number): number {
  switch (rule) {
    case 'dejong':
      return dejong(window).pvalue;
    case 'mk':
      return mannKendall(window).pvalue;
    case 'adf':
      return adf(window, { regression: 'c', autolag: 'AIC' }).pvalue;
    case 'kpss':
      return kpss(window, { regression: 'c' }).pvalue;
    case 'tost': {
      const bound = (tolerance * Math.abs(mean)) / (window.length - 1);
      return slopeTost(window, { low: -bound, upp: bound }).pvalue;
    }
  }
}

/** Applies the rules to one window: dejong/mk/kpss p above their thresholds, adf and tost below theirs. */
export function testWindow(window: Float64Array, rule: WindowRule): WindowTest {
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
  if (max - min <= rule.flatTol * Math.max(Math.abs(mean), 1e-300)) {
    out.flat = true;
    return out;
  }
  const holds: boolean[] = [];
  for (const t of rule.tests) {
    try {
      const p = pvalueOf(t, window, mean, rule.tolerance);
      out.pvalues[t] = p;
      holds.push(t === 'adf' || t === 'tost' ? p < rule.thresholds[t] : p > rule.thresholds[t]);
    } catch (e) {
      out.errors[t] = (e as Error).message;
      holds.push(rule.errorsHold);
    }
  }
  out.pass = rule.combine === 'all' ? holds.every(Boolean) : holds.some(Boolean);
  return out;
}

/** What saveState returns and restoreState takes (a resumed run's criterion state). */
export interface NuclearStationarityState {
  steps: Array<{ step: number; epoch: number }>;
  raw: { heads: number[][]; ffn: number[][] };
  tested: TestedWindow[];
  streak: number;
  verdict: Verdict;
  /** the masks at the last tested steps, for the motion rule (absent in states of ebt before it) */
  motion?: Array<{ step: number; heads: number[][]; ffn: number[][] }>;
}

/** What the criterion records at each tested step (detections.json). */
export interface TestedWindow {
  step: number;
  epoch: number;
  heads: unknown;
  ffn: unknown;
  /** mode calibrated: each mask's distance from its state at the window's start */
  motion?: { head: number; ffn: number; since: number };
  pass: boolean;
}

/** The criterion's name, in run.json, detections.json and on the command line. */
export const NUCLEAR_STATIONARITY = 'nuclear-stationarity' as const;

const RULES: readonly StationarityRule[] = ['tost', 'dejong', 'mk', 'adf', 'kpss'];
const MODE_NAMES = Object.keys(CRITERION_MODES) as CriterionModeName[];

export const NUCLEAR_STATIONARITY_FLAGS: readonly CriterionFlag[] = [
  {
    key: 'mode',
    flag: '--mode',
    value: { choice: MODE_NAMES },
    help: `how the tests combine: ${MODE_NAMES.map((m) => `${m} (${CRITERION_MODES[m].description})`).join('; ')}`,
    training: true,
  },
  { key: 'signal', flag: '--signal', value: { choice: ['masks', 'coefficients', 'trajectories'] }, help: 'the series tested' },
  { key: 'smooth', flag: '--smooth', value: 'integer', help: 'moving average over n steps', training: true },
  { key: 'window', flag: '--window', value: 'integer', help: 'the last n steps of the signal are tested', training: true },
  { key: 'every', flag: '--every', value: 'integer', help: 'test at the steps that are multiples of n', training: true },
  { key: 'tests', flag: '--tests', value: { list: RULES }, help: 'rules tested on each window', defaultHelp: "the mode's" },
  KINDS_FLAG,
  { key: 'tolerance', flag: '--tolerance', value: 'number', help: 'rule tost: the largest change over the window, relative to the level', training: true },
  { key: 'maskDelta', flag: '--mask-delta', value: 'number', help: "mode calibrated: the largest distance of a mask from the window's first" },
  { key: 'thresholds.tost', flag: '--tost-threshold', value: 'number', help: 'the slope-equivalence p-value must be below this' },
  { key: 'thresholds.dejong', flag: '--dejong-threshold', value: 'number', help: 'the DeJong p-value must exceed this' },
  { key: 'thresholds.mk', flag: '--mk-threshold', value: 'number', help: 'the Mann-Kendall p-value must exceed this' },
  { key: 'thresholds.adf', flag: '--adf-threshold', value: 'number', help: 'the ADF p-value must be below this' },
  { key: 'thresholds.kpss', flag: '--kpss-threshold', value: 'number', help: 'the KPSS p-value must exceed this' },
  { key: 'flatTol', flag: '--flat-tol', value: 'number', help: 'a window whose range is below x times its mean counts as settled', training: true },
  { key: 'confirm', flag: '--confirm', value: 'integer', help: 'consecutive passing tests needed' },
  { key: 'share', flag: '--share', value: 'number', help: 'signal trajectories: the share of coefficients that must pass' },
];

/** The options with the mode's and the defaults filled in, checked; the mode's choices the options cannot set come along. */
export function resolveNuclearStationarity(options: NuclearStationarityOptions): ResolvedNuclearStationarityOptions {
  const d = NUCLEAR_STATIONARITY_DEFAULTS;
  const modeName = options.mode ?? d.mode;
  if (!MODE_NAMES.includes(modeName))
    throw new CriterionOptionsError(`nuclear-stationarity: mode (--mode) must be one of ${MODE_NAMES.join(', ')} (got '${modeName}').`);
  const mode = CRITERION_MODES[modeName];
  const o: ResolvedNuclearStationarityOptions = {
    mode: modeName,
    signal: options.signal ?? d.signal,
    smooth: options.smooth ?? d.smooth,
    window: options.window ?? d.window,
    every: options.every ?? d.every,
    tests: options.tests ?? [...mode.tests],
    kinds: options.kinds ?? [...mode.kinds],
    thresholds: { ...d.thresholds, ...options.thresholds },
    tolerance: options.tolerance ?? d.tolerance,
    maskDelta: options.maskDelta ?? d.maskDelta,
    flatTol: options.flatTol ?? d.flatTol,
    confirm: options.confirm ?? d.confirm,
    share: options.share ?? d.share,
  };
  for (const k of ['smooth', 'window', 'every', 'confirm'] as const) {
    if (!Number.isInteger(o[k]) || o[k] < 1) throw new CriterionOptionsError(`nuclear-stationarity: ${k} (--${k}) must be a positive integer (got ${o[k]}).`);
  }
  if (o.window < 3) throw new CriterionOptionsError(`nuclear-stationarity: window (--window) must be at least 3 steps (got ${o.window}).`);
  if (!(o.share > 0 && o.share <= 1)) throw new CriterionOptionsError(`nuclear-stationarity: share (--share) must lie in (0, 1] (got ${o.share}).`);
  if (o.tests.length === 0) throw new CriterionOptionsError('nuclear-stationarity: tests (--tests) must name at least one rule.');
  if (o.kinds.length === 0) throw new CriterionOptionsError('nuclear-stationarity: kinds (--kinds) must name head, ffn or both.');
  if (!(o.flatTol >= 0)) throw new CriterionOptionsError(`nuclear-stationarity: flatTol (--flat-tol) must be non-negative (got ${o.flatTol}).`);
  if (!(o.tolerance > 0)) throw new CriterionOptionsError(`nuclear-stationarity: tolerance (--tolerance) must be positive (got ${o.tolerance}).`);
  if (!(o.maskDelta >= 0 && o.maskDelta <= 1))
    throw new CriterionOptionsError(`nuclear-stationarity: maskDelta (--mask-delta) must lie in [0, 1] (got ${o.maskDelta}).`);
  for (const [rule, p] of Object.entries(o.thresholds))
    if (!(p >= 0 && p <= 1)) throw new CriterionOptionsError(`nuclear-stationarity: thresholds.${rule} (--${rule}-threshold) must lie in [0, 1] (got ${p}).`);
  return o;
}

const SERIES_KEY = { head: 'heads', ffn: 'ffn' } as const satisfies Record<MaskKind, 'heads' | 'ffn'>;
const plain = (m: Mask) => m.map((row) => Array.from(row));
const typed = (m: number[][]): Mask => m.map((row) => Uint8Array.from(row));

export class NuclearStationarityCriterion implements Criterion {
  readonly name = NUCLEAR_STATIONARITY;
  private readonly o: ResolvedNuclearStationarityOptions;
  private readonly masks: Required<MaskOptions>;
  private readonly rule: WindowRule;
  private streak = 0;
  private verdict: Verdict = { drawn: false };
  private series = { heads: [] as StepSeries[], ffn: [] as StepSeries[] };
  private readonly steps: Array<{ step: number; epoch: number }> = [];
  private readonly tested: TestedWindow[] = [];
  /** the masks at the steps that are multiples of `every`, as far back as the window reaches (mode calibrated) */
  private motion: Array<{ step: number; heads: Mask; ffn: Mask }> = [];

  constructor(options: NuclearStationarityOptions = {}) {
    this.masks = resolveMaskOptions(options);
    this.o = resolveNuclearStationarity(options);
    const mode = CRITERION_MODES[this.o.mode];
    this.rule = {
      tests: this.o.tests,
      thresholds: this.o.thresholds,
      flatTol: this.o.flatTol,
      combine: mode.combine,
      errorsHold: mode.errorsHold,
      tolerance: this.o.tolerance,
    };
  }

  private get mode() {
    return CRITERION_MODES[this.o.mode];
  }

  observe(point: Point): Verdict {
    if (this.verdict.drawn) return this.verdict;
    const last = this.steps[this.steps.length - 1];
    if (last && point.step <= last.step) throw new CriterionOptionsError(`points must come in increasing steps (got step ${point.step} after ${last.step}).`);
    this.steps.push({ step: point.step, epoch: point.epoch });
    this.pushSignal(point);
    if (point.step % this.o.every !== 0) return this.verdict;
    if (this.mode.motion) this.keepMasks(point);
    // tested once the smoothed series spans `window` steps, whichever series the mode tests
    if (!this.series.heads[0].window(this.o.window)) return this.verdict;
    const results: Partial<Record<MaskKind, { pass: boolean; detail: unknown }>> = {};
    for (const kind of this.o.kinds) results[kind] = this.testKind(kind);
    const motion = this.mode.motion ? this.motionSince(point) : undefined;
    const pass = this.o.kinds.every((k) => results[k]!.pass) && (!motion || this.o.kinds.every((k) => motion[k] <= this.o.maskDelta));
    this.tested.push({ step: point.step, epoch: point.epoch, heads: results.head?.detail ?? null, ffn: results.ffn?.detail ?? null, motion, pass });
    this.streak = pass ? this.streak + 1 : 0;
    if (this.streak >= this.o.confirm) this.verdict = { drawn: true, step: point.step, epoch: point.epoch };
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

  /** Keeps this point's masks and drops those older than the window's start. */
  private keepMasks(point: Point): void {
    const m = masksAt(point, this.masks);
    this.motion.push({ step: point.step, heads: m.heads, ffn: m.ffn });
    while (this.motion.length > 1 && this.motion[0].step < point.step - this.o.window) this.motion.shift();
  }

  /** Each mask's distance from the oldest kept one: its state at the window's start. */
  private motionSince(point: Point): { head: number; ffn: number; since: number } {
    const start = this.motion[0];
    const now = masksAt(point, this.masks);
    return { head: maskDistance(now.heads, start.heads), ffn: maskDistance(now.ffn, start.ffn), since: start.step };
  }

  private testKind(kind: MaskKind): { pass: boolean; detail: unknown } {
    const raw = this.mode.series[kind] === 'raw';
    const results = this.series[SERIES_KEY[kind]].map((s) => testWindow((raw ? s.rawWindow(this.o.window) : s.window(this.o.window))!, this.rule));
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
      motion: this.motion.map((m) => ({ step: m.step, heads: plain(m.heads), ffn: plain(m.ffn) })),
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
    this.motion = (s.motion ?? []).map((m) => ({ step: m.step, heads: typed(m.heads), ffn: typed(m.ffn) }));
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
