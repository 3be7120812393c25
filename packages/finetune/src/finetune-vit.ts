/**
 * `ebt finetune vit`: slimming fine-tuning of a ViT checkpoint on CIFAR-10 (or the embedded MNIST),
 * images resized to the model's image_size. Defaults from docs/method.md section 8: AdamW lr 3e-5, no weight decay,
 * linear decay without warm-up, batch 64, 3 epochs. Pixels are normalised with the folder's
 * preprocessor_config.json mean/std when it has one, else 0.5/0.5 (google/vit-base-patch16-224's values).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@ebt/backend';
import {
  CIFAR10_MEAN,
  CIFAR10_STD,
  fashionMnistSource,
  gatherBatch,
  ImageDataset,
  loadCifar10,
  loadCifar10Parquet,
  loadFashionMnist,
  loadFashionMnistParquet,
  CLASSES_KEY,
  loadMnist,
  needsNewHead,
  parseClassSubset,
  randomCropFlip,
  selectClasses,
  takeFirst,
} from '@ebt/data';
import { resolveCifar10, resolveFashionMnist } from '@ebt/hub';
import { ImageClassifier, loadPretrained, PretrainedModel, readConfig } from '@ebt/models';
import { imageInput, taskModel } from './task-model';
import { Slimming } from '@ebt/slimming';
import { UsageError } from '@ebt/errors';
import { EMBEDDED, embeddedNote } from './embedded';
import {
  chanceScore,
  EarlyBirdRunOptions,
  ManifestOptions,
  RUN_FIELDS,
  RunOptions,
  TicketInfo,
  checkRunOptions,
  earlyBirdRunFields,
  ebTrain,
  writeManifest,
  runCriteria,
  openRunFolder,
  RUN_DEFAULTS,
  saveDenseModel,
} from '@ebt/experiment';
import { DataSource, TrainOptions, TrainResult } from '@ebt/training';
import { VIT_DEFAULTS } from './defaults';
import { z } from 'zod';

/** run.json's options of `finetune vit` (docs/run-folder.md): the shared fields and this kind's own. */
export const VIT_OPTIONS = z.object({
  command: z.literal('finetune vit'),
  ...RUN_FIELDS,
  model: z.string(),
  data: z.string(),
  imageSize: z.number().int().positive(),
  normalisation: z.object({ mean: z.array(z.number()), std: z.array(z.number()) }),
  limit: z.number().int().positive().nullable(),
});

export interface FinetuneVitOptions extends RunOptions, EarlyBirdRunOptions {
  model?: string;
  /** 'cifar10' (the hub), 'cifar10:DIR' (binary batches), 'fashion-mnist', 'fashion-mnist:DIR' or 'mnist' */
  data: string;
  weightDecay?: number;
  /** use only the first n training / test images (quick runs) */
  limit?: number;
}

function readNormalisation(dir: string): { mean: number[]; std: number[] } {
  const file = path.join(dir, 'preprocessor_config.json');
  if (!fs.existsSync(file)) return { mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] };
  const p = JSON.parse(fs.readFileSync(file, 'utf8'));
  return { mean: p.image_mean ?? [0.5, 0.5, 0.5], std: p.image_std ?? [0.5, 0.5, 0.5] };
}

