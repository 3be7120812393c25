/**
 * Every early-bird criterion ebt knows, by name: the one list the run options, the manifest's schema, the
 * CLI's `--criterion` and `ebt detect` read. A criterion's name is written once, in its own file.
 */
import type { Criterion } from './criterion';
import type { CriterionFlag } from './criterion-flags';
import { MASK_DISTANCE, MASK_DISTANCE_DEFAULTS, MASK_DISTANCE_FLAGS, MaskDistanceCriterion, MaskDistanceOptions } from './mask-distance-criterion';
import {
  NUCLEAR_STATIONARITY,
  NUCLEAR_STATIONARITY_DEFAULTS,
  NUCLEAR_STATIONARITY_FLAGS,
  NuclearStationarityCriterion,
  NuclearStationarityOptions,
} from './nuclear-stationarity-criterion';

export interface CriterionEntry<O> {
  /** a fresh criterion with these options (the criterion's defaults fill the rest) */
  create(options?: O): Criterion;
  /** the options a criterion gets when none are given */
  readonly defaults: Readonly<Partial<O>>;
  /** its options as flags (`ebt detect`; those marked `training` on pretrain and finetune too) */
  readonly flags: readonly CriterionFlag[];
}

export type CriterionName = typeof MASK_DISTANCE | typeof NUCLEAR_STATIONARITY;

/** The criteria in the order a run watches with them. */
export const CRITERIA: { [K in CriterionName]: CriterionEntry<K extends typeof MASK_DISTANCE ? MaskDistanceOptions : NuclearStationarityOptions> } = {
  [MASK_DISTANCE]: {
    create: (options: MaskDistanceOptions = {}) => new MaskDistanceCriterion(options),
    defaults: MASK_DISTANCE_DEFAULTS,
    flags: MASK_DISTANCE_FLAGS,
  },
  [NUCLEAR_STATIONARITY]: {
    create: (options: NuclearStationarityOptions = {}) => new NuclearStationarityCriterion(options),
    defaults: NUCLEAR_STATIONARITY_DEFAULTS,
    flags: NUCLEAR_STATIONARITY_FLAGS,
  },
};

export const CRITERION_NAMES = Object.keys(CRITERIA) as [CriterionName, ...CriterionName[]];

/** The criterion whose draw acts unless a run names another: the method's own. */
export const DEFAULT_CRITERION: CriterionName = NUCLEAR_STATIONARITY;
