/**
 * `ebt finetune bert --task squad`: the seed's own BERT experiment - SQuAD v1.1 with slimming, both criteria
 * online and EB-train. Defaults from docs/method.md sections 7-8 (the seed's script): AdamW lr 3e-5, batch 12,
 * 2 epochs, 384 tokens with a stride of 128, questions cut at 64 tokens, linear decay, clipping at 1.0.
 * After training the dev set is decoded (n-best 20, answers up to 30 tokens) and scored with the official
 * v1.1 Exact Match and F1: squad-eval.json and predictions.json in the run folder.
 */
import { writeFileAtomic } from '@ebt/files';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend, readAll } from '@ebt/backend';
import { decodeAnswers, SquadFeature, squadFeatures, squadMetrics } from '@ebt/data';
import { loadPretrained, PretrainedModel, QuestionAnswerer, TextTokenizer } from '@ebt/models';
import { checkMaxLength, taskModel } from './task-model';
import { Slimming } from '@ebt/slimming';
import { UsageError } from '@ebt/errors';
import {
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
import { DataSource, TrainResult } from '@ebt/training';
import { SQUAD_DEFAULTS } from './defaults';
import { loadSquadData, SQUAD_BY_NAME } from './squad-data';
import { paddedBertInputs } from './text-source';
import { BERT_OPTIONS } from './bert-options';

export interface FinetuneSquadOptions extends RunOptions, EarlyBirdRunOptions {
  model: string;
  /** 'squad' (the hub's rajpurkar/squad), or a folder with train-v1.1.json and dev-v1.1.json */
  data: string;
  maxLength?: number;
  docStride?: number;
  maxQueryLength?: number;
  maxAnswerLength?: number;
  nBest?: number;
}

export function featureSource(features: SquadFeature[]): DataSource {
  return {
    size: features.length,
    batch(indices) {
      const rows = Array.from(indices, (k) => features[k]);
      return {
        x: paddedBertInputs(rows.map((r) => ({ ids: r.inputIds, types: r.tokenTypeIds }))),
        // start positions, then end positions: the loss on [start; end] logits is (CE_start + CE_end) / 2
        labels: tf.tensor1d([...rows.map((r) => r.startPosition), ...rows.map((r) => r.endPosition)], 'int32'),
      };
    },
  };
}

/** [start; end] logits stacked along the batch: [2B, T], matching featureSource's labels. */
export function qaForward(model: PretrainedModel) {
  return (x: unknown, training: boolean) =>
    tf.tidy(() => {
      const { startLogits, endLogits } = (model as QuestionAnswerer).forward(x as never, training);
      return tf.concat([startLogits, endLogits], 0) as tf.Tensor2D;
    });
}

/** Start/end logits of every feature, in batches. */
export async function predictSpans(
  model: QuestionAnswerer,
  features: SquadFeature[],
  batchSize: number,
): Promise<Array<{ start: Float32Array; end: Float32Array }>> {
  const source = featureSource(features);
  const out: Array<{ start: Float32Array; end: Float32Array }> = [];
  for (let i = 0; i < features.length; i += batchSize) {
    const idx = Int32Array.from({ length: Math.min(batchSize, features.length - i) }, (_, k) => i + k);
    const batch = source.batch(idx, { augment: false, random: undefined as never });
    const [s, e] = tf.tidy(() => {
      const r = model.forward(batch.x as never, false);
      return [r.startLogits, r.endLogits];
    });
    const width = s.shape[1]!;
    const [sv, ev] = await readAll([s, e]).finally(() => tf.dispose([s, e]));
    idx.forEach((k, j) => {
      const len = features[k].inputIds.length;
      out.push({ start: sv.slice(j * width, j * width + len) as Float32Array, end: ev.slice(j * width, j * width + len) as Float32Array });
    });
    tf.dispose([batch.labels, ...Object.values(batch.x as Record<string, tf.Tensor>)]);
  }
  return out;
}

export async function finetuneSquad(
  o: FinetuneSquadOptions,
): Promise<{ outDir: string; result: TrainResult; ticket: TicketInfo | null; exactMatch: number; f1: number }> {
  if (!o.model) throw new UsageError('--model DIR is required (a Hugging Face BERT folder with config.json, model.safetensors and tokenizer files).');
  if (!o.data) throw new UsageError(`--data is required: '${SQUAD_BY_NAME}' (the hub's rajpurkar/squad) or a folder with train-v1.1.json and dev-v1.1.json.`);
  for (const [flag, v] of [
    ['--max-length', o.maxLength],
    ['--doc-stride', o.docStride],
    ['--max-query-length', o.maxQueryLength],
    ['--max-answer-length', o.maxAnswerLength],
  ] as const)
    checkPositive(flag, v, true);
  const byName = o.data === SQUAD_BY_NAME;
  const outDir = path.resolve(o.out ?? path.join('runs', byName ? 'bert-squad' : `bert-squad-${path.basename(path.resolve(o.data))}`));
  checkRunOptions(o, outDir);
  const { train: trainExamples, dev: devExamples } = await loadSquadData(o.data);
  const tokenizer = await TextTokenizer.fromPretrained(o.model);
  const backend = await initBackend({ backend: o.backend });
  const qa = taskModel(
    loadPretrained(o.model, { task: 'question-answering', seed: o.seed ?? RUN_DEFAULTS.seed }).model,
    'question-answering',
    o.model,
    'finetune squad',
  );
  const maxLength = o.maxLength ?? SQUAD_DEFAULTS.maxLength;
  checkMaxLength(qa, maxLength);
  const tok = { tokenize: (t: string) => tokenizer.tokenize(t), ...tokenizer.specialIds };
  const featureOptions = { maxLength, docStride: o.docStride ?? SQUAD_DEFAULTS.docStride, maxQueryLength: o.maxQueryLength ?? SQUAD_DEFAULTS.maxQueryLength };
  const trainFeatures = squadFeatures(trainExamples, tok, featureOptions);
  const devFeatures = squadFeatures(devExamples, tok, featureOptions);
  const slimming = Slimming.attach(qa, { lambdaHeads: o.lambdaHeads, lambdaFfn: o.lambdaFfn });
  const options = {
    command: 'finetune bert' as const,
    task: 'squad' as const,
    model: path.resolve(o.model),
    data: byName ? o.data : path.resolve(o.data),
    seed: o.seed ?? RUN_DEFAULTS.seed,
    epochs: o.epochs ?? SQUAD_DEFAULTS.epochs,
    batchSize: o.batchSize ?? SQUAD_DEFAULTS.batchSize,
    lr: o.lr ?? SQUAD_DEFAULTS.lr,
    ...featureOptions,
    maxAnswerLength: o.maxAnswerLength ?? SQUAD_DEFAULTS.maxAnswerLength,
    nBest: o.nBest ?? SQUAD_DEFAULTS.nBest,
    optimizer: 'adamw' as const,
    weightDecay: SQUAD_DEFAULTS.weightDecay,
    schedule: 'linear' as const,
    clipNorm: 1,
    ...earlyBirdRunFields(o, slimming),
    trainExamples: trainExamples.length,
    trainFeatures: trainFeatures.length,
    devExamples: devExamples.length,
    devFeatures: devFeatures.length,
  };
  const { watches, recorded } = runCriteria(o, 'seed');
  const manifest: ManifestOptions = { ...options, ...recorded };
  const lock = openRunFolder(outDir, o);
  writeManifest(outDir, manifest, backend, Boolean(o.resume), BERT_OPTIONS);
  const run = await ebTrain({
    model: qa,
    slimming,
    forwardOf: qaForward,
    watches,
    criterion: options.criterion,
    continueWith: options.continueWith,
    rewind: options.rewind,
    initDir: o.model,
    train: featureSource(trainFeatures),
    test: featureSource(devFeatures),
    epochs: options.epochs,
    batchSize: options.batchSize,
    optimizer: { kind: 'adamw', weightDecay: options.weightDecay },
    schedule: { lr: options.lr, decay: 'linear' },
    clipNorm: 1,
    seed: options.seed,
    outDir,
    recordEvery: options.recordEvery,
    resume: o.resume,
    progress: o.progress,
  });
  // the model the run ended with: the pruned ticket after an EB-train draw, else the dense one
  const final = (run.finalModel ?? qa) as QuestionAnswerer;
  const predictions = decodeAnswers(devExamples, devFeatures, await predictSpans(final, devFeatures, options.batchSize), {
    nBest: options.nBest,
    maxAnswerLength: options.maxAnswerLength,
  });
  const metrics = squadMetrics(devExamples, predictions);
  writeFileAtomic(path.join(outDir, 'predictions.json'), JSON.stringify(Object.fromEntries(predictions), null, 1) + '\n');
  writeFileAtomic(path.join(outDir, 'squad-eval.json'), JSON.stringify({ exact_match: metrics.exactMatch, f1: metrics.f1, count: metrics.count }) + '\n');
  if (o.saveModel) await saveDenseModel(o.saveModel, run.finalModel, run.finalSlimming, { inputsFrom: o.model });
  lock.release();
  return { outDir, result: run.result, ticket: run.ticket, exactMatch: metrics.exactMatch, f1: metrics.f1 };
}
