/**
 * The early-bird study (`ebt study`): the seed's case study in one command. N dense slimming runs (one per
 * seed, both criteria watching), then prune-and-retrain cells (rewind init, no L1) at fractions of training
 * and at each criterion's draw step, for pairs of ratios, plus a dense baseline per seed; then a verdict per
 * criterion and seed. Both stages go through an executor and resume: a run or a cell counts as done only when
 * its result file is in place. The format of study.json is in docs/study.md.
 */
import { writeFileAtomic } from '@ebt/files';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as aq from 'arquero';
import { CRITERION_NAMES, judgeDetection, masksAt, MaskOptions, resolveMaskOptions, scoreFalsePositive } from '@ebt/eb-criteria';
import { RunError, UsageError } from '@ebt/errors';

import { densePoints, Trajectory, TrajectoryPoint } from '@ebt/slimming';
import { Detections, detectionMaskOptions, DrawnPoint, readDetections } from './detections-file';
import { watchKey } from './run-options';
import type { Learning } from './run-quality';
import { Executor } from './executor';
import { readManifest, RunManifest } from './manifest';
import { readRunClock, secondsAtStep } from './wall-clock';
import { MetricName, readCellRow, SweepRow } from './cell-file';
import { StudySlotSpec, writeStudySlots } from './study-slots-file';
import { checkRetrainOptions, nearestPoint, pruneCell, SweepCell } from './sweep';
import { RatioPair, ratioKey } from './ratios';
import { RETRAIN_RUNNER, STUDY_RUN_RUNNER } from './runners';
import { MeanSd, meanSd } from './mean-sd';
import { criterionStatistics, CriterionStatistics, pointsPerUnit, seedRow, vsLatestGrid } from './study-statistics';
import type { PairedDifference } from '@ebt/intervals';
import { factory as mt19937 } from '@stdlib/random-base-mt19937';

export type { MeanSd } from './mean-sd';
export { meanSd } from './mean-sd';

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

export const seedDir = (dir: string, seed: number) => path.join(dir, `seed-${seed}`);

function checkOptions(o: StudyOptions): void {
  if (o.seeds.length === 0 || o.seeds.some((s) => !Number.isInteger(s) || s < 0))
    throw new UsageError(`--seeds must name non-negative integer seeds (got ${o.seeds.join(',')}).`);
  if (new Set(o.seeds).size !== o.seeds.length) throw new UsageError(`--seed-list names a seed twice (${o.seeds.join(',')}).`);
  checkRetrainOptions(o);
}

export interface SeedRun {
  seed: number;
  dir: string;
  run: RunManifest;
  totalSteps: number;
  points: TrajectoryPoint[];
  /** by watch key ('nuclear-stationarity@0.3:0.3'): each criterion's draw at each of the study's ratio pairs */
  draws: Record<string, SeedDraw>;
  /** run.json's verdict (null in runs of ebt before it): a run that did not learn is left out of the verdicts */
  learning?: Learning | null;
}

/** One criterion's draw at one ratio pair, and the masks it is judged by. */
export interface SeedDraw {
  criterion: string;
  ratio: RatioPair;
  point: DrawnPoint | null;
  maskOptions: Required<MaskOptions>;
}

/**
 * A seed's draws at the study's ratio pairs. A run watches each criterion at each pair; a run of ebt before
 * one criterion per ratio watched one pair (EarlyBERT's) and its draw stands for every pair, judged by the masks
 * it watched, as that ebt did.
 */
export function seedDraws(detections: Pick<Detections, 'criteria'>, ratios: RatioPair[]): Record<string, SeedDraw> {
  const out: Record<string, SeedDraw> = {};
  for (const c of detections.criteria) {
    const maskOptions = resolveMaskOptions(detectionMaskOptions(c) ?? {});
    for (const r of c.ratio ? [c.ratio] : ratios) {
      if (!ratios.some((x) => ratioKey(x) === ratioKey(r))) continue;
      out[watchKey(c.criterion, r)] = { criterion: c.criterion, ratio: r, point: c.coefficientsAtDraw, maskOptions };
    }
  }
  return out;
}

