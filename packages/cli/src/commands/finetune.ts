import { Command } from 'commander';
import { finetuneBert, FinetuneBertOptions, finetuneSquad, FinetuneSquadOptions, finetuneVit, FinetuneVitOptions } from '@ebt/finetune';
import { earlyBirdFlags, parseEarlyBirdFlags, parseTrainingFlags, printRunSummary, trainingFlags } from './flags';
import { BERT, resolveModelFlag, VIT } from './run-kinds';

export function finetuneCommand(): Command {
  const cmd = new Command('finetune');
  earlyBirdFlags(trainingFlags(BERT.flags(cmd.command('bert').description(BERT.description)))).action(async (o) => {
    const { task, ...own } = BERT.parse(o) as Partial<FinetuneSquadOptions & FinetuneBertOptions> & { task: 'glue' | 'squad' };
    const options = await resolveModelFlag({ ...parseTrainingFlags(o), ...parseEarlyBirdFlags(o), ...own }, o.revision);
    if (task === 'squad') {
      const r = await finetuneSquad(options as FinetuneSquadOptions);
      printRunSummary(o, r.outDir, r.result, r.ticket);
      if (!o.json) process.stdout.write(`SQuAD dev: exact match ${r.exactMatch.toFixed(2)}, F1 ${r.f1.toFixed(2)}\n`);
      return;
    }
    const { outDir, result, ticket, glue } = await finetuneBert(options as FinetuneBertOptions);
    printRunSummary(o, outDir, result, ticket);
    if (glue && !o.json)
      for (const [split, metrics] of Object.entries(glue.metrics))
        process.stdout.write(
          `GLUE ${glue.task} ${split}: ${Object.entries(metrics)
            .map(([m, v]) => `${m} ${(v as number).toFixed(4)}`)
            .join(', ')}\n`,
        );
  });
  earlyBirdFlags(trainingFlags(VIT.flags(cmd.command('vit').description(VIT.description)))).action(async (o) => {
    const options = await resolveModelFlag({ ...parseTrainingFlags(o), ...parseEarlyBirdFlags(o), ...(VIT.parse(o) as FinetuneVitOptions) }, o.revision);
    const { outDir, result, ticket } = await finetuneVit(options);
    printRunSummary(o, outDir, result, ticket);
  });
  return cmd;
}
