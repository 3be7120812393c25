/**
 * STUDY_DIR/study.options.json: what a study folder's dense runs were trained with - the run kind, its run options
 * and the ratio pairs they watch - written when the folder's first study starts. A later call on the folder must
 * ask for the same, as `pretrain --resume` must: other options would rewrite study.json from runs trained
 * differently (issue 34). Seeds, fractions and retrain epochs may change: their cells are files of their own.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { isDeepStrictEqual } from 'node:util';
import { UsageError } from '@ebt/errors';
import { writeFileAtomic } from '@ebt/files';
import { readJsonAgainst } from './json-file';
import { RatioPair, ratioKey } from './ratios';
import { LOCK_FILE } from './run-folder';

const studyOptionsSchema = z.object({
  format: z.literal(1),
  /** the run kind's command ('finetune vit') */
  command: z.string().min(1),
  runOptions: z.record(z.string(), z.unknown()),
  ratios: z.array(z.object({ heads: z.number(), ffn: z.number() })).min(1),
});

export type StudyFolderOptions = Omit<z.infer<typeof studyOptionsSchema>, 'format'>;

export class StudyOptionsFileError extends UsageError {}

export const studyOptionsFile = (dir: string) => path.join(dir, 'study.options.json');

/** Flags of one call, not of how the runs were trained: where the study is, which backend, how it reports. */
const PER_CALL = new Set(['out', 'backend', 'progress', 'resume', 'overwrite', 'json']);

/** What a study folder may hold before its options are recorded: its lock, and the pilot study run into it first. */
const STUDY_BEFORE_OPTIONS = new Set([LOCK_FILE, 'pilot']);

const shown = (v: unknown) => (v === undefined ? '(unset)' : JSON.stringify(v));

/** Records the study's options in a folder that has none, once checkStudyFolder passed it (and the caller holds its lock). */
export function claimStudyFolder(dir: string, o: StudyFolderOptions): void {
  if (checkStudyFolder(dir, o) === 'recorded') return;
  fs.mkdirSync(dir, { recursive: true });
  writeFileAtomic(studyOptionsFile(dir), JSON.stringify({ format: 1, ...o }, null, 1) + '\n');
}

/**
 * Refuses, writing nothing, a folder that is not this study's: a run folder, files a study did not write, or a
 * study whose runs were trained with other options; says whether the options are recorded already.
 */
export function checkStudyFolder(dir: string, o: StudyFolderOptions): 'recorded' | 'new' {
  const file = studyOptionsFile(dir);
  if (!fs.existsSync(file)) {
    const entries = fs.existsSync(dir) ? fs.readdirSync(dir) : [];
    if (entries.some((f) => /^seed-\d+$/.test(f)))
      throw new UsageError(`'${dir}' holds seed folders but no ${path.basename(file)}: a study of an older ebt, or not a study; use another --out.`);
    if (entries.includes('run.json')) throw new UsageError(`--out: '${dir}' holds a run (run.json), not a study; use another --out.`);
    const foreign = entries.filter((f) => !STUDY_BEFORE_OPTIONS.has(f));
    if (foreign.length)
      throw new UsageError(
        `--out: '${dir}' holds files a study did not write (${foreign.slice(0, 3).join(', ')}${foreign.length > 3 ? ', ...' : ''}); use another --out.`,
      );
    return 'new';
  }
  const had = readJsonAgainst(file, studyOptionsSchema, StudyOptionsFileError);
  if (had.command !== o.command) throw new UsageError(`'${dir}' holds a '${had.command}' study, not '${o.command}'; use another --out.`);
  const keys = [...new Set([...Object.keys(had.runOptions), ...Object.keys(o.runOptions)])].filter((k) => !PER_CALL.has(k)).sort();
  const changed = keys.find((k) => !isDeepStrictEqual(had.runOptions[k], o.runOptions[k]));
  if (changed !== undefined)
    throw new UsageError(
      `'${dir}' holds a study whose runs had ${changed} ${shown(had.runOptions[changed])}, not ${shown(o.runOptions[changed])}; use another --out.`,
    );
  const missing = o.ratios.find((r) => !had.ratios.some((x) => ratioKey(x) === ratioKey(r)));
  if (missing)
    throw new UsageError(
      `'${dir}' holds runs that watched ${had.ratios.map(ratioKey).join(',')}, not ${ratioKey(missing as RatioPair)}: --ratios must be among them.`,
    );
  return 'recorded';
}
