/**
 * A criterion's options as command-line flags: the one declaration `ebt detect` and the training commands
 * build their flags from and parse them by. Plain data: no CLI library here. A flag that several criteria
 * declare (the same object) is one flag on the command line and sets the option of each.
 */
import { MASK_KINDS } from './mask';

/** How a flag's text becomes the option's value. */
export type FlagValue = 'integer' | 'number' | { list: readonly string[] } | { choice: readonly string[] };

export interface CriterionFlag {
  /** the key in the criterion's options; 'thresholds.adf' for a nested one */
  readonly key: string;
  /** the flag as typed: --queue, --adf-threshold */
  readonly flag: string;
  readonly value: FlagValue;
  readonly help: string;
  /** also a flag of the training commands (pretrain, finetune), not only of `ebt detect` */
  readonly training?: boolean;
  /** the help's default where it is not a value of the defaults (e.g. "the mode's") */
  readonly defaultHelp?: string;
}

/** The value at `key` ('a.b' for a nested one) of an options object. */
export function optionAt(options: object, key: string): unknown {
  return key.split('.').reduce<unknown>((o, k) => (o === null || typeof o !== 'object' ? undefined : (o as Record<string, unknown>)[k]), options);
}

/** `options` with `value` set at `key`, nested objects created as needed. */
export function withOption(options: Record<string, unknown>, key: string, value: unknown): Record<string, unknown> {
  const [head, ...rest] = key.split('.');
  if (rest.length === 0) return { ...options, [head]: value };
  return { ...options, [head]: withOption((options[head] as Record<string, unknown>) ?? {}, rest.join('.'), value) };
}

/** Which masks must settle: one flag for every criterion that watches heads and FFN neurons apart. */
export const KINDS_FLAG: CriterionFlag = { key: 'kinds', flag: '--kinds', value: { list: MASK_KINDS }, help: 'masks that must settle', training: true };
