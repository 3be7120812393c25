import { Command } from 'commander';
import {
  CRITERION_NAMES,
  MASK_DISTANCE,
  MASK_DISTANCE_DEFAULTS as md,
  MaskDistanceCriterion,
  MaskKind,
  NUCLEAR_STATIONARITY_DEFAULTS as ns,
  NuclearStationarityCriterion,
  replay,
  Signal,
  StationarityRule,
} from '@ebt/eb-criteria';
import { maskFlags, parseMaskFlags } from './flags';
import { Trajectory } from '@ebt/slimming';
import { UsageError } from '@ebt/errors';
import { oneOf, parseInteger, parseNumber, splitList } from '../input';
import { printJson } from '../output';

const RULES: readonly StationarityRule[] = ['dejong', 'mk', 'adf', 'kpss'];

function list<T extends string>(value: string, allowed: readonly T[], flag: string): T[] {
  const items = splitList(value);
  if (items.length === 0) throw new UsageError(`${flag} must name at least one of ${allowed.join(', ')}.`);
  return items.map((i) => oneOf(i, allowed, flag));
}

export function detectCommand(): Command {
  return maskFlags(new Command('detect'))
    .description('Replay a trajectory through an early-bird criterion; prints {"criterion", "drawnAt", "details"} as JSON.')
    .requiredOption('--trajectory <file>', 'trajectory.arrow or .csv')
    .requiredOption('--criterion <name>', CRITERION_NAMES.join(' or '))
    .option('--queue <n>', 'mask-distance: masks kept', String(md.queue))
    .option('--epsilon <d>', 'mask-distance: largest normalised Hamming distance', String(md.epsilon))
    .option('--kinds <list>', 'mask-distance: masks that must settle (head,ffn)', md.kinds.join(','))
    .option('--signal <s>', 'nuclear-stationarity: masks, coefficients or trajectories', ns.signal)
    .option('--smooth <n>', 'nuclear-stationarity: moving average over n steps', String(ns.smooth))
    .option('--window <n>', 'nuclear-stationarity: the last n steps of the smoothed signal are tested', String(ns.window))
    .option('--every <n>', 'nuclear-stationarity: test at the steps that are multiples of n', String(ns.every))
    .option('--tests <list>', 'nuclear-stationarity: rules that must hold (dejong,mk,adf,kpss)', ns.tests.join(','))
    .option('--dejong-threshold <p>', 'dejong p-value must exceed', String(ns.thresholds.dejong))
    .option('--mk-threshold <p>', 'Mann-Kendall p-value must exceed', String(ns.thresholds.mk))
    .option('--adf-threshold <p>', 'ADF p-value must be below', String(ns.thresholds.adf))
    .option('--kpss-threshold <p>', 'KPSS p-value must exceed', String(ns.thresholds.kpss))
    .option('--flat-tol <x>', 'a window flatter than this (relative) counts as stationary', String(ns.flatTol))
    .option('--confirm <n>', 'consecutive passing tests needed', String(ns.confirm))
    .option('--share <x>', 'signal trajectories: share of coefficients that must pass', String(ns.share))
    .option('--json', 'machine-readable output (always on)', true)
    .action((o) => {
      const masks = parseMaskFlags(o);
      const name = oneOf(o.criterion, CRITERION_NAMES, '--criterion');
      const criterion =
        name === MASK_DISTANCE
          ? new MaskDistanceCriterion({
              ...masks,
              queue: parseInteger(o.queue, '--queue'),
              epsilon: parseNumber(o.epsilon, '--epsilon'),
              kinds: list(o.kinds, ['head', 'ffn'] as MaskKind[], '--kinds'),
            })
          : new NuclearStationarityCriterion({
              ...masks,
              signal: oneOf(o.signal, ['masks', 'coefficients', 'trajectories'] as Signal[], '--signal'),
              smooth: parseInteger(o.smooth, '--smooth'),
              window: parseInteger(o.window, '--window'),
              every: parseInteger(o.every, '--every'),
              tests: list(o.tests, RULES, '--tests'),
              thresholds: {
                dejong: parseNumber(o.dejongThreshold, '--dejong-threshold'),
                mk: parseNumber(o.mkThreshold, '--mk-threshold'),
                adf: parseNumber(o.adfThreshold, '--adf-threshold'),
                kpss: parseNumber(o.kpssThreshold, '--kpss-threshold'),
              },
              flatTol: parseNumber(o.flatTol, '--flat-tol'),
              confirm: parseInteger(o.confirm, '--confirm'),
              share: parseNumber(o.share, '--share'),
            });
      const points = Trajectory.read(o.trajectory).points();
      const verdict = replay(criterion, points);
      printJson({
        criterion: name,
        drawnAt: verdict.drawn ? { step: verdict.step, epoch: verdict.epoch } : null,
        points: points.length,
        details: criterion.details(),
      });
    });
}
