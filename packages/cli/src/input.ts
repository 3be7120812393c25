import * as fs from 'node:fs';
import { UsageError } from '@ebt/errors';

/** Reads FILE, or standard input for '-', naming the file in the error when it cannot. */
export function readText(file: string): string {
  try {
    return fs.readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(`Cannot read input file '${file}'${code ? ` (${code})` : ''}.`);
  }
}

/** A series: a JSON array of numbers, or one number per line (blank lines ignored). */
export function parseSeries(text: string, file: string): number[] {
  const trimmed = text.trim();
  if (trimmed === '') throw new UsageError(`Input file '${file}' is empty; expected a JSON array of numbers or one number per line.`);
  if (trimmed.startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch (e) {
      throw new UsageError(`Input file '${file}' is not valid JSON: ${(e as Error).message}.`);
    }
    if (!Array.isArray(parsed)) throw new UsageError(`Input file '${file}' must hold a JSON array of numbers.`);
    parsed.forEach((v, i) => {
      if (typeof v !== 'number') throw new UsageError(`Input file '${file}': element ${i} is ${JSON.stringify(v)}, not a number.`);
    });
    return parsed as number[];
  }
  const out: number[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    const s = line.trim();
    if (s === '') return;
    const v = Number(s);
    if (!Number.isFinite(v) && !/^[-+]?(inf(inity)?|nan)$/i.test(s)) {
      throw new UsageError(`Input file '${file}', line ${i + 1}: '${s}' is not a number.`);
    }
    out.push(Number.isNaN(v) ? (/nan/i.test(s) ? NaN : /^-/.test(s) ? -Infinity : Infinity) : v);
  });
  return out;
}

export { oneOf, parseInteger, parseNumber, splitList } from '@ebt/errors';
