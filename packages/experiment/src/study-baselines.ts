/**
 * The study's fair baselines (docs/study.md "Baselines"), drawn by replaying each seed's recorded trajectory -
 * the same answer as watching online (eb-criteria's replay) - and judged like the criteria the run watched:
 * - `mask-distance:matched`: mask distance with its queue spanning the nuclear-norm criterion's window (the
 *   default queue of 5 masks against a window of hundreds of steps compares window lengths, not the signals);
 * - `nuclear-stationarity:seed`: the nuclear-norm criterion read as the seed's notebooks read it (`--mode seed`).
 */
import { CRITERIA, MASK_DISTANCE, MASK_DISTANCE_DEFAULTS, MaskOptions, NUCLEAR_STATIONARITY, replay, resolveMaskOptions } from '@ebt/eb-criteria';
import type { Criterion } from '@ebt/eb-criteria';
import type { TrajectoryPoint } from '@ebt/slimming';
import type { RunManifest } from './manifest';
import { RatioPair, ratioKey } from './ratios';
import type { SeedDraw } from './study-types';

export const MATCHED_MASK_DISTANCE = 'mask-distance:matched';
export const SEED_NUCLEAR_STATIONARITY = 'nuclear-stationarity:seed';
export const BASELINES = [MATCHED_MASK_DISTANCE, SEED_NUCLEAR_STATIONARITY] as const;
export type BaselineName = (typeof BASELINES)[number];

const masks = (r: RatioPair) => ({ ratioHeads: r.heads, ratioFfn: r.ffn });

/** The mask-distance queue whose oldest and newest masks lie the nuclear window apart: window / recordEvery + 1 masks. */
export function matchedQueue(run: Pick<RunManifest, 'options'>): number {
  const window = run.options.nuclearStationarity?.window ?? 0;
  return Math.max(2, Math.floor(window / run.options.recordEvery) + 1);
}

/** The baseline's criterion at one ratio pair, from the options the run watched with (null: the run already watched it). */
export function baselineCriterion(name: BaselineName, run: Pick<RunManifest, 'options'>, ratio: RatioPair): Criterion | null {
  if (name === MATCHED_MASK_DISTANCE) {
    const queue = matchedQueue(run);
    if (queue === (run.options.maskDistance?.queue ?? MASK_DISTANCE_DEFAULTS.queue)) return null;
    return CRITERIA[MASK_DISTANCE].create({ ...run.options.maskDistance, queue, ...masks(ratio) });
  }
  const { windows: _windows, ...nuclear } = (run.options.nuclearStationarity ?? {}) as Record<string, unknown>;
  if (nuclear.mode === 'seed') return null;
  // the seed's mode fills what the run left to the default mode; the tests and kinds are the mode's own
  const { tests: _tests, kinds: _kinds, ...windowsOnly } = nuclear;
  return CRITERIA[NUCLEAR_STATIONARITY].create({ ...windowsOnly, mode: 'seed', ...masks(ratio) });
}

/** Each baseline's draw at each ratio pair, keyed as watches are ('mask-distance:matched@0.3:0.3'). */
export function baselineDraws(run: Pick<RunManifest, 'options'>, points: TrajectoryPoint[], ratios: RatioPair[]): Record<string, SeedDraw> {
  const out: Record<string, SeedDraw> = {};
  for (const name of BASELINES)
    for (const ratio of ratios) {
      const criterion = baselineCriterion(name, run, ratio);
      if (!criterion) continue;
      const verdict = replay(criterion, points);
      const point = verdict.drawn ? points.find((p) => p.step === verdict.step)! : null;
      const maskOptions = resolveMaskOptions((criterion.details().options ?? masks(ratio)) as MaskOptions);
      out[`${name}@${ratioKey(ratio)}`] = {
        criterion: name,
        ratio,
        point: point && { step: point.step, epoch: point.epoch, heads: point.heads.map((r) => Array.from(r)), ffn: point.ffn.map((r) => Array.from(r)) },
        maskOptions,
      };
    }
  return out;
}
