import { binaryF1 } from './metrics/f1';
import { checkPaired, matthewsCorrelation } from './metrics/matthews';
import { pearson } from './metrics/pearson';
import { spearman } from './metrics/spearman';

/** A GLUE metric under the name Hugging Face's `evaluate` glue metric reports it. */
export type GlueMetric = 'accuracy' | 'f1' | 'matthews_correlation' | 'pearson' | 'spearmanr';

export interface GlueTask {
  /** the text columns, as the hub's parquet files (nyu-mll/glue) and the GLUE TSVs name them */
  text: string;
  pair?: string;
  /** class names in id order; empty for STS-B's regression score */
  labels: string[];
  /** the task's official metrics; the first is its headline */
  metrics: GlueMetric[];
  /** the evaluation splits (MNLI has a matched and a mismatched one) */
  dev: string[];
}

/** STS-B: a similarity score to regress, not classes. */
export const isRegression = (t: GlueTask): boolean => t.labels.length === 0;

const nli = ['entailment', 'not_entailment'];

/** The nine GLUE tasks (Wang et al., 2019), with the metrics the GLUE benchmark scores each by. */
export const GLUE_TASKS: Record<string, GlueTask> = {
  cola: { text: 'sentence', labels: ['unacceptable', 'acceptable'], metrics: ['matthews_correlation'], dev: ['validation'] },
  sst2: { text: 'sentence', labels: ['negative', 'positive'], metrics: ['accuracy'], dev: ['validation'] },
  mrpc: { text: 'sentence1', pair: 'sentence2', labels: ['not_equivalent', 'equivalent'], metrics: ['f1', 'accuracy'], dev: ['validation'] },
  qqp: { text: 'question1', pair: 'question2', labels: ['not_duplicate', 'duplicate'], metrics: ['f1', 'accuracy'], dev: ['validation'] },
  stsb: { text: 'sentence1', pair: 'sentence2', labels: [], metrics: ['pearson', 'spearmanr'], dev: ['validation'] },
  mnli: {
    text: 'premise',
    pair: 'hypothesis',
    labels: ['entailment', 'neutral', 'contradiction'],
    metrics: ['accuracy'],
    dev: ['validation_matched', 'validation_mismatched'],
  },
  qnli: { text: 'question', pair: 'sentence', labels: nli, metrics: ['accuracy'], dev: ['validation'] },
  rte: { text: 'sentence1', pair: 'sentence2', labels: nli, metrics: ['accuracy'], dev: ['validation'] },
  wnli: { text: 'sentence1', pair: 'sentence2', labels: ['not_entailment', 'entailment'], metrics: ['accuracy'], dev: ['validation'] },
};

const accuracy = (p: ArrayLike<number>, y: ArrayLike<number>) => {
  let c = 0;
  for (let i = 0; i < y.length; i++) if (p[i] === y[i]) c += 1;
  return c / y.length;
};

const METRIC: Record<GlueMetric, (p: ArrayLike<number>, y: ArrayLike<number>) => number> = {
  accuracy,
  f1: binaryF1,
  matthews_correlation: matthewsCorrelation,
  pearson,
  spearmanr: spearman,
};

/** Scores predictions (class ids, or STS-B's real-valued scores) by the task's official metrics. */
export function glueScore(task: string, predictions: ArrayLike<number>, labels: ArrayLike<number>): Partial<Record<GlueMetric, number>> {
  const t = GLUE_TASKS[task];
  if (!t) throw new RangeError(`unknown GLUE task '${task}'; one of ${Object.keys(GLUE_TASKS).join(', ')}.`);
  checkPaired(predictions, labels);
  return Object.fromEntries(t.metrics.map((m) => [m, METRIC[m](predictions, labels)]));
}
