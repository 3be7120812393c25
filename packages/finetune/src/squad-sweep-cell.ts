/**
 * One sweep cell of a SQuAD run, in its own process: prune the initial checkpoint by the masks of one
 * trajectory point at one ratio (rewind 'init'), fine-tune without the L1 penalty, decode the dev set and
 * score it: the row's metric is F1, with exact match beside it.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { initBackend } from '@ebt/backend';
import { decodeAnswers, readSquad, squadFeatures, squadMetrics } from '@ebt/data';
import { BertForQuestionAnswering, loadPretrained, TextTokenizer } from '@ebt/models';
import { countFlops, countParameters, pruneModel } from '@ebt/pruning';
import { UsageError } from '@ebt/errors';
import { cellMasks, readManifest, runCellFromArgv, SweepCell, writeCell } from '@ebt/experiment';
import { train } from '@ebt/training';
import { featureSource, predictSpans, qaForward } from './finetune-squad';

export async function runSquadCell(cell: SweepCell): Promise<void> {
  const o = readManifest(cell.runDir).options;
  if (o.command !== 'finetune bert' || o.task !== 'squad') throw new UsageError(`'${cell.runDir}' is not a 'finetune bert --task squad' run.`);
  await initBackend({ backend: cell.backend, log: null });
  const tokenizer = await TextTokenizer.fromPretrained(o.model);
  const tok = { tokenize: (t: string) => tokenizer.tokenize(t), ...tokenizer.specialIds };
  const featureOptions = { maxLength: o.maxLength, docStride: o.docStride, maxQueryLength: o.maxQueryLength };
  const trainFeatures = squadFeatures(readSquad(path.join(o.data, 'train-v1.1.json')), tok, featureOptions);
  const devExamples = readSquad(path.join(o.data, 'dev-v1.1.json'));
  const devFeatures = squadFeatures(devExamples, tok, featureOptions);
  const { model: init } = loadPretrained(o.model, { architecture: 'BertForQuestionAnswering', seed: o.seed, log: null });
  let model = init as BertForQuestionAnswering;
  const masks = cellMasks(cell);
  if (masks) model = pruneModel(init, masks).model as BertForQuestionAnswering;
  const started = Date.now();
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'ebt-cell-'));
  await train({
    model,
    forward: qaForward(model),
    train: featureSource(trainFeatures),
    test: featureSource(devFeatures),
    epochs: cell.retrainEpochs,
    batchSize: o.batchSize,
    optimizer: { kind: 'adamw', weightDecay: o.weightDecay ?? 0 },
    schedule: { lr: o.lr, decay: 'linear' },
    clipNorm: o.clipNorm ?? 1,
    seed: o.seed,
    outDir: scratch,
    progress: false,
  });
  fs.rmSync(scratch, { recursive: true, force: true });
  const predictions = decodeAnswers(devExamples, devFeatures, predictSpans(model, devFeatures, o.batchSize), {
    nBest: o.nBest,
    maxAnswerLength: o.maxAnswerLength,
  });
  const m = squadMetrics(devExamples, predictions);
  writeCell(cell, {
    metric: 'f1',
    score: m.f1,
    metrics: { f1: m.f1, exact_match: m.exactMatch },
    parameters: countParameters(model.config),
    flops: countFlops(model.config, o.maxLength),
    seconds: (Date.now() - started) / 1000,
  });
}

if (require.main === module) runCellFromArgv(runSquadCell);
