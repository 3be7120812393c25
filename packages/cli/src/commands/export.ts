import * as fs from 'node:fs';
import * as path from 'node:path';
import { Command } from 'commander';
import { initBackend } from '@ebt/backend';
import { headsPerLayer, intermediateSizes, checkPretrained, loadPretrained } from '@ebt/models';
import { exportOnnx, OPSET } from '@ebt/onnx';
import { UsageError } from '@ebt/errors';
import { resolveModel } from '@ebt/hub';
import { printJson } from '../output';

/** --out must name a file in an existing folder; checked before the model is loaded, so nothing is written on bad input. */
function checkOutFile(out: string): string {
  const file = path.resolve(out);
  if (fs.existsSync(file) && fs.statSync(file).isDirectory()) throw new UsageError(`--out '${out}' is a folder; give a file name such as model.onnx.`);
  const dir = path.dirname(file);
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new UsageError(`--out '${out}': the folder '${dir}' does not exist.`);
  return file;
}

function onnxCommand(): Command {
  return new Command('onnx')
    .description(`Write a model folder (dense or pruned) as ONNX (opset ${OPSET}) with dynamic batch and sequence axes and Optimum's input/output names.`)
    .requiredOption('--model <dir|id>', 'folder with config.json and model.safetensors (a pruned ticket included), or a hub id')
    .option('--revision <rev>', 'hub branch, tag or commit of --model (default main)')
    .requiredOption('--out <file>', 'the .onnx file to write')
    .option('--json', 'machine-readable output', false)
    .action(async (o) => {
      const file = checkOutFile(o.out);
      const dir = await resolveModel(o.model, { revision: o.revision });
      checkPretrained(dir);
      await initBackend({ backend: 'cpu', log: null });
      const { model } = loadPretrained(dir, { log: null });
      const bytes = await exportOnnx(model, file);
      const summary = {
        out: file,
        bytes,
        architecture: model.constructor.name,
        heads: headsPerLayer(model.config),
        intermediateSizes: intermediateSizes(model.config),
      };
      model.dispose();
      if (o.json) printJson(summary);
      else
        process.stdout.write(
          `wrote ${file} (${(bytes / 2 ** 20).toFixed(1)} MiB, ${summary.architecture}, heads ${summary.heads.join('/')}, FFN ${summary.intermediateSizes.join('/')})\n`,
        );
    });
}

export function exportCommand(): Command {
  return new Command('export').addCommand(onnxCommand());
}
