import { Command } from 'commander';
import { pretrainSmallVit, PRESETS } from '@ebt/pretrain';
import { parseInteger, parseNumber } from '../input';
import { printJson } from '../output';

export function pretrainCommand(): Command {
  const cmd = new Command('pretrain').description('Pretrain a model from scratch with network slimming.');
  cmd
    .command('small-vit')
    .description('Slimming pretraining of a small ViT (MNIST by default); writes run.json, metrics.csv, trajectory.arrow, checkpoints/.')
    .option('--preset <name>', `one of ${Object.keys(PRESETS).join(', ')}`, 'default')
    .option('--data <spec>', "'mnist' (embedded) or 'cifar10:DIR' (binary batches)", 'mnist')
    .option('--epochs <n>', 'epochs (default: the preset)')
    .option('--batch-size <n>', 'batch size (default: the preset)')
    .option('--lr <lr>', 'peak learning rate (default: the preset)')
    .option('--seed <n>', 'seed of the initialisation and the data order', '0')
    .option('--record-every <n>', 'record the coefficients every n steps (and at every epoch end)', '10')
    .option('--lambda-heads <x>', 'L1 weight on the head coefficients', '1e-4')
    .option('--lambda-ffn <x>', 'L1 weight on the FFN coefficients', '1e-4')
    .option('--backend <name>', 'tfjs backend (default: EBT_BACKEND, else the first that starts)')
    .option('--out <dir>', 'run folder (default: runs/small-vit-<data>-<preset>)')
    .option('--resume', 'continue the run in --out from its last checkpoint', false)
    .option('--json', 'print the summary as JSON', false)
    .action(async (o) => {
      const { outDir, result } = await pretrainSmallVit({
        preset: o.preset,
        data: o.data,
        epochs: o.epochs === undefined ? undefined : parseInteger(o.epochs, '--epochs'),
        batchSize: o.batchSize === undefined ? undefined : parseInteger(o.batchSize, '--batch-size'),
        lr: o.lr === undefined ? undefined : parseNumber(o.lr, '--lr'),
        seed: parseInteger(o.seed, '--seed'),
        recordEvery: parseInteger(o.recordEvery, '--record-every'),
        lambdaHeads: parseNumber(o.lambdaHeads, '--lambda-heads'),
        lambdaFfn: parseNumber(o.lambdaFfn, '--lambda-ffn'),
        backend: o.backend,
        out: o.out,
        resume: o.resume,
      });
      const summary = { outDir, steps: result.steps, epochs: result.epochs, seconds: result.seconds, testAccuracy: result.finalTest?.accuracy ?? null, bestAccuracy: result.bestAccuracy };
      if (o.json) printJson(summary);
      else process.stdout.write(`run folder: ${outDir}\ntest accuracy ${(100 * (summary.testAccuracy ?? 0)).toFixed(2)}% after ${result.steps} steps (${result.seconds.toFixed(0)} s)\n`);
    });
  return cmd;
}
