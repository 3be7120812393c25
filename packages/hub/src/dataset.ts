import * as fs from 'node:fs';
import * as path from 'node:path';
import { listFiles } from '@huggingface/hub';
import { UsageError } from '@ebt/errors';
import { hubEndpoint, hubOffline, hubToken } from './settings';
import { HubError, repoFolder, snapshot, SnapshotRequest } from './snapshot';

/** Where GLUE lives on the hub (one folder of parquet files per task, as the `datasets` library writes them). */
export const GLUE_REPO = 'nyu-mll/glue';
/** Where CIFAR-10 lives on the hub: `plain_text/{train,test}-*.parquet`, rows of img {bytes (PNG), path} and label. */
export const CIFAR10_REPO = 'uoft-cs/cifar10';

/** Where Fashion-MNIST lives on the hub: `fashion_mnist/{train,test}-*.parquet`, rows of image {bytes (PNG), path} and label. */
export const FASHION_MNIST_REPO = 'zalando-datasets/fashion_mnist';

/** Where SQuAD v1.1 lives on the hub: `plain_text/{train,validation}-*.parquet`, a row per question. */
export const SQUAD_REPO = 'rajpurkar/squad';

/** The parquet files of one split: `<folder>/<split>-00000-of-00001.parquet`, or several shards. */
const splitOf = (file: string) => path.basename(file).replace(/-\d{5}-of-\d{5}\.parquet$/, '');

type Options = { revision?: string; log?: SnapshotRequest['log'] };

/**
 * The parquet files under one folder of a hub dataset repo, in the Hugging Face cache, by split name (`train`,
 * `validation`, `validation_matched`, ...). `what` names the data in messages. HF_HUB_OFFLINE=1 reads what the
 * cache has.
 */
async function resolveParquetSplits(repo: string, folder: string, what: string, o: Options): Promise<Record<string, string[]>> {
  let files: string[];
  if (hubOffline()) {
    const cache = repoFolder(repo, 'dataset');
    const ref = path.join(cache, 'refs', o.revision ?? 'main');
    const dir = fs.existsSync(ref) ? path.join(cache, 'snapshots', fs.readFileSync(ref, 'utf8').trim(), folder) : null;
    if (!dir || !fs.existsSync(dir)) throw new HubError(`HF_HUB_OFFLINE is set and the cache has no ${what} (dataset '${repo}').`);
    files = fs.readdirSync(dir).map((f) => `${folder}/${f}`);
  } else {
    files = [];
    try {
      for await (const entry of listFiles({
        repo: { type: 'dataset', name: repo },
        path: folder,
        revision: o.revision,
        hubUrl: hubEndpoint(),
        accessToken: hubToken(),
      }))
        if (entry.type === 'file') files.push(entry.path);
    } catch (e) {
      if ((e as { statusCode?: number }).statusCode === 404) throw new HubError(`The hub at ${hubEndpoint()} has no ${what} (dataset '${repo}').`);
      throw new HubError(`Cannot list ${what} on the hub at ${hubEndpoint()} (${(e as Error).message}); set HF_HUB_OFFLINE=1 to use the cache only.`);
    }
  }
  files = files.filter((f) => f.endsWith('.parquet')).sort();
  if (files.length === 0) throw new HubError(`Dataset '${repo}' has no parquet files for ${what}.`);
  const snap = await snapshot({ repo, type: 'dataset', revision: o.revision, files, log: o.log });
  const splits: Record<string, string[]> = {};
  for (const f of files) (splits[splitOf(f)] ??= []).push(path.join(snap.dir, f));
  return splits;
}

/** A GLUE task's parquet files from the hub (`--data glue:<task>`), by split. */
export async function resolveGlue(task: string, o: Options = {}): Promise<Record<string, string[]>> {
  if (!/^[a-z0-9]+$/.test(task)) throw new UsageError(`--data glue:${task}: not a GLUE task name.`);
  return resolveParquetSplits(GLUE_REPO, task, `GLUE task '${task}'`, o);
}

/** The named splits of a parquet dataset folder on the hub, each required. */
async function requiredSplits<K extends string>(repo: string, folder: string, what: string, names: K[], o: Options): Promise<Record<K, string[]>> {
  const splits = await resolveParquetSplits(repo, folder, what, o);
  const missing = names.filter((n) => !splits[n]);
  if (missing.length) throw new HubError(`Dataset '${repo}' lacks a ${missing.join(' and ')} split (it has ${Object.keys(splits).join(', ')}).`);
  return Object.fromEntries(names.map((n) => [n, splits[n]])) as Record<K, string[]>;
}

/** CIFAR-10's parquet files from the hub (`--data cifar10`): `train` and `test`. */
export const resolveCifar10 = (o: Options = {}) => requiredSplits(CIFAR10_REPO, 'plain_text', 'CIFAR-10', ['train', 'test'], o);

/** Fashion-MNIST's parquet files from the hub (`--data fashion-mnist` without Debian's package): `train` and `test`. */
export const resolveFashionMnist = (o: Options = {}) => requiredSplits(FASHION_MNIST_REPO, 'fashion_mnist', 'Fashion-MNIST', ['train', 'test'], o);

/** SQuAD v1.1's parquet files from the hub (`--data squad`): `train` and `validation`. */
export const resolveSquad = (o: Options = {}) => requiredSplits(SQUAD_REPO, 'plain_text', 'SQuAD', ['train', 'validation'], o);
