/**
 * A study's plan: each seed's dense run read back (its points and draws), and the prune-and-retrain cells it asks
 * for - the dense baseline, each grid fraction, the controls and each draw, at each ratio pair - with one
 * naming scheme for their files; a Slurm task's slot is planned from the same function.
 */
import * as path from 'node:path';
import { CRITERION_NAMES, resolveMaskOptions } from '@ebt/eb-criteria';
import { RunError, UsageError } from '@ebt/errors';
import { densePoints, Trajectory, TrajectoryPoint } from '@ebt/slimming';
import { Detections, detectionMaskOptions, DrawnPoint, readDetections } from './detections-file';
import { watchKey } from './run-options';
import { Learning } from './run-quality';
import { readManifest, RunManifest } from './manifest';
import { StudySlotSpec } from './study-slots-file';
import { gridPoint, pruneCell, SweepCell } from './sweep';
import { cellFileName } from './cell-file';
import { baselineDraws, BASELINES } from './study-baselines';
import { largestRatio, RatioPair, ratioKey } from './ratios';
import { ControlKind, SeedDraw, StudyRow, seedDir } from './study-types';
export type { SeedDraw } from './study-types';
import { factory as mt19937 } from '@stdlib/random-base-mt19937';

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

export function loadSeedRun(dir: string, seed: number, ratios: RatioPair[]): SeedRun {
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
    // the criteria the run watched, then the baselines replayed on its trajectory (study-baselines.ts)
    draws: { ...seedDraws(detections, ratios), ...baselineDraws(run, points, ratios) },
    learning: run.learning ?? null,
  };
}

interface CellPlanOptions {
  /** the run kind's module */
  kind: string;
  fractions: number[];
  ratios: RatioPair[];
  retrainEpochs?: number;
  backend?: string;
  /** the pilot's plan (StudyOptions.gateOnly) */
  gateOnly?: boolean;
}

/**
 * What a gate-only plan keeps of the study's (the pilot's: E0 at the largest pair reads nothing else): the
 * earliest fraction after 0 and the latest at the largest ratio pair, and no draws (planSeedCells empties them).
 */
export function gatePlan<O extends CellPlanOptions>(o: O): O {
  if (!o.gateOnly) return o;
  // E0's earliest ticket is the earliest after step 0 (step 0's mask is the index tie-break)
  const moved = o.fractions.filter((f) => f > 0);
  return { ...o, fractions: [Math.min(...(moved.length ? moved : o.fractions)), Math.max(...o.fractions)], ratios: [largestRatio(o.ratios)] };
}

/**
 * A study's cell slots per seed: the dense baseline, then every prune point (each fraction, the two controls,
 * each criterion's and each baseline's draw) x ratio; a gate-only plan's: the dense baseline, two fractions and
 * the random mask.
 */
export const slotsPerSeed = (o: CellPlanOptions) =>
  o.gateOnly ? 4 : 1 + (o.fractions.length + 2 + CRITERION_NAMES.length + BASELINES.length) * o.ratios.length;

/**
 * Coefficients of the final point's shapes drawn uniformly at random, the same for a seed and ratio on every
 * call: pruned at a ratio, they give a random mask of the ticket's size (heads per layer, FFN over the model).
 */
export function randomCoefficients(like: Pick<TrajectoryPoint, 'heads' | 'ffn'>, seed: number, ratio: RatioPair): { heads: number[][]; ffn: number[][] } {
  const rand = mt19937({ seed: (seed * 1_000_003 + Math.round(ratio.heads * 1000) * 1009 + Math.round(ratio.ffn * 1000)) >>> 0 });
  const draw = (rows: ArrayLike<number>[]) => rows.map((r) => Array.from({ length: r.length }, () => rand() / 2 ** 32));
  return { heads: draw(like.heads), ffn: draw(like.ffn) };
}

/**
 * The layerwise shuffle: a point's coefficients permuted at random inside each layer, the same for a seed and
 * ratio on every call. Pruned at a ratio, they keep the point's widths per layer (the global FFN threshold sees the
 * same values) with the units drawn at random: it separates "which units" from "how many per layer".
 */
