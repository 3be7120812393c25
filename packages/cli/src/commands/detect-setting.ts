/** One setting of `ebt detect`: a criterion with its options, as flags (the command's own, or a line of a grid file). */
import { Command } from 'commander';
import { CRITERION_NAMES, CriterionName, NUCLEAR_STATIONARITY, WINDOW_PRESETS, WindowPresetName } from '@ebt/eb-criteria';
import { UsageError } from '@ebt/errors';
import { criterionFlags, parseCriterionFlags } from './criterion-flags';
import { maskFlags, parseMaskFlags, windowPresetHelp } from './flags';
import { oneOf } from '../input';

/** The flags of one setting: the criterion, its options, the mask's ratios and a window preset. */
export function settingFlags(cmd: Command): Command {
  return criterionFlags(
    maskFlags(cmd)
      .option('--criterion <name>', CRITERION_NAMES.join(' or '))
      .option('--windows <name>', `nuclear-stationarity: named window sizes, ${windowPresetHelp()}; its own flags override them`),
    'detect',
  );
}

/** A setting's criterion and options from its parsed flags (a preset's windows under the criterion's own flags). */
export function parseSetting(o: Record<string, unknown>): { name: CriterionName; masks: ReturnType<typeof parseMaskFlags>; options: Record<string, unknown> } {
  if (o.criterion === undefined) throw new UsageError('--criterion is required (mask-distance or nuclear-stationarity).');
  const name = oneOf(o.criterion as string, CRITERION_NAMES, '--criterion');
  const masks = parseMaskFlags(o);
  const windows =
    o.windows === undefined ? undefined : WINDOW_PRESETS[oneOf(o.windows as string, Object.keys(WINDOW_PRESETS) as WindowPresetName[], '--windows')];
  const preset =
    windows && name === NUCLEAR_STATIONARITY ? { smooth: windows.smooth, window: windows.window, every: windows.every, flatTol: windows.flatTol } : {};
  return { name, masks, options: { ...masks, ...preset, ...parseCriterionFlags(o, name, 'detect') } };
}
