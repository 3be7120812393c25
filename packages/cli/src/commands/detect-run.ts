/**
 * `ebt detect` on ebt's own runs: given a run folder or a trajectory inside one, the run's criterion settings
 * (run.json's options: the criterion's windows and rules, the ratio pair EB-train pruned at) are the defaults,
 * so the replay draws where the run drew unless a flag says otherwise (issue 33: a dense run's trajectory drew
 * at 600 under detect's defaults where the run drew at 325). And a setting that cannot draw says why.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import { CriterionName, MASK_DISTANCE, MASK_DISTANCE_DEFAULTS, NUCLEAR_STATIONARITY_DEFAULTS } from '@ebt/eb-criteria';
import { DEFAULT_WATCH_RATIO, manifestFile, readManifest } from '@ebt/experiment';

export interface RunSetting {
  dir: string;
  /** the criterion's options as the run used them */
  options: Record<string, unknown>;
  /** the pair the run watched first (and EB-train pruned at) */
  ratio: { heads: number; ffn: number };
  recordEvery: number;
}

/** The run around FILE (the folder itself, or the one holding it), or null for a trajectory from elsewhere. */
export function runAround(file: string, name: CriterionName): RunSetting | null {
  const dir = fs.existsSync(file) && fs.statSync(file).isDirectory() ? file : path.dirname(file);
  if (!fs.existsSync(manifestFile(dir))) return null;
  const o = readManifest(dir).options;
  const { windows: _preset, ...own } = (name === MASK_DISTANCE ? o.maskDistance : o.nuclearStationarity) as Record<string, unknown>;
  return { dir, options: own, ratio: o.ratios?.[0] ?? DEFAULT_WATCH_RATIO, recordEvery: o.recordEvery };
}

/** Online, a run's mask distance compares the masks of successive steps; its file may hold every N-th only. */
export function recordNote(run: RunSetting | null, name: CriterionName): string[] {
  if (!run || name !== MASK_DISTANCE || run.recordEvery <= 1) return [];
  return [
    `the run's mask distance compared every step's mask online; its trajectory holds every ${run.recordEvery}th, so the replay's queue spans ${run.recordEvery} times the steps`,
  ];
}

/** The flags the user gave on the command line (the run's settings give the rest). */
export const givenFlags = (cmd: Command, keys: string[]): Set<string> => new Set(keys.filter((k) => cmd.getOptionValueSource(k) === 'cli'));

/** Why a replay did not draw, in a sentence: too few points for the windows, or masks that never settled. */
export function whyNoDraw(name: CriterionName, given: Record<string, unknown>, steps: number[]): string {
  const options = { ...(name === MASK_DISTANCE ? MASK_DISTANCE_DEFAULTS : NUCLEAR_STATIONARITY_DEFAULTS), ...given } as Record<string, unknown>;
  const span = steps.length ? steps[steps.length - 1] - steps[0] : 0;
  const every = steps.length > 1 ? (steps[steps.length - 1] - steps[0]) / (steps.length - 1) : 0;
  if (name === MASK_DISTANCE) {
    const queue = Number(options.queue);
    if (steps.length < queue) return `${steps.length} points are fewer than the ${queue} masks the queue compares.`;
    return `no ${queue} successive masks (points ${every ? `about ${Math.round(every)} steps apart` : ''}) stayed within the distance tolerance of each other.`;
  }
  const need = Number(options.smooth) + Number(options.window);
  if (span < need)
    return `the points span ${span} steps, fewer than the smoothing (${options.smooth}) and window (${options.window}) need together (${need}); try --windows short or smoke.`;
  if (every > Number(options.every))
    return `points ${Math.round(every)} steps apart are sparser than the test stride (--every ${options.every}): record more often or widen the windows.`;
  return 'the smoothed nuclear norm never stayed flat over a window: the masks were still moving.';
}
