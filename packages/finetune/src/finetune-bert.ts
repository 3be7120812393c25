/**
 * `ebt finetune bert`: slimming fine-tuning of a BERT checkpoint (Hugging Face folder with tokenizer
 * files) on a GLUE-style TSV task. Defaults from docs/method.md section 8 (EarlyBERT's GLUE settings): AdamW lr 2e-5,
 * no weight decay, linear decay without warm-up, clipping at 1.0, batch 32, 128 tokens, 3 epochs.
 */
import { writeFileAtomic } from '@ebt/files';
import * as path from 'node:path';
import { initBackend } from '@ebt/backend';
import { GlueMetric, TextDataset } from '@ebt/data';
import { buildScratchBert, loadPretrained, SCRATCH_MODEL_DIR, scratchSize, TextClassifier, TextTokenizer } from '@ebt/models';
import * as fs from 'node:fs';
import { namedTextTask } from './text-tasks';
import { checkMaxLength, maxTokens, taskModel } from './task-model';
import { Slimming } from '@ebt/slimming';
import { UsageError } from '@ebt/errors';
import { EMBEDDED, embeddedNote } from './embedded';
import {
  chanceScore,
  EarlyBirdRunOptions,
  ManifestOptions,
  RunOptions,
  TicketInfo,
  checkPositive,
  checkRunOptions,
  earlyBirdRunFields,
  ebTrain,
  writeManifest,
  runCriteria,
  openRunFolder,
  RUN_DEFAULTS,
  saveDenseModel,
} from '@ebt/experiment';
import { Objective, TrainOptions, TrainResult } from '@ebt/training';
import { GLUE_DEFAULTS } from './defaults';
import { loadGlueData, hubGlueTask, problemTypeOf } from './glue-data';
import { glueEvaluation } from './glue-eval';
import { textSource } from './text-source';
import { BERT_OPTIONS } from './bert-options';

/** The run folder's default name: the GLUE task, the named task, or the data folder's name. */
const runName = (data: string) => (hubGlueTask(data) ? `glue-${hubGlueTask(data)}` : (namedTextTask(data)?.name ?? path.basename(path.resolve(data))));

export interface FinetuneBertOptions extends RunOptions, EarlyBirdRunOptions {
  model?: string;
  /** folder with train.tsv and dev.tsv */
  data?: string;
  /** a GLUE task (cola, sst2, mrpc, qqp, stsb, mnli, qnli, rte, wnli): its column and label names, and its official metrics at the end */
  glueTask?: string;
  textColumn?: string;
  pairColumn?: string;
  labelColumn?: string;
  maxLength?: number;
  weightDecay?: number;
  warmupSteps?: number;
}

/** A text classifier's forward pass to its logits. */
export const textForward = (m: unknown) => (x: unknown, training: boolean) => (m as TextClassifier).forward(x as never, training).logits;

/** The training options a GLUE-style run and each of its retrain cells share: the run's batches, optimizer, schedule and objective. */
export function glueTraining(
  o: { maxLength: number; batchSize: number; lr: number; weightDecay: number; warmupSteps?: number; clipNorm: number },
  data: { train: TextDataset; dev: TextDataset; objective: Objective },
  tokenizer: TextTokenizer,
): Pick<TrainOptions, 'train' | 'test' | 'batchSize' | 'optimizer' | 'schedule' | 'clipNorm' | 'objective'> {
  return {
    train: textSource(data.train, tokenizer, o.maxLength),
    test: textSource(data.dev, tokenizer, o.maxLength),
    batchSize: o.batchSize,
    optimizer: { kind: 'adamw', weightDecay: o.weightDecay },
    schedule: { lr: o.lr, warmupSteps: o.warmupSteps, decay: 'linear' },
    clipNorm: o.clipNorm,
    objective: data.objective,
  };
}

