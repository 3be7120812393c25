import * as fs from 'node:fs';
import { UsageError } from '@ebt/errors';

export class JsonFileError extends UsageError {}

/** Reads a JSON file of a run folder; a file that does not parse is named in the error (exit 2), never a bare JSON.parse message. */
export function readJsonFile<T = unknown>(file: string): T {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new JsonFileError(`Cannot read '${file}' (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}).`);
  }
  try {
    return JSON.parse(text) as T;
  } catch (e) {
    throw new JsonFileError(`'${file}' is not valid JSON (${(e as Error).message}): the file is damaged.`);
  }
}
