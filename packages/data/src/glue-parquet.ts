/**
 * GLUE as the hub's `nyu-mll/glue` dataset stores it: one parquet file (or several shards) per task and split,
 * with the task's columns (`sentence`, `premise`/`hypothesis`, ...), an integer `label` (STS-B: a score in [0, 5]; -1 on
 * the unlabelled test split) and `idx`. Read with hyparquet.
 */
import { DataError } from './errors';
import { TextDataset } from './glue';
import { GLUE_TASKS, isRegression } from './glue-tasks';
import { readParquetRows } from './parquet-rows';

export async function readGlueParquet(files: string[], task: string): Promise<TextDataset> {
  const t = GLUE_TASKS[task];
  if (!t) throw new DataError(`unknown GLUE task '${task}'; one of ${Object.keys(GLUE_TASKS).join(', ')}.`);
  const regression = isRegression(t);
  const texts: string[] = [];
  const pairs: string[] = [];
  const labels: number[] = [];
  for (const file of files) {
    const rows = await readParquetRows(file);
    for (const [i, row] of rows.entries()) {
      for (const column of [t.text, ...(t.pair ? [t.pair] : []), 'label'])
        if (!(column in row)) throw new DataError(`'${file}': no column '${column}' (it has ${Object.keys(row).join(', ')}); is it GLUE's ${task}?`);
      const label = Number(row.label);
      if (regression ? !(label >= 0) : !Number.isInteger(label) || label < 0 || label >= t.labels.length)
        throw new DataError(
          `'${file}', row ${i}: label ${String(row.label)} is not ${regression ? 'a score' : `one of ${task}'s ${t.labels.length} classes`} (the test split has no labels).`,
        );
      texts.push(String(row[t.text]));
      if (t.pair) pairs.push(String(row[t.pair]));
      labels.push(label);
    }
  }
  if (labels.length === 0) throw new DataError(`${files.join(', ')}: no examples.`);
  const pairsOrNone = t.pair ? pairs : undefined;
  if (regression) return { texts, pairs: pairsOrNone, labels: Float32Array.from(labels), numClasses: 1, name: files[0] };
  return { texts, pairs: pairsOrNone, labels: Int32Array.from(labels), numClasses: t.labels.length, name: files[0] };
}
