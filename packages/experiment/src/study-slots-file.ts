/**
 * STUDY_DIR/study-slots.json: what the tasks of a study's deferred stage read (Slurm) - enough to plan any
 * seed's prune-and-retrain cells once its dense run is done. Written by the study before it queues the
 * stage; read by each `study-slot @FILE#K` task. The one schema, writer and reader of the format.
 */
import { z } from 'zod';
import { UsageError } from '@ebt/errors';
import { writeFileAtomic } from '@ebt/files';
import { readJsonAgainst } from './json-file';

const ratio = z.number().min(0).max(1);

const studySlotsSchema = z.object({
  dir: z.string().min(1),
  seeds: z.array(z.number().int()).min(1),
  /** the dense baseline, then every prune point (each fraction, each criterion's draw) x ratio */
  slotsPerSeed: z.number().int().positive(),
  /** the run kind's module (RunKind.module) */
  kind: z.string().min(1),
  fractions: z.array(z.number().min(0).max(1)),
  ratios: z.array(z.object({ heads: ratio, ffn: ratio })).min(1),
  retrainEpochs: z.number().int().positive().optional(),
  backend: z.string().optional(),
  /** the pilot's plan: only the cells its gate reads (StudyOptions.gateOnly) */
  gateOnly: z.boolean().optional(),
});

export type StudySlotSpec = z.infer<typeof studySlotsSchema>;

/** A study-slots.json that is not JSON or does not follow the schema. */
export class StudySlotsFileError extends UsageError {}

export function writeStudySlots(file: string, spec: StudySlotSpec): void {
  writeFileAtomic(file, JSON.stringify(studySlotsSchema.parse(spec)) + '\n');
}

export function readStudySlots(file: string): StudySlotSpec {
  return readJsonAgainst(file, studySlotsSchema, StudySlotsFileError);
}
