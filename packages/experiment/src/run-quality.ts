/**
 * A run that did not learn is not a result: a training loss that rose (or stopped being a number), or a final test
 * score within NEAR_CHANCE_POINTS of chance. Its verdict goes into run.json (`learning`), the command's summary, the
 * report and a study, which leaves such a run's draws out of its verdicts (docs/run-folder.md, docs/study.md).
 */
import type { MetricsRow } from '@ebt/training';

/** A final score less than this many points above chance is "near chance". */
export const NEAR_CHANCE_POINTS = 5;

export interface Learning {
  learned: boolean;
  /** why not, in words (empty when it learned) */
  reasons: string[];
}

/** The score of a model that learned nothing: 1/classes for (balanced) classification, 0 for Pearson's r. */
export function chanceScore(metric: 'accuracy' | 'pearson', classes: number): number {
  return metric === 'pearson' ? 0 : 1 / classes;
}

/**
 * The verdict on a run's metrics.csv rows. `chance` null skips the score check (a task without a chance level);
 * `perUnit` turns a score into points (100 for a fraction, 1 for a percentage).
 */
export function learningVerdict(rows: readonly MetricsRow[], chance: number | null, perUnit = 100): Learning {
  const reasons: string[] = [];
  const train = rows.filter((r) => r.split === 'train');
  const test = rows.filter((r) => r.split === 'test');
  const bad = rows.find((r) => !Number.isFinite(r.loss));
  if (bad) reasons.push(`the ${bad.split} loss of epoch ${bad.epoch + 1} is ${bad.loss}`);
  else if (train.length >= 2 && train[train.length - 1].loss > train[0].loss)
    reasons.push(
      `the training loss rose from ${fmt(train[0].loss)} (epoch ${train[0].epoch + 1}) to ${fmt(train[train.length - 1].loss)} (epoch ${train[train.length - 1].epoch + 1})`,
    );
  const final = test[test.length - 1]?.score;
  if (final !== undefined && chance !== null) {
    if (!Number.isFinite(final)) reasons.push(`the final test score is ${final}`);
    else if (perUnit * (final - chance) < NEAR_CHANCE_POINTS)
      reasons.push(`the final test score ${fmt(perUnit * final)} is within ${NEAR_CHANCE_POINTS} points of chance (${fmt(perUnit * chance)})`);
  }
  return { learned: reasons.length === 0, reasons };
}

const fmt = (x: number) => (Math.abs(x) >= 1e4 ? x.toExponential(2) : Number(x.toPrecision(4)).toString());
