/**
 * One prune-and-retrain cell of a fine-tuning run (GLUE, SQuAD or ViT), in a worker process: prune the
 * run's checkpoint by the cell's masks (rewind 'init', docs/method.md section 5.1), fine-tune without the L1
 * penalty on the run's data and schedule, score it with the task's metric (accuracy; STS-B: Pearson's r; SQuAD: F1, with exact
 * match beside it), write the cell's result atomically. argv[2]: the cell(s), as runCellFromArgv.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@ebt/backend';
import { decodeAnswers, squadFeatures, squadMetrics } from '@ebt/data';
import { loadGlueData, problemTypeOf } from './glue-data';
import { loadSquadData } from './squad-data';
import { UsageError } from '@ebt/errors';
import { scoredResult, CellResult, cellMasks, readManifest, runCellFromArgv, SweepCell, writeCell } from '@ebt/experiment';
import { ImageClassifier, loadPretrained, PretrainedModel, QuestionAnswerer, TextClassifier, TextTokenizer } from '@ebt/models';
import { imageInput } from './task-model';
import { countFlops, countParameters, pruneModel } from '@ebt/pruning';
import { train, TrainOptions } from '@ebt/training';
import { featureSource, predictSpans, qaForward } from './finetune-squad';
import { loadVitData, vitSources } from './finetune-vit';
import { textSource } from './text-source';

export async function runFinetuneCell(cell: SweepCell): Promise<void> {
  const run = readManifest(cell.runDir);
  const o = run.options;
  if (o.command === 'pretrain small-vit') throw new UsageError(`'${cell.runDir}' is a 'pretrain small-vit' run, not a fine-tuning run.`);
  await initBackend({ backend: cell.backend ?? run.backend.name, log: null });
  const started = Date.now();
  const prune = (init: PretrainedModel) => {
    const masks = cellMasks(cell);
    if (!masks) return init;
    const pruned = pruneModel(init, masks).model;
    init.dispose(); // a worker runs many cells: each leaves no tensors behind
    return pruned;
  };
  const retrain = async (
    model: PretrainedModel,
    forward: TrainOptions['forward'],
    options: Omit<TrainOptions, 'model' | 'forward' | 'outDir' | 'epochs' | 'seed' | 'progress'>,
  ) => {
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'ebt-cell-'));
    try {
      return await train({ ...options, model, forward, epochs: cell.retrainEpochs, seed: o.seed, outDir: scratch, progress: false });
    } finally {
      fs.rmSync(scratch, { recursive: true, force: true });
    }
  };
  let result: CellResult;
  if (o.command === 'finetune vit') {
    const data = await loadVitData(o.data);
    const { model: init } = loadPretrained(o.model, { numLabels: data.train.numClasses, seed: o.seed, log: null });
    const model = prune(init) as ImageClassifier;
    const sources = vitSources(o.data, data, o.limit ?? undefined, imageInput(model), o.model);
    const r = await retrain(model, (x, training) => model.forward(x as tf.Tensor4D, training).logits, {
      train: sources.train,
      test: sources.test,
      augment: sources.augment,
      batchSize: o.batchSize,
      optimizer: { kind: 'adamw', weightDecay: o.weightDecay },
      schedule: { lr: o.lr, decay: 'linear' },
    });
    result = scoredResult(r.finalTest?.score ?? null, countParameters(model.config), countFlops(model.config));
    model.dispose();
  } else if (o.task === 'glue') {
    const { train: trainSet, dev, objective } = await loadGlueData(o.data, o);
    const devSet = Object.values(dev)[0];
    const tokenizer = await TextTokenizer.fromPretrained(o.model);
    const { model: init } = loadPretrained(o.model, { numLabels: trainSet.numClasses, problemType: problemTypeOf(objective), seed: o.seed, log: null });
    const model = prune(init) as TextClassifier;
    const r = await retrain(model, (x, training) => model.forward(x as never, training).logits, {
      train: textSource(trainSet, tokenizer, o.maxLength),
      test: textSource(devSet, tokenizer, o.maxLength),
      batchSize: o.batchSize,
      optimizer: { kind: 'adamw', weightDecay: o.weightDecay },
      schedule: { lr: o.lr, warmupSteps: o.warmupSteps ?? 0, decay: 'linear' },
      clipNorm: o.clipNorm,
      objective,
    });
    result = scoredResult(r.finalTest?.score ?? null, countParameters(model.config), countFlops(model.config, o.maxLength), objective.metric);
    model.dispose();
  } else {
    const tokenizer = await TextTokenizer.fromPretrained(o.model);
    const tok = { tokenize: (t: string) => tokenizer.tokenize(t), ...tokenizer.specialIds };
    const featureOptions = { maxLength: o.maxLength, docStride: o.docStride, maxQueryLength: o.maxQueryLength };
    const { train: trainExamples, dev: devExamples } = await loadSquadData(o.data);
    const trainFeatures = squadFeatures(trainExamples, tok, featureOptions);
    const devFeatures = squadFeatures(devExamples, tok, featureOptions);
    const { model: init } = loadPretrained(o.model, { task: 'question-answering', seed: o.seed, log: null });
    const model = prune(init) as QuestionAnswerer;
    await retrain(model, qaForward(model), {
      train: featureSource(trainFeatures),
      test: featureSource(devFeatures),
      batchSize: o.batchSize,
      optimizer: { kind: 'adamw', weightDecay: o.weightDecay },
      schedule: { lr: o.lr, decay: 'linear' },
      clipNorm: o.clipNorm,
    });
    const predictions = decodeAnswers(devExamples, devFeatures, await predictSpans(model, devFeatures, o.batchSize), {
      nBest: o.nBest,
      maxAnswerLength: o.maxAnswerLength,
    });
    const m = squadMetrics(devExamples, predictions);
    result = {
      metric: 'f1',
      score: m.f1,
      metrics: { f1: m.f1, exact_match: m.exactMatch },
      parameters: countParameters(model.config),
      flops: countFlops(model.config, o.maxLength),
      seconds: 0,
    };
    model.dispose();
  }
  writeCell(cell, { ...result, seconds: (Date.now() - started) / 1000 });
}

if (require.main === module) runCellFromArgv(runFinetuneCell);
