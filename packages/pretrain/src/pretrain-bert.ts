/**
 * `ebt pretrain bert`: masked-language-model pretraining of a BERT (Hugging Face's BertForMaskedLM) on a text
 * corpus - from scratch (`--model scratch:SIZE`: Google's miniature sizes, a WordPiece vocabulary trained on the
 * training texts) or continued from a BERT folder - with slimming coefficients, both criteria and EB-train as
 * in `pretrain small-vit`: early-bird tickets drawn during pretraining. Batches are masked as transformers'
 * DataCollatorForLanguageModeling (mlm-data.ts); the score is the masked-token accuracy on held-out texts.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { initBackend } from '@ebt/backend';
import { checkCorpusSpec, loadTextCorpus, TextCorpus } from '@ebt/data';
import { UsageError } from '@ebt/errors';
import {
  checkRunOptions,
  earlyBirdRunFields,
  ebTrain,
  KindRunOptions,
  ManifestOptions,
  RUN_FIELDS,
  openRunFolder,
  RUN_DEFAULTS,
  runCriteria,
  saveDenseModel,
  TicketInfo,
  writeManifest,
} from '@ebt/experiment';
import { BertForMaskedLM, buildScratchBert, loadPretrained, readConfig, SCRATCH_MODEL_DIR, scratchSize, SPECIAL_TOKENS, TextTokenizer } from '@ebt/models';
import { Slimming } from '@ebt/slimming';
import { DataSource, TrainResult } from '@ebt/training';
import { BERT_PRESETS, BertPreset } from './bert-presets';
import { presetFrom } from './presets';
import { z } from 'zod';
import { MLM_PROBABILITY, MlmVocabulary, mlmSource, packSequences, unigramBaseline } from './mlm-data';

/** run.json's options of `pretrain bert` (docs/run-folder.md): the shared fields and this kind's own. */
export const BERT_MLM_OPTIONS = z.object({
  command: z.literal('pretrain bert'),
  ...RUN_FIELDS,
  preset: z.string(),
  /** the model folder trained: the run's scratch-model/ for `scratch:SIZE`, else the folder continued from */
  model: z.string(),
  scratch: z.string().optional(),
  data: z.string(),
  maxLength: z.number().int().positive(),
  vocabSize: z.number().int().positive(),
  mlmProbability: z.number().gt(0).lt(1),
  warmupSteps: z.number().int().nonnegative(),
  clipNorm: z.number().positive(),
  trainSequences: z.number().int().positive(),
  testSequences: z.number().int().positive(),
  /** masked-token accuracy of always guessing the most frequent training token, on the held-out split */
  unigramAccuracy: z.number().min(0).max(1),
});

export interface PretrainBertOptions extends KindRunOptions {
  preset?: string;
  /** 'scratch:bert-tiny|mini|small|medium', or a BERT folder to continue from */
  model?: string;
  /** 'brown' (default), 'spam-assassin' or 'text:DIR' */
  data?: string;
  maxLength?: number;
  /** WordPiece vocabulary of a scratch model */
  vocabSize?: number;
  weightDecay?: number;
}

const MAX_VOCABULARY = 100_000;

export const resolveBertPreset = (name: string | undefined): BertPreset => presetFrom(BERT_PRESETS, name);

