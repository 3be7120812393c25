/** The run kind `finetune vit`: its flags, its dense run (finetune-vit.ts) and how its tickets are retrained. */
import { optionalInteger } from '@ebt/errors';
import { RunKind, scoredResult } from '@ebt/experiment';
import { countFlops, countParameters } from '@ebt/pruning';
import { readConfig } from '@ebt/models';
import { finetuneVit, FinetuneVitOptions, loadVitData, loadVitModel, VIT_OPTIONS, vitForward, vitTraining } from './finetune-vit';
import { VIT_DEFAULTS } from './defaults';

export const runKind: RunKind<FinetuneVitOptions> = {
  name: 'vit',
  command: 'finetune vit',
  description: `ViT on CIFAR-10 ('cifar10' from the hub, or 'cifar10:DIR') or the embedded MNIST, resized to the model's image_size; defaults: AdamW ${VIT_DEFAULTS.lr.toExponential()}, batch ${VIT_DEFAULTS.batchSize}, ${VIT_DEFAULTS.epochs} epochs.`,
  module: __filename,
  flags: (cmd) =>
    cmd
      .option('--model <dir|id>', 'Hugging Face ViT folder or hub id (google/vit-base-patch16-224-in21k); default: the embedded tiny ViT')
      .option('--revision <rev>', 'hub branch, tag or commit of --model (default main)')
      .option(
        '--data <spec>',
        "'cifar10' (the hub's uoft-cs/cifar10), 'cifar10:DIR' (binary batches), 'fashion-mnist', 'fashion-mnist:DIR' or 'mnist'",
        'mnist',
      )
      .option('--limit <n>', 'use only the first n training and test images'),
  parse: (o) => ({ model: o.model, data: o.data, limit: optionalInteger(o.limit, '--limit') }),
  check: async (options) => {
    await loadVitData(options.data ?? 'mnist');
    if (options.model !== undefined) readConfig(options.model);
  },
  run: async (options) => ({ ...(await finetuneVit(options)), notes: [] }),
  options: VIT_OPTIONS,
  initDir: (_runDir, run) => VIT_OPTIONS.parse(run.options).model,
  retrain: async (_runDir, run) => {
    const o = VIT_OPTIONS.parse(run.options);
    const data = await loadVitData(o.data);
    const { model } = loadVitModel(o.model, data, o.seed, null);
    return {
      model,
      setup: (m) => ({ forward: vitForward(m), ...vitTraining(o, data, m) }),
      score: async (m, r) => scoredResult(r.finalTest?.score ?? null, countParameters(m.config), countFlops(m.config)),
    };
  },
};
