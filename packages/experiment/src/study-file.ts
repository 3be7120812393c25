/** Reading study.json, of this ebt or an older one (STUDY_FORMAT). */
import { UsageError } from '@ebt/errors';
import { readJsonFile } from '@ebt/files';
import { STUDY_FORMAT, StudySummary } from './study-types';

/** Format 1's names for what format 2 calls the score. */
const FORMAT_1_KEYS: Record<string, string> = { accuracy: 'score', ticketAccuracy: 'ticketScore' };

/** DIR/study.json as this ebt writes it; a format-1 file (committed studies of an earlier ebt) has its keys renamed. */
export function readStudySummary(file: string): StudySummary {
  const json = readJsonFile<Record<string, unknown>>(file);
  if (json.format === STUDY_FORMAT) return json as unknown as StudySummary;
  if (json.format !== undefined)
    throw new UsageError(`'${file}' is a study.json of format ${JSON.stringify(json.format)}; this ebt reads formats 1 and ${STUDY_FORMAT}.`);
  return { ...(renameKeys(json) as object), format: STUDY_FORMAT } as StudySummary;
}

function renameKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(renameKeys);
  if (v === null || typeof v !== 'object') return v;
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [FORMAT_1_KEYS[k] ?? k, renameKeys(x)]));
}
