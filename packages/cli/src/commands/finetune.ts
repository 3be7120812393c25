import { Command } from 'commander';
import { kindCommands } from './kind-command';

export function finetuneCommand(): Command {
  return kindCommands(new Command('finetune'), 'finetune');
}
