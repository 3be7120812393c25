/**
 * ebt detect: replays recorded trajectories through early-bird criteria. One criterion on one trajectory
 * prints everything it computed; a grid (one setting per line of a file) prints each setting's draw on
 * each trajectory beside the steps where the masks settled, so a default is chosen in view of them.
 */
import { Command } from 'commander';
import { CRITERIA, replay, resolveMaskOptions, settlingSteps } from '@ebt/eb-criteria';
import { UsageError } from '@ebt/errors';
import { readTrajectory } from '@ebt/slimming';
import { parseMaskFlags } from './flags';
import { printJson } from '../output';
import { densePart, formatGrid, readGrid, runGrid } from './detect-grid';
import { parseSetting, settingFlags } from './detect-setting';
import { givenFlags, recordNote, runAround, whyNoDraw } from './detect-run';

export function detectCommand(): Command {
  return settingFlags(new Command('detect'))
    .requiredOption(
      '--trajectory <files...>',
      "trajectory.arrow, a long .csv or .parquet (.arrow.gz, .csv.gz too), a run folder, or the seed's .npy pair (its folder or either file); with --grid, several",
    )
    .option('--grid <file>', 'a text file of settings, one per line (flags as on this command; # comments): each one replayed on each trajectory')
    .option('--table', 'with --grid: a Markdown table instead of JSON', false)
    .option('--json', 'machine-readable output (the default; --table for a table)', true)
    .action(async (o, cmd: Command) => {
      const files = o.trajectory as string[];
      if (o.grid) {
        const settings = readGrid(o.grid);
        const masks = parseMaskFlags(o);
        const read = [];
        for (const file of files) read.push({ file, trajectory: await readTrajectory(file) });
        const result = runGrid(settings, read, masks);
        if (o.table) process.stdout.write(formatGrid(result));
        else printJson(result);
        return;
      }
      if (files.length !== 1) throw new UsageError(`--trajectory: one file without --grid (got ${files.length}).`);
      const setting = parseSetting(o);
      const run = runAround(files[0], setting.name);
      const given = givenFlags(cmd, Object.keys(o));
      // the run's own settings under the flags given: its criterion's options, the pair it watched
      const options = run
        ? {
            ...run.options,
            ...(given.has('ratioHeads') ? {} : { ratioHeads: run.ratio.heads }),
            ...(given.has('ratioFfn') ? {} : { ratioFfn: run.ratio.ffn }),
            ...Object.fromEntries(Object.entries(setting.options).filter(([k]) => given.has(k) || o.windows !== undefined)),
          }
        : setting.options;
      const criterion = CRITERIA[setting.name].create(options);
      const { points, prunedAt } = densePart((await readTrajectory(files[0])).points());
      const verdict = replay(criterion, points);
      const notes = [
        ...(run ? [`the criterion settings of the run in ${run.dir} (run.json), under the flags given`] : []),
        ...recordNote(run, setting.name),
        // an EB-train run pruned its model at its draw: only the points before are the dense run's
        ...(prunedAt === null ? [] : [`the model was pruned at step ${prunedAt} (EB-train): the ${points.length} points before it were replayed`]),
        ...(verdict.drawn
          ? []
          : [
              `no draw: ${whyNoDraw(
                setting.name,
                options,
                points.map((p) => p.step),
              )}`,
            ]),
      ];
      const masks = { ratioHeads: options.ratioHeads, ratioFfn: options.ratioFfn, scopeHeads: setting.masks.scopeHeads, scopeFfn: setting.masks.scopeFfn };
      printJson({
        criterion: setting.name,
        drawnAt: verdict.drawn ? { step: verdict.step, epoch: verdict.epoch } : null,
        points: points.length,
        ...(notes.length ? { note: notes.join('; ') } : {}),
        // when the masks settled, seen from the end: what the draw is compared with
        settling: settlingSteps(points, resolveMaskOptions(masks as never)),
        details: criterion.details(),
      });
    });
}
