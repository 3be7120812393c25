/** What every training app shares: its common options, their checks, and run.json. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { BackendChoice } from '@ebt/backend';
import { writeFileAtomic } from '@ebt/models';
import type { MaskDistanceOptions, NuclearStationarityOptions } from '@ebt/eb-criteria';

export interface RunOptions {
  epochs?: number;
  batchSize?: number;
  lr?: number;
  seed?: number;
  backend?: string;
  /** the run folder */
  out?: string;
  resume?: boolean;
  recordEvery?: number;
  lambdaHeads?: number;
  lambdaFfn?: number;
  progress?: boolean;
}

/** The EB-train options every app takes (see ebTrain). */
export interface EarlyBirdRunOptions {
  maskDistance?: MaskDistanceOptions;
  nuclearStationarity?: NuclearStationarityOptions;
  criterion?: 'mask-distance' | 'nuclear-stationarity';
  continueWith?: 'pruned' | 'dense';
  rewind?: 'none' | 'init';
}

/** The slimming and EB-train settings every app records in run.json, with their defaults resolved. */
export function earlyBirdRunFields(o: RunOptions & EarlyBirdRunOptions, slimming: { lambdaHeads: number; lambdaFfn: number }) {
  return {
    lambdaHeads: slimming.lambdaHeads,
    lambdaFfn: slimming.lambdaFfn,
    recordEvery: o.recordEvery ?? 10,
    criterion: o.criterion ?? 'nuclear-stationarity',
    continueWith: o.continueWith ?? 'pruned',
    rewind: o.rewind ?? 'none',
  };
}

/** Bad options of a run: the CLI exits 2 with the message. */
export class RunUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export function checkPositive(flag: string, v: number | undefined, integer = false): void {
  if (v === undefined) return;
  if (!Number.isFinite(v) || v <= 0 || (integer && !Number.isInteger(v))) throw new RunUsageError(`${flag} must be a positive ${integer ? 'integer' : 'number'} (got ${v}).`);
}

/** The checks every app makes before it starts: positive numbers, and a run to resume. */
export function checkRunOptions(o: RunOptions, outDir: string): void {
  checkPositive('--epochs', o.epochs, true);
  checkPositive('--batch-size', o.batchSize, true);
  checkPositive('--lr', o.lr);
  checkPositive('--record-every', o.recordEvery, true);
  if (o.resume && !fs.existsSync(path.join(outDir, 'run.json'))) throw new RunUsageError(`--resume: '${outDir}' holds no run (run.json is missing).`);
}

/** run.json: the resolved options, the backend and versions; written atomically. */
export function writeRunJson(outDir: string, options: Record<string, unknown>, backend: BackendChoice, resumed: boolean): void {
  fs.mkdirSync(outDir, { recursive: true });
  writeFileAtomic(
    path.join(outDir, 'run.json'),
    JSON.stringify({ options, backend: { name: backend.name, tf: tf.getBackend() }, versions: { node: process.version, tfjs: tf.version.tfjs }, started: new Date().toISOString(), resumed }, null, 2) + '\n',
  );
}
