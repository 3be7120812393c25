/**
 * run.json, the manifest of a run folder: the resolved options of the run, the backend and versions. It is
 * the contract between the command that made a run and everything that reads it later (sweep, study,
 * report, resume), so it has a schema, a `format` version, and one loader that every reader goes through.
 * The format is described in docs/run-folder.md.
 */
import { writeFileAtomic } from '@ebt/files';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import type { BackendChoice } from '@ebt/backend';
import {
  CRITERIA,
  CRITERION_NAMES,
  CriterionName,
  CriterionOptionsError,
  FlagValue,
  MASK_DISTANCE,
  MaskDistanceOptions,
  NUCLEAR_STATIONARITY,
  NuclearStationarityOptions,
  WINDOW_PRESETS,
  WindowPresetName,
} from '@ebt/eb-criteria';
import { UsageError } from '@ebt/errors';

import { describeIssue } from './json-file';

/** The manifest format this version writes and reads; bump it when a field changes meaning. */
export const MANIFEST_FORMAT = 2;

/**
 * Format 1 (ebt before the calibrated criterion) had no nuclearStationarity.mode: its rule was the mode now
 * called 'all'. Read as format 2 with that mode, so a report reads it and a resume asks for --mode all.
 */
function fromFormat1(json: { format: number; options?: { nuclearStationarity?: { mode?: string } } }): unknown {
  const ns = json.options?.nuclearStationarity;
  return { ...json, format: MANIFEST_FORMAT, options: { ...json.options, nuclearStationarity: ns && { mode: 'all', ...ns } } };
}

const positiveInt = z.number().int().positive();
const nonNegative = z.number().nonnegative();
const ratio = z.number().min(0).max(1);
const scope = z.enum(['global', 'layerwise']);

const maskOptions = { ratioHeads: ratio.optional(), ratioFfn: ratio.optional(), scopeHeads: scope.optional(), scopeFfn: scope.optional() };

/** A criterion flag's value (FlagValue) as run.json holds it. */
function flagValueSchema(v: FlagValue): z.ZodType {
  if (v === 'integer') return z.number().int();
  if (v === 'number') return z.number();
  if ('list' in v) return z.array(z.enum(v.list as [string, ...string[]])).min(1);
  return z.enum(v.choice as [string, ...string[]]);
}

/**
 * A criterion's options in run.json, from the criterion's own declarations (its CriterionFlag list: each key, a
 * nested 'a.b' key as an object, with its value's type) plus the mask keys and `extra`; the values are checked by
 * the criterion itself (its `create`, which throws a CriterionOptionsError naming the flag), so the manifest
 * cannot drift from what a criterion accepts.
 */
function criterionOptionsSchema(name: CriterionName, extra: Record<string, z.ZodType> = {}) {
  const entry = CRITERIA[name];
  const shape: Record<string, z.ZodType> = { ...maskOptions, ...extra };
  const nested: Record<string, Record<string, z.ZodType>> = {};
  for (const f of entry.flags) {
    const [head, sub] = f.key.split('.');
    if (sub === undefined) shape[head] = flagValueSchema(f.value).optional();
    else (nested[head] ??= {})[sub] = flagValueSchema(f.value).optional();
  }
  for (const [head, fields] of Object.entries(nested)) shape[head] = z.object(fields).optional();
  return z.object(shape).superRefine((options, ctx) => {
    try {
      entry.create(options as never);
    } catch (e) {
      if (!(e instanceof CriterionOptionsError)) throw e;
      // the criterion names the option by its flag: report the issue at that key, in the criterion's words
      const flag = entry.flags.find((f) => e.message.includes(`(${f.flag})`));
      const said = flag ? e.message.slice(e.message.indexOf(`(${flag.flag})`) + flag.flag.length + 3) : e.message;
      ctx.addIssue({ code: 'custom', message: said.replace(/ \(got [^)]*\)\.$/, ''), path: flag ? flag.key.split('.') : [] });
    }
  });
}

const maskDistance = criterionOptionsSchema(MASK_DISTANCE) as unknown as z.ZodType<MaskDistanceOptions>;
const nuclearStationarity = criterionOptionsSchema(NUCLEAR_STATIONARITY, {
  windows: z.enum(Object.keys(WINDOW_PRESETS) as [string, ...string[]]).optional(),
}) as unknown as z.ZodType<NuclearStationarityOptions & { windows?: WindowPresetName }>;

/**
 * What every training run records. A run kind adds its own fields in its own schema (RunKind.options, in the
 * kind's app), which checks them when the run writes run.json and when a retrain reads it back; this schema
 * checks these fields and keeps the rest as they are.
 */
