/**
 * Named sizes of the nuclear-norm criterion's windows, in training steps (docs/method.md section 3.2). A run
 * records the preset's name and values in run.json; each value can still be set on its own.
 */
export interface WindowPreset {
  /** moving average over this many steps */
  smooth: number;
  /** the last `window` steps of the smoothed series are tested */
  window: number;
  /** tested at the steps that are multiples of `every` */
  every: number;
  /** a window whose range is below flatTol times its mean counts as settled */
  flatTol: number;
  /** what it is for */
  description: string;
}

export const WINDOW_PRESETS = {
  seed: { smooth: 200, window: 300, every: 100, flatTol: 1e-9, description: "the seed's case study (14,774 steps): runs of 10,000 steps and more" },
  short: {
    smooth: 50,
    window: 100,
    every: 25,
    flatTol: 1e-3,
    description: 'runs of 1,000 to 3,000 steps (the MNIST default has 1,500); a change below 0.1% of the nuclear norm is no change',
  },
  smoke: { smooth: 10, window: 30, every: 10, flatTol: 1e-3, description: 'runs of a few hundred steps (the smoke preset has 189)' },
} as const satisfies Record<string, WindowPreset>;

export type WindowPresetName = keyof typeof WINDOW_PRESETS;

export function isWindowPreset(name: string): name is WindowPresetName {
  return Object.prototype.hasOwnProperty.call(WINDOW_PRESETS, name);
}
