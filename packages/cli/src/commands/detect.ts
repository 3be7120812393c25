import { Command } from 'commander';
import { CRITERIA, CRITERION_NAMES, replay, resolveMaskOptions, settlingSteps } from '@ebt/eb-criteria';
import { criterionFlags, parseCriterionFlags } from './criterion-flags';
import { maskFlags, parseMaskFlags } from './flags';
import { Trajectory } from '@ebt/slimming';
import { oneOf } from '../input';
import { printJson } from '../output';

export function detectCommand(): Command {
  return criterionFlags(
    maskFlags(new Command('detect'))
      .requiredOption('--trajectory <file>', 'trajectory.arrow or .csv')
      .requiredOption('--criterion <name>', CRITERION_NAMES.join(' or ')),
    'detect',
  )
    .option('--json', 'machine-readable output (always on)', true)
    .action((o) => {
      const masks = parseMaskFlags(o);
      const name = oneOf(o.criterion, CRITERION_NAMES, '--criterion');
      const criterion = CRITERIA[name].create({ ...masks, ...parseCriterionFlags(o, name, 'detect') });
      const points = Trajectory.read(o.trajectory).points();
      const verdict = replay(criterion, points);
      printJson({
        criterion: name,
        drawnAt: verdict.drawn ? { step: verdict.step, epoch: verdict.epoch } : null,
        points: points.length,
        // when the masks settled, seen from the end: what the draw is compared with
        settling: settlingSteps(points, resolveMaskOptions(masks)),
        details: criterion.details(),
      });
    });
}
