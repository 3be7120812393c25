/**
 * `--save-model DIR`: the model a run ended with, as a Hugging Face folder that `finetune --model DIR`, `ebt infer`
 * and transformers load - config.json and model.safetensors with the slimming coefficients folded into the
 * weights (all ones when the lambdas are 0: the weights as they are), and what a user needs to feed it: the
 * tokenizer files or preprocessor_config.json of the folder the run read (`inputsFrom`), or the normalisation
 * the run trained with (`preprocessor`). Files are written atomically; config.json last.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '@ebt/files';
import { PretrainedModel, savePretrained } from '@ebt/models';
import { pruneModel } from '@ebt/pruning';
import type { Slimming } from '@ebt/slimming';

/** Files that feed a model its inputs, copied beside it. */
const INPUT_FILES = ['vocab.txt', 'tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json', 'preprocessor_config.json'];

/** The files a model folder may hold (--save-model overwrites a folder of nothing else). */
export const MODEL_FOLDER_FILES = ['config.json', 'model.safetensors', ...INPUT_FILES];

export interface SaveModelOptions {
  /** a folder whose tokenizer or preprocessor files go with the model */
  inputsFrom?: string;
  /** transformers' ViTImageProcessor settings of an image model, when no folder has them */
  preprocessor?: { size: number; mean: number[]; std: number[] };
}

export async function saveDenseModel(dir: string, model: PretrainedModel, slimming: Slimming, o: SaveModelOptions = {}): Promise<string> {
  const snapshot = await slimming.snapshot();
  const allKept = { heads: snapshot.heads.map((h) => new Uint8Array(h.length).fill(1)), ffn: snapshot.ffn.map((f) => new Uint8Array(f.length).fill(1)) };
  const { model: folded } = pruneModel(model, allKept, { coefficients: snapshot });
  fs.mkdirSync(dir, { recursive: true });
  if (o.inputsFrom) copyInputFiles(o.inputsFrom, dir);
  if (o.preprocessor) writeFileAtomic(path.join(dir, 'preprocessor_config.json'), JSON.stringify(imageProcessor(o.preprocessor), null, 2) + '\n');
  try {
    await savePretrained(folded, dir);
  } finally {
    folded.dispose();
  }
  return dir;
}

/** The tokenizer and preprocessor files of `from` copied into `to` (a pruned or saved model feeds as its source did). */
export function copyInputFiles(from: string, to: string): void {
  for (const f of INPUT_FILES) {
    const file = path.join(from, f);
    if (fs.existsSync(file) && path.resolve(file) !== path.resolve(to, f)) writeFileAtomic(path.join(to, f), fs.readFileSync(file));
  }
}

/** preprocessor_config.json as transformers' ViTImageProcessor writes it. */
function imageProcessor(p: { size: number; mean: number[]; std: number[] }) {
  return {
    image_processor_type: 'ViTImageProcessor',
    do_resize: true,
    size: { height: p.size, width: p.size },
    resample: 2,
    do_rescale: true,
    rescale_factor: 1 / 255,
    do_normalize: true,
    image_mean: p.mean,
    image_std: p.std,
  };
}
