/**
 * metrics.csv, one row per epoch and split (and one per phase of an epoch split by a draw): the only writer
 * and reader of the format. Its `accuracy` column holds the objective's score - accuracy, or Pearson's r
 * for a regression head - and stays so named for the files already written; in code it is `score`.
 */
import { writeFileAtomic } from '@ebt/files';
import { RunError } from '@ebt/errors';
import * as fs from 'node:fs';
import * as aq from 'arquero';
import type { MetricsRow } from './types';

/** The columns in file order, each with the row field it holds. */
const COLUMNS = [
  ['step', 'step'],
  ['epoch', 'epoch'],
  ['split', 'split'],
  ['loss', 'loss'],
  ['accuracy', 'score'],
  ['lr', 'lr'],
  ['seconds', 'seconds'],
  ['phase', 'phase'],
  ['examples', 'examples'],
] as const satisfies ReadonlyArray<readonly [string, keyof MetricsRow]>;

export const METRICS_HEADER = COLUMNS.map(([column]) => column).join(',');

/** Columns files of ebt 0.1 lack, and what such a row means by them (one phase; the examples were not counted). */
const OPTIONAL: Partial<Record<string, number>> = { phase: 1, examples: 0 };

export class MetricsFileError extends RunError {}

export function writeMetrics(file: string, rows: MetricsRow[]): void {
  const line = (r: MetricsRow) => COLUMNS.map(([column, field]) => (column === 'seconds' ? r.seconds.toFixed(3) : r[field])).join(',');
  writeFileAtomic(file, [METRICS_HEADER, ...rows.map(line)].join('\n') + '\n');
}

/** The rows of a metrics.csv, or a MetricsFileError naming the file, the line and the column. */
export function readMetrics(file: string): MetricsRow[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new MetricsFileError(`Cannot read '${file}' (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}).`);
  }
  const table = aq.fromCSV(text, { autoType: false });
  const present = new Set(table.columnNames());
  const missing = COLUMNS.map(([column]) => column).filter((c) => !present.has(c) && !(c in OPTIONAL));
  if (missing.length) throw new MetricsFileError(`'${file}' has no ${missing.join(', ')} column: it is not a metrics.csv of ebt, or it is damaged.`);
  return (table.objects() as Array<Record<string, string>>).map((raw, i) => {
    const row: Record<string, string | number> = {};
    for (const [column, field] of COLUMNS) {
      const value = raw[column] ?? String(OPTIONAL[column]);
      if (column === 'split') {
        if (value !== 'train' && value !== 'test') throw new MetricsFileError(`'${file}' line ${i + 2}: split is '${value}', not train or test.`);
        row[field] = value;
        continue;
      }
      const n = Number(value);
      if (value === '' || Number.isNaN(n)) throw new MetricsFileError(`'${file}' line ${i + 2}: ${column} is '${value}', not a number.`);
      row[field] = n;
    }
    return row as unknown as MetricsRow;
  });
}