export const RUN_FIELDS = {
  /** the ratio pairs the criteria watched at (absent before one criterion per ratio: heads 1/3, FFN 0.4) */
  ratios: z
    .array(z.object({ heads: ratio, ffn: ratio }))
    .min(1)
    .optional(),
  seed: z.number().int().nonnegative(),
  epochs: positiveInt,
  batchSize: positiveInt,
  lr: z.number().positive(),
  optimizer: z.enum(['adam', 'adamw']),
  weightDecay: nonNegative,
  schedule: z.enum(['cosine', 'linear']),
  lambdaHeads: nonNegative,
  lambdaFfn: nonNegative,
  recordEvery: positiveInt,
  criterion: z.enum(CRITERION_NAMES),
  continueWith: z.enum(['pruned', 'dense']),
  rewind: z.enum(['none', 'init']),
  maskDistance,
  nuclearStationarity,
};

export const runOptionsSchema = z.looseObject({ command: z.string().min(1), ...RUN_FIELDS });

export const manifestSchema = z.object({
  format: z.literal(MANIFEST_FORMAT),
  options: runOptionsSchema,
  backend: z.object({ name: z.string(), tf: z.string() }),
  versions: z.object({ node: z.string(), tfjs: z.string() }),
  started: z.string(),
  resumed: z.boolean(),
  /** written when training ends: whether the run learned (run-quality.ts); absent while it runs */
  learning: z.object({ learned: z.boolean(), reasons: z.array(z.string()) }).optional(),
});

export type RunManifest = z.infer<typeof manifestSchema>;
export type ManifestOptions = z.infer<typeof runOptionsSchema>;
export type RunCommand = ManifestOptions['command'];

/** A run.json that is missing, not JSON, or does not follow the schema. */
export class ManifestError extends UsageError {}

export function manifestFile(runDir: string): string {
  return path.join(runDir, 'run.json');
}

/** The one way to read run.json: parsed, checked against the schema, typed. */
export function readManifest(runDir: string): RunManifest {
  const file = manifestFile(runDir);
  if (!fs.existsSync(file)) throw new ManifestError(`'${runDir}' is not a run folder (it has no run.json).`);
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new ManifestError(`'${file}' is not valid JSON (${(e as Error).message}).`);
  }
  const format = (json as { format?: unknown })?.format;
  if (format === 1) json = fromFormat1(json as Parameters<typeof fromFormat1>[0]);
  else if (format !== MANIFEST_FORMAT) {
    throw new ManifestError(`'${file}': field 'format' is ${JSON.stringify(format)}; this ebt reads run.json format ${MANIFEST_FORMAT} (docs/run-folder.md).`);
  }
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success) throw new ManifestError(`'${file}': ${describeIssue(parsed.error.issues[0], json)}`);
  return parsed.data;
}

/** run.json's options checked against a run kind's own schema (RunKind.options): the file and the bad field named. */
export function kindOptions<S extends z.ZodType>(runDir: string, run: RunManifest, schema: S): z.infer<S> {
  const parsed = schema.safeParse(run.options);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new ManifestError(`'${manifestFile(runDir)}': ${describeIssue({ ...issue, path: ['options', ...issue.path] }, { options: run.options })}`);
}

/** A resumed run keeps the options it started with: anything else would mix two settings in one run. */
function checkSameOptions(runDir: string, options: ManifestOptions): void {
  const before = readManifest(runDir).options as Record<string, unknown>;
  const now = runOptionsSchema.parse(options) as Record<string, unknown>;
  const keys = [...new Set([...Object.keys(before), ...Object.keys(now)])].filter((k) => JSON.stringify(before[k]) !== JSON.stringify(now[k]));
  if (keys.length === 0) return;
  const show = (v: unknown) => (v === undefined ? 'unset' : typeof v === 'object' ? JSON.stringify(v) : String(v));
  const changes = keys.map((k) => `${k} ${show(before[k])} -> ${show(now[k])}`).join(', ');
  throw new ManifestError(
    `--resume: the run in '${runDir}' was started with other options (${changes}); resume with its flags, or start anew with --overwrite.`,
  );
}

/**
 * Writes run.json atomically; the options are checked against the schema first - the run kind's own (`kind`,
 * which every app gives), then the common one - so no reader ever sees a bad one.
 */
export function writeManifest(
  runDir: string,
  options: ManifestOptions,
  backend: Pick<BackendChoice, 'name'>,
  resumed: boolean,
  kind?: { parse(options: unknown): unknown },
): RunManifest {
  kind?.parse(options);
  if (resumed) checkSameOptions(runDir, options);
  const manifest = manifestSchema.parse({
    format: MANIFEST_FORMAT,
    options,
    backend: { name: backend.name, tf: tf.getBackend() ?? backend.name },
    versions: { node: process.version, tfjs: tf.version.tfjs },
    started: new Date().toISOString(),
    resumed,
  });
  fs.mkdirSync(runDir, { recursive: true });
  writeFileAtomic(manifestFile(runDir), JSON.stringify(manifest, null, 2) + '\n');
  return manifest;
}

/** Adds the run's learning verdict to its run.json (atomically; the rest of the manifest unchanged). */
export function recordLearning(runDir: string, learning: { learned: boolean; reasons: string[] }): void {
  const manifest = manifestSchema.parse({ ...readManifest(runDir), learning });
  writeFileAtomic(manifestFile(runDir), JSON.stringify(manifest, null, 2) + '\n');
}
