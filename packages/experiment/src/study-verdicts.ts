/** The study's verdicts: for each criterion, one per seed (draw, savings, false positive by mask and by score), and their means. */
import { judgeDetection, masksAt, scoreFalsePositive } from '@ebt/eb-criteria';
import { readRunClock, secondsAtStep } from './wall-clock';
import { RatioPair, ratioKey } from './ratios';
import { meanSd } from './mean-sd';
import { criterionStatistics, pointsPerUnit, seedRow, vsLatestGrid } from './study-statistics';
import { CriterionVerdict, STUDY_FORMAT, StudyRow, StudySummary } from './study-types';
import { SeedRun } from './study-plan';
import { studyEndpoints } from './study-endpoints';

export function summarise(seedRuns: SeedRun[], rows: StudyRow[], ratios: RatioPair[]): StudySummary {
  const metric = rows[0]?.metric ?? 'accuracy';
  const watches = [...new Set(seedRuns.flatMap((s) => Object.keys(s.draws)))];
  // each dense run's clock, read once here: only the summary needs it (not the planning of cells)
  const clocks = new Map(seedRuns.map((s) => [s.seed, readRunClock(s.dir)]));
  const criteria: StudySummary['criteria'] = {};
  for (const key of watches) {
    const { criterion, ratio } = seedRuns.map((s) => s.draws[key]).find(Boolean)!;
    const verdicts = seedRuns.map((s) => criterionVerdict(s, key, rows, clocks.get(s.seed)!));
    criteria[key] = criterionSummary(criterion, ratio, verdicts, rows);
  }
  const notLearned = seedRuns.filter((s) => s.learning && !s.learning.learned).map((s) => ({ seed: s.seed, reasons: s.learning!.reasons }));
  const learned = (r: StudyRow) => !notLearned.some((n) => n.seed === r.seed);
  const learnedRows = rows.filter(learned);
  const gridRows = learnedRows.filter((r) => r.kind === 'grid');
  return {
    format: STUDY_FORMAT,
    notLearned,
    seeds: seedRuns.map((s) => s.seed),
    metric,
    dense: { score: meanSd(rows.filter((r) => r.kind === 'dense' && learned(r)).map((r) => r.score)) },
    criteria,
    table: gridRows.length ? groupGrid(gridRows, learnedRows, ratios) : [],
    controls: (['random', 'shuffle'] as const).flatMap((kind) =>
      ratios.flatMap((r) => {
        const cells = learnedRows.filter((x) => x.kind === kind && ratioKey(x) === ratioKey(r));
        if (!cells.length) return [];
        return [
          {
            kind,
            ratioHeads: r.heads,
            ratioFfn: r.ffn,
            score: meanSd(cells.map((c) => c.score)),
            vsLatestGridPoints: vsLatestGrid(cells, learnedRows, r),
          },
        ];
      }),
    ),
    endpoints: studyEndpoints(learnedRows, criteria, ratios),
    grid: rows.map(({ seed, kind, criterion, step, fraction, ratioHeads, ratioFfn, score }) => ({
      seed,
      kind,
      criterion,
      step,
      fraction,
      ratioHeads,
      ratioFfn,
      score,
    })),
  };
}

/**
 * One seed's verdict on one criterion's draw at one ratio pair (`key`: the watch key), judged at that pair: the mask
 * rule at judgeDetection's delta (MASK_RULE_DELTA), the score rule against the latest grid ticket.
 */
export function criterionVerdict(s: SeedRun, key: string, rows: StudyRow[], clock: ReturnType<typeof readRunClock>): CriterionVerdict {
  const watched = s.draws[key];
  const ratios = watched ? [watched.ratio] : [];
  // a run that did not learn drew nothing worth judging (run-quality.ts)
  const excluded = s.learning && !s.learning.learned ? `the run did not learn: ${s.learning.reasons.join('; ')}` : undefined;
  const drawn = excluded ? undefined : watched?.point;
  if (!drawn) {
    const byRatio = Object.fromEntries(ratios.map((r) => [ratioKey(r), { score: null, latestGrid: null, gapToDensePoints: null }]));
    return {
      seed: s.seed,
      draw: null,
      computeSaved: null,
      wallClock: null,
      maskDistanceToFinal: null,
      falsePositive: null,
      byRatio,
      ...(excluded ? { excluded } : {}),
    };
  }
  const { maskOptions, criterion: name } = watched;
  const judged = judgeDetection({
    detection: { step: drawn.step, epoch: drawn.epoch },
    masksAtDetection: masksAt({ ...drawn }, maskOptions),
    finalMasks: masksAt(s.points[s.points.length - 1], maskOptions),
    totalSteps: s.totalSteps,
  });
  const toDrawSeconds = secondsAtStep(clock.points, drawn.step);
  const perRatio = ratios.map((r) => ratioVerdict(rowsOfSeed(rows, s.seed, name, r), toDrawSeconds, clock.totalSeconds));
  const maskFp = Boolean(judged.falsePositive);
  const scoreFp = perRatio.some((v) => v.scoreFalsePositive);
  return {
    seed: s.seed,
    draw: { step: drawn.step, fraction: drawn.step / s.totalSteps },
    computeSaved: judged.fractionSaved,
    wallClock: { denseSeconds: clock.totalSeconds, toDrawSeconds, byRatio: Object.fromEntries(ratios.map((r, i) => [ratioKey(r), perRatio[i].clock])) },
    maskDistanceToFinal: judged.distanceToFinal,
    falsePositive: { mask: maskFp, score: scoreFp, any: maskFp || scoreFp },
    byRatio: Object.fromEntries(ratios.map((r, i) => [ratioKey(r), perRatio[i].scores])),
  };
}

