import { Command } from 'commander';
import { pretrainSmallVit, PRESETS } from '@ebt/pretrain';
import { earlyBirdFlags, parseEarlyBirdFlags, parseTrainingFlags, printRunSummary, trainingFlags } from './flags';

export function pretrainCommand(): Command {
  const cmd = new Command('pretrain').description('Pretrain a model from scratch with network slimming.');
  earlyBirdFlags(
    trainingFlags(
      cmd
        .command('small-vit')
        .description('Slimming pretraining of a small ViT (MNIST by default); writes run.json, metrics.csv, trajectory.arrow, detections.json, checkpoints/.')
        .option('--preset <name>', `one of ${Object.keys(PRESETS).join(', ')}`, 'default')
        .option('--data <spec>', "'mnist' (embedded) or 'cifar10:DIR' (binary batches)", 'mnist')
        .option('--no-sweep', "skip the preset's prune-and-retrain sweep after training"),
    ),
  ).action(async (o) => {
    const { outDir, result, ticket, report } = await pretrainSmallVit({
      ...parseTrainingFlags(o),
      ...parseEarlyBirdFlags(o),
      preset: o.preset,
      data: o.data,
      sweep: o.sweep,
    });
    printRunSummary(o, outDir, result, ticket);
    if (!o.json) process.stdout.write(`report: ${report}\n`);
  });
  return cmd;
}
