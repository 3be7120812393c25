/**
 * The prune-and-retrain sweep (`ebt sweep RUN_DIR`): prune a finished slimming run at chosen epochs and
 * ratios, retrain each ticket from the initial weights (rewind 'init', no L1), and collect accuracy,
 * parameters, FLOPs and wall time into RUN_DIR/sweep/results.csv and results.arrow (arquero). Cells run in
 * parallel worker processes - each app gives the module that retrains one cell of its kind of run - each
 * cell is written atomically as it finishes, and a half-done sweep resumes without redoing finished cells.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MASK_DEFAULTS, maskFromCoefficients } from '@ebt/eb-criteria';
import { UsageError } from '@ebt/errors';

import { densePoints, pointAfterEpochs, Trajectory } from '@ebt/slimming';
import { CellResult, cellFileName, MetricName, readCellRow, SweepRow, writeCellRow } from './cell-file';
import { Executor } from './executor';
import { mergeSweepRows, readSweepResults, sweepResultFiles, writeSweepResults } from './sweep-results-file';
import { localExecutor } from './local-executor';
import { readDetections } from './detections-file';
import { readManifest } from './manifest';
import { lockFolder } from './run-folder';

import { checkRatioPairs, RatioPair, ratioKey } from './ratios';
import { RETRAIN_RUNNER } from './runners';
export type { RatioPair };

/** What a worker process gets (as JSON in argv[2]): one retraining to do and the file to write. */
export interface SweepCell {
  /** the run kind's module (RunKind.module): the retrain runner asks it how to retrain */
  kind: string;
  runDir: string;
  /** 'dense' for the unpruned baseline, else the number of completed epochs whose last point gives the masks */
  at: number | 'dense';
  step: number | null;
  ratioHeads: number;
  ratioFfn: number;
  heads?: number[][];
  ffn?: number[][];
  retrainEpochs: number;
  backend?: string;
  file: string;
}

export interface SweepOptions {
  /** the run's kind, by its module (RunKind.module): the retrain runner loads it to retrain each cell */
  kind: string;
  /** the initial weights the tickets are retrained from (Hugging Face folder) */
  initDir: string;
  /** completed-epoch counts to prune at, or 'all' */
  at?: number[] | 'all';
  /** fractions of training to prune at (the nearest recorded point of the dense model) */
  atFractions?: number[];
  /** also prune at each criterion's draw step (default false) */
  atDraws?: boolean;
  /** pruning ratios, heads and FFN */
  ratios: RatioPair[];
  retrainEpochs?: number;
  /** default: the local executor with one worker */
  executor?: Executor;
  /** also retrain the unpruned initial weights as the dense baseline (default true) */
  dense?: boolean;
  backend?: string;
  log?: (line: string) => void;
}

/** The cell that retrains the initial weights pruned by `point`'s masks at `ratio`. */
export function pruneCell(
  base: Pick<SweepCell, 'kind' | 'runDir' | 'retrainEpochs' | 'backend'>,
  point: { step: number; epoch: number; heads: ArrayLike<number>[]; ffn: ArrayLike<number>[] },
  ratio: RatioPair,
  file: string,
): SweepCell {
  const plain = (rows: ArrayLike<number>[]) => rows.map((x) => Array.from(x));
  return { ...base, at: point.epoch, step: point.step, ratioHeads: ratio.heads, ratioFfn: ratio.ffn, heads: plain(point.heads), ffn: plain(point.ffn), file };
}

/** A cell's result scored by one metric (accuracy by default, a fraction), seconds filled in by the caller. */
export function scoredResult(score: number | null, parameters: number, flops: number, metric: MetricName = 'accuracy'): CellResult {
  return { metric, score, metrics: score === null ? {} : { [metric]: score }, parameters, flops, seconds: 0 };
}

/** The prune-and-retrain flags that sweeps and studies share, checked before anything runs. */
export function checkRetrainOptions(o: { ratios?: RatioPair[]; atFractions?: number[]; retrainEpochs?: number }): void {
  if (o.ratios) checkRatioPairs(o.ratios);
  if (o.retrainEpochs !== undefined && !(Number.isInteger(o.retrainEpochs) && o.retrainEpochs > 0))
    throw new UsageError(`--retrain-epochs must be a positive integer (got ${o.retrainEpochs}).`);
  for (const f of o.atFractions ?? []) if (!(f >= 0 && f <= 1)) throw new UsageError(`--at-fractions must lie in [0, 1] (got ${f}).`);
}