function loadSeedRun(dir: string, seed: number, ratios: RatioPair[]): SeedRun {
  const run = readManifest(dir);
  const detections = readDetections(dir);
  if (!detections) throw new RunError(`the dense run in '${dir}' finished without detections.json.`);
  const points = densePoints(Trajectory.read(path.join(dir, 'trajectory.arrow')).points());
  return {
    seed,
    dir,
    run,
    totalSteps: detections.totalSteps,
    points,
    draws: seedDraws(detections, ratios),
    learning: run.learning ?? null,
  };
}

/** The module each task of the deferred stage runs (Slurm): see study-slot.ts. */
const STUDY_SLOT_RUNNER = require.resolve('./study-slot');

export type StudyResult =
  | { summary: StudySummary; rows: StudyRow[]; json: string; csv: string; submitted: null }
  /** queued and not waited for (--no-wait) */
  | { submitted: { jobs: string[]; note: string } };

export async function study(dir: string, o: StudyOptions): Promise<StudyResult> {
  checkOptions(o);
  const fractions = o.atFractions ?? SEED_FRACTIONS;
  const ratios = o.ratios ?? SEED_RATIOS;
  fs.mkdirSync(dir, { recursive: true });

  // stage 1: the dense slimming runs
  const runs: StudyRunCell[] = o.seeds.map((seed) => ({
    file: path.join(seedDir(dir, seed), 'dense-run.json'),
    outDir: seedDir(dir, seed),
    seed,
    kind: o.kind,
    options: o.runOptions,
  }));
  const runsTodo = runs.filter((r) => !fs.existsSync(r.file));
  o.log?.(`ebt study: ${runs.length} dense runs, ${runs.length - runsTodo.length} already done, ${o.executor.describe()}`);

  // stage 2: prune-and-retrain cells at the grid's fractions and at each draw. An executor that can queue
  // work behind work (Slurm) gets it with stage 1, as tasks that plan their own cell once the dense runs are
  // done; then, and with the local executor, the cells left without a result are planned here and run.
  const plan = { kind: o.kind, fractions, ratios, retrainEpochs: o.retrainEpochs, backend: o.backend };
  const spec: StudySlotSpec = { dir, seeds: o.seeds, slotsPerSeed: slotsPerSeed(plan), ...plan };
  const specFile = path.join(dir, 'study-slots.json');
  fs.mkdirSync(path.join(dir, 'cells'), { recursive: true });
  if (runsTodo.length > 0) writeStudySlots(specFile, spec);
  const stage1 = await o.executor.run(runsTodo, STUDY_RUN_RUNNER, { tasks: o.seeds.length * spec.slotsPerSeed, runner: STUDY_SLOT_RUNNER, spec: specFile });
  if (!stage1.done) return { submitted: { jobs: stage1.jobs, note: stage1.note } };
  const seedRuns = o.seeds.map((seed) => loadSeedRun(seedDir(dir, seed), seed, ratios));
  const planned = seedRuns.map((s) => planSeedCells(dir, s, plan));
  const cells = new Map(planned.flatMap((p) => p.cells).map((c) => [c.file, c]));
  const todo = [...cells.values()].filter((c) => !fs.existsSync(c.file));
  o.log?.(`ebt study: ${cells.size} prune-and-retrain cells, ${cells.size - todo.length} already done`);
  const stage2 = await o.executor.run(todo, RETRAIN_RUNNER);
  if (!stage2.done) return { submitted: { jobs: stage2.jobs, note: stage2.note } };

  // stage 3: rows, verdicts, files
  const results = new Map<string, SweepRow>([...cells.keys()].map((f) => [f, readCellRow(f)]));
  const rows: StudyRow[] = planned
    .flatMap((p) => p.rows)
    .map((p) => {
      const r = results.get(p.file)!;
      return {
        seed: p.seed,
        kind: p.kind,
        criterion: p.criterion,
        step: p.step,
        fraction: p.fraction,
        ratioHeads: p.ratio?.heads ?? 0,
        ratioFfn: p.ratio?.ffn ?? 0,
        metric: r.metric,
        accuracy: r.score,
        parameters: r.parameters,
        flops: r.flops,
        seconds: r.seconds,
      };
    });
  const summary = summarise(seedRuns, rows, ratios);
  const json = path.join(dir, 'study.json');
  const csv = path.join(dir, 'study.csv');
  writeFileAtomic(json, JSON.stringify(summary, null, 1) + '\n');
  writeFileAtomic(csv, aq.from(rows.map(({ metric: _metric, ...r }) => r)).toCSV() + '\n');
  return { summary, rows, json, csv, submitted: null };
}

