import { Command } from 'commander';
import { CRITERIA, CRITERION_NAMES } from '@ebt/eb-criteria';
import { criterionFlags, parseCriterionFlags } from './commands/criterion-flags';

const parsed = (use: 'detect' | 'training', argv: string[]) => criterionFlags(new Command().exitOverride(), use).parse(argv, { from: 'user' }).opts();

describe("the criteria's flags, from their declarations", () => {
  test('every declared flag is on ebt detect; the training commands get those marked training', () => {
    const flagsOf = (use: 'detect' | 'training') => criterionFlags(new Command(), use).options.map((o) => o.long);
    // a flag two criteria declare (--kinds) is one flag
    const declared = [...new Set(CRITERION_NAMES.flatMap((n) => CRITERIA[n].flags))];
    expect(flagsOf('detect')).toEqual(declared.map((f) => f.flag));
    expect(flagsOf('detect').filter((f) => f === '--kinds')).toHaveLength(1);
    expect(flagsOf('training')).toEqual(['--queue', '--epsilon', '--kinds', '--mode', '--smooth', '--window', '--every', '--tolerance', '--flat-tol']);
  });

  test('values parse by kind into the nested options the criterion takes; unset flags stay unset', () => {
    const o = parsed('detect', ['--queue', '4', '--kinds', 'ffn', '--adf-threshold', '0.01', '--tests', 'adf,kpss', '--signal', 'coefficients']);
    expect(parseCriterionFlags(o, 'mask-distance', 'detect')).toEqual({ queue: 4, kinds: ['ffn'] });
    // --kinds is both criteria's
    expect(parseCriterionFlags(o, 'nuclear-stationarity', 'detect')).toEqual({
      signal: 'coefficients',
      tests: ['adf', 'kpss'],
      kinds: ['ffn'],
      thresholds: { adf: 0.01 },
    });
    // a training command reads only its own flags
    expect(parseCriterionFlags(o, 'nuclear-stationarity', 'training')).toEqual({ kinds: ['ffn'] });
    const modes = parsed('training', ['--mode', 'seed', '--tolerance', '0.05']);
    expect(parseCriterionFlags(modes, 'nuclear-stationarity', 'training')).toEqual({ mode: 'seed', tolerance: 0.05 });
    expect(() => parseCriterionFlags(parsed('training', ['--mode', 'strict']), 'nuclear-stationarity', 'training')).toThrow(
      "--mode must be one of calibrated, all, seed (got 'strict').",
    );
  });

  test('a bad value names the flag', () => {
    const cases: Array<[string[], string]> = [
      [['--queue', 'x'], "--queue must be a non-negative integer (got 'x')."],
      [['--epsilon', 'wide'], "--epsilon must be a number (got 'wide')."],
      [['--kinds', 'head,neuron'], "--kinds must be one of head, ffn (got 'neuron')."],
      [['--kinds', ','], '--kinds must name at least one of head, ffn.'],
    ];
    for (const [argv, message] of cases) expect(() => parseCriterionFlags(parsed('detect', argv), 'mask-distance', 'detect')).toThrow(message);
    expect(() => parseCriterionFlags(parsed('detect', ['--signal', 'loss']), 'nuclear-stationarity', 'detect')).toThrow(
      "--signal must be one of masks, coefficients, trajectories (got 'loss').",
    );
  });
});
