import * as fs from 'node:fs';
import * as path from 'node:path';
import { listFiles } from '@huggingface/hub';
import { UsageError } from '@ebt/errors';
import { hubEndpoint, hubOffline, hubToken } from './settings';
import { HubError, repoFolder, snapshot, SnapshotRequest } from './snapshot';

/** Where GLUE lives on the hub (one folder of parquet files per task, as the `datasets` library writes them). */
export const GLUE_REPO = 'nyu-mll/glue';

/** The parquet files of one split: `<task>/<split>-00000-of-00001.parquet`, or several shards. */
const splitOf = (file: string) => path.basename(file).replace(/-\d{5}-of-\d{5}\.parquet$/, '');

/**
 * A GLUE task's parquet files from the hub (`--data glue:<task>`), in the Hugging Face cache: each split's
 * files, by split name (`train`, `validation`, `validation_matched`, ...). HF_HUB_OFFLINE=1 reads what the
 * cache has.
 */
export async function resolveGlue(task: string, o: { revision?: string; log?: SnapshotRequest['log'] } = {}): Promise<Record<string, string[]>> {
  if (!/^[a-z0-9]+$/.test(task)) throw new UsageError(`--data glue:${task}: not a GLUE task name.`);
  let files: string[];
  if (hubOffline()) {
    const folder = repoFolder(GLUE_REPO, 'dataset');
    const ref = path.join(folder, 'refs', o.revision ?? 'main');
    const dir = fs.existsSync(ref) ? path.join(folder, 'snapshots', fs.readFileSync(ref, 'utf8').trim(), task) : null;
    if (!dir || !fs.existsSync(dir)) throw new HubError(`HF_HUB_OFFLINE is set and the cache has no GLUE task '${task}' (dataset '${GLUE_REPO}').`);
    files = fs.readdirSync(dir).map((f) => `${task}/${f}`);
  } else {
    files = [];
    try {
      for await (const entry of listFiles({
        repo: { type: 'dataset', name: GLUE_REPO },
        path: task,
        revision: o.revision,
        hubUrl: hubEndpoint(),
        accessToken: hubToken(),
      }))
        if (entry.type === 'file') files.push(entry.path);
    } catch (e) {
      if ((e as { statusCode?: number }).statusCode === 404)
        throw new HubError(`The hub at ${hubEndpoint()} has no GLUE task '${task}' (dataset '${GLUE_REPO}').`);
      throw new HubError(
        `Cannot list GLUE task '${task}' on the hub at ${hubEndpoint()} (${(e as Error).message}); set HF_HUB_OFFLINE=1 to use the cache only.`,
      );
    }
  }
  files = files.filter((f) => f.endsWith('.parquet')).sort();
  if (files.length === 0) throw new HubError(`Dataset '${GLUE_REPO}' has no parquet files for task '${task}'.`);
  const snap = await snapshot({ repo: GLUE_REPO, type: 'dataset', revision: o.revision, files, log: o.log });
  const splits: Record<string, string[]> = {};
  for (const f of files) (splits[splitOf(f)] ??= []).push(path.join(snap.dir, f));
  return splits;
}