interface CellPlanOptions {
  /** the run kind's module */
  kind: string;
  fractions: number[];
  ratios: RatioPair[];
  retrainEpochs?: number;
  backend?: string;
}

/**
 * A study's cell slots per seed: the dense baseline, then every prune point (each fraction, the random control,
 * each criterion's draw) x ratio.
 */
const slotsPerSeed = (o: CellPlanOptions) => 1 + (o.fractions.length + 1 + CRITERION_NAMES.length) * o.ratios.length;

/**
 * Coefficients of the final point's shapes drawn uniformly at random, the same for a seed and ratio on every
 * call: pruned at a ratio, they give a random mask of the ticket's size (heads per layer, FFN over the model).
 */
export function randomCoefficients(like: Pick<TrajectoryPoint, 'heads' | 'ffn'>, seed: number, ratio: RatioPair): { heads: number[][]; ffn: number[][] } {
  const rand = mt19937({ seed: (seed * 1_000_003 + Math.round(ratio.heads * 1000) * 1009 + Math.round(ratio.ffn * 1000)) >>> 0 });
  const draw = (rows: ArrayLike<number>[]) => rows.map((r) => Array.from({ length: r.length }, () => rand() / 2 ** 32));
  return { heads: draw(like.heads), ffn: draw(like.ffn) };
}

interface PlannedRow {
  seed: number;
  kind: StudyRow['kind'];
  criterion: string | null;
  step: number | null;
  fraction: number | null;
  ratio: RatioPair | null;
  file: string;
}

/**
 * The prune-and-retrain cells of one seed, in a fixed order (dense, each fraction x ratio, each draw x ratio;
 * a draw on a grid point is retrained once), and the study's row for each slot.
 */
export function planSeedCells(dir: string, s: SeedRun, o: CellPlanOptions): { cells: SweepCell[]; rows: PlannedRow[] } {
  const cellsDir = path.join(dir, 'cells');
  const epochs = o.retrainEpochs ?? s.run.options.epochs;
  const base = { kind: o.kind, runDir: s.dir, retrainEpochs: epochs, backend: o.backend };
  const cells = new Map<string, SweepCell>();
  const rows: PlannedRow[] = [];
  const denseFile = path.join(cellsDir, `seed${s.seed}-dense-e${epochs}.json`);
  cells.set(denseFile, { ...base, at: 'dense', step: null, ratioHeads: 0, ratioFfn: 0, file: denseFile });
  rows.push({ seed: s.seed, kind: 'dense', criterion: null, step: null, fraction: null, ratio: null, file: denseFile });
  const grid = o.fractions.map((f) => nearestPoint(s.points, f * s.totalSteps));
  // the random control at each ratio pair, after the grid (a fixed number of slots, before the draws' varying ones)
  const randomCells = o.ratios.map((r) => {
    const file = path.join(cellsDir, `seed${s.seed}-random-r${r.heads}_${r.ffn}-e${epochs}.json`);
    const coefficients = randomCoefficients(s.points[s.points.length - 1], s.seed, r);
    return { ratio: r, cell: { ...pruneCell(base, { step: 0, epoch: 0, ...coefficients }, r, file), step: null } };
  });
  // each fraction at every ratio pair; then each criterion's draw at each pair, pruned at that pair only
  const prunePoints: Array<{ kind: 'grid' | 'draw'; criterion: string | null; point: DrawnPoint | TrajectoryPoint; ratio: RatioPair }> = [
    ...grid.flatMap((point) => o.ratios.map((ratio) => ({ kind: 'grid' as const, criterion: null, point, ratio }))),
    ...o.ratios.flatMap((ratio) =>
      Object.values(s.draws).flatMap((d) =>
        d.point && ratioKey(d.ratio) === ratioKey(ratio) ? [{ kind: 'draw' as const, criterion: d.criterion, point: d.point, ratio }] : [],
      ),
    ),
  ];
  const cellOf = (p: (typeof prunePoints)[number]) => {
    const file = path.join(cellsDir, `seed${s.seed}-step${p.point.step}-r${p.ratio.heads}_${p.ratio.ffn}-e${epochs}.json`);
    if (!cells.has(file)) cells.set(file, pruneCell(base, p.point, p.ratio, file));
    rows.push({ seed: s.seed, kind: p.kind, criterion: p.criterion, step: p.point.step, fraction: p.point.step / s.totalSteps, ratio: p.ratio, file });
  };
  prunePoints.filter((p) => p.kind === 'grid').forEach(cellOf);
  for (const { ratio, cell } of randomCells) {
    cells.set(cell.file, cell);
    rows.push({ seed: s.seed, kind: 'random', criterion: null, step: null, fraction: null, ratio, file: cell.file });
  }
  prunePoints.filter((p) => p.kind === 'draw').forEach(cellOf);
  return { cells: [...cells.values()], rows };
}

