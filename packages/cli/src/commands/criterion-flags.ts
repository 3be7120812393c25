/**
 * The early-bird criteria's option flags, built from their declarations in @ebt/eb-criteria (CRITERIA[name].flags):
 * `ebt detect` offers them all, the training commands those marked `training`; each is parsed once, here.
 */
import { Command } from 'commander';
import { CRITERIA, CRITERION_NAMES, CriterionFlag, CriterionName, FlagValue, optionAt, WINDOW_PRESETS, withOption } from '@ebt/eb-criteria';
import { UsageError } from '@ebt/errors';
import { oneOf, parseInteger, parseNumber, splitList } from '../input';

export type FlagUse = 'detect' | 'training';

/** commander's property for a flag: --flat-tol -> flatTol */
const property = (flag: string) => flag.replace(/^--/, '').replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

const placeholder = (v: FlagValue) => (v === 'integer' ? '<n>' : v === 'number' ? '<x>' : 'list' in v ? '<list>' : '<name>');

const flagsOf = (name: CriterionName, use: FlagUse): readonly CriterionFlag[] => CRITERIA[name].flags.filter((f) => use === 'detect' || f.training);

/** The help's default: the criterion's own; a training run's window settings come from its --windows preset. */
function defaultText(name: CriterionName, f: CriterionFlag, use: FlagUse): string {
  if (use === 'training' && f.key in WINDOW_PRESETS.seed) return '(default: --windows)';
  if (f.defaultHelp) return `(default: ${f.defaultHelp})`;
  const v = optionAt(CRITERIA[name].defaults, f.key);
  return `(default ${Array.isArray(v) ? v.join(',') : v})`;
}

/**
 * Every criterion's flags on `cmd` (for `use`), each prefixed in the help by the criteria it belongs to; a flag
 * several criteria declare (the same declaration) is offered once and sets the option of each.
 */
export function criterionFlags(cmd: Command, use: FlagUse): Command {
  const owners = new Map<CriterionFlag, CriterionName[]>();
  for (const name of CRITERION_NAMES) for (const f of flagsOf(name, use)) owners.set(f, [...(owners.get(f) ?? []), name]);
  for (const [f, names] of owners) {
    const choices = typeof f.value === 'object' ? ` (${('list' in f.value ? f.value.list : f.value.choice).join(', ')})` : '';
    cmd.option(`${f.flag} ${placeholder(f.value)}`, `${names.join(', ')}: ${f.help}${choices} ${defaultText(names[0], f, use)}`);
  }
  return cmd;
}

function parseValue(text: string, f: CriterionFlag): unknown {
  if (f.value === 'integer') return parseInteger(text, f.flag);
  if (f.value === 'number') return parseNumber(text, f.flag);
  if ('choice' in f.value) return oneOf(text, f.value.choice, f.flag);
  const allowed = f.value.list;
  const items = splitList(text);
  if (items.length === 0) throw new UsageError(`${f.flag} must name at least one of ${allowed.join(', ')}.`);
  return items.map((i) => oneOf(i, allowed, f.flag));
}

/** The options of criterion `name` that its flags in `o` set (nested where a key says so); unset flags are left out. */
export function parseCriterionFlags(o: Record<string, unknown>, name: CriterionName, use: FlagUse): Record<string, unknown> {
  let options: Record<string, unknown> = {};
  for (const f of flagsOf(name, use)) {
    const text = o[property(f.flag)];
    if (text !== undefined) options = withOption(options, f.key, parseValue(String(text), f));
  }
  return options;
}
