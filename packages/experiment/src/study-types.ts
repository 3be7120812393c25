/** The study's types and its seed defaults: what a study takes, the rows it tabulates and the summary it writes (docs/study.md). */
import * as path from 'node:path';
import { Executor } from './executor';
import { MetricName } from './cell-file';
import { RatioPair } from './ratios';
import type { MaskOptions } from '@ebt/eb-criteria';
import type { DrawnPoint } from './detections-file';
import type { MeanSd } from './mean-sd';
import type { Interval, PairedDifference } from '@ebt/intervals';

/** The seed's prune points: 0%, 4%, 7%, 20%, 44% and 80% of training (docs/method.md section 7). */
export const SEED_FRACTIONS = [0, 0.04, 0.07, 0.2, 0.44, 0.8];
/**
 * A study's prune points: from the first recorded step after the coefficients moved (at step 0 every coefficient
 * is 1, so its mask is the index tie-break, not the seed's 0%), dense early where a criterion should draw.
 */
export const STUDY_FRACTIONS = [0.005, 0.01, 0.02, 0.04, 0.07, 0.1, 0.2, 0.44, 0.8];
/** The seed's 30% and 80% rows. */
export const SEED_RATIOS: RatioPair[] = [
  { heads: 0.3, ffn: 0.3 },
  { heads: 0.8, ffn: 0.8 },
];

/** What a run worker gets: one dense slimming run of one seed, into `outDir`; `file` is written when it is done. */
export interface StudyRunCell {
  file: string;
  outDir: string;
  seed: number;
  /** the run kind's module (RunKind.module) */
  kind: string;
  /** the kind's run options (flags), the same for every seed */
  options: Record<string, unknown>;
}

export interface StudyOptions {
  seeds: number[];
  /** the run kind, by its module (RunKind.module): each seed's dense run and every cell go through it */
  kind: string;
  runOptions: Record<string, unknown>;
  atFractions?: number[];
  ratios?: RatioPair[];
  /** epochs of each retraining (default: the run's) */
  retrainEpochs?: number;
  /**
   * only the cells the pilot gate reads (study-pilot.ts): per seed the dense baseline and, at the largest ratio
   * pair, the earliest and latest grid tickets and the random mask - 4 cells instead of every prune point
   */
  gateOnly?: boolean;
  executor: Executor;
  backend?: string;
  log?: (line: string) => void;
}

export type ControlKind = 'random' | 'shuffle';

export interface StudyRow {
  seed: number;
  /**
   * the controls (docs/study.md): 'random', a random mask of the ratio's size; 'shuffle', the latest grid
   * ticket's widths per layer with its units drawn at random
   */
  kind: 'dense' | 'grid' | 'draw' | ControlKind;
  /** the criterion whose draw this cell prunes at (kind 'draw') */
  criterion: string | null;
  step: number | null;
  fraction: number | null;
  ratioHeads: number;
  ratioFfn: number;
  metric: MetricName;
  score: number | null;
  parameters: number;
  flops: number;
  seconds: number;
}

/** One criterion's (or baseline's) draw at one ratio pair, and the masks it is judged by. */
export interface SeedDraw {
  criterion: string;
  ratio: RatioPair;
  point: DrawnPoint | null;
  maskOptions: Required<MaskOptions>;
}

export interface CriterionVerdict {
  seed: number;
  draw: { step: number; fraction: number } | null;
  /** the share of training steps after the draw */
  computeSaved: number | null;
  /**
   * Wall-clock seconds: EB-train (the dense run up to the draw, then the ticket drawn there trained for the
   * retrain schedule) against the whole dense run of the same seed; per ratio pair.
   */
  wallClock: {
    denseSeconds: number;
    toDrawSeconds: number;
    byRatio: Record<string, { ticketSeconds: number | null; ebTrainSeconds: number | null; secondsSaved: number | null; fractionSaved: number | null }>;
  } | null;
  maskDistanceToFinal: { heads: number; ffn: number } | null;
  falsePositive: { mask: boolean; score: boolean; any: boolean } | null;
  /** why this seed's draw is left out (its run did not learn); its draw is then null */
  excluded?: string;
  /** per ratio pair ("0.3:0.3"): the ticket's score at the draw, the latest grid point's, and the gap to dense in points */
  byRatio: Record<string, { score: number | null; latestGrid: number | null; gapToDensePoints: number | null }>;
}

/**
 * study.json's format: 2 names the score `score` (accuracy, F1 or Pearson's r, as `metric` says) where format 1
 * (no `format` field) named it `accuracy` whatever it held; readStudySummary reads both.
 */