/** The cell of slot K of the deferred stage (null: the slot is empty - a criterion that did not draw, a draw on a grid point). */
export function studySlotCell(spec: StudySlotSpec, k: number): SweepCell | null {
  const seed = spec.seeds[Math.floor(k / spec.slotsPerSeed)];
  if (seed === undefined) throw new UsageError(`study slot ${k} is past the ${spec.seeds.length * spec.slotsPerSeed} slots of '${spec.dir}'.`);
  const { cells } = planSeedCells(spec.dir, loadSeedRun(seedDir(spec.dir, seed), seed, spec.ratios), spec);
  return cells[k % spec.slotsPerSeed] ?? null;
}

/** The study's verdicts: for each criterion, one per seed (draw, savings, false positive by mask and by score), and their means. */
function summarise(seedRuns: SeedRun[], rows: StudyRow[], ratios: RatioPair[]): StudySummary {
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
    notLearned,
    seeds: seedRuns.map((s) => s.seed),
    metric,
    dense: { accuracy: meanSd(rows.filter((r) => r.kind === 'dense' && learned(r)).map((r) => r.accuracy)) },
    criteria,
    table: gridRows.length ? groupGrid(gridRows, learnedRows, ratios) : [],
    controls: ratios.flatMap((r) => {
      const cells = learnedRows.filter((x) => x.kind === 'random' && ratioKey(x) === ratioKey(r));
      return cells.length
        ? [
            {
              kind: 'random' as const,
              ratioHeads: r.heads,
              ratioFfn: r.ffn,
              accuracy: meanSd(cells.map((c) => c.accuracy)),
              vsLatestGridPoints: vsLatestGrid(cells, learnedRows, r),
            },
          ]
        : [];
    }),
    grid: rows.map(({ seed, kind, criterion, step, fraction, ratioHeads, ratioFfn, accuracy }) => ({
      seed,
      kind,
      criterion,
      step,
      fraction,
      ratioHeads,
      ratioFfn,
      accuracy,
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
    const byRatio = Object.fromEntries(ratios.map((r) => [ratioKey(r), { accuracy: null, latestGrid: null, gapToDensePoints: null }]));
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
    falsePositive: { mask: maskFp, accuracy: scoreFp, any: maskFp || scoreFp },
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
  const [mine, latest, dense] = [r.draw?.accuracy ?? null, r.latestGrid?.accuracy ?? null, r.dense?.accuracy ?? null];
  const ticketSeconds = r.draw?.seconds ?? null;
  const ebTrainSeconds = ticketSeconds === null ? null : toDrawSeconds + ticketSeconds;
  const secondsSaved = ebTrainSeconds === null ? null : denseSeconds - ebTrainSeconds;
  return {
    scores: { accuracy: mine, latestGrid: latest, gapToDensePoints: mine !== null && dense !== null ? perUnit * dense - perUnit * mine : null },
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
    ticketAccuracy: meanSd(drawRows.map((r) => r.accuracy)),
    byRatio: perRatio((key) => meanSd(drawRows.filter((x) => ratioKey(x) === key).map((x) => x.accuracy))),
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
        ratioHeads: r.heads,
        ratioFfn: r.ffn,
        accuracy: meanSd(cells.map((c) => c.accuracy)),
        vsLatestGridPoints: vsLatestGrid(cells, rows, r),
      });
    }
  }
  return out;
}
