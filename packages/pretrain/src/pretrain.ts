/** `ebt pretrain small-vit`: slimming pretraining of a small ViT built from scratch (MNIST by default, or CIFAR-10). */
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@ebt/backend';
import {
  CIFAR10_MEAN,
  CIFAR10_STD,
  CLASSES_KEY,
  fashionMnistSource,
  ImageDataset,
  parseClassSubset,
  selectClasses,
  loadCifar10,
  loadCifar10Parquet,
  loadFashionMnist,
  loadFashionMnistParquet,
  loadMnist,
  takeFirst,
} from '@ebt/data';
import { resolveCifar10, resolveFashionMnist } from '@ebt/hub';
import { parseConfig, savePretrained, ViTConfig, ViTForImageClassification } from '@ebt/models';
import { Slimming } from '@ebt/slimming';
import { UsageError } from '@ebt/errors';
import {
  chanceScore,
  checkRunOptions,
  earlyBirdRunFields,
  EarlyBirdRunOptions,
  ebTrain,
  RUN_FIELDS,
  RUN_DEFAULTS,
  RunOptions,
  sweep,
  TicketInfo,
  writeManifest,
  runCriteria,
  openRunFolder,
  saveDenseModel,
} from '@ebt/experiment';
import { hasCheckpoint, imageSource, TrainResult } from '@ebt/training';
import { writeReport } from '@ebt/report';
import { presetFrom, PRESETS, SmallVitPreset } from './presets';
import { z } from 'zod';

/** run.json's options of `pretrain small-vit` (docs/run-folder.md): the shared fields and this kind's own. */
export const SMALL_VIT_OPTIONS = z.object({
  command: z.literal('pretrain small-vit'),
  ...RUN_FIELDS,
  preset: z.string(),
  data: z.string(),
  minLr: z.number().nonnegative(),
  warmupSteps: z.number().int().nonnegative(),
  labelSmoothing: z.number().min(0).max(1),
  trainExamples: z.number().int().positive(),
  testExamples: z.number().int().positive(),
  model: z.record(z.string(), z.unknown()),
});

export interface PretrainOptions extends RunOptions, EarlyBirdRunOptions {
  /** run the preset's prune-and-retrain sweep after training (default true) */
  sweep?: boolean;
  /** write report/index.html at the end (default true) */
  report?: boolean;
  preset?: string;
  /** 'mnist' (default), 'fashion-mnist', 'fashion-mnist:DIR', 'cifar10' (the hub) or 'cifar10:DIR' */
  data?: string;
}

/** --preset, else the preset named for --data's task (fashion-mnist), else the MNIST default. */
export function presetName(name: string | undefined, data: string | undefined): string {
  if (name !== undefined) return name;
  const task = data?.split(':')[0];
  return Object.keys(PRESETS).find((k) => task !== undefined && PRESETS[k].data === task) ?? 'default';
}

export const resolvePreset = (name: string | undefined): SmallVitPreset => presetFrom(PRESETS, name);

/**
 * --data: the embedded MNIST, Fashion-MNIST's IDX files (`fashion-mnist`: Debian's folder, `fashion-mnist:DIR`),
 * CIFAR-10 from the hub's uoft-cs/cifar10 (`cifar10`), or the binary batches in DIR (`cifar10:DIR`); any of them
 * followed by `:classes=LIST` and `:per-class=N` (a transfer task: @ebt/data's class-subset.ts).
 */
export async function loadData(spec: string): Promise<{ train: ImageDataset; test: ImageDataset; classes: number[] | null }> {
  const subset = parseClassSubset(spec);
  const data = await loadImages(subset.base);
  return { train: selectClasses(data.train, subset, spec, true), test: selectClasses(data.test, subset, spec, false), classes: subset.classes };
}

async function loadImages(spec: string): Promise<{ train: ImageDataset; test: ImageDataset }> {
  if (spec === 'mnist') return loadMnist();
  const fashion = fashionMnistSource(spec);
  if (fashion) return 'dir' in fashion ? loadFashionMnist(fashion.dir) : loadFashionMnistParquet(await resolveFashionMnist());
  if (spec === 'cifar10') return loadCifar10Parquet(await resolveCifar10());
  if (spec.startsWith('cifar10:')) return loadCifar10(spec.slice('cifar10:'.length));
  throw new UsageError(`--data must be 'mnist', 'fashion-mnist', 'fashion-mnist:DIR', 'cifar10' or 'cifar10:DIR' (got '${spec}').`);
}

/** Training images of CIFAR-10 are padded by 4 and cropped at random (with a flip); the others are used as they are. */
export const cropPadding = (data: string) => (data.startsWith('cifar10') ? 4 : 0);

