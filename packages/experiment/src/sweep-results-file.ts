/**
 * A sweep's table, RUN_DIR/sweep/results.csv and results.arrow (one row per cell): the only writer and
 * reader. The Arrow file is what is read back (typed, nulls kept); the CSV is for people and spreadsheets.
 */
import { writeFileAtomic } from '@ebt/files';
import { RunError } from '@ebt/errors';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as aq from 'arquero';
import type { SweepRow } from './cell-file';

export class SweepResultsError extends RunError {}

export function sweepResultFiles(runDir: string): { csv: string; arrow: string } {
  return { csv: path.join(runDir, 'sweep', 'results.csv'), arrow: path.join(runDir, 'sweep', 'results.arrow') };
}

export function writeSweepResults(runDir: string, rows: SweepRow[]): { csv: string; arrow: string } {
  const files = sweepResultFiles(runDir);
  const table = aq.from(rows);
  writeFileAtomic(files.csv, table.toCSV() + '\n');
  writeFileAtomic(files.arrow, aq.toArrowIPC(table));
  return files;
}

/** A row's cell: what a later sweep call's row replaces (the same prune point, ratio pair and retrain length). */
const cellKey = (r: SweepRow) => [r.kind, r.source, r.at, r.criterion, r.step, r.ratioHeads, r.ratioFfn, r.retrainEpochs].map(String).join('|');

/**
 * The table after a sweep call: the earlier calls' rows this call did not redo, then this call's. Each call
 * rewrote the table with its own cells only, so earlier cells vanished from results.csv and the report.
 */
export function mergeSweepRows(earlier: SweepRow[], rows: SweepRow[]): SweepRow[] {
  const redone = new Set(rows.map(cellKey));
  return [...earlier.filter((r) => !redone.has(cellKey(r))), ...rows];
}

const REQUIRED = ['kind', 'metric', 'score', 'parameters', 'flops', 'ratioHeads', 'ratioFfn'] as const;

/** The rows of a run's sweep, or null where no sweep finished; a SweepResultsError names a damaged file. */
export function readSweepResults(runDir: string): SweepRow[] | null {
  const { arrow } = sweepResultFiles(runDir);
  if (!fs.existsSync(arrow)) return null;
  let table: ReturnType<typeof aq.fromArrow>;
  try {
    table = aq.fromArrow(fs.readFileSync(arrow));
  } catch (e) {
    throw new SweepResultsError(`'${arrow}' is not an Arrow IPC file: ${(e as Error).message}.`);
  }
  const missing = REQUIRED.filter((c) => !table.columnNames().includes(c));
  if (missing.length) throw new SweepResultsError(`'${arrow}' has no ${missing.join(', ')} column: it is not a sweep of ebt, or it is damaged.`);
  return table.objects() as SweepRow[];
}
