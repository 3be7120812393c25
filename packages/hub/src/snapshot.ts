/**
 * Files of a hub repository at a revision, in the standard cache (`models--org--name/blobs`, `snapshots/
 * <commit>/`, `refs/<revision>`), so that what Python's huggingface_hub downloaded is used as it is and what
 * ebt downloads is usable from Python. The downloads are @huggingface/hub's (`downloadFileToCacheDir`:
 * written to `blobs/<etag>.incomplete`, renamed, then linked into the snapshot); this module adds what
 * Python does around them: the revision resolved once to its commit (so every file lands in one snapshot
 * folder), `refs/`, HF_HUB_OFFLINE, a progress line, and errors that name the repository and the file.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { datasetInfo, downloadFileToCacheDir, modelInfo } from '@huggingface/hub';
import { UsageError } from '@ebt/errors';
import { hubCacheDir, hubEndpoint, hubOffline, hubToken } from './settings';
import { downloadProgress } from './progress';

export class HubError extends UsageError {}

export type RepoType = 'model' | 'dataset';

export interface SnapshotRequest {
  repo: string;
  type?: RepoType;
  revision?: string;
  /** files that must exist */
  files: string[];
  /** files taken when the repository has them */
  optional?: string[];
  /** where the progress lines go (default stderr; null: nowhere) */
  log?: ((s: string) => void) | null;
}

export interface Snapshot {
  /** snapshots/<commit>/ in the cache */
  dir: string;
  commit: string;
  /** the files of the request that are there (required ones always) */
  files: string[];
}

const COMMIT = /^[0-9a-f]{40}$/;

/** The cache folder of a repository: `models--org--name`, as Python names it. */
export const repoFolder = (repo: string, type: RepoType = 'model') => path.join(hubCacheDir(), [`${type}s`, ...repo.split('/')].join('--'));

const isHttp = (e: unknown, status: number) => (e as { statusCode?: number }).statusCode === status;

export async function snapshot(r: SnapshotRequest): Promise<Snapshot> {
  const type = r.type ?? 'model';
  const revision = r.revision ?? 'main';
  const folder = repoFolder(r.repo, type);
  const where = `${type === 'dataset' ? 'dataset ' : ''}'${r.repo}'${revision === 'main' ? '' : ` at revision '${revision}'`}`;
  if (hubOffline()) return fromCache(r, folder, revision, where);

  let commit: string;
  try {
    const params = { name: r.repo, revision, additionalFields: ['sha' as const], hubUrl: hubEndpoint(), accessToken: hubToken() };
    const info = type === 'model' ? await modelInfo(params) : await datasetInfo(params);
    commit = (info as unknown as { sha: string }).sha;
  } catch (e) {
    if (isHttp(e, 404)) throw new HubError(`The hub at ${hubEndpoint()} has no ${where} (HTTP 404); check the name, or HF_ENDPOINT.`);
    if (isHttp(e, 401) || isHttp(e, 403)) throw new HubError(`The hub refused access to ${where}; set HF_TOKEN to a token that can read it.`);
    throw new HubError(`Cannot reach the hub at ${hubEndpoint()} for ${where} (${(e as Error).message}); set HF_HUB_OFFLINE=1 to use the cache only.`);
  }
  if (!COMMIT.test(commit ?? '')) throw new HubError(`The hub at ${hubEndpoint()} gave no commit for ${where}.`);
  if (!COMMIT.test(revision)) writeRef(folder, revision, commit);

  const files: string[] = [];
  for (const [file, required] of [...r.files.map((f) => [f, true] as const), ...(r.optional ?? []).map((f) => [f, false] as const)]) {
    if (await download(r, type, commit, file, required, where)) files.push(file);
  }
  return { dir: path.join(folder, 'snapshots', commit), commit, files };
}

async function download(r: SnapshotRequest, type: RepoType, commit: string, file: string, required: boolean, where: string): Promise<boolean> {
  const log = r.log === undefined ? (s: string) => process.stderr.write(s) : r.log;
  const pointer = path.join(repoFolder(r.repo, type), 'snapshots', commit, file);
  if (fs.existsSync(pointer)) return true;
  // @huggingface/hub announces each download with console.debug, which goes to stdout and would break --json
  const debug = console.debug;
  console.debug = () => undefined;
  try {
    await downloadFileToCacheDir({
      repo: { type, name: r.repo },
      path: file,
      revision: commit,
      hubUrl: hubEndpoint(),
      accessToken: hubToken(),
      cacheDir: hubCacheDir(),
      fetch: log ? progressFetch(`${r.repo}/${file}`, log) : undefined,
    });
    return true;
  } catch (e) {
    const missing = isHttp(e, 404) || /cannot get path info/.test((e as Error).message);
    if (missing && !required) return false;
    if (missing) throw new HubError(`${where} has no file '${file}' on the hub at ${hubEndpoint()}.`);
    throw new HubError(`Downloading '${file}' of ${where} failed (${(e as Error).message}); nothing broken was left in the cache - run again to retry.`);
  } finally {
    console.debug = debug;
  }
}

/** A fetch that reports the bytes of the file's own download (not the API calls, nor the 1-byte probe). */
function progressFetch(label: string, log: (s: string) => void): typeof fetch {
  return async (input, init) => {
    const response = await fetch(input, init);
    const range = new Headers(init?.headers).get('range');
    if ((init?.method ?? 'GET') !== 'GET' || range === 'bytes=0-0' || !response.ok || !response.body || String(input).includes('/api/')) return response;
    const length = Number(response.headers.get('content-length'));
    const progress = downloadProgress(label, length > 0 ? length : null, log);
    const counted = response.body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          progress.add(chunk.byteLength);
          controller.enqueue(chunk);
        },
        flush() {
          progress.done();
        },
      }),
    );
    return new Response(counted, { status: response.status, statusText: response.statusText, headers: response.headers });
  };
}

/** refs/<revision> holds the commit a branch or tag pointed to when it was last resolved (what offline mode reads). */
function writeRef(folder: string, revision: string, commit: string): void {
  const file = path.join(folder, 'refs', revision);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, commit);
  fs.renameSync(tmp, file);
}

/** HF_HUB_OFFLINE=1: the snapshot the cache has for the revision, and nothing from the network. */
function fromCache(r: SnapshotRequest, folder: string, revision: string, where: string): Snapshot {
  const ref = path.join(folder, 'refs', revision);
  const commit = COMMIT.test(revision) ? revision : fs.existsSync(ref) ? fs.readFileSync(ref, 'utf8').trim() : null;
  if (!commit) throw new HubError(`HF_HUB_OFFLINE is set and the cache (${hubCacheDir()}) has no ${where}; download it once without HF_HUB_OFFLINE.`);
  const dir = path.join(folder, 'snapshots', commit);
  for (const f of r.files)
    if (!fs.existsSync(path.join(dir, f))) throw new HubError(`HF_HUB_OFFLINE is set and the cache has no '${f}' of ${where} (looked in ${dir}).`);
  return { dir, commit, files: [...r.files, ...(r.optional ?? []).filter((f) => fs.existsSync(path.join(dir, f)))] };
}
