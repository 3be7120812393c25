import { Command } from 'commander';
import * as tf from '@tensorflow/tfjs';
import { BACKENDS, initBackend } from '@ebt/backend';
import { printJson } from '../output';

export function backendCommand(): Command {
  return new Command('backend')
    .option(
      '--backend <name>',
      `${BACKENDS.join(', ')} (default: EBT_BACKEND, else the first that starts; EBT_WEBGPU_ADAPTER=NAME picks a webgpu adapter, software ones included)`,
    )
    .option('--json', 'machine-readable output', false)
    .action(async (o) => {
      const choice = await initBackend({ backend: o.backend });
      const info = { ...choice, tfjsVersion: tf.version.tfjs };
      if (o.json) printJson(info);
      else {
        const on = choice.adapter ? ` on ${[choice.adapter.vendor, choice.adapter.device || choice.adapter.description].filter(Boolean).join(' ')}` : '';
        process.stdout.write(`${choice.name}${on} (tfjs ${tf.version.tfjs}): ${choice.reason}\n`);
      }
    });
}
