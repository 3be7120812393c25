import { Command } from 'commander';
import { MaskDistanceCriterion, MaskKind, NuclearStationarityCriterion, replay, Signal, StationarityRule } from '@ebt/eb-criteria';
import { maskFlags, parseMaskFlags } from './flags';
import { Trajectory } from '@ebt/slimming';
import { UsageError } from '../errors';
import { oneOf, parseInteger, parseNumber } from '../input';
import { printJson } from '../output';

const RULES = ['dejong', 'mk', 'adf', 'kpss'] as const;

function list<T extends string>(value: string, allowed: readonly T[], flag: string): T[] {
  const items = value.split(',').map((s) => s.trim()).filter(Boolean);
  if (items.length === 0) throw new UsageError(`${flag} must name at least one of ${allowed.join(', ')}.`);
  return items.map((i) => oneOf(i, allowed, flag));
}

export function detectCommand(): Command {
  return maskFlags(new Command('detect'))
    .description('Replay a trajectory through an early-bird criterion; prints {"criterion", "drawnAt", "details"} as JSON.')
    .requiredOption('--trajectory <file>', 'trajectory.arrow or .csv')
    .requiredOption('--criterion <name>', 'mask-distance or nuclear-stationarity')
    .option('--queue <n>', 'mask-distance: masks kept', '5')
    .option('--epsilon <d>', 'mask-distance: largest normalised Hamming distance', '0.1')
    .option('--kinds <list>', 'mask-distance: masks that must settle (head,ffn)', 'head,ffn')
    .option('--signal <s>', 'nuclear-stationarity: masks, coefficients or trajectories', 'masks')
    .option('--smooth <n>', 'nuclear-stationarity: moving-average length in points', '200')
    .option('--window <n>', 'nuclear-stationarity: smoothed points tested', '300')
    .option('--every <n>', 'nuclear-stationarity: test every n points', '100')
    .option('--tests <list>', 'nuclear-stationarity: rules that must hold (dejong,mk,adf,kpss)', 'dejong,mk,adf')
    .option('--dejong-threshold <p>', 'dejong p-value must exceed', '0.2')
    .option('--mk-threshold <p>', 'Mann-Kendall p-value must exceed', '0.2')
    .option('--adf-threshold <p>', 'ADF p-value must be below', '0.05')
    .option('--kpss-threshold <p>', 'KPSS p-value must exceed', '0.05')
    .option('--flat-tol <x>', 'a window flatter than this (relative) counts as stationary', '1e-9')
    .option('--confirm <n>', 'consecutive passing tests needed', '1')
    .option('--share <x>', 'signal trajectories: share of coefficients that must pass', '0.9')
    .option('--json', 'machine-readable output (always on)', true)
    .action((o) => {
      const masks = parseMaskFlags(o);
      const name = oneOf(o.criterion, ['mask-distance', 'nuclear-stationarity'] as const, '--criterion');
      const make = () => {
        try {
          return name === 'mask-distance'
            ? new MaskDistanceCriterion({ ...masks, queue: parseInteger(o.queue, '--queue'), epsilon: parseNumber(o.epsilon, '--epsilon'), kinds: list(o.kinds, ['head', 'ffn'] as MaskKind[], '--kinds') })
            : new NuclearStationarityCriterion({
                ...masks,
                signal: oneOf(o.signal, ['masks', 'coefficients', 'trajectories'] as Signal[], '--signal'),
                smooth: parseInteger(o.smooth, '--smooth'),
                window: parseInteger(o.window, '--window'),
                every: parseInteger(o.every, '--every'),
                tests: list(o.tests, RULES as unknown as StationarityRule[], '--tests'),
                thresholds: { dejong: parseNumber(o.dejongThreshold, '--dejong-threshold'), mk: parseNumber(o.mkThreshold, '--mk-threshold'), adf: parseNumber(o.adfThreshold, '--adf-threshold'), kpss: parseNumber(o.kpssThreshold, '--kpss-threshold') },
                flatTol: parseNumber(o.flatTol, '--flat-tol'),
                confirm: parseInteger(o.confirm, '--confirm'),
                share: parseNumber(o.share, '--share'),
              });
        } catch (e) {
          if (e instanceof RangeError) throw new UsageError(e.message);
          throw e;
        }
      };
      const criterion = make();
      const points = Trajectory.read(o.trajectory)
        .snapshots()
        .map((p) => ({ step: p.step, epoch: p.epoch, heads: p.snapshot.heads, ffn: p.snapshot.ffn }));
      const verdict = replay(criterion, points);
      printJson({ criterion: name, drawnAt: verdict.drawn ? { step: verdict.step, epoch: verdict.epoch } : null, points: points.length, details: criterion.details() });
    });
}
