import { Command, CommanderError } from 'commander';
import { EbtError, fromSystemError } from '@ebt/errors';
import { COMMANDS } from './commands/registry';
import { checkEnvironment } from './environment';

/**
 * The program, with the command `argv` names built in full and the others as their name and description
 * (enough for --help and for commander's suggestions); with no argv, every command in full.
 */
export function buildProgram(argv?: string[]): Command {
  const program = new Command('ebt')
    .description('Early-bird lottery tickets for transformers: slimming, ticket detection, pruning.')
    .version(require('../package.json').version)
    .showSuggestionAfterError()
    .configureOutput({ outputError: () => undefined });
  const words = argv?.slice(2).filter((a) => !a.startsWith('-')) ?? [];
  const named = words[0] === 'help' ? words[1] : words[0];
  for (const entry of COMMANDS) {
    const full = !argv || entry.name === named;
    program.addCommand((full ? entry.load() : new Command(entry.name)).description(entry.description));
  }
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
  try {
    checkEnvironment();
    await buildProgram(argv).parseAsync(argv);
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
