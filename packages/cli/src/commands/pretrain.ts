import { Command } from 'commander';
import { pretrainSmallVit } from '@ebt/pretrain';
import { earlyBirdFlags, parseEarlyBirdFlags, parseTrainingFlags, printRunSummary, trainingFlags } from './flags';
import { SMALL_VIT } from './run-kinds';

export function pretrainCommand(): Command {
  const cmd = new Command('pretrain');
  earlyBirdFlags(trainingFlags(SMALL_VIT.flags(cmd.command('small-vit').description(SMALL_VIT.description))))
    .option('--no-sweep', "skip the preset's prune-and-retrain sweep after training")
    .action(async (o) => {
      const { outDir, result, ticket, report } = await pretrainSmallVit({
        ...parseTrainingFlags(o),
        ...parseEarlyBirdFlags(o),
        ...SMALL_VIT.parse(o),
        sweep: o.sweep,
      });
      printRunSummary(o, outDir, result, ticket);
      if (!o.json && report) process.stdout.write(`report: ${report}\n`);
    });
  return cmd;
}
