/**
 * One cell of `ebt sweep`, run in its own process: prune the run's initial weights by the masks of one
 * trajectory point at one ratio (SPEC 5, rewind 'init'), retrain without the L1 penalty, write the cell's
 * JSON atomically. argv[2]: the cell as JSON.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@ebt/backend';
import { takeFirst } from '@ebt/data';
import { maskFromCoefficients } from '@ebt/eb-criteria';
import { loadPretrained, ViTForImageClassification, writeFileAtomic } from '@ebt/models';
import { countFlops, countParameters, pruneModel } from '@ebt/pruning';
import { imageSource, train } from '@ebt/training';
import { loadData, resolvePreset } from './pretrain';

export interface SweepCell {
  runDir: string;
  /** 'dense' for the unpruned baseline, else the number of completed epochs whose last point gives the masks */
  at: number | 'dense';
  step: number | null;
  ratioHeads: number;
  ratioFfn: number;
  heads?: number[][];
  ffn?: number[][];
  retrainEpochs: number;
  backend?: string;
  file: string;
}

export async function runCell(cell: SweepCell): Promise<void> {
  const run = JSON.parse(fs.readFileSync(path.join(cell.runDir, 'run.json'), 'utf8'));
  const o = run.options;
  const preset = resolvePreset(o.preset);
  await initBackend({ backend: cell.backend ?? run.backend?.name, log: null });
  const data = loadData(o.data);
  const trainSet = takeFirst(data.train, preset.trainLimit);
  const testSet = takeFirst(data.test, preset.testLimit);
  const { model: init } = loadPretrained(path.join(cell.runDir, 'init'), { log: null });
  let model = init as ViTForImageClassification;
  if (cell.heads && cell.ffn) {
    const masks = { heads: maskFromCoefficients(cell.heads, cell.ratioHeads, 'layerwise'), ffn: maskFromCoefficients(cell.ffn, cell.ratioFfn, 'global') };
    model = pruneModel(init, masks).model as ViTForImageClassification;
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
  writeFileAtomic(
    cell.file,
    JSON.stringify({
      kind: cell.at === 'dense' ? 'dense' : 'ticket',
      at: cell.at === 'dense' ? null : cell.at,
      step: cell.step,
      ratioHeads: cell.ratioHeads,
      ratioFfn: cell.ratioFfn,
      accuracy: result.finalTest?.accuracy ?? null,
      bestAccuracy: result.bestAccuracy,
      parameters: countParameters(model.config),
      flops: countFlops(model.config),
      retrainEpochs: cell.retrainEpochs,
      seconds: (Date.now() - started) / 1000,
    }) + '\n',
  );
}

if (require.main === module) {
  runCell(JSON.parse(process.argv[2])).catch((e) => {
    process.stderr.write(`sweep cell failed: ${(e as Error).message}\n`);
    process.exit(1);
  });
}