/**
 * The prune point at `fraction` of training: the recorded point nearest to it after step 0, where the coefficients
 * have moved. Fraction 0 is step 0 itself, where every coefficient is 1 and the mask is the index tie-break.
 */
export function gridPoint<P extends { step: number }>(points: P[], fraction: number, totalSteps: number): P {
  if (fraction === 0) return points[0];
  const moved = points.filter((p) => p.step > 0);
  return nearestPoint(moved.length ? moved : points, fraction * totalSteps);
}

/** The recorded point whose step is nearest to `step`. */
export function nearestPoint<P extends { step: number }>(points: P[], step: number): P {
  return points.reduce((best, p) => (Math.abs(p.step - step) < Math.abs(best.step - step) ? p : best), points[0]);
}

/**
 * A sweep cell's file in the one scheme (cell-file.ts). ebt before it named a pair of equal shares by one number
 * (`step90-r0.3-e3.json`); such a cell is still taken where its retrain was the run's whole schedule (the retrain
 * schedule of today gives the same), never where a shorter retrain kept the run's warm-up.
 */
export function sweepCellFile(cellsDir: string, what: string, r: RatioPair, epochs: number, wholeSchedule: boolean): string {
  const file = path.join(cellsDir, cellFileName({ what, ratio: r, epochs }));
  const legacy = path.join(cellsDir, `${what}-r${r.heads}-e${epochs}.json`);
  return r.heads === r.ffn && wholeSchedule && !fs.existsSync(file) && fs.existsSync(legacy) ? legacy : file;
}

export interface SweepResult {
  rows: SweepRow[];
  csv: string;
  arrow: string;
  skipped: string[];
  /** set when the cells were queued and not waited for (--no-wait): no rows yet */
  submitted: { jobs: string[]; note: string } | null;
}

/**
 * Runs (or resumes) the sweep of `runDir` holding its folder's lock: refused while another process (a pretrain
 * still training, a second sweep) writes the folder; pretrain's own sweep shares the lock it holds.
 */
export async function sweep(runDir: string, o: SweepOptions): Promise<SweepResult> {
  readManifest(runDir); // a folder that holds no run is named as such, not locked
  const lock = lockFolder(runDir, o.log, null);
  try {
    return await runSweep(runDir, o);
  } finally {
    lock.release();
  }
}