export function shuffledCoefficients(
  like: { heads: ArrayLike<number>[]; ffn: ArrayLike<number>[] },
  seed: number,
  ratio: RatioPair,
): { heads: number[][]; ffn: number[][] } {
  const rand = mt19937({ seed: (seed * 1_000_033 + Math.round(ratio.heads * 1000) * 2017 + Math.round(ratio.ffn * 1000) + 7) >>> 0 });
  // Fisher-Yates, drawing j uniformly in [0, i]
  const shuffle = (row: ArrayLike<number>) => {
    const out = Array.from(row);
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor((rand() / 2 ** 32) * (i + 1));
      [out[i], out[j]] = [out[j], out[i]];
    }
    return out;
  };
  return { heads: like.heads.map(shuffle), ffn: like.ffn.map(shuffle) };
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
 * The prune-and-retrain cells of one seed, in a fixed order (dense, each fraction x ratio, each control x ratio, each draw x ratio;
 * a draw on a grid point is retrained once), and the study's row for each slot.
 */
export function planSeedCells(dir: string, seedRun: SeedRun, options: CellPlanOptions): { cells: SweepCell[]; rows: PlannedRow[] } {
  const o = gatePlan(options);
  const s = o.gateOnly ? { ...seedRun, draws: {} } : seedRun;
  const cellsDir = path.join(dir, 'cells');
  const epochs = o.retrainEpochs ?? s.run.options.epochs;
  const base = { kind: o.kind, runDir: s.dir, retrainEpochs: epochs, backend: o.backend };
  const cells = new Map<string, SweepCell>();
  const rows: PlannedRow[] = [];
  const denseFile = path.join(cellsDir, cellFileName({ seed: s.seed, what: 'dense', epochs }));
  cells.set(denseFile, { ...base, at: 'dense', step: null, ratioHeads: 0, ratioFfn: 0, file: denseFile });
  rows.push({ seed: s.seed, kind: 'dense', criterion: null, step: null, fraction: null, ratio: null, file: denseFile });
  // fractions nearer to one recorded point than to any other share its cell and its row (points every
  // --record-every steps: 0.5% and 1% of a short run can be the same point)
  const grid = [...new Map(o.fractions.map((f) => gridPoint(s.points, f, s.totalSteps)).map((p) => [p.step, p])).values()];
  // the controls at each ratio pair, after the grid (a fixed number of slots, before the draws' varying ones): a
  // random mask, and the latest grid point's coefficients shuffled inside each layer
  const latest = grid.reduce((a, b) => (b.step > a.step ? b : a), grid[0] ?? s.points[s.points.length - 1]);
  const controls: Array<{ kind: ControlKind; coefficients: (r: RatioPair) => { heads: number[][]; ffn: number[][] } }> = [
    { kind: 'random', coefficients: (r) => randomCoefficients(s.points[s.points.length - 1], s.seed, r) },
    { kind: 'shuffle', coefficients: (r) => shuffledCoefficients(latest, s.seed, r) },
  ];
  const controlCells = controls
    .filter((c) => !o.gateOnly || c.kind === 'random')
    .flatMap((c) =>
      o.ratios.map((r) => {
        const file = path.join(cellsDir, cellFileName({ seed: s.seed, what: c.kind, ratio: r, epochs }));
        return { kind: c.kind, ratio: r, cell: { ...pruneCell(base, { step: 0, epoch: 0, ...c.coefficients(r) }, r, file), step: null } };
      }),
    );
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
    const file = path.join(cellsDir, cellFileName({ seed: s.seed, what: `step${p.point.step}`, ratio: p.ratio, epochs }));
    if (!cells.has(file)) cells.set(file, pruneCell(base, p.point, p.ratio, file));
    rows.push({ seed: s.seed, kind: p.kind, criterion: p.criterion, step: p.point.step, fraction: p.point.step / s.totalSteps, ratio: p.ratio, file });
  };
  prunePoints.filter((p) => p.kind === 'grid').forEach(cellOf);
  for (const { kind, ratio, cell } of controlCells) {
    cells.set(cell.file, cell);
    rows.push({ seed: s.seed, kind, criterion: null, step: null, fraction: null, ratio, file: cell.file });
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