/** Images as the ViT expects them: [0, 1] pixels (undoing the data set's own normalisation), resized, normalised. */
function vitSource(
  d: ImageDataset,
  size: number,
  channels: number,
  norm: { mean: number[]; std: number[] },
  undo: { mean: number[]; std: number[] } | null,
  crop: boolean,
): DataSource {
  return {
    size: d.labels.length,
    batch(indices, { augment, random }) {
      const { images, labels } = gatherBatch(d, indices);
      if (augment && crop) randomCropFlip(images, indices.length, d.shape, 4, () => random.next());
      const x = tf.tidy(() => {
        let t = tf.tensor4d(images, [indices.length, ...d.shape]); // NCHW
        if (undo) t = t.mul(tf.tensor1d(undo.std).reshape([1, -1, 1, 1])).add(tf.tensor1d(undo.mean).reshape([1, -1, 1, 1]));
        if (d.shape[0] !== channels) t = tf.tile(t, [1, channels, 1, 1]);
        let nhwc = t.transpose([0, 2, 3, 1]) as tf.Tensor4D;
        if (d.shape[1] !== size) nhwc = tf.image.resizeBilinear(nhwc, [size, size]);
        const mean = tf.tensor1d(norm.mean.slice(0, channels));
        const std = tf.tensor1d(norm.std.slice(0, channels));
        return nhwc.sub(mean).div(std).transpose([0, 3, 1, 2]);
      });
      return { x, labels: tf.tensor1d(labels, 'int32') };
    },
  };
}

interface VitData {
  train: ImageDataset;
  test: ImageDataset;
  /** the data set's own normalisation, undone before the model's */
  undo: { mean: number[]; std: number[] } | null;
  /** the classes of a transfer task (`:classes=LIST`), null for all */
  classes: number[] | null;
}

/** The images of a ViT run's --data spec (a transfer task's classes: `:classes=LIST:per-class=N`, @ebt/data's class-subset.ts). */
export async function loadVitData(spec: string): Promise<VitData> {
  const subset = parseClassSubset(spec);
  const data = await loadImages(subset.base);
  return { ...data, train: selectClasses(data.train, subset, spec, true), test: selectClasses(data.test, subset, spec, false), classes: subset.classes };
}

/**
 * A ViT checkpoint loaded for a run's images: a new head (as transformers' ignore_mismatched_sizes) when the
 * checkpoint's head was trained on other classes than the run's (config.json's ebt_classes), or has another size.
 */
export function loadVitModel(modelDir: string, data: VitData, seed: number, log?: null) {
  const newHead = needsNewHead(readConfig(modelDir)[CLASSES_KEY], data.classes);
  if (newHead && log !== null) process.stderr.write(`ebt: '${modelDir}' was trained on other classes than --data's: its classifier starts anew.\n`);
  const loaded = loadPretrained(modelDir, { task: 'image-classification', numLabels: data.train.numClasses, seed, newHead, log });
  const config = loaded.model.config as Record<string, unknown>;
  if (data.classes) config[CLASSES_KEY] = data.classes;
  else delete config[CLASSES_KEY];
  return loaded;
}

async function loadImages(spec: string): Promise<Omit<VitData, 'classes'>> {
  const undo = { mean: CIFAR10_MEAN, std: CIFAR10_STD };
  if (spec === 'mnist') return { ...loadMnist(), undo: null };
  const fashion = fashionMnistSource(spec);
  if (fashion) return { ...('dir' in fashion ? loadFashionMnist(fashion.dir) : await loadFashionMnistParquet(await resolveFashionMnist())), undo: null };
  if (spec === 'cifar10') return { ...(await loadCifar10Parquet(await resolveCifar10())), undo };
  if (spec.startsWith('cifar10:')) return { ...loadCifar10(spec.slice('cifar10:'.length)), undo };
  throw new UsageError(`--data must be 'mnist', 'fashion-mnist', 'fashion-mnist:DIR', 'cifar10' or 'cifar10:DIR' (got '${spec}').`);
}

/** A ViT run's training and test batches (shared by the run and its sweep cells). */
export function vitSources(
  spec: string,
  data: VitData,
  limit: number | undefined,
  image: { imageSize: number; channels: number },
  modelDir: string,
): { train: DataSource; test: DataSource; augment: boolean } {
  const { undo } = data;
  const norm = readNormalisation(modelDir);
  const augment = spec.startsWith('cifar10');
  return {
    train: vitSource(takeFirst(data.train, limit), image.imageSize, image.channels, norm, undo, augment),
    test: vitSource(takeFirst(data.test, limit), image.imageSize, image.channels, norm, undo, false),
    augment,
  };
}

