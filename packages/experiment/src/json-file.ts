/** Reading a JSON run file against its schema: one message shape for every file, naming the file and the field. */
import * as fs from 'node:fs';
import { z } from 'zod';
import { UsageError } from '@ebt/errors';

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
