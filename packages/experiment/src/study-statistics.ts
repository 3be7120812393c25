/**
 * The statistics a reviewer asks of a study (docs/study.md "Statistics"): for each criterion at each ratio pair,
 * the draw's mean and spread, the share of training saved, false-positive rates by each rule with Clopper-Pearson
 * intervals, and paired differences (the ticket at the draw minus the ticket at the latest grid fraction, and
 * minus a random mask of the same size, same seed) with t and bootstrap intervals; for the seed's table and the
 * random-mask control, the same paired difference to the latest grid ticket. Differences are in points.
 */
import { clopperPearson, pairedDifference, PairedDifference } from '@ebt/intervals';
import type { CriterionStatistics, CriterionVerdict, Rate, StudyRow } from './study-types';
import { meanSd } from './mean-sd';
import { RatioPair, ratioKey } from './ratios';

export const rate = (count: number, of: number): Rate => ({ count, of, interval: of > 0 ? clopperPearson(count, of) : null });

/** Accuracy is a fraction, F1 and exact match are percentages: differences are in points either way. */
export const pointsPerUnit = (metric: StudyRow['metric']) => (metric === 'accuracy' ? 100 : 1);

/** Pairs (x, y) of the seeds where both are known, in points. */
function paired(pairs: Array<[number | null | undefined, number | null | undefined]>, perUnit: number): PairedDifference {
  const both = pairs.filter((p): p is [number, number] => p[0] != null && p[1] != null && Number.isFinite(p[0]) && Number.isFinite(p[1]));
  return pairedDifference(
    both.map((p) => perUnit * p[0]),
    both.map((p) => perUnit * p[1]),
  );
}

/** A seed's row of one kind at one ratio: the latest by step where there are several (the grid), else the one (the random control). */
export function seedRow(rows: StudyRow[], seed: number, ratio: RatioPair, kind: StudyRow['kind']): StudyRow | undefined {
  const same = rows.filter((r) => r.seed === seed && r.kind === kind && ratioKey(r) === ratioKey(ratio));
  return same.reduce<StudyRow | undefined>((best, x) => (!best || (x.step ?? 0) > (best.step ?? 0) ? x : best), undefined);
}

export function criterionStatistics(verdicts: CriterionVerdict[], rows: StudyRow[], ratio: RatioPair): CriterionStatistics {
  const perUnit = pointsPerUnit(rows[0]?.metric ?? 'accuracy');
  const key = ratioKey(ratio);
  const judged = verdicts.filter((v) => v.draw !== null);
  const scored = judged.filter((v) => v.byRatio[key]?.score != null && v.byRatio[key]?.latestGrid != null);
  return {
    drawStep: meanSd(judged.map((v) => v.draw!.step)),
    drawFraction: meanSd(judged.map((v) => v.draw!.fraction)),
    computeSaved: meanSd(judged.map((v) => v.computeSaved)),
    falsePositiveRate: {
      mask: rate(judged.filter((v) => v.falsePositive?.mask).length, judged.length),
      score: rate(scored.filter((v) => v.falsePositive?.score).length, scored.length),
      any: rate(judged.filter((v) => v.falsePositive?.any).length, judged.length),
    },
    vsLatestGridPoints: paired(
      judged.map((v) => [v.byRatio[key]?.score, v.byRatio[key]?.latestGrid]),
      perUnit,
    ),
    vsRandomPoints: paired(
      judged.map((v) => [v.byRatio[key]?.score, seedRow(rows, v.seed, ratio, 'random')?.score]),
      perUnit,
    ),
  };
}

/** A row of rows (one per seed, one prune point and ratio) against each seed's latest grid ticket at that ratio. */
export function vsLatestGrid(cells: StudyRow[], rows: StudyRow[], ratio: RatioPair): PairedDifference {
  const perUnit = pointsPerUnit(rows[0]?.metric ?? 'accuracy');
  return paired(
    cells.map((c) => [c.score, seedRow(rows, c.seed, ratio, 'grid')?.score]),
    perUnit,
  );
}
