/**
 * The prune-and-retrain sweep (`ebt sweep RUN_DIR`): prune a finished slimming run at chosen epochs and
 * ratios, retrain each ticket from the initial weights (rewind 'init', no L1), and collect accuracy,
 * parameters, FLOPs and wall time into RUN_DIR/sweep/results.csv and results.arrow (arquero). Cells run in
 * parallel worker processes - each app gives the module that retrains one cell of its kind of run - each
 * cell is written atomically as it finishes, and a half-done sweep resumes without redoing finished cells.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as aq from 'arquero';
import { Trajectory } from '@ebt/slimming';
import { writeFileAtomic } from '@ebt/models';
import { maskFromCoefficients } from '@ebt/eb-criteria';
import { RunUsageError } from './run';

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
  /** pruning ratios, each applied to heads and FFN neurons alike */
  ratios: number[];
  retrainEpochs?: number;
  workers?: number;
  /** also retrain the unpruned initial weights as the dense baseline (default true) */
  dense?: boolean;
  backend?: string;
  log?: (line: string) => void;
}

export interface SweepRow {
  kind: 'dense' | 'ticket';
  /** SQuAD runs: the dev set's exact match and F1 (accuracy then holds F1 / 100) */
  exactMatch?: number;
  f1?: number;
  /** completed epochs at the prune point (null for the dense baseline) */
  at: number | null;
  step: number | null;
  ratioHeads: number;
  ratioFfn: number;
  accuracy: number | null;
  bestAccuracy: number;
  parameters: number;
  flops: number;
  retrainEpochs: number;
  seconds: number;
}

export async function sweep(runDir: string, o: SweepOptions): Promise<{ rows: SweepRow[]; csv: string; arrow: string; skipped: string[] }> {
  const runFile = path.join(runDir, 'run.json');
  if (!fs.existsSync(runFile)) throw new RunUsageError(`'${runDir}' is not a run folder (it has no run.json).`);
  const run = JSON.parse(fs.readFileSync(runFile, 'utf8'));
  if (!fs.existsSync(path.join(o.initDir, 'model.safetensors'))) throw new RunUsageError(`'${o.initDir}' holds no initial weights (model.safetensors) to retrain the tickets from.`);
  for (const r of o.ratios) if (!(r >= 0 && r < 1)) throw new RunUsageError(`--ratios must lie in [0, 1) (got ${r}).`);
  const points = Trajectory.read(path.join(runDir, 'trajectory.arrow')).snapshots();
  const shape = (p: (typeof points)[number]) => p.snapshot.heads.map((r) => r.length).join(',') + '|' + p.snapshot.ffn.map((r) => r.length).join(',');
  const dense = points.filter((p) => shape(p) === shape(points[0])); // before any EB-train pruning
  const epochs: number = run.options.epochs;
  const at = o.at === 'all' ? Array.from({ length: epochs + 1 }, (_, i) => i) : o.at;
  const retrainEpochs = o.retrainEpochs ?? epochs;
  const cellsDir = path.join(runDir, 'sweep', 'cells');
  fs.mkdirSync(cellsDir, { recursive: true });
  const cells: SweepCell[] = [];
  const skipped: string[] = [];
  if (o.dense ?? true) cells.push({ runDir, at: 'dense', step: null, ratioHeads: 0, ratioFfn: 0, retrainEpochs, backend: o.backend, file: path.join(cellsDir, `dense-e${retrainEpochs}.json`) });
  for (const a of at) {
    if (!Number.isInteger(a) || a < 0 || a > epochs) throw new RunUsageError(`--at ${a} is not an epoch count of this ${epochs}-epoch run.`);
    const point = a === 0 ? dense[0] : [...dense].reverse().find((p) => p.epoch === a - 1);
    if (!point || (a > 0 && [...points].reverse().find((p) => p.epoch === a - 1) !== point)) {
      skipped.push(`epoch ${a}: the model was already pruned by EB-train (run with --continue dense to sweep every epoch)`);
      continue;
    }
    for (const r of o.ratios) {
      cells.push({
        runDir,
        at: a,
        step: point.step,
        ratioHeads: r,
        ratioFfn: r,
        heads: point.snapshot.heads.map((x) => Array.from(x)),
        ffn: point.snapshot.ffn.map((x) => Array.from(x)),
        retrainEpochs,
        backend: o.backend,
        file: path.join(cellsDir, `at${a}-r${r}-e${retrainEpochs}.json`),
      });
    }
  }
  const todo = cells.filter((c) => !fs.existsSync(c.file));
  o.log?.(`ebt sweep: ${cells.length} cells, ${cells.length - todo.length} already done, ${o.workers ?? 2} workers`);
  await runPool(todo, o.runner, o.workers ?? 2, o.log);
  const rows: SweepRow[] = cells.map((c) => JSON.parse(fs.readFileSync(c.file, 'utf8')));
  const table = aq.from(rows);
  const csv = path.join(runDir, 'sweep', 'results.csv');
  const arrow = path.join(runDir, 'sweep', 'results.arrow');
  writeFileAtomic(csv, table.toCSV() + '\n');
  writeFileAtomic(arrow, aq.toArrowIPC(table));
  return { rows, csv, arrow, skipped };
}

