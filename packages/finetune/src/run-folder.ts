import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { BackendChoice } from '@ebt/backend';
import { writeFileAtomic } from '@ebt/models';

export class FinetuneUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export function positive(name: string, v: number | undefined, integer = false): void {
  if (v === undefined) return;
  if (!Number.isFinite(v) || v <= 0 || (integer && !Number.isInteger(v))) throw new FinetuneUsageError(`${name} must be a positive ${integer ? 'integer' : 'number'} (got ${v}).`);
}

/** run.json: the resolved options, the backend, versions; written atomically. */
export function writeRunJson(outDir: string, options: Record<string, unknown>, backend: BackendChoice, resumed: boolean): void {
  fs.mkdirSync(outDir, { recursive: true });
  writeFileAtomic(
    path.join(outDir, 'run.json'),
    JSON.stringify({ options, backend: { name: backend.name, tf: tf.getBackend() }, versions: { node: process.version, tfjs: tf.version.tfjs }, started: new Date().toISOString(), resumed }, null, 2) + '\n',
  );
}
