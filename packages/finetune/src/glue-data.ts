import * as path from 'node:path';
import { GLUE_TASKS, GlueTask, isRegression, readGlueParquet, readGlueTsv, TextDataset, TsvOptions } from '@ebt/data';
import { UsageError } from '@ebt/errors';
import { resolveGlue } from '@ebt/hub';
import { CLASSIFICATION, Objective, REGRESSION } from '@ebt/training';
import { namedTextTask } from './text-tasks';

const objectiveOf = (d: TextDataset): Objective => (d.labels instanceof Float32Array ? REGRESSION : CLASSIFICATION);

export interface GlueData {
  /** the GLUE task, when there is one (--glue-task, or the task of --data glue:<task>) */
  task: string | undefined;
  glue: GlueTask | undefined;
  train: TextDataset;
  /** the evaluation splits by name (`validation`, or MNLI's `validation_matched` and `validation_mismatched`); the first is the run's test set */
  dev: Record<string, TextDataset>;
  columns: Pick<TsvOptions, 'textColumn' | 'pairColumn' | 'labelColumn'>;
  /** regression (STS-B: MSE, one output, scored by Pearson's r) or classification */
  objective: Objective;
}

/** config.problem_type of a model trained for the objective (undefined: classification, transformers' default) */
export const problemTypeOf = (objective: Objective): 'regression' | undefined => (objective === REGRESSION ? 'regression' : undefined);

export const hubGlueTask = (data: string): string | undefined => (data.startsWith('glue:') ? data.slice('glue:'.length) : undefined);

/**
 * The train and evaluation sets of a text-classification run: a named text task (text-tasks.ts: spam-assassin),
 * `glue:<task>` from the hub's parquet files, or a folder of GLUE-style TSVs (train.tsv and dev.tsv; MNLI:
 * dev_matched.tsv and dev_mismatched.tsv).
 */
export async function loadGlueData(data: string, o: { glueTask?: string } & Pick<TsvOptions, 'textColumn' | 'pairColumn' | 'labelColumn'>): Promise<GlueData> {
  const named = namedTextTask(data);
  if (named) {
    if (o.glueTask) throw new UsageError(`--glue-task ${o.glueTask} cannot be used with --data ${data} (not a GLUE task).`);
    const { train, test } = await named.task.load(named.limit);
    return { task: undefined, glue: undefined, train, dev: { test }, columns: {}, objective: CLASSIFICATION };
  }
  const fromHub = hubGlueTask(data);
  if (fromHub && o.glueTask && o.glueTask !== fromHub) throw new UsageError(`--glue-task ${o.glueTask} contradicts --data ${data}.`);
  const task = o.glueTask ?? fromHub;
  const glue = task === undefined ? undefined : GLUE_TASKS[task];
  if (task !== undefined && !glue) throw new UsageError(`--glue-task must be one of ${Object.keys(GLUE_TASKS).join(', ')} (got '${task}').`);
  const splits = glue?.dev ?? ['validation'];
  if (fromHub) {
    const files = await resolveGlue(fromHub);
    const read = async (split: string) => {
      if (!files[split]) throw new UsageError(`--data ${data}: the hub's ${fromHub} has no '${split}' split (it has ${Object.keys(files).join(', ')}).`);
      return readGlueParquet(files[split], fromHub);
    };
    const dev: Record<string, TextDataset> = {};
    for (const s of splits) dev[s] = await read(s);
    const train = await read('train');
    return { task, glue, train, dev, columns: { textColumn: glue!.text, pairColumn: glue!.pair, labelColumn: 'label' }, objective: objectiveOf(train) };
  }
  const columns = { textColumn: o.textColumn ?? glue?.text, pairColumn: o.pairColumn ?? glue?.pair, labelColumn: o.labelColumn };
  const tsv = glue && isRegression(glue) ? { ...columns, regression: true } : { ...columns, labelNames: glue?.labels };
  const train = readGlueTsv(path.join(data, 'train.tsv'), tsv);
  // GLUE's own file names: dev.tsv, or MNLI's dev_matched.tsv and dev_mismatched.tsv
  const file = (split: string) => (splits.length > 1 ? split.replace('validation', 'dev') : 'dev');
  const dev = Object.fromEntries(splits.map((s) => [s, readGlueTsv(path.join(data, `${file(s)}.tsv`), { ...tsv, numClasses: train.numClasses })]));
  return { task, glue, train, dev, columns, objective: objectiveOf(train) };
}
