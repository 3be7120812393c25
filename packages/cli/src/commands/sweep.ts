import { Command } from 'commander';
import { parseRatioPairs, ratioLabel, readManifest, sweep } from '@ebt/experiment';
import { executorFlags, makeExecutor } from './executor-flags';
import { parseInteger, parseNumber } from '../input';
import { printJson } from '../output';
import { kindOf } from './run-kinds';

export function sweepCommand(): Command {
  const cmd = new Command('sweep')
    .argument('<run-dir>', 'a run folder of pretrain small-vit, finetune bert (GLUE or SQuAD) or finetune vit')
    .option('--at <epochs>', "completed-epoch counts to prune at, e.g. 1,2,4, or 'all' (the default without --at-fractions and --at-draws)")
    .option('--at-fractions <list>', 'fractions of training to prune at, e.g. 0,0.04,0.2 (the nearest recorded point)')
    .option('--at-draws', "also prune at each criterion's draw step", false)
    .option('--ratios <list>', 'pruning ratios: heads:FFN pairs (0.3:0.3,0.8:0.8) or one number for both', '0.3,0.5')
    .option('--retrain-epochs <n>', "epochs of retraining per cell (default: the run's)")
    .option('--no-dense', 'skip the dense (unpruned) baseline cell')
    .option('--backend <name>', "tfjs backend of the workers (default: the run's)")
    .option('--json', 'machine-readable output', false);
  executorFlags(cmd);
  return cmd.action(async (dir: string, o) => {
    const run = readManifest(dir);
    const runKind = kindOf(run, dir);
    const kind = { kind: runKind.module, initDir: runKind.initDir(dir, run) };
    const atFractions =
      o.atFractions === undefined
        ? undefined
        : String(o.atFractions)
            .split(',')
            .map((s: string) => parseNumber(s, '--at-fractions'));
    const byPoint = atFractions !== undefined || o.atDraws;
    const at =
      o.at === undefined
        ? byPoint
          ? []
          : 'all'
        : o.at === 'all'
          ? 'all'
          : String(o.at)
              .split(',')
              .map((s: string) => parseInteger(s, '--at'));
    const ratios = parseRatioPairs(String(o.ratios));
    // progress goes to stderr with --json too: stdout holds only the JSON
    const log = (l: string) => process.stderr.write(l + '\n');
    const r = await sweep(dir, {
      ...kind,
      at,
      atFractions,
      atDraws: o.atDraws,
      ratios,
      retrainEpochs: o.retrainEpochs === undefined ? undefined : parseInteger(o.retrainEpochs, '--retrain-epochs'),
      executor: makeExecutor(o, dir, log),
      dense: o.dense,
      backend: o.backend,
      log,
    });
    if (r.submitted) {
      if (o.json) printJson({ submitted: r.submitted });
      else process.stdout.write(`ebt: ${r.submitted.note}\n`);
      return;
    }
    if (o.json) printJson(r);
    else {
      for (const row of r.rows) {
        const score = row.score === null ? '-' : row.metric === 'accuracy' ? `${(100 * row.score).toFixed(2)}%` : row.score.toFixed(2);
        const extra = row.metric === 'f1' && row.exact_match !== undefined ? ` (EM ${row.exact_match.toFixed(2)})` : '';
        const where =
          row.kind === 'dense'
            ? 'dense'
            : row.source === 'epoch'
              ? `after epoch ${row.at}`
              : row.source === 'draw'
                ? `at ${row.criterion}'s draw, step ${row.step}`
                : `at step ${row.step}`;
        process.stdout.write(
          `${where.padEnd(16)} ratio ${ratioLabel(row)}: ${row.metric} ${score}${extra}, ${row.parameters} parameters, ${row.seconds.toFixed(0)} s\n`,
        );
      }
      for (const s of r.skipped) process.stdout.write(`skipped ${s}\n`);
      process.stdout.write(`results: ${r.csv}\n`);
    }
  });
}
