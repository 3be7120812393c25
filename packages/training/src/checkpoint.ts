/**
 * A checkpoint is one safetensors file: every variable of the run (model, slimming coefficients, optimizer
 * moments) by name, the loop's state as JSON in the metadata, and the sha256 of the tensor data, verified
 * on load. One file, written to a temporary name and renamed, so a crash never leaves half a checkpoint;
 * the one before it is kept as `previous.safetensors`, so a damaged last one costs only a few steps.
 */
import { writeFileAtomic } from '@ebt/files';
import { readAll } from '@ebt/backend';
import { UsageError } from '@ebt/errors';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { parseSafetensors, SafetensorsError, serializeSafetensors } from '@ebt/models';

export const CHECKPOINT_FILES = { last: 'last.safetensors', previous: 'previous.safetensors', best: 'best.safetensors' } as const;

export class CheckpointError extends UsageError {}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** The bytes after the header: what `sha256` covers (safetensors puts all tensor data there, in name order). */
function dataSection(bytes: Uint8Array): Uint8Array {
  const headerLength = Number(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true));
  return bytes.subarray(8 + headerLength);
}

/** What the header holds until the hash of the data is known: the hash has a fixed length, so it fits in its place. */
const HASH_PLACEHOLDER = '0'.repeat(64);

/**
 * Writes `file`; when `file` is a run's last checkpoint, the one it replaces becomes `previous.safetensors` - if
 * it verifies (issue 34: a damaged last one rotated over the good previous one and left nothing to resume from).
 * The file is serialized once, with a placeholder for the hash in its metadata; the hash of the data section
 * is then written over the placeholder (the same length, so no offset moves).
 */
export async function saveCheckpoint(file: string, variables: Map<string, tf.Tensor>, state: unknown): Promise<void> {
  const values = await readAll([...variables.values()]);
  const tensors = new Map<string, { shape: number[]; data: Float32Array }>();
  [...variables].forEach(([name, v], i) => tensors.set(name, { shape: v.shape, data: values[i] }));
  const bytes = serializeSafetensors(tensors, { format: 'ebt-checkpoint', ebt_state: JSON.stringify(state), sha256: HASH_PLACEHOLDER });
  const header = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length - dataSection(bytes).length);
  // ebt_state is JSON inside a JSON string, so its quotes are escaped: only the metadata key matches unescaped
  header.write(sha256(dataSection(bytes)), header.indexOf(`"sha256":"${HASH_PLACEHOLDER}"`) + '"sha256":"'.length, 'latin1');
  // `previous` is only ever a checkpoint that verified: a damaged last one is replaced, never rotated over a good one
  if (path.basename(file) === CHECKPOINT_FILES.last && checkpointProblem(file) === null)
    fs.renameSync(file, path.join(path.dirname(file), CHECKPOINT_FILES.previous));
  writeFileAtomic(file, bytes);
}

interface Verified {
  tensors: Map<string, { shape: number[]; data: Float32Array }>;
  state: unknown;
}

/**
 * Files whose hash was checked, by path, size and modification time: a resumed run reads its checkpoint up
 * to three times (to choose it, to peek at its state, to load it) and need not hash it each time.
 */
const verified = new Set<string>();

/** Reads and checks one checkpoint file: its format, its state and the sha256 of its data. */
function readVerified(file: string): Verified {
  if (!fs.existsSync(file)) throw new CheckpointError(`No checkpoint at '${file}' to resume from.`);
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (e) {
    throw new CheckpointError(`Cannot read '${file}' (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}).`);
  }
  let parsed: ReturnType<typeof parseSafetensors>;
  try {
    parsed = parseSafetensors(bytes, file);
  } catch (e) {
    if (e instanceof SafetensorsError) throw new CheckpointError(e.message);
    throw e;
  }
  const { tensors, metadata } = parsed;
  if (metadata.format !== 'ebt-checkpoint' || typeof metadata.ebt_state !== 'string') {
    throw new CheckpointError(`'${file}' is not an ebt checkpoint (its metadata has no ebt_state).`);
  }
  // checkpoints written before the hash was added carry none; they load unverified
  const stat = fs.statSync(file);
  const key = `${file}\0${stat.size}\0${stat.mtimeMs}`;
  if (metadata.sha256 !== undefined && !verified.has(key)) {
    if (sha256(dataSection(bytes)) !== metadata.sha256)
      throw new CheckpointError(`'${file}' is damaged: its tensor data does not match the sha256 in its header.`);
    verified.add(key);
  }
  let state: unknown;
  try {
    state = JSON.parse(metadata.ebt_state);
  } catch {
    throw new CheckpointError(`'${file}' is damaged: its ebt_state is not JSON.`);
  }
  return { tensors, state };
}

/** Restores the variables in place and returns the saved state; every variable must be in the file. */
export function loadCheckpoint<S>(file: string, variables: Map<string, tf.Variable>): S {
  const { tensors, state } = readVerified(file);
  for (const [name, v] of variables) {
    const t = tensors.get(name);
    if (!t) throw new CheckpointError(`'${file}' lacks '${name}'; it was written by a different model or options.`);
    if (t.shape.join(',') !== v.shape.join(',')) throw new CheckpointError(`'${file}': '${name}' has shape [${t.shape}] but the run has [${v.shape}].`);
    tf.tidy(() => v.assign(tf.tensor(t.data, t.shape)));
  }
  return state as S;
}

/** The loop state saved in a checkpoint, without touching any variable (to decide how to rebuild a run). */
export function peekCheckpointState<S>(file: string): S {
  return readVerified(file).state as S;
}

/** What is wrong with a checkpoint file - missing, unreadable, not ebt's, its data not its sha256 - or null: it verifies. */
function checkpointProblem(file: string): string | null {
  if (!fs.existsSync(file)) return `'${file}' is missing`;
  try {
    readVerified(file);
    return null;
  } catch (e) {
    if (e instanceof CheckpointError) return e.message.replace(/\.$/, '');
    throw e;
  }
}

/** Whether a run folder's checkpoints/ holds any checkpoint to resume from (good or not). */
export const hasCheckpoint = (ckptDir: string): boolean =>
  fs.existsSync(path.join(ckptDir, CHECKPOINT_FILES.last)) || fs.existsSync(path.join(ckptDir, CHECKPOINT_FILES.previous));

/**
 * The checkpoint a resumed run starts from: `last`, or `previous` (with a warning naming what was wrong)
 * when `last` is missing or damaged; null when the folder has none (the run never reached its first one).
 * Both damaged: a CheckpointError naming both.
 */
export function resumableCheckpoint(ckptDir: string, warn: (line: string) => void = (l) => process.stderr.write(l + '\n')): string | null {
  const last = path.join(ckptDir, CHECKPOINT_FILES.last);
  const previous = path.join(ckptDir, CHECKPOINT_FILES.previous);
  if (!hasCheckpoint(ckptDir)) return null;
  const lastProblem = checkpointProblem(last);
  if (lastProblem === null) return last;
  const previousProblem = checkpointProblem(previous);
  if (previousProblem === null) {
    warn(`ebt: ${lastProblem}; resuming from '${previous}' instead.`);
    return previous;
  }
  throw new CheckpointError(`Cannot resume: ${lastProblem}, and ${previousProblem}.`);
}
