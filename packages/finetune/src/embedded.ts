import * as path from 'node:path';

const assets = path.join(__dirname, '..', 'assets');

/**
 * What the fine-tuning apps train when no model is named (`nx run finetune:bert`, `nx run finetune:vit`): tiny
 * checkpoints shipped in assets/ (see assets/README.md) and the shipped data, so that the apps run end to end
 * on a fresh clone in seconds.
 */
export const EMBEDDED = {
  bert: { model: path.join(assets, 'tiny-bert'), data: path.join(__dirname, '..', '..', '..', 'datasets', 'sst2-tiny') },
  // 1,000 MNIST digits: a few seconds, enough for a model that only shows the pipeline
  vit: { model: path.join(assets, 'tiny-vit'), data: 'mnist', limit: 1000 },
} as const;

/** The line that says the embedded defaults are in use, and how to name a real model. */
export const embeddedNote = (kind: 'bert' | 'vit', real: string): string =>
  `ebt: no --model given: fine-tuning the embedded tiny ${kind === 'bert' ? 'BERT' : 'ViT'} (${path.relative(process.cwd(), EMBEDDED[kind].model)}) on ${kind === 'bert' ? path.relative(process.cwd(), EMBEDDED.bert.data) : `${EMBEDDED.vit.limit} digits of the embedded MNIST`} - a smoke run that shows the pipeline, not a result; for real numbers: ${real}`;