export async function finetuneBert(o: FinetuneBertOptions): Promise<{ outDir: string; result: TrainResult; ticket: TicketInfo | null; glue?: GlueEvaluation }> {
  if (o.model === undefined && o.data === undefined) {
    if (o.progress !== false) process.stderr.write(embeddedNote('bert', '--model bert-base-uncased --data DIR (GLUE TSV: train.tsv, dev.tsv)') + '\n');
    o = { ...o, ...EMBEDDED.bert };
  }
  const named = o.data === undefined ? undefined : namedTextTask(o.data);
  if (named) {
    const model = o.model ?? named.task.model;
    o = { ...o, model, epochs: o.epochs ?? named.task.epochs, lr: o.lr ?? (scratchSize(model) ? named.task.lr : named.task.finetuneLr) };
  }
  if (!o.model) throw new UsageError('--model DIR is required with --data (a Hugging Face BERT folder or hub id).');
  if (!o.data) throw new UsageError('--data DIR is required with --model (a folder with train.tsv and dev.tsv).');
  checkPositive('--max-length', o.maxLength, true);
  const scratch = scratchSize(o.model);
  const outDir = path.resolve(o.out ?? path.join('runs', `bert-${runName(o.data)}`));
  checkRunOptions(o, outDir);
  const { task, glue, train: trainSet, dev: devSets, columns, objective } = await loadGlueData(o.data, o);
  const devSet = Object.values(devSets)[0];
  const backend = await initBackend({ backend: o.backend });
  // a checkpoint is read before the run folder is touched (a bad --model writes nothing); a model from scratch is
  // built into the run folder once it is ours (and kept there: the sweep and the study retrain from it)
  const modelDir = scratch ? path.join(outDir, SCRATCH_MODEL_DIR) : o.model;
  let lock = scratch ? openRunFolder(outDir, o) : null;
  if (scratch && !(o.resume && fs.existsSync(path.join(modelDir, 'config.json'))))
    await buildScratchBert(modelDir, { size: scratch, texts: trainSet.texts, numLabels: trainSet.numClasses, seed: o.seed ?? RUN_DEFAULTS.seed });
  const tokenizer = await TextTokenizer.fromPretrained(modelDir);
  const loaded = loadPretrained(modelDir, {
    task: 'text-classification',
    numLabels: trainSet.numClasses,
    problemType: problemTypeOf(objective),
    seed: o.seed ?? RUN_DEFAULTS.seed,
  });
  const model = taskModel(loaded.model, 'text-classification', modelDir, 'finetune bert');
  // the default is BERT's usual 128, or fewer where the model has fewer positions
  const maxLength = o.maxLength ?? Math.min(128, maxTokens(model));
  checkMaxLength(model, maxLength);
  const slimming = Slimming.attach(model, { lambdaHeads: o.lambdaHeads, lambdaFfn: o.lambdaFfn });
  const epochs = o.epochs ?? GLUE_DEFAULTS.epochs;
  const batchSize = o.batchSize ?? GLUE_DEFAULTS.batchSize;
  const stepsPerEpoch = Math.ceil(trainSet.labels.length / batchSize);
  const options = {
    command: 'finetune bert' as const,
    task: 'glue' as const,
    model: path.resolve(modelDir),
    ...(scratch ? { scratch } : {}),
    data: hubGlueTask(o.data) || named ? o.data : path.resolve(o.data),
    glueTask: task,
    textColumn: columns.textColumn,
    pairColumn: columns.pairColumn,
    labelColumn: columns.labelColumn,
    seed: o.seed ?? RUN_DEFAULTS.seed,
    epochs,
    batchSize,
    lr: o.lr ?? GLUE_DEFAULTS.lr,
    maxLength,
    optimizer: 'adamw' as const,
    weightDecay: o.weightDecay ?? GLUE_DEFAULTS.weightDecay,
    warmupSteps: o.warmupSteps ?? (named ? Math.round(named.task.warmupFraction * epochs * stepsPerEpoch) : 0),
    schedule: 'linear' as const,
    clipNorm: 1,
    ...earlyBirdRunFields(o, slimming),
    numLabels: trainSet.numClasses,
    problemType: problemTypeOf(objective),
    trainExamples: trainSet.labels.length,
    devExamples: devSet.labels.length,
  };
  const { watches, recorded } = runCriteria(o, 'seed');
  const manifest: ManifestOptions = { ...options, ...recorded };
  lock ??= openRunFolder(outDir, o);
  writeManifest(outDir, manifest, backend, Boolean(o.resume), BERT_OPTIONS);
  const { result, ticket, finalModel, finalSlimming } = await ebTrain({
    model,
    chance: chanceScore(objective.metric, trainSet.numClasses),
    forwardOf: textForward,
    slimming,
    watches,
    criterion: o.criterion,
    continueWith: options.continueWith,
    rewind: o.rewind,
    initDir: modelDir,
    ...glueTraining(options, { train: trainSet, dev: devSet, objective }, tokenizer),
    epochs: options.epochs,
    seed: options.seed,
    outDir,
    recordEvery: options.recordEvery,
    resume: o.resume,
    progress: o.progress,
  });
  let glueEval: GlueEvaluation | undefined;
  if (glue && task) {
    const splits = Object.fromEntries(Object.entries(devSets).map(([name, d]) => [name, textSource(d, tokenizer, maxLength)]));
    glueEval = { task, metrics: await glueEvaluation(task, finalModel as TextClassifier, splits, options.batchSize) };
    writeFileAtomic(path.join(outDir, 'glue-eval.json'), JSON.stringify(glueEval, null, 1) + '\n');
  }
  if (o.saveModel) await saveDenseModel(o.saveModel, finalModel, finalSlimming, { inputsFrom: modelDir });
  lock.release();
  return { outDir, result, ticket, glue: glueEval };
}

/** glue-eval.json: the task's official metrics on each evaluation split, for the model training ended with. */
export interface GlueEvaluation {
  task: string;
  metrics: Record<string, Partial<Record<GlueMetric, number>>>;
}
