/**
 * The nuclear-norm criterion's modes (docs/method.md section 3.2): how its window tests combine, on which
 * masks and on which series. A mode fills the options a run does not set; `tests` and `kinds` can still be
 * set on their own.
 */
import type { MaskKind } from './mask';

export type StationarityRule = 'dejong' | 'mk' | 'adf' | 'kpss' | 'tost';

export interface CriterionMode {
  /** the rules tested on each window */
  tests: StationarityRule[];
  /** 'all': every rule must hold; 'any': one is enough (the seed read each test on its own) */
  combine: 'all' | 'any';
  /** the masks whose signal must settle */
  kinds: MaskKind[];
  /** which series each kind's window is cut from: the moving average, or the signal as observed */
  series: Record<MaskKind, 'smoothed' | 'raw'>;
  /** a test that throws (too few distinct values, a singular regression) counts as holding */
  errorsHold: boolean;
  /** the mask itself must also stay within `maskDelta` of its state at the window's start (it sees permutations) */
  motion: boolean;
  description: string;
}

export const CRITERION_MODES = {
  calibrated: {
    tests: ['tost'],
    combine: 'all',
    kinds: ['head', 'ffn'],
    series: { head: 'raw', ffn: 'raw' },
    errorsHold: false,
    motion: true,
    description:
      "the signal moved by less than --tolerance of its level over the window (an equivalence test on the trend's slope, HAC errors) and each mask stayed within --mask-delta of the window's first one",
  },
  all: {
    tests: ['dejong', 'mk', 'adf'],
    combine: 'all',
    kinds: ['head', 'ffn'],
    series: { head: 'smoothed', ffn: 'smoothed' },
    errorsHold: false,
    motion: false,
    description: 'every stationarity test holds on the smoothed head and FFN norms (ebt before the calibration)',
  },
  seed: {
    tests: ['dejong', 'mk', 'adf'],
    combine: 'any',
    kinds: ['head'],
    series: { head: 'smoothed', ffn: 'raw' },
    errorsHold: true,
    motion: false,
    description: "the seed's notebooks: heads only, any one test, FFN unsmoothed, a test error read as stationary",
  },
} as const satisfies Record<string, CriterionMode>;

export type CriterionModeName = keyof typeof CRITERION_MODES;
