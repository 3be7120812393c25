import * as fs from 'node:fs';
import * as path from 'node:path';
import { UsageError } from '@ebt/errors';
import { snapshot, SnapshotRequest } from './snapshot';

/** What a model folder may hold besides its weights: the tokenizer (fast or WordPiece vocab) and ViT's image processor. */
export const MODEL_EXTRA_FILES = ['tokenizer.json', 'tokenizer_config.json', 'vocab.txt', 'special_tokens_map.json', 'preprocessor_config.json'];

/** Python's rule for repo ids: `name` or `org/name`, of letters, digits, `-`, `_`, `.`, not starting with `.`/`-`, without `--` or `..`. */
export const isRepoId = (s: string): boolean =>
  /^[A-Za-z0-9_][\w.-]*(\/[A-Za-z0-9_][\w.-]*)?$/.test(s) && !s.includes('--') && !s.includes('..') && s.length <= 96 * 2 + 1;

export interface ResolveOptions {
  revision?: string;
  /** the flag named in errors (default --model) */
  flag?: string;
  log?: SnapshotRequest['log'];
}

/**
 * A `--model` value as a folder: an existing folder as it is (local folders win, as in Python), else a hub id
 * (`bert-base-uncased`, `google/vit-base-patch16-224-in21k`) resolved into the Hugging Face cache - config.json,
 * the weights (model.safetensors, or the index and every shard it names) and whichever tokenizer and
 * processor files the repository has.
 */
export async function resolveModel(value: string, o: ResolveOptions = {}): Promise<string> {
  const flag = o.flag ?? '--model';
  if (fs.existsSync(value)) {
    if (!fs.statSync(value).isDirectory()) throw new UsageError(`${flag}: '${value}' is a file; give a model folder or a hub id.`);
    return value;
  }
  if (/^[./~]/.test(value) || value.split('/').length > 2) throw new UsageError(`${flag}: model folder '${value}' does not exist.`);
  if (!isRepoId(value)) throw new UsageError(`${flag}: '${value}' is neither a folder nor a hub id (name or org/name).`);
  const base = { repo: value, revision: o.revision, log: o.log };
  const first = await snapshot({ ...base, files: ['config.json'], optional: ['model.safetensors.index.json', ...MODEL_EXTRA_FILES] });
  // pin the commit the first call resolved, so that the weights come from the same snapshot
  const pinned = { ...base, revision: first.commit };
  if (first.files.includes('model.safetensors.index.json')) {
    const index = JSON.parse(fs.readFileSync(path.join(first.dir, 'model.safetensors.index.json'), 'utf8')) as { weight_map?: Record<string, string> };
    const shards = [...new Set(Object.values(index.weight_map ?? {}))];
    if (shards.length === 0) throw new UsageError(`'${value}': model.safetensors.index.json names no shards.`);
    await snapshot({ ...pinned, files: shards });
  } else await snapshot({ ...pinned, files: ['model.safetensors'] });
  return first.dir;
}
