/** `ebt pretrain NAME` / `ebt finetune NAME`: one dense run of a run kind, from its flags and the shared ones. */
import { Command } from 'commander';
import { earlyBirdFlags, parseEarlyBirdFlags, parseTrainingFlags, printRunSummary, trainingFlags } from './flags';
import { COMMAND_KINDS, resolveModelFlag } from './run-kinds';

export function kindCommands(cmd: Command, group: keyof typeof COMMAND_KINDS): Command {
  for (const kind of COMMAND_KINDS[group]) {
    const sub = earlyBirdFlags(trainingFlags(kind.flags(cmd.command(kind.name).description(kind.description))));
    (kind.runFlags?.(sub) ?? sub).action(async (o) => {
      const options = await resolveModelFlag({ ...parseTrainingFlags(o), ...parseEarlyBirdFlags(o), ...kind.parse(o) }, o.revision);
      const { outDir, result, ticket, notes } = await kind.run(options);
      printRunSummary(o, outDir, result, ticket);
      if (!o.json) for (const line of notes) process.stdout.write(line + '\n');
    });
  }
  return cmd;
}