/** Everything checked before a file is written: the preset, the corpus, the model, the sizes. */
function checkOptions(o: PretrainBertOptions, preset: BertPreset): { data: string; model: string; scratch: ReturnType<typeof scratchSize> } {
  const data = o.data ?? 'brown';
  checkCorpusSpec(data);
  const model = o.model ?? preset.model;
  const scratch = scratchSize(model);
  if (!scratch) {
    if (!fs.existsSync(path.join(model, 'config.json'))) throw new UsageError(`--model ${model}: not a model folder (it has no config.json).`);
    const type = readConfig(model).model_type;
    if (type !== 'bert') throw new UsageError(`--model ${model}: pretrain bert continues a BERT, and this folder holds a '${type}' model.`);
    if (o.vocabSize !== undefined)
      throw new UsageError(`--vocab-size ${o.vocabSize}: only a scratch model gets a new vocabulary (--model ${model} has its own).`);
  }
  const v = o.vocabSize;
  if (v !== undefined && !(Number.isInteger(v) && v > SPECIAL_TOKENS.length && v <= MAX_VOCABULARY))
    throw new UsageError(`--vocab-size must be an integer from ${SPECIAL_TOKENS.length + 1} to ${MAX_VOCABULARY} (got ${v}).`);
  if (o.maxLength !== undefined && !(Number.isInteger(o.maxLength) && o.maxLength >= 8))
    throw new UsageError(`--max-length must be an integer of at least 8 (got ${o.maxLength}).`);
  return { data, model, scratch };
}

/** The corpus, cut to the preset's texts (the smoke preset's few). */
async function corpusFor(spec: string, preset: BertPreset): Promise<TextCorpus> {
  const c = await loadTextCorpus(spec);
  return { ...c, train: c.train.slice(0, preset.trainTexts), test: c.test.slice(0, preset.testTexts) };
}

/** The run's masked-LM batches: the corpus tokenised and packed once, masked afresh per batch. */
function mlmData(corpus: TextCorpus, tokenizer: TextTokenizer, vocabSize: number, maxLength: number) {
  const vocab: MlmVocabulary = { ...tokenizer.specialIds, mask: tokenizer.maskId, size: vocabSize };
  const tokenize = (s: string) => tokenizer.tokenize(s);
  const train = packSequences(corpus.train, tokenize, maxLength, vocab);
  const test = packSequences(corpus.test, tokenize, maxLength, vocab);
  if (train.length === 0 || test.length === 0) throw new UsageError(`--data ${corpus.name}: no text to train or to test on.`);
  return { train, test, vocab, unigram: unigramBaseline(train, test, vocab) };
}

/** The masked-LM forward pass: logits at the masked positions only (x carries them). */
export const mlmForward = (model: unknown) => (x: unknown, training: boolean) => {
  const inputs = x as Parameters<BertForMaskedLM['forwardAt']>[0] & { positions: Parameters<BertForMaskedLM['forwardAt']>[1] };
  return (model as BertForMaskedLM).forwardAt(inputs, inputs.positions, training);
};

export interface PretrainBertResult {
  outDir: string;
  result: TrainResult;
  ticket: TicketInfo | null;
  unigramAccuracy: number;
}

