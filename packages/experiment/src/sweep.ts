/**
 * The prune-and-retrain sweep (`ebt sweep RUN_DIR`): prune a finished slimming run at chosen epochs and
 * ratios, retrain each ticket from the initial weights (rewind 'init', no L1), and collect accuracy,
 * parameters, FLOPs and wall time into RUN_DIR/sweep/results.csv and results.arrow (arquero). Cells run in
 * parallel worker processes - each app gives the module that retrains one cell of its kind of run - each
 * cell is written atomically as it finishes, and a half-done sweep resumes without redoing finished cells.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as aq from 'arquero';
import { MASK_DEFAULTS, maskFromCoefficients } from '@ebt/eb-criteria';
import { UsageError } from '@ebt/errors';
import { writeFileAtomic } from '@ebt/models';
import { pointAfterEpochs, shapeKey, Trajectory } from '@ebt/slimming';
import { Executor, localExecutor } from './local-executor';
import { readManifest } from './manifest';

/** Pruning ratios of one cell: heads and FFN neurons. */
export interface RatioPair {
  heads: number;
  ffn: number;
}

/** What a worker process gets (as JSON in argv[2]): one retraining to do and the file to write. */
export interface SweepCell {
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
  /** the module a worker runs for one cell (node --require tsx/cjs RUNNER CELL_JSON) */
  runner: string;
  /** the initial weights the tickets are retrained from (Hugging Face folder) */
  initDir: string;
  /** completed-epoch counts to prune at, or 'all' */
  at: number[] | 'all';
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

/** The score a cell's task is judged by: 'accuracy' (a fraction), or SQuAD's 'f1' and 'exact_match' (percent). */
export type MetricName = 'accuracy' | 'f1' | 'exact_match';

export interface CellResult {
  /** the task's headline metric and its value */
  metric: MetricName;
  score: number | null;
  /** every metric the task reports, by name */
  metrics: Partial<Record<MetricName, number>>;
  parameters: number;
  flops: number;
  seconds: number;
}

export interface SweepRow extends Omit<CellResult, 'metrics'>, Partial<Record<MetricName, number>> {
  kind: 'dense' | 'ticket';
  /** completed epochs at the prune point (null for the dense baseline) */
  at: number | null;
  step: number | null;
  ratioHeads: number;
  ratioFfn: number;
  retrainEpochs: number;
}

/** "0.3:0.3,0.8:0.8" (heads:FFN) or "0.3,0.5" (one number for both) - the syntax of --ratios. */
export function parseRatioPairs(text: string, flag = '--ratios'): RatioPair[] {
  const items = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (items.length === 0) throw new UsageError(`${flag} must list at least one ratio (got '${text}').`);
  return items.map((item) => {
    const parts = item.split(':');
    const nums = parts.map(Number);
    if (parts.length > 2 || parts.some((p) => p.trim() === '') || nums.some((v) => !(v >= 0 && v < 1))) {
      throw new UsageError(`${flag}: '${item}' is not a ratio in [0, 1) or a heads:ffn pair of them.`);
    }
    return { heads: nums[0], ffn: nums[nums.length - 1] };
  });
}

export async function sweep(runDir: string, o: SweepOptions): Promise<{ rows: SweepRow[]; csv: string; arrow: string; skipped: string[] }> {
  const run = readManifest(runDir);
  if (!fs.existsSync(path.join(o.initDir, 'model.safetensors')))
    throw new UsageError(`'${o.initDir}' holds no initial weights (model.safetensors) to retrain the tickets from.`);
  for (const r of o.ratios)
    if (!(r.heads >= 0 && r.heads < 1 && r.ffn >= 0 && r.ffn < 1)) throw new UsageError(`--ratios must lie in [0, 1) (got ${r.heads}:${r.ffn}).`);
  if (o.retrainEpochs !== undefined && !(Number.isInteger(o.retrainEpochs) && o.retrainEpochs > 0))
    throw new UsageError(`--retrain-epochs must be a positive integer (got ${o.retrainEpochs}).`);
  const points = Trajectory.read(path.join(runDir, 'trajectory.arrow')).points();
  const dense = points.filter((p) => shapeKey(p) === shapeKey(points[0])); // before any EB-train pruning
  const epochs = run.options.epochs;
  const at = o.at === 'all' ? Array.from({ length: epochs + 1 }, (_, i) => i) : o.at;
  const retrainEpochs = o.retrainEpochs ?? epochs;
  const cellsDir = path.join(runDir, 'sweep', 'cells');
  fs.mkdirSync(cellsDir, { recursive: true });
  const cells: SweepCell[] = [];
  const skipped: string[] = [];
  if (o.dense ?? true)
    cells.push({
      runDir,
      at: 'dense',
      step: null,
      ratioHeads: 0,
      ratioFfn: 0,
      retrainEpochs,
      backend: o.backend,
      file: path.join(cellsDir, `dense-e${retrainEpochs}.json`),
    });
  for (const a of at) {
    if (!Number.isInteger(a) || a < 0 || a > epochs) throw new UsageError(`--at ${a} is not an epoch count of this ${epochs}-epoch run.`);
    const point = pointAfterEpochs(dense, a);
    if (!point || pointAfterEpochs(points, a) !== point) {
      skipped.push(`epoch ${a}: the model was already pruned by EB-train (run with --continue dense to sweep every epoch)`);
      continue;
    }
    for (const r of o.ratios) {
      cells.push({
        runDir,
        at: a,
        step: point.step,
        ratioHeads: r.heads,
        ratioFfn: r.ffn,
        heads: point.heads.map((x) => Array.from(x)),
        ffn: point.ffn.map((x) => Array.from(x)),
        retrainEpochs,
        backend: o.backend,
        file: path.join(cellsDir, `at${a}-r${r.heads === r.ffn ? r.heads : `${r.heads}_${r.ffn}`}-e${retrainEpochs}.json`),
      });
    }
  }
  const todo = cells.filter((c) => !fs.existsSync(c.file));
  const executor = o.executor ?? localExecutor({ log: o.log });
  o.log?.(`ebt sweep: ${cells.length} cells, ${cells.length - todo.length} already done, ${executor.describe()}`);
  await executor.run(todo, o.runner);
  const rows: SweepRow[] = cells.map((c) => JSON.parse(fs.readFileSync(c.file, 'utf8')));
  const table = aq.from(rows);
  const csv = path.join(runDir, 'sweep', 'results.csv');
  const arrow = path.join(runDir, 'sweep', 'results.arrow');
  writeFileAtomic(csv, table.toCSV() + '\n');
  writeFileAtomic(arrow, aq.toArrowIPC(table));
  return { rows, csv, arrow, skipped };
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
    at: cell.at === 'dense' ? null : cell.at,
    step: cell.step,
    ratioHeads: cell.ratioHeads,
    ratioFfn: cell.ratioFfn,
    ...rest,
    ...metrics,
    retrainEpochs: cell.retrainEpochs,
  };
  writeFileAtomic(cell.file, JSON.stringify(row) + '\n');
}

export { runCellFromArgv } from './local-executor';
