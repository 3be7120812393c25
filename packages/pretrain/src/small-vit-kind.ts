/** The run kind `pretrain small-vit`: its flags, its dense run (pretrain.ts) and how its tickets are retrained. */
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { takeFirst } from '@ebt/data';
import { scoredResult, RunKind } from '@ebt/experiment';
import { loadPretrained, ViTForImageClassification } from '@ebt/models';
import { countFlops, countParameters } from '@ebt/pruning';
import { imageSource } from '@ebt/training';
import { cropPadding, loadData, pretrainSmallVit, PretrainOptions, resolvePreset, SMALL_VIT_OPTIONS } from './pretrain';
import { PRESETS } from './presets';

export const runKind: RunKind<PretrainOptions> = {
  name: 'small-vit',
  command: 'pretrain small-vit',
  description: 'Slimming pretraining of a small ViT (MNIST by default); writes run.json, metrics.csv, trajectory.arrow, detections.json, checkpoints/.',
  module: __filename,
  flags: (cmd) =>
    cmd
      .option('--preset <name>', `one of ${Object.keys(PRESETS).join(', ')} (default: the preset named for --data's task, fashion-mnist, else default)`)
      .option(
        '--data <spec>',
        "'mnist' (embedded; the default), 'fashion-mnist' (Debian's IDX files) or 'fashion-mnist:DIR', 'cifar10' (the hub's uoft-cs/cifar10, into the HF cache) or 'cifar10:DIR' (binary batches)",
      ),
  runFlags: (cmd) => cmd.option('--no-sweep', "skip the preset's prune-and-retrain sweep after training"),
  parse: (o) => ({ preset: o.preset, data: o.data, ...(o.sweep === undefined ? {} : { sweep: o.sweep }) }),
  check: async (options) => {
    await loadData(options.data ?? resolvePreset(options.preset).data ?? 'mnist');
  },
  run: async (options) => {
    const { outDir, result, ticket, report } = await pretrainSmallVit(options);
    return { outDir, result, ticket, notes: report ? [`report: ${report}`] : [] };
  },
  options: SMALL_VIT_OPTIONS,
  initDir: (runDir) => path.join(runDir, 'init'),
  retrain: async (runDir, run) => {
    const o = SMALL_VIT_OPTIONS.parse(run.options);
    const preset = resolvePreset(o.preset);
    const data = await loadData(o.data);
    const trainSet = takeFirst(data.train, preset.trainLimit);
    const testSet = takeFirst(data.test, preset.testLimit);
    const { model } = loadPretrained(path.join(runDir, 'init'), { log: null });
    return {
      model,
      setup: (m) => ({
        forward: (x, training) => (m as ViTForImageClassification).forward(x as tf.Tensor4D, training).logits,
        train: imageSource(trainSet, { cropPadding: cropPadding(o.data) }),
        test: imageSource(testSet),
        batchSize: o.batchSize,
        optimizer: { kind: 'adam', weightDecay: o.weightDecay },
        schedule: { lr: o.lr, warmupSteps: o.warmupSteps, decay: 'cosine', minLr: o.minLr },
        labelSmoothing: o.labelSmoothing,
        augment: cropPadding(o.data) > 0,
      }),
      score: async (m, r) => scoredResult(r.finalTest?.score ?? null, countParameters(m.config), countFlops(m.config)),
    };
  },
};
