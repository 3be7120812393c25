/**
 * A sweep or study cell's result, SWEEP_DIR/cells/NAME.json: the retrained ticket's (or dense baseline's)
 * score, size and time, with where it was pruned. Written once, atomically, by the worker that ran the
 * cell; read by the sweep and the study that collect it. The one schema, writer and reader of the format.
 */
import { z } from 'zod';
import { UsageError } from '@ebt/errors';
import { writeFileAtomic } from '@ebt/files';
import { readJsonAgainst } from './json-file';
import type { RatioPair } from './ratios';

/** The score a cell's task is judged by: 'accuracy' (a fraction), STS-B's 'pearson' (r), or SQuAD's 'f1' and 'exact_match' (percent). */
/**
 * The one naming scheme of cell files, for sweeps and studies: `[seed<S>-]<what>[-r<heads>_<ffn>]-e<epochs>.json`,
 * `what` being `dense`, `step<N>` or a control (`random`, `shuffle`).
 */
export function cellFileName(o: { seed?: number; what: string; ratio?: RatioPair; epochs: number }): string {
  const seed = o.seed === undefined ? '' : `seed${o.seed}-`;
  const ratio = o.ratio ? `-r${o.ratio.heads}_${o.ratio.ffn}` : '';
  return `${seed}${o.what}${ratio}-e${o.epochs}.json`;
}

export const METRIC_NAMES = ['accuracy', 'pearson', 'f1', 'exact_match'] as const;
export type MetricName = (typeof METRIC_NAMES)[number];

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

const count = z.number().int().nonnegative();
const nullableNumber = z.number().nullable();

const cellRowSchema = z.object({
  kind: z.enum(['dense', 'ticket']),
  /** what chose the prune point: --at (epochs), --at-fractions, or a criterion's draw (null for dense) */
  source: z.enum(['epoch', 'fraction', 'draw']).nullable(),
  /** completed epochs at the prune point (--at cells) */
  at: count.nullable(),
  /** the prune step as a fraction of training, and the criterion that drew there (draw cells) */
  fraction: nullableNumber,
  criterion: z.string().nullable(),
  step: count.nullable(),
  ratioHeads: z.number().min(0).max(1),
  ratioFfn: z.number().min(0).max(1),
  metric: z.enum(METRIC_NAMES),
  score: nullableNumber,
  parameters: count,
  flops: z.number().nonnegative(),
  seconds: z.number().nonnegative(),
  // every metric the task reports, beside the headline one
  accuracy: z.number().optional(),
  pearson: z.number().optional(),
  f1: z.number().optional(),
  exact_match: z.number().optional(),
  retrainEpochs: count,
});

/** A cell's row: its result with every metric as a column, and where the cell pruned. */
export type SweepRow = z.infer<typeof cellRowSchema>;

/** A cell file that is not JSON or does not follow the schema. */
export class CellFileError extends UsageError {}

export function writeCellRow(file: string, row: SweepRow): void {
  writeFileAtomic(file, JSON.stringify(cellRowSchema.parse(row)) + '\n');
}

export function readCellRow(file: string): SweepRow {
  try {
    return readJsonAgainst(file, cellRowSchema, CellFileError);
  } catch (e) {
    // a cell's result is written atomically, so a damaged one was changed from outside: ebt never deletes it,
    // and says how to have the cell run again
    if (e instanceof CellFileError) throw new CellFileError(`${e.message.replace(/\.$/, '')}; remove it and run the same command again to redo that cell.`);
    throw e;
  }
}