export async function pretrainBert(o: PretrainBertOptions): Promise<PretrainBertResult> {
  const presetKey = o.preset ?? 'default';
  const preset = resolveBertPreset(presetKey);
  const { data, model: modelSpec, scratch } = checkOptions(o, preset);
  const seed = o.seed ?? RUN_DEFAULTS.seed;
  const outDir = path.resolve(o.out ?? path.join('runs', `bert-mlm-${data.split(':')[0]}-${presetKey}`));
  checkRunOptions(o, outDir);
  const corpus = await corpusFor(data, preset);
  const backend = await initBackend({ backend: o.backend });
  const modelDir = scratch ? path.join(outDir, SCRATCH_MODEL_DIR) : path.resolve(modelSpec);
  let lock = scratch ? openRunFolder(outDir, o) : null;
  if (scratch && !(o.resume && fs.existsSync(path.join(modelDir, 'config.json')))) {
    const texts = corpus.train.flatMap((t) => t.sentences);
    await buildScratchBert(modelDir, { size: scratch, texts, numLabels: 2, seed, architecture: 'BertForMaskedLM', vocabSize: o.vocabSize ?? preset.vocabSize });
  }
  const tokenizer = await TextTokenizer.fromPretrained(modelDir);
  const model = loadPretrained(modelDir, { task: 'fill-mask', seed }).model as BertForMaskedLM;
  const maxLength = o.maxLength ?? preset.maxLength;
  if (maxLength > model.config.max_position_embeddings)
    throw new UsageError(`--max-length ${maxLength} exceeds the ${model.config.max_position_embeddings} positions of the model.`);
  const batches = mlmData(corpus, tokenizer, model.config.vocab_size, maxLength);
  const slimming = Slimming.attach(model, { lambdaHeads: o.lambdaHeads, lambdaFfn: o.lambdaFfn });
  const epochs = o.epochs ?? preset.epochs;
  const batchSize = o.batchSize ?? preset.batchSize;
  const steps = epochs * Math.ceil(batches.train.length / batchSize);
  const options = {
    command: 'pretrain bert' as const,
    preset: presetKey,
    model: modelDir,
    ...(scratch ? { scratch } : {}),
    data,
    seed,
    epochs,
    batchSize,
    lr: o.lr ?? preset.lr,
    maxLength,
    vocabSize: model.config.vocab_size,
    mlmProbability: MLM_PROBABILITY,
    optimizer: 'adamw' as const,
    weightDecay: o.weightDecay ?? preset.weightDecay,
    warmupSteps: Math.round(preset.warmupFraction * steps),
    schedule: 'linear' as const,
    clipNorm: 1,
    ...earlyBirdRunFields(o, slimming),
    trainSequences: batches.train.length,
    testSequences: batches.test.length,
    unigramAccuracy: batches.unigram.accuracy,
  };
  const { watches, recorded } = runCriteria(o, preset.windows);
  const manifest: ManifestOptions = { ...options, ...recorded };
  lock ??= openRunFolder(outDir, o);
  writeManifest(outDir, manifest, backend, Boolean(o.resume), BERT_MLM_OPTIONS);
  const { result, ticket, finalModel, finalSlimming } = await ebTrain({
    model,
    chance: batches.unigram.accuracy,
    forwardOf: mlmForward,
    slimming,
    watches,
    criterion: options.criterion,
    continueWith: options.continueWith,
    rewind: options.rewind,
    initDir: modelDir,
    ...mlmTraining(options, batches),
    epochs,
    seed,
    outDir,
    recordEvery: options.recordEvery,
    resume: o.resume,
    progress: o.progress,
  });
  if (o.saveModel) await saveDenseModel(o.saveModel, finalModel, finalSlimming, { inputsFrom: modelDir });
  lock.release();
  return { outDir, result, ticket, unigramAccuracy: batches.unigram.accuracy };
}

/** The training options a pretraining run and each of its retrain cells share. */
export function mlmTraining(
  o: { batchSize: number; lr: number; weightDecay: number; warmupSteps: number; clipNorm: number },
  batches: { train: Int32Array[]; test: Int32Array[]; vocab: MlmVocabulary },
): {
  train: DataSource;
  test: DataSource;
  batchSize: number;
  optimizer: { kind: 'adamw'; weightDecay: number };
  schedule: { lr: number; warmupSteps: number; decay: 'linear' };
  clipNorm: number;
} {
  return {
    train: mlmSource(batches.train, batches.vocab),
    test: mlmSource(batches.test, batches.vocab),
    batchSize: o.batchSize,
    optimizer: { kind: 'adamw', weightDecay: o.weightDecay },
    schedule: { lr: o.lr, warmupSteps: o.warmupSteps, decay: 'linear' },
    clipNorm: o.clipNorm,
  };
}

/** A finished run's batches again, for its retrain cells (the same corpus, tokenizer and packing). */
export async function mlmDataOf(o: { data: string; preset: string; maxLength: number; model: string }) {
  const corpus = await corpusFor(o.data, resolveBertPreset(o.preset));
  const tokenizer = await TextTokenizer.fromPretrained(o.model);
  return mlmData(corpus, tokenizer, readConfig(o.model).vocab_size as number, o.maxLength);
}
