import { Command } from 'commander';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@ebt/backend';
import { printJson } from '../output';

export function backendCommand(): Command {
  return new Command('backend')
    .description('Initialise the tfjs backend (tfjs-node-gpu > tfjs-node > wasm > cpu) and print which one runs.')
    .option('--backend <name>', 'tensorflow-gpu, tensorflow, wasm or cpu (default: EBT_BACKEND, else the first that starts)')
    .option('--json', 'machine-readable output', false)
    .action(async (o) => {
      const choice = await initBackend({ backend: o.backend });
      const info = { ...choice, tfjsVersion: tf.version.tfjs };
      if (o.json) printJson(info);
      else process.stdout.write(`${choice.name} (tfjs ${tf.version.tfjs}): ${choice.reason}\n`);
    });
}