export const STUDY_FORMAT = 2;

export interface StudySummary {
  format: typeof STUDY_FORMAT;
  seeds: number[];
  /** seeds whose dense run did not learn (run-quality.ts): out of the verdicts, the table and the dense mean, kept in `grid` */
  notLearned: Array<{ seed: number; reasons: string[] }>;
  metric: MetricName;
  dense: { score: MeanSd };
  /** by watch key ('nuclear-stationarity@0.3:0.3'): each criterion's draws at each ratio pair, judged there */
  criteria: Record<
    string,
    {
      criterion: string;
      ratio: RatioPair;
      draws: Array<{ seed: number; step: number; fraction: number } | null>;
      neverDrew: number;
      /** seeds left out: their runs did not learn (StudySummary.notLearned) */
      excluded: number;
      falsePositives: number;
      ticketScore: MeanSd;
      byRatio: Record<string, MeanSd>;
      /** per ratio pair: wall-clock seconds EB-train saved against the dense run, over the seeds that drew */
      secondsSaved: Record<string, MeanSd>;
      verdicts: CriterionVerdict[];
      /** intervals, rates and paired differences (study-statistics.ts) */
      statistics: CriterionStatistics;
    }
  >;
  /** mean and sd over seeds of each grid cell (fraction x ratio): the seed's table, each against the latest grid ticket */
  table: Array<{
    fraction: number;
    /** every seed's point is step 0, where all coefficients are 1: the mask is the index tie-break */
    tieBreak: boolean;
    ratioHeads: number;
    ratioFfn: number;
    score: MeanSd;
    vsLatestGridPoints: PairedDifference;
  }>;
  /** the controls beside the criteria, retrained as the tickets are: a random mask, the layerwise shuffle (StudyRow.kind) */
  controls: Array<{ kind: ControlKind; ratioHeads: number; ratioFfn: number; score: MeanSd; vsLatestGridPoints: PairedDifference }>;
  /** the endpoints declared before the data, per ratio pair (study-endpoints.ts; docs/study.md "Endpoints") */
  endpoints: StudyEndpoints;
  grid: Array<Pick<StudyRow, 'seed' | 'kind' | 'criterion' | 'step' | 'fraction' | 'ratioHeads' | 'ratioFfn' | 'score'>>;
}

/** A seed's run folder in a study folder. */
export const seedDir = (dir: string, seed: number) => path.join(dir, `seed-${seed}`);

/** `count` of `of` with its 95% Clopper-Pearson interval (null when nothing was judged). */
export interface Rate {
  count: number;
  of: number;
  interval: Interval | null;
}

export interface CriterionStatistics {
  /** over the seeds that drew */
  drawStep: MeanSd;
  drawFraction: MeanSd;
  /** the share of training steps after the draw */
  computeSaved: MeanSd;
  /** false positives over the draws judged: by the mask rule, the score rule, either */
  falsePositiveRate: { mask: Rate; score: Rate; any: Rate };
  /** the ticket at the draw minus the ticket at the latest grid fraction, same seed and ratio (points) */
  vsLatestGridPoints: PairedDifference;
  /** the ticket at the draw minus a random mask of the same size, same seed and ratio (points) */
  vsRandomPoints: PairedDifference;
}

/** The endpoints a study declares before its data (study-endpoints.ts; docs/study.md "Endpoints"). */
export type EndpointId = 'E0a' | 'E0b' | 'E1' | 'E2' | 'E3';

export interface Endpoint {
  id: EndpointId;
  claim: string;
  /** the paired difference in points (E0-E2) */
  difference: PairedDifference | null;
  /** E3: seeds where only the criterion's draw was a false positive (b), only the baseline's (c) */
  discordant: { b: number; c: number } | null;
  /** the one-sided p-value, before Holm (null: too few seeds to test) */
  p: number | null;
  adjustedP: number | null;
  /** the claim holds at alpha after Holm; null where it is not judged (E0 failed) */
  holds: boolean | null;
}

export interface RatioEndpoints {
  ratio: RatioPair;
  criterion: string;
  baseline: string;
  /** E0a and E0b both hold */
  seesMasks: boolean;
  endpoints: Endpoint[];
  /** E4: the earliest grid fraction as good as late (mean over seeds), and the draw's fraction minus it (points of 100%) */
  howEarly: { earliestEquivalentFraction: number | null; drawMinusEarliestPercent: PairedDifference | null };
  verdict: string;
}

export interface StudyEndpoints {
  alpha: number;
  marginPoints: number;
  byRatio: Record<string, RatioEndpoints>;
}
