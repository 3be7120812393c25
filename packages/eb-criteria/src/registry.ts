/**
 * Every early-bird criterion ebt knows, by name: the one list the run options, the manifest's schema, the
 * CLI's `--criterion` and `ebt detect` read. A criterion's name is written once, in its own file.
 */
import type { Criterion } from './criterion';
import { MASK_DISTANCE, MaskDistanceCriterion, MaskDistanceOptions } from './mask-distance-criterion';
import { NUCLEAR_STATIONARITY, NuclearStationarityCriterion, NuclearStationarityOptions } from './nuclear-stationarity-criterion';

export interface CriterionEntry<O> {
  /** a fresh criterion with these options (the criterion's defaults fill the rest) */
  create(options?: O): Criterion;
}

export type CriterionName = typeof MASK_DISTANCE | typeof NUCLEAR_STATIONARITY;

/** The criteria in the order a run watches with them. */
export const CRITERIA: { [K in CriterionName]: CriterionEntry<K extends typeof MASK_DISTANCE ? MaskDistanceOptions : NuclearStationarityOptions> } = {
  [MASK_DISTANCE]: { create: (options: MaskDistanceOptions = {}) => new MaskDistanceCriterion(options) },
  [NUCLEAR_STATIONARITY]: { create: (options: NuclearStationarityOptions = {}) => new NuclearStationarityCriterion(options) },
};

export const CRITERION_NAMES = Object.keys(CRITERIA) as [CriterionName, ...CriterionName[]];

/** The criterion whose draw acts unless a run names another: the method's own. */
export const DEFAULT_CRITERION: CriterionName = NUCLEAR_STATIONARITY;
