import { Command } from 'commander';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SQUAD_SWEEP_RUNNER } from '@ebt/finetune';
import { SWEEP_RUNNER } from '@ebt/pretrain';
import { sweep } from '@ebt/training';
import { UsageError } from '../errors';
import { parseInteger, parseNumber } from '../input';
import { printJson } from '../output';

export function sweepCommand(): Command {
  return new Command('sweep')
    .description('Prune a finished slimming run at several epochs and ratios, retrain each ticket from the initial weights (no L1), and tabulate accuracy, parameters, FLOPs and time (RUN_DIR/sweep/results.csv, .arrow).')
    .argument('<run-dir>', "a 'pretrain small-vit' or 'finetune bert --task squad' run folder")
    .option('--at <epochs>', "completed-epoch counts to prune at, e.g. 1,2,4, or 'all'", 'all')
    .option('--ratios <list>', 'pruning ratios, each applied to heads and FFN neurons', '0.3,0.5')
    .option('--retrain-epochs <n>', 'epochs of retraining per cell (default: the run\'s)')
    .option('--workers <n>', 'cells retrained in parallel processes', '2')
    .option('--no-dense', 'skip the dense (unpruned) baseline cell')
    .option('--backend <name>', 'tfjs backend of the workers (default: the run\'s)')
    .option('--json', 'machine-readable output', false)
    .action(async (dir: string, o) => {
      const runFile = path.join(dir, 'run.json');
      if (!fs.existsSync(runFile)) throw new UsageError(`'${dir}' is not a run folder (it has no run.json).`);
      const options = JSON.parse(fs.readFileSync(runFile, 'utf8')).options ?? {};
      // each kind of run retrains its tickets its own way: pick the app's cell runner and initial weights
      const kind =
        options.command === 'pretrain small-vit'
          ? { runner: SWEEP_RUNNER, initDir: path.join(dir, 'init') }
          : options.command === 'finetune bert' && options.task === 'squad'
            ? { runner: SQUAD_SWEEP_RUNNER, initDir: String(options.model) }
            : null;
      if (!kind) throw new UsageError(`ebt sweep supports 'pretrain small-vit' and 'finetune bert --task squad' runs so far; '${dir}' is a '${options.command}' run.`);
      const at = o.at === 'all' ? 'all' : String(o.at).split(',').map((s: string) => parseInteger(s, '--at'));
      const ratios = String(o.ratios).split(',').map((s: string) => parseNumber(s, '--ratios'));
      if (ratios.length === 0) throw new UsageError('--ratios must list at least one ratio.');
      const r = await sweep(dir, {
        ...kind,
        at,
        ratios,
        retrainEpochs: o.retrainEpochs === undefined ? undefined : parseInteger(o.retrainEpochs, '--retrain-epochs'),
        workers: parseInteger(o.workers, '--workers'),
        dense: o.dense,
        backend: o.backend,
        log: o.json ? undefined : (l: string) => process.stderr.write(l + '\n'),
      });
      if (o.json) printJson(r);
      else {
        for (const row of r.rows) {
          const score = row.f1 !== undefined ? `EM ${row.exactMatch!.toFixed(2)}, F1 ${row.f1.toFixed(2)}` : `accuracy ${row.accuracy === null ? '-' : (100 * row.accuracy).toFixed(2) + '%'}`;
          process.stdout.write(`${row.kind === 'dense' ? 'dense       ' : `at epoch ${String(row.at).padEnd(3)}`} ratio ${row.ratioHeads}: ${score}, ${row.parameters} parameters, ${row.seconds.toFixed(0)} s\n`);
        }
        for (const s of r.skipped) process.stdout.write(`skipped ${s}\n`);
        process.stdout.write(`results: ${r.csv}\n`);
      }
    });
}
