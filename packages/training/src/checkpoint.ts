/**
 * A checkpoint is one safetensors file: every variable of the run (model, slimming coefficients, optimizer
 * moments) by name, and the loop's state as JSON in the metadata. One file, written to a temporary name
 * and renamed, so a crash never leaves half a checkpoint.
 */
import { UsageError } from '@ebt/errors';
import * as fs from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { readSafetensors, writeSafetensors } from '@ebt/models';

export function saveCheckpoint(file: string, variables: Map<string, tf.Tensor>, state: unknown): void {
  const tensors = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const [name, v] of variables) tensors.set(name, { shape: v.shape, data: Float32Array.from(v.dataSync() as Float32Array) });
  writeSafetensors(file, tensors, { format: 'ebt-checkpoint', ebt_state: JSON.stringify(state) });
}

export class CheckpointError extends UsageError {}

/** Restores the variables in place and returns the saved state; every variable must be in the file. */
export function loadCheckpoint<S>(file: string, variables: Map<string, tf.Variable>): S {
  if (!fs.existsSync(file)) throw new CheckpointError(`No checkpoint at '${file}' to resume from.`);
  const { tensors, metadata } = readSafetensors(file);
  if (metadata.format !== 'ebt-checkpoint' || typeof metadata.ebt_state !== 'string') {
    throw new CheckpointError(`'${file}' is not an ebt checkpoint (its metadata has no ebt_state).`);
  }
  for (const [name, v] of variables) {
    const t = tensors.get(name);
    if (!t) throw new CheckpointError(`'${file}' lacks '${name}'; it was written by a different model or options.`);
    if (t.shape.join(',') !== v.shape.join(',')) throw new CheckpointError(`'${file}': '${name}' has shape [${t.shape}] but the run has [${v.shape}].`);
    tf.tidy(() => v.assign(tf.tensor(t.data, t.shape)));
  }
  return JSON.parse(metadata.ebt_state) as S;
}

/** The loop state saved in a checkpoint, without touching any variable (to decide how to rebuild a run). */
export function peekCheckpointState<S>(file: string): S {
  if (!fs.existsSync(file)) throw new CheckpointError(`No checkpoint at '${file}' to resume from.`);
  const { metadata } = readSafetensors(file);
  if (typeof metadata.ebt_state !== 'string') throw new CheckpointError(`'${file}' is not an ebt checkpoint (its metadata has no ebt_state).`);
  return JSON.parse(metadata.ebt_state) as S;
}
