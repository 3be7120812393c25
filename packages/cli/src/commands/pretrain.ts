import { Command } from 'commander';
import { kindCommands } from './kind-command';

export function pretrainCommand(): Command {
  return kindCommands(new Command('pretrain'), 'pretrain');
}
