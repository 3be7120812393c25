/**
 * One cell of `ebt sweep`, run in its own process: prune the run's initial weights by the masks of one
 * trajectory point at one ratio (docs/method.md section 5.1, rewind 'init'), retrain without the L1 penalty, write the cell's
 * JSON atomically. argv[2]: the cell as JSON.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@ebt/backend';
import { UsageError } from '@ebt/errors';
import { takeFirst } from '@ebt/data';
import { loadPretrained, ViTForImageClassification } from '@ebt/models';
import { countFlops, countParameters, pruneModel } from '@ebt/pruning';
import { scoredResult, cellMasks, readManifest, runCellFromArgv, SweepCell, writeCell } from '@ebt/experiment';
import { imageSource, train } from '@ebt/training';
import { loadData, resolvePreset } from './pretrain';

export async function runCell(cell: SweepCell): Promise<void> {
  const run = readManifest(cell.runDir);
  const o = run.options;
  if (o.command !== 'pretrain small-vit') throw new UsageError(`'${cell.runDir}' is a '${o.command}' run, not a 'pretrain small-vit' run.`);
  const preset = resolvePreset(o.preset);
  await initBackend({ backend: cell.backend ?? run.backend.name, log: null });
  const data = await loadData(o.data);
  const trainSet = takeFirst(data.train, preset.trainLimit);
  const testSet = takeFirst(data.test, preset.testLimit);
  const { model: init } = loadPretrained(path.join(cell.runDir, 'init'), { log: null });
  let model = init as ViTForImageClassification;
  const masks = cellMasks(cell);
  if (masks) {
    model = pruneModel(init, masks).model as ViTForImageClassification;
    init.dispose(); // a worker runs many cells: each leaves no tensors behind
  }
  const stepsPerEpoch = Math.ceil(trainSet.labels.length / o.batchSize);
  const started = Date.now();
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'ebt-cell-'));
  const result = await train({
    model,
    forward: (x, training) => model.forward(x as tf.Tensor4D, training).logits,
    train: imageSource(trainSet, { cropPadding: String(o.data).startsWith('cifar10') ? 4 : 0 }),
    test: imageSource(testSet),
    epochs: cell.retrainEpochs,
    batchSize: o.batchSize,
    optimizer: { kind: 'adam', weightDecay: o.weightDecay },
    schedule: { lr: o.lr, warmupSteps: Math.min(o.warmupSteps, stepsPerEpoch * cell.retrainEpochs - 1), decay: 'cosine', minLr: o.minLr },
    labelSmoothing: o.labelSmoothing,
    seed: o.seed,
    augment: String(o.data).startsWith('cifar10'),
    outDir: scratch,
    progress: false,
  });
  fs.rmSync(scratch, { recursive: true, force: true });
  const scored = scoredResult(result.finalTest?.score ?? null, countParameters(model.config), countFlops(model.config));
  writeCell(cell, { ...scored, seconds: (Date.now() - started) / 1000 });
  model.dispose();
}

if (require.main === module) runCellFromArgv(runCell);