export async function pretrainSmallVit(
  o: PretrainOptions,
): Promise<{ outDir: string; result: TrainResult; ticket: TicketInfo | null; report: string | null; sweep: Awaited<ReturnType<typeof sweep>> | null }> {
  const presetKey = presetName(o.preset, o.data);
  const preset = resolvePreset(presetKey);
  const dataSpec = o.data ?? preset.data ?? 'mnist';
  const seed = o.seed ?? RUN_DEFAULTS.seed;
  const outDir = path.resolve(o.out ?? path.join('runs', `small-vit-${dataSpec.split(':')[0]}-${presetKey}`));
  checkRunOptions(o, outDir);
  const data = await loadData(dataSpec); // bad data is reported before anything else starts
  const backend = await initBackend({ backend: o.backend });
  const trainSet = takeFirst(data.train, preset.trainLimit);
  const testSet = takeFirst(data.test, preset.testLimit);
  const [channels, size] = [trainSet.shape[0], trainSet.shape[1]];
  const config = parseConfig({
    model_type: 'vit',
    architectures: ['ViTForImageClassification'],
    ...preset.model,
    image_size: size,
    num_channels: channels,
    hidden_act: 'gelu',
    id2label: Object.fromEntries(Array.from({ length: trainSet.numClasses }, (_, i) => [String(i), String(i)])),
    label2id: Object.fromEntries(Array.from({ length: trainSet.numClasses }, (_, i) => [String(i), i])),
    ...(data.classes ? { [CLASSES_KEY]: data.classes } : {}),
  }) as ViTConfig;
  const model = new ViTForImageClassification(config, { seed });
  const slimming = Slimming.attach(model, { lambdaHeads: o.lambdaHeads ?? preset.lambdaHeads, lambdaFfn: o.lambdaFfn ?? preset.lambdaFfn });
  const epochs = o.epochs ?? preset.epochs;
  const batchSize = o.batchSize ?? preset.batchSize;
  const lr = o.lr ?? preset.lr;
  const stepsPerEpoch = Math.ceil(trainSet.labels.length / batchSize);
  const { watches, recorded } = runCriteria(o, preset.windows);
  const options = {
    command: 'pretrain small-vit' as const,
    preset: presetKey,
    data: dataSpec,
    seed,
    epochs,
    batchSize,
    lr,
    minLr: preset.minLr,
    warmupSteps: preset.warmupEpochs * stepsPerEpoch,
    schedule: 'cosine' as const,
    optimizer: 'adam' as const,
    weightDecay: preset.weightDecay,
    labelSmoothing: preset.labelSmoothing,
    ...earlyBirdRunFields(o, slimming),
    ...recorded,
    trainExamples: trainSet.labels.length,
    testExamples: testSet.labels.length,
    model: { ...config },
  };
  const lock = openRunFolder(outDir, o);
  writeManifest(outDir, options, backend, Boolean(o.resume), SMALL_VIT_OPTIONS);
  // the initial weights, for --rewind init and the sweep; written again when a run is resumed before its
  // first checkpoint (they may be cut short; the seed makes them the same)
  if (!o.resume || !hasCheckpoint(path.join(outDir, 'checkpoints'))) await savePretrained(model, path.join(outDir, 'init'));
  const { result, ticket, finalModel, finalSlimming } = await ebTrain({
    model,
    chance: chanceScore('accuracy', trainSet.numClasses),
    slimming,
    forwardOf: (m) => (x, training) => (m as ViTForImageClassification).forward(x as tf.Tensor4D, training).logits,
    watches,
    criterion: options.criterion,
    continueWith: options.continueWith,
    rewind: options.rewind,
    initDir: path.join(outDir, 'init'),
    train: imageSource(trainSet, { cropPadding: cropPadding(dataSpec) }),
    test: imageSource(testSet),
    epochs,
    batchSize,
    optimizer: { kind: 'adam', weightDecay: preset.weightDecay },
    schedule: { lr, warmupSteps: options.warmupSteps, decay: 'cosine', minLr: preset.minLr },
    labelSmoothing: preset.labelSmoothing,
    seed,
    augment: cropPadding(dataSpec) > 0,
    outDir,
    recordEvery: options.recordEvery,
    resume: o.resume,
    progress: o.progress,
  });
  if (o.saveModel) {
    const normalised = dataSpec.startsWith('cifar10');
    const mean = normalised ? CIFAR10_MEAN : new Array(channels).fill(0);
    const std = normalised ? CIFAR10_STD : new Array(channels).fill(1);
    await saveDenseModel(o.saveModel, finalModel, finalSlimming, { preprocessor: { size, mean, std } });
  }
  let sweepResult: Awaited<ReturnType<typeof sweep>> | null = null;
  if (o.sweep ?? true) {
    const log = o.progress === false ? undefined : (l: string) => process.stderr.write(l + '\n');
    const ratios = preset.sweep.ratios.map((r) => ({ heads: r, ffn: r }));
    sweepResult = await sweep(outDir, {
      ...preset.sweep,
      ratios,
      kind: require.resolve('./small-vit-kind'),
      initDir: path.join(outDir, 'init'),
      backend: o.backend,
      log,
    });
  }
  const report = o.report === false ? null : writeReport(outDir).file;
  lock.release();
  return { outDir, result, ticket, report, sweep: sweepResult };
}
