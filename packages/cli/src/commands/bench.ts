import { Command } from 'commander';
import * as path from 'node:path';
import { initBackend } from '@ebt/backend';
import { parseInteger } from '../input';
import { printJson } from '../output';

// Benchmarks live in tools/bench at the workspace root; they are loaded on demand, never by the libraries.
const benchDir = path.resolve(__dirname, '../../../../tools/bench');

export function benchCommand(): Command {
  const cmd = new Command('bench').description('Benchmarks against the reference implementations (run on demand).');
  cmd
    .command('stationarity')
    .description('Series per second of ADF(AIC) + KPSS(auto) + Mann-Kendall + DeJong, and statsmodels in the same run.')
    .option('--json', 'machine-readable output', false)
    .option('--no-reference', 'skip the statsmodels run')
    .action((o) => {
      const { benchStationarity } = require(path.join(benchDir, 'stationarity.ts')) as typeof import('../../../../tools/bench/stationarity');
      const r = benchStationarity({ reference: o.reference });
      if (o.json) printJson(r);
      else {
        process.stdout.write(`ebt: ${r.seriesPerSecond.toFixed(0)} series/s (${r.series} series in ${r.seconds.toFixed(2)} s)\n`);
        process.stdout.write(
          r.reference
            ? `${r.reference.name}: ${r.reference.seriesPerSecond.toFixed(1)} series/s; ratio ${r.ratio!.toFixed(1)}\n`
            : 'no statsmodels on this machine: no reference\n',
        );
      }
    });
  cmd
    .command('train-step')
    .description('ms per ViT-Tiny training step (6 layers, dim 192, 65 tokens, batch 64, Adam) on the current backend, and PyTorch in the same run.')
    .option('--backend <name>', 'tfjs backend (default: EBT_BACKEND, else the first that starts)')
    .option('--steps <n>', 'timed steps after one warm-up step', '3')
    .option('--json', 'machine-readable output', false)
    .option('--no-reference', 'skip the PyTorch run')
    .action(async (o) => {
      await initBackend({ backend: o.backend });
      const { benchTrainStep } = require(path.join(benchDir, 'train-step.ts')) as typeof import('../../../../tools/bench/train-step');
      const r = benchTrainStep({ steps: parseInteger(o.steps, '--steps'), reference: o.reference });
      if (o.json) printJson(r);
      else {
        process.stdout.write(`ebt (${r.backend}): ${r.msPerStep.toFixed(0)} ms/step\n`);
        process.stdout.write(
          r.reference
            ? `${r.reference.name}: ${r.reference.msPerStep.toFixed(0)} ms/step; ratio ${r.ratio!.toFixed(2)}\n`
            : 'no PyTorch on this machine: no reference\n',
        );
      }
    });
  cmd
    .command('criteria')
    .description('ms to observe one point of a BERT-base-sized trajectory with both criteria and every test (target < 5).')
    .option('--points <n>', 'timed points', '300')
    .option('--json', 'machine-readable output', false)
    .action((o) => {
      const { benchCriteria } = require(path.join(benchDir, 'criteria.ts')) as typeof import('../../../../tools/bench/criteria');
      const r = benchCriteria({ points: parseInteger(o.points, '--points') });
      if (o.json) printJson(r);
      else process.stdout.write(`${r.msPerPoint.toFixed(2)} ms per point (target ${r.target})\n`);
    });
  return cmd;
}