/** A ViT's forward pass to its logits. */
export const vitForward = (m: unknown) => (x: unknown, training: boolean) => (m as ImageClassifier).forward(x as tf.Tensor4D, training).logits;

/** The training options a ViT fine-tuning run and each of its retrain cells share: the run's batches, optimizer and schedule. */
export function vitTraining(
  o: { data: string; limit: number | null; model: string; batchSize: number; lr: number; weightDecay: number },
  data: VitData,
  model: PretrainedModel,
): Pick<TrainOptions, 'train' | 'test' | 'augment' | 'batchSize' | 'optimizer' | 'schedule'> {
  const sources = vitSources(o.data, data, o.limit ?? undefined, imageInput(model), o.model);
  return {
    train: sources.train,
    test: sources.test,
    augment: sources.augment,
    batchSize: o.batchSize,
    optimizer: { kind: 'adamw', weightDecay: o.weightDecay },
    schedule: { lr: o.lr, decay: 'linear' },
  };
}

export async function finetuneVit(o: FinetuneVitOptions): Promise<{ outDir: string; result: TrainResult; ticket: TicketInfo | null }> {
  if (o.model === undefined) {
    if (o.progress !== false) process.stderr.write(embeddedNote('vit', '--model google/vit-base-patch16-224-in21k --data cifar10') + '\n');
    o = { ...o, model: EMBEDDED.vit.model, limit: o.limit ?? EMBEDDED.vit.limit };
  }
  if (!o.model) throw new UsageError('--model is required (a Hugging Face ViT folder or hub id).');
  const spec = o.data ?? 'mnist';
  const outDir = path.resolve(o.out ?? path.join('runs', `vit-${spec.split(':')[0]}`));
  checkRunOptions(o, outDir);
  const data = await loadVitData(spec);
  const backend = await initBackend({ backend: o.backend });
  const loaded = loadVitModel(o.model, data, o.seed ?? RUN_DEFAULTS.seed);
  const model = taskModel(loaded.model, 'image-classification', o.model, 'finetune vit');
  const slimming = Slimming.attach(model, { lambdaHeads: o.lambdaHeads, lambdaFfn: o.lambdaFfn });
  const norm = readNormalisation(o.model);
  const options = {
    command: 'finetune vit' as const,
    model: path.resolve(o.model),
    data: spec,
    seed: o.seed ?? RUN_DEFAULTS.seed,
    epochs: o.epochs ?? VIT_DEFAULTS.epochs,
    batchSize: o.batchSize ?? VIT_DEFAULTS.batchSize,
    lr: o.lr ?? VIT_DEFAULTS.lr,
    optimizer: 'adamw' as const,
    weightDecay: o.weightDecay ?? VIT_DEFAULTS.weightDecay,
    schedule: 'linear' as const,
    imageSize: imageInput(model).imageSize,
    normalisation: norm,
    ...earlyBirdRunFields(o, slimming),
    limit: o.limit ?? null,
  };
  const { watches, recorded } = runCriteria(o, 'seed');
  const manifest: ManifestOptions = { ...options, ...recorded };
  const lock = openRunFolder(outDir, o);
  writeManifest(outDir, manifest, backend, Boolean(o.resume), VIT_OPTIONS);
  const { result, ticket, finalModel, finalSlimming } = await ebTrain({
    model,
    chance: chanceScore('accuracy', data.train.numClasses),
    forwardOf: vitForward,
    slimming,
    watches,
    criterion: o.criterion,
    continueWith: options.continueWith,
    rewind: o.rewind,
    initDir: o.model,
    ...vitTraining(options, data, model),
    epochs: options.epochs,
    seed: options.seed,
    outDir,
    recordEvery: options.recordEvery,
    resume: o.resume,
    progress: o.progress,
  });
  if (o.saveModel) await saveDenseModel(o.saveModel, finalModel, finalSlimming, { inputsFrom: o.model, preprocessor: { size: options.imageSize, ...norm } });
  lock.release();
  return { outDir, result, ticket };
}
