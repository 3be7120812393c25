/**
 * DIR/slurm/jobs.json: every sbatch submission a queued executor made for a sweep or study, appended as it
 * is made, so a later call waits for jobs still queued instead of submitting their cells twice. The one
 * schema, writer and reader of the format.
 */
import { z } from 'zod';
import * as fs from 'node:fs';
import { UsageError } from '@ebt/errors';
import { writeFileAtomic } from '@ebt/files';
import { readJsonAgainst } from './json-file';

const submissionSchema = z.object({
  /** the queue's job id */
  job: z.string().min(1),
  /** the array's name (runs, cells, ...) and its batch script */
  name: z.string(),
  script: z.string(),
  tasks: z.number().int().positive(),
  /** the job this one waits for (afterok), if any */
  dependsOn: z.string().nullable(),
  /** ISO 8601 */
  submitted: z.string(),
});

export type Submission = z.infer<typeof submissionSchema>;

/** A jobs.json that is not JSON or does not follow the schema. */
export class JobsFileError extends UsageError {}

/** The submissions recorded in FILE (none where it does not exist yet). */
export function readSubmissions(file: string): Submission[] {
  return fs.existsSync(file) ? readJsonAgainst(file, z.array(submissionSchema), JobsFileError) : [];
}

/** Appends one submission to FILE, atomically. */
export function recordSubmission(file: string, s: Submission): void {
  writeFileAtomic(file, JSON.stringify([...readSubmissions(file), submissionSchema.parse(s)], null, 1) + '\n');
}
