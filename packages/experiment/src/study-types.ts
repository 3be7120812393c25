/** The study's types and its seed defaults: what a study takes, the rows it tabulates and the summary it writes (docs/study.md). */
import * as path from 'node:path';
import { Executor } from './executor';
import { MetricName } from './cell-file';
import { RatioPair } from './ratios';
import type { MeanSd } from './mean-sd';
import type { Interval, PairedDifference } from '@ebt/intervals';

/** The seed's prune points: 0%, 4%, 7%, 20%, 44% and 80% of training (docs/method.md section 7). */
export const SEED_FRACTIONS = [0, 0.04, 0.07, 0.2, 0.44, 0.8];
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
  executor: Executor;
  backend?: string;
  log?: (line: string) => void;
}

export interface StudyRow {
  seed: number;
  /** 'random': the control, a random mask of the ratio's size (docs/study.md) */
  kind: 'dense' | 'grid' | 'draw' | 'random';
  /** the criterion whose draw this cell prunes at (kind 'draw') */
  criterion: string | null;
  step: number | null;
  fraction: number | null;
  ratioHeads: number;
  ratioFfn: number;
  metric: MetricName;
  accuracy: number | null;
  parameters: number;
  flops: number;
  seconds: number;
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
  falsePositive: { mask: boolean; accuracy: boolean; any: boolean } | null;
  /** why this seed's draw is left out (its run did not learn); its draw is then null */
  excluded?: string;
  /** per ratio pair ("0.3:0.3"): the ticket's accuracy at the draw, the latest grid point's, and the gap to dense in points */
  byRatio: Record<string, { accuracy: number | null; latestGrid: number | null; gapToDensePoints: number | null }>;
}

export interface StudySummary {
  seeds: number[];
  /** seeds whose dense run did not learn (run-quality.ts): out of the verdicts, the table and the dense mean, kept in `grid` */
  notLearned: Array<{ seed: number; reasons: string[] }>;
  metric: MetricName;
  dense: { accuracy: MeanSd };
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
      ticketAccuracy: MeanSd;
      byRatio: Record<string, MeanSd>;
      /** per ratio pair: wall-clock seconds EB-train saved against the dense run, over the seeds that drew */
      secondsSaved: Record<string, MeanSd>;
      verdicts: CriterionVerdict[];
      /** intervals, rates and paired differences (study-statistics.ts) */
      statistics: CriterionStatistics;
    }
  >;
  /** mean and sd over seeds of each grid cell (fraction x ratio): the seed's table, each against the latest grid ticket */
  table: Array<{ fraction: number; ratioHeads: number; ratioFfn: number; accuracy: MeanSd; vsLatestGridPoints: PairedDifference }>;
  /** the baselines beside the criteria: a random mask of each ratio's size, retrained as the tickets are */
  controls: Array<{ kind: 'random'; ratioHeads: number; ratioFfn: number; accuracy: MeanSd; vsLatestGridPoints: PairedDifference }>;
  grid: Array<Pick<StudyRow, 'seed' | 'kind' | 'criterion' | 'step' | 'fraction' | 'ratioHeads' | 'ratioFfn' | 'accuracy'>>;
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
  falsePositiveRate: { mask: Rate; accuracy: Rate; any: Rate };
  /** the ticket at the draw minus the ticket at the latest grid fraction, same seed and ratio (points) */
  vsLatestGridPoints: PairedDifference;
  /** the ticket at the draw minus a random mask of the same size, same seed and ratio (points) */
  vsRandomPoints: PairedDifference;
}
