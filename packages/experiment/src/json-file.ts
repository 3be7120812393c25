/** Reading a JSON run file against its schema: one message shape for every file, naming the file and the field. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { UsageError } from '@ebt/errors';
import { writeFileAtomic } from '@ebt/files';

/** "field 'a.b': expected number, received string (got "three")" for the first thing a file gets wrong. */
export function describeIssue(issue: z.core.$ZodIssue, json: unknown): string {
  const field = issue.path.map(String).join('.');
  let value: unknown = json;
  for (const k of issue.path) value = value === null || typeof value !== 'object' ? undefined : (value as Record<PropertyKey, unknown>)[k as PropertyKey];
  const got = value === undefined ? 'it is missing' : `got ${JSON.stringify(value)}`;
  return `field '${field}': ${issue.message.replace(/^Invalid input: /, '')} (${got}).`;
}

/** The file parsed and checked; a file that is not JSON or breaks the schema throws `error` naming both. */
export function readJsonAgainst<S extends z.ZodType>(file: string, schema: S, error: new (message: string) => UsageError): z.infer<S> {
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new error(`'${file}' is not valid JSON (${(e as Error).message}).`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new error(`'${file}': ${describeIssue(parsed.error.issues[0], json)}`);
  return parsed.data;
}

/**
 * A JSON file of a run folder with one owner: `write(dir, value)` checks the value against the schema and
 * writes DIR/NAME atomically, so no reader ever sees a bad one; `read(dir)` is the one reader (null when the
 * file is not there), naming the file and the first bad field.
 */
export function jsonRunFile<S extends z.ZodType>(name: string, schema: S, error: new (message: string) => UsageError) {
  return {
    write(dir: string, value: z.input<S>): void {
      writeFileAtomic(path.join(dir, name), JSON.stringify(schema.parse(value), null, 1) + '\n');
    },
    read(dir: string): z.infer<S> | null {
      const file = path.join(dir, name);
      return fs.existsSync(file) ? readJsonAgainst(file, schema, error) : null;
    },
  };
}
