/**
 * detections.json: every criterion's verdict on a run - where it drew (or null), the coefficients there, and
 * what it computed (its options and signal, criterion by criterion) - written by the online early-bird
 * callback at each epoch end and at a draw; read by sweeps, studies and the report. docs/run-folder.md
 * describes it.
 */
import { z } from 'zod';
import { CRITERION_NAMES, MaskOptions } from '@ebt/eb-criteria';
import { UsageError } from '@ebt/errors';

import { jsonRunFile } from './json-file';

export const DETECTIONS_FILE = 'detections.json';

const count = z.number().int().nonnegative();
const at = z.object({ step: count, epoch: count });
const rows = z.array(z.array(z.number()));

const detectionsSchema = z.object({
  totalSteps: count,
  criteria: z.array(
    z.object({
      criterion: z.enum(CRITERION_NAMES),
      /** the ratio pair the criterion watched (null in files of ebt before one criterion per ratio: its details' options say) */
      ratio: z
        .object({ heads: z.number().min(0).max(1), ffn: z.number().min(0).max(1) })
        .nullable()
        .default(null),
      drawnAt: at.nullable(),
      /** the coefficients at the draw: the trajectory may not hold that step, the study prunes at it (absent in older files) */
      coefficientsAtDraw: at.extend({ heads: rows, ffn: rows }).nullable().default(null),
      /** what the criterion computed: its own shape (Criterion.details), its options among it */
      details: z.looseObject({ options: z.looseObject({}).optional() }),
    }),
  ),
});

export type Detections = z.infer<typeof detectionsSchema>;
export type DetectionEntry = Detections['criteria'][number];
export type DrawnPoint = NonNullable<DetectionEntry['coefficientsAtDraw']>;

/** A criterion entry's mask options, as its details record them. */
export const detectionMaskOptions = (entry: DetectionEntry): MaskOptions | undefined => entry.details.options as MaskOptions | undefined;

/** A detections.json that is not JSON or does not follow the schema. */
export class DetectionsFileError extends UsageError {}

const detectionsFile = jsonRunFile(DETECTIONS_FILE, detectionsSchema, DetectionsFileError);

/** Writes RUN/detections.json atomically, checked first. */
export const writeDetections: (runDir: string, detections: z.input<typeof detectionsSchema>) => void = detectionsFile.write;

/** RUN/detections.json, checked against the schema; null before the run has written one. */
export const readDetections: (runDir: string) => Detections | null = detectionsFile.read;