function runPool(cells: SweepCell[], runner: string, workers: number, log?: (line: string) => void): Promise<void> {
  let next = 0;
  let failed: Error | null = null;
  const one = (): Promise<void> => {
    if (failed || next >= cells.length) return Promise.resolve();
    const cell = cells[next++];
    return new Promise<void>((resolve) => {
      const child = spawn(process.execPath, ['--require', require.resolve('tsx/cjs'), runner, JSON.stringify(cell)], { stdio: ['ignore', 'ignore', 'pipe'] });
      let err = '';
      child.stderr.on('data', (d) => (err += d));
      child.on('close', (code) => {
        if (code !== 0) failed = new Error(`sweep cell ${path.basename(cell.file)} failed: ${err.trim().split('\n').pop()}`);
        else log?.(`ebt sweep: ${path.basename(cell.file, '.json')} done`);
        resolve();
      });
    }).then(one);
  };
  return Promise.all(Array.from({ length: Math.max(1, workers) }, one)).then(() => {
    if (failed) throw failed;
  });
}

/** A cell's masks (heads layerwise, FFN global, as EarlyBERT) - none for the dense baseline. */
export function cellMasks(cell: SweepCell): { heads: Uint8Array[]; ffn: Uint8Array[] } | null {
  if (!cell.heads || !cell.ffn) return null;
  return { heads: maskFromCoefficients(cell.heads, cell.ratioHeads, 'layerwise'), ffn: maskFromCoefficients(cell.ffn, cell.ratioFfn, 'global') };
}

/** Writes a finished cell's row atomically (what the sweep collects). */
export function writeCell(cell: SweepCell, result: Pick<SweepRow, 'accuracy' | 'bestAccuracy' | 'parameters' | 'flops' | 'seconds' | 'exactMatch' | 'f1'>): void {
  const row: SweepRow = {
    kind: cell.at === 'dense' ? 'dense' : 'ticket',
    at: cell.at === 'dense' ? null : cell.at,
    step: cell.step,
    ratioHeads: cell.ratioHeads,
    ratioFfn: cell.ratioFfn,
    ...result,
    retrainEpochs: cell.retrainEpochs,
  };
  writeFileAtomic(cell.file, JSON.stringify(row) + '\n');
}

/** The body of a runner module: run the cell given as JSON in argv[2], exit 1 with one line on failure. */
export function runCellFromArgv(run: (cell: SweepCell) => Promise<void>): void {
  run(JSON.parse(process.argv[2])).catch((e) => {
    process.stderr.write(`sweep cell failed: ${(e as Error).message}\n`);
    process.exit(1);
  });
}