/** The rows one ratio of one seed's draw is judged by: the draw's, the latest grid point's and the dense baseline's. */
function rowsOfSeed(rows: StudyRow[], seed: number, criterion: string, r: RatioPair): { draw?: StudyRow; latestGrid?: StudyRow; dense?: StudyRow } {
  return {
    draw: rows.find((x) => x.seed === seed && ratioKey(x) === ratioKey(r) && x.kind === 'draw' && x.criterion === criterion),
    latestGrid: seedRow(rows, seed, r, 'grid'),
    dense: rows.find((x) => x.seed === seed && x.kind === 'dense'),
  };
}

/** A draw's ticket at one ratio against the latest grid point (the score rule) and the dense baseline, and the time EB-train took. */
export function ratioVerdict(
  r: { draw?: StudyRow; latestGrid?: StudyRow; dense?: StudyRow },
  toDrawSeconds: number,
  denseSeconds: number,
): { scores: CriterionVerdict['byRatio'][string]; scoreFalsePositive: boolean; clock: NonNullable<CriterionVerdict['wallClock']>['byRatio'][string] } {
  const perUnit = pointsPerUnit(r.draw?.metric ?? r.dense?.metric ?? 'accuracy');
  const [mine, latest, dense] = [r.draw?.score ?? null, r.latestGrid?.score ?? null, r.dense?.score ?? null];
  const ticketSeconds = r.draw?.seconds ?? null;
  const ebTrainSeconds = ticketSeconds === null ? null : toDrawSeconds + ticketSeconds;
  const secondsSaved = ebTrainSeconds === null ? null : denseSeconds - ebTrainSeconds;
  return {
    scores: { score: mine, latestGrid: latest, gapToDensePoints: mine !== null && dense !== null ? perUnit * dense - perUnit * mine : null },
    scoreFalsePositive: scoreFalsePositive(mine, latest, { perUnit }) === true,
    clock: { ticketSeconds, ebTrainSeconds, secondsSaved, fractionSaved: secondsSaved === null || !denseSeconds ? null : secondsSaved / denseSeconds },
  };
}

/** A criterion's line of the summary at one ratio pair: its draws, false positives and ticket scores over the seeds. */
function criterionSummary(name: string, ratio: RatioPair, verdicts: CriterionVerdict[], rows: StudyRow[]): StudySummary['criteria'][string] {
  const drawRows = rows.filter((r) => r.kind === 'draw' && r.criterion === name && ratioKey(r) === ratioKey(ratio));
  const perRatio = <T>(f: (key: string, r: RatioPair) => T) => ({ [ratioKey(ratio)]: f(ratioKey(ratio), ratio) });
  return {
    criterion: name,
    ratio,
    draws: verdicts.map((v) => (v.draw ? { seed: v.seed, step: v.draw.step, fraction: v.draw.fraction } : null)),
    neverDrew: verdicts.filter((v) => !v.draw && !v.excluded).length,
    excluded: verdicts.filter((v) => v.excluded).length,
    falsePositives: verdicts.filter((v) => v.falsePositive?.any).length,
    ticketScore: meanSd(drawRows.map((r) => r.score)),
    byRatio: perRatio((key) => meanSd(drawRows.filter((x) => ratioKey(x) === key).map((x) => x.score))),
    secondsSaved: perRatio((key) => meanSd(verdicts.map((v) => v.wallClock?.byRatio[key]?.secondsSaved ?? null))),
    verdicts,
    statistics: criterionStatistics(verdicts, rows, ratio),
  };
}

/** The seed's table: grid rows grouped by their rank among each seed's prune points (0%, 4%, ...) and ratio. */
function groupGrid(gridRows: StudyRow[], rows: StudyRow[], ratios: RatioPair[]): StudySummary['table'] {
  const bySeed = new Map<number, number[]>();
  for (const r of gridRows)
    bySeed.set(
      r.seed,
      [...new Set([...(bySeed.get(r.seed) ?? []), r.step!])].sort((a, b) => a - b),
    );
  const out: StudySummary['table'] = [];
  const ranks = Math.max(...[...bySeed.values()].map((s) => s.length));
  for (let k = 0; k < ranks; k++) {
    for (const r of ratios) {
      const cells = gridRows.filter((x) => ratioKey(x) === ratioKey(r) && bySeed.get(x.seed)![k] === x.step);
      if (cells.length === 0) continue;
      out.push({
        fraction: meanSd(cells.map((c) => c.fraction)).mean!,
        tieBreak: cells.every((c) => c.step === 0),
        ratioHeads: r.heads,
        ratioFfn: r.ffn,
        score: meanSd(cells.map((c) => c.score)),
        vsLatestGridPoints: vsLatestGrid(cells, rows, r),
      });
    }
  }
  return out;
}
