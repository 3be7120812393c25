/** Flag values as every command and run kind parses them: one message per kind of bad value, naming the flag. */
import { UsageError } from './errors';

export function parseInteger(value: string, flag: string): number {
  if (!/^\d+$/.test(value.trim())) throw new UsageError(`${flag} must be a non-negative integer (got '${value}').`);
  return Number(value);
}

export function parseNumber(value: string, flag: string): number {
  const v = Number(value);
  if (value.trim() === '' || !Number.isFinite(v)) throw new UsageError(`${flag} must be a number (got '${value}').`);
  return v;
}

export function oneOf<T extends string>(value: string, allowed: readonly T[], flag: string): T {
  if (!allowed.includes(value as T)) throw new UsageError(`${flag} must be one of ${allowed.join(', ')} (got '${value}').`);
  return value as T;
}

/** The items of a comma-separated flag value, trimmed, empty ones dropped. */
export function splitList(value: string): string[] {
  return String(value)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** An integer flag that may be left unset. */
export const optionalInteger = (value: unknown, flag: string): number | undefined => (value === undefined ? undefined : parseInteger(String(value), flag));