async function runSweep(runDir: string, o: SweepOptions): Promise<SweepResult> {
  const run = readManifest(runDir);
  if (!fs.existsSync(path.join(o.initDir, 'model.safetensors')))
    throw new UsageError(`'${o.initDir}' holds no initial weights (model.safetensors) to retrain the tickets from.`);
  checkRetrainOptions(o);
  const points = Trajectory.read(path.join(runDir, 'trajectory.arrow')).points();
  const dense = densePoints(points);
  const pruned = dense.length < points.length;
  const epochs = run.options.epochs;
  const detections = readDetections(runDir);
  const totalSteps = detections?.totalSteps ?? points[points.length - 1].step;
  const at = o.at === 'all' ? Array.from({ length: epochs + 1 }, (_, i) => i) : (o.at ?? []);
  const retrainEpochs = o.retrainEpochs ?? epochs;
  const cellsDir = path.join(runDir, 'sweep', 'cells');
  const skipped: string[] = [];
  // every prune point, then one cell per (step, ratio) - a draw on an epoch's last step is retrained once
  const prunePoints: Array<{
    source: 'epoch' | 'fraction' | 'draw';
    at: number | null;
    criterion: string | null;
    point: { step: number; epoch: number; heads: ArrayLike<number>[]; ffn: ArrayLike<number>[] };
    /** the pairs it is pruned at: every one of --ratios, or a draw's own */
    ratios: RatioPair[];
  }> = [];
  for (const a of at) {
    if (!Number.isInteger(a) || a < 0 || a > epochs) throw new UsageError(`--at ${a} is not an epoch count of this ${epochs}-epoch run.`);
    const point = pointAfterEpochs(dense, a);
    if (!point || pointAfterEpochs(points, a) !== point) {
      skipped.push(`epoch ${a}: the model was already pruned by EB-train (run with --continue dense to sweep every epoch)`);
      continue;
    }
    prunePoints.push({ source: 'epoch', at: a, criterion: null, point, ratios: o.ratios });
  }
  for (const f of o.atFractions ?? []) {
    const target = f * totalSteps;
    if (pruned && target > dense[dense.length - 1].step) {
      skipped.push(`${100 * f}% of training: the model was already pruned by EB-train at step ${dense[dense.length - 1].step}`);
      continue;
    }
    prunePoints.push({
      source: 'fraction',
      at: null,
      criterion: null,
      point: gridPoint(dense, f, totalSteps),
      ratios: o.ratios,
    });
  }
  if (o.atDraws) {
    // each draw at the pair it watched, whether or not --ratios names it (a file of ebt before one criterion per
    // ratio: at every pair of --ratios, as that ebt did)
    for (const c of detections?.criteria ?? []) {
      if (c.coefficientsAtDraw)
        prunePoints.push({ source: 'draw', at: null, criterion: c.criterion, point: c.coefficientsAtDraw, ratios: c.ratio ? [c.ratio] : o.ratios });
      else skipped.push(`${c.ratio ? `${c.criterion} at ${ratioKey(c.ratio)}` : c.criterion}: it did not draw`);
    }
  }
  const cells = new Map<string, SweepCell>();
  const plan: Array<{ file: string; source: SweepRow['source']; at: number | null; criterion: string | null; step: number | null }> = [];
  if (o.dense ?? true) {
    const file = path.join(cellsDir, cellFileName({ what: 'dense', epochs: retrainEpochs }));
    cells.set(file, { kind: o.kind, runDir, at: 'dense', step: null, ratioHeads: 0, ratioFfn: 0, retrainEpochs, backend: o.backend, file });
    plan.push({ file, source: null, at: null, criterion: null, step: null });
  }
  for (const { source, at: a, criterion, point, ratios } of prunePoints) {
    for (const r of ratios) {
      const file = sweepCellFile(cellsDir, `step${point.step}`, r, retrainEpochs, retrainEpochs === epochs);
      if (!cells.has(file)) cells.set(file, pruneCell({ kind: o.kind, runDir, retrainEpochs, backend: o.backend }, point, r, file));
      plan.push({ file, source, at: a, criterion, step: point.step });
    }
  }
  fs.mkdirSync(cellsDir, { recursive: true });
  const todo = [...cells.values()].filter((c) => !fs.existsSync(c.file));
  const executor = o.executor ?? localExecutor({ log: o.log });
  o.log?.(`ebt sweep: ${cells.size} cells, ${cells.size - todo.length} already done, ${executor.describe()}`);
  const { csv, arrow } = sweepResultFiles(runDir);
  const outcome = await executor.run(todo, RETRAIN_RUNNER);
  if (!outcome.done) return { rows: [], csv, arrow, skipped, submitted: { jobs: outcome.jobs, note: outcome.note } };
  const rows: SweepRow[] = plan.map((p) => {
    const result = readCellRow(p.file);
    return { ...result, source: p.source, at: p.at, fraction: p.step === null ? null : p.step / totalSteps, criterion: p.criterion, step: p.step };
  });
  writeSweepResults(runDir, mergeSweepRows(readSweepResults(runDir) ?? [], rows));
  return { rows, csv, arrow, skipped, submitted: null };
}

/** A cell's masks (heads layerwise, FFN global, as EarlyBERT) - none for the dense baseline. */
export function cellMasks(cell: SweepCell): { heads: Uint8Array[]; ffn: Uint8Array[] } | null {
  if (!cell.heads || !cell.ffn) return null;
  return {
    heads: maskFromCoefficients(cell.heads, cell.ratioHeads, MASK_DEFAULTS.scopeHeads),
    ffn: maskFromCoefficients(cell.ffn, cell.ratioFfn, MASK_DEFAULTS.scopeFfn),
  };
}

/** Writes a finished cell's row atomically (what the sweep collects). */
export function writeCell(cell: SweepCell, result: CellResult): void {
  const { metrics, ...rest } = result;
  const row: SweepRow = {
    kind: cell.at === 'dense' ? 'dense' : 'ticket',
    source: null,
    at: cell.at === 'dense' ? null : cell.at,
    fraction: null,
    criterion: null,
    step: cell.step,
    ratioHeads: cell.ratioHeads,
    ratioFfn: cell.ratioFfn,
    ...rest,
    ...metrics,
    retrainEpochs: cell.retrainEpochs,
  };
  writeCellRow(cell.file, row);
}
