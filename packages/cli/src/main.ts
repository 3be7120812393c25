import { Command, CommanderError } from 'commander';
import { EbtError, fromSystemError } from '@ebt/errors';
import { stationarityCommand } from './commands/stationarity';
import { backendCommand } from './commands/backend';
import { benchCommand } from './commands/bench';
import { inferCommand } from './commands/infer';
import { pretrainCommand } from './commands/pretrain';
import { finetuneCommand } from './commands/finetune';
import { pruneCommand } from './commands/prune';
import { detectCommand } from './commands/detect';
import { reportCommand } from './commands/report';
import { studyCommand } from './commands/study';
import { sweepCommand } from './commands/sweep';
import { exportCommand } from './commands/export';

export function buildProgram(): Command {
  const program = new Command('ebt')
    .description('Early-bird lottery tickets for transformers: slimming, ticket detection, pruning.')
    .version(require('../package.json').version)
    .showSuggestionAfterError()
    .configureOutput({ outputError: () => undefined });
  program.addCommand(stationarityCommand());
  program.addCommand(pretrainCommand());
  program.addCommand(finetuneCommand());
  program.addCommand(detectCommand());
  program.addCommand(sweepCommand());
  program.addCommand(studyCommand());
  program.addCommand(reportCommand());
  program.addCommand(pruneCommand());
  program.addCommand(inferCommand());
  program.addCommand(exportCommand());
  program.addCommand(backendCommand());
  program.addCommand(benchCommand());
  // Every (sub)command reports parse errors itself and never calls process.exit, so main() decides the code.
  const override = (c: Command) => {
    c.exitOverride();
    c.configureOutput({ outputError: () => undefined });
    c.commands.forEach(override);
  };
  override(program);
  return program;
}

/** Runs the CLI; returns the exit status (0 ok, 1 failure while running, 2 bad input). */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
      process.stderr.write(`ebt: ${e.message.replace(/^error: /, '').replace(/\s*\n\s*/g, ' ')}\n`);
      return 2;
    }
    // a system error from anywhere (a full disk, a folder without permission) still names its file
    const known = e instanceof EbtError ? e : fromSystemError(e);
    if (known) {
      process.stderr.write(`ebt: ${known.exitCode === 1 ? 'failed: ' : ''}${known.message}\n`);
      return known.exitCode;
    }
    const message = e instanceof Error ? e.message : String(e);
    process.stderr.write(`ebt: failed: ${message}\n`);
    if (process.env.EBT_DEBUG && e instanceof Error) process.stderr.write(`${e.stack}\n`);
    return 1;
  }
}
