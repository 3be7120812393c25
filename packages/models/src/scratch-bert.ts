/**
 * A BERT built from scratch for a text task that has no pretrained checkpoint here (`--model scratch:bert-mini`):
 * Google's miniature sizes (Turc et al. 2019, "Well-Read Students Learn Better": L layers, H hidden, H/64 heads,
 * 4H intermediate), a WordPiece vocabulary trained on the task's training texts (wordpiece-trainer.ts; Hugging
 * Face's `tokenizers` normalises, splits and writes tokenizer.json), and seeded random weights - written as a Hugging Face folder
 * (config.json, model.safetensors, vocab.txt, tokenizer.json, tokenizer_config.json) that loads anywhere.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '@ebt/files';
import { UsageError } from '@ebt/errors';
import { BERT_DEFAULTS } from './bert';
import type { BertConfig } from './config';
import { modelFromConfig } from './model-types';
import { savePretrained } from './pretrained';
import { learnWordPieces } from './wordpiece-trainer';

export const BERT_MINIATURES = {
  'bert-tiny': { num_hidden_layers: 2, hidden_size: 128 },
  'bert-mini': { num_hidden_layers: 4, hidden_size: 256 },
  'bert-small': { num_hidden_layers: 4, hidden_size: 512 },
  'bert-medium': { num_hidden_layers: 8, hidden_size: 512 },
} as const;
export type BertMiniature = keyof typeof BERT_MINIATURES;

export const SCRATCH_PREFIX = 'scratch:';
/** Where a run's model from scratch (`--model scratch:SIZE`: its vocabulary and initial weights) lives in its run folder. */
export const SCRATCH_MODEL_DIR = 'scratch-model';
/** BERT's special tokens, first in the vocabulary: [PAD] is 0, as config.pad_token_id says. */
export const SPECIAL_TOKENS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'];

/** 'scratch:bert-mini' -> 'bert-mini'; undefined for anything else (a folder or a hub id). */
export function scratchSize(model: string): BertMiniature | undefined {
  if (!model.startsWith(SCRATCH_PREFIX)) return undefined;
  const size = model.slice(SCRATCH_PREFIX.length);
  if (!(size in BERT_MINIATURES)) throw new UsageError(`--model ${model}: the size must be one of ${Object.keys(BERT_MINIATURES).join(', ')} (got '${size}').`);
  return size as BertMiniature;
}

/**
 * A lower-cased WordPiece vocabulary of at most `vocabSize` tokens trained on `texts`: the special tokens, the
 * alphabet, then word pieces in the order they were merged (wordpiece-trainer.ts). The texts are cut into words by
 * `tokenizers`' BERT normaliser and pre-tokeniser, the ones tokenizer.json will apply.
 */
export function trainWordPiece(texts: string[], { vocabSize = 8192 }: { vocabSize?: number } = {}): string[] {
  if (!Number.isInteger(vocabSize) || vocabSize <= SPECIAL_TOKENS.length)
    throw new UsageError(`the vocabulary size must be an integer above ${SPECIAL_TOKENS.length} (got ${vocabSize}).`);
  return learnWordPieces(bertWordCounts(texts), vocabSize, SPECIAL_TOKENS);
}

/** How often each word occurs in `texts`, the words as BERT's uncased normaliser and pre-tokeniser cut them. */
export function bertWordCounts(texts: string[]): Map<string, number> {
  const { normalizer, preTokenizer } = bertPipeline();
  const counts = new Map<string, number>();
  for (const t of texts) for (const [word] of preTokenizer.preTokenizeString(normalizer.normalizeString(t))) counts.set(word, (counts.get(word) ?? 0) + 1);
  return counts;
}

/** BERT's uncased normaliser (clean text, CJK split, accents stripped, lower case) and its pre-tokeniser. */
function bertPipeline() {
  const tk = require('tokenizers') as typeof import('tokenizers');
  return { tk, normalizer: tk.bertNormalizer({ lowercase: true, cleanText: true, handleChineseChars: true }), preTokenizer: tk.bertPreTokenizer() };
}

/** The `tokenizers` JSON of a BERT WordPiece tokenizer over `vocab` (lower-cased, [CLS] a [SEP] b [SEP]). */
function tokenizerJson(vocab: string[], file: string): void {
  const { tk, normalizer, preTokenizer } = bertPipeline();
  const ids = Object.fromEntries(vocab.map((t, i) => [t, i]));
  const tokenizer = new tk.Tokenizer(tk.WordPiece.init(ids, { unkToken: '[UNK]', continuingSubwordPrefix: '##' }));
  tokenizer.setNormalizer(normalizer);
  tokenizer.setPreTokenizer(preTokenizer);
  tokenizer.setPostProcessor(tk.bertProcessing(['[SEP]', ids['[SEP]']], ['[CLS]', ids['[CLS]']]));
  tokenizer.setDecoder(tk.wordPieceDecoder('##'));
  tokenizer.addSpecialTokens(SPECIAL_TOKENS);
  tokenizer.save(file);
}

export interface ScratchBertOptions {
  size: BertMiniature;
  /** the training split's texts, for the vocabulary */
  texts: string[];
  numLabels: number;
  seed: number;
  /** the task model (default BertForSequenceClassification; BertForMaskedLM for pretraining) */
  architecture?: 'BertForSequenceClassification' | 'BertForMaskedLM';
  vocabSize?: number;
  /** position embeddings (default 512, BERT's) */
  maxPositions?: number;
}

/** Writes the scratch BERT's folder into `dir` (every file atomically; config.json last, as the mark it is whole). */
export async function buildScratchBert(dir: string, o: ScratchBertOptions): Promise<string> {
  const vocab = trainWordPiece(o.texts, { vocabSize: o.vocabSize });
  const { num_hidden_layers, hidden_size } = BERT_MINIATURES[o.size];
  const config: BertConfig = {
    ...BERT_DEFAULTS,
    model_type: 'bert',
    architectures: [o.architecture ?? 'BertForSequenceClassification'],
    vocab_size: vocab.length,
    num_hidden_layers,
    hidden_size,
    num_attention_heads: hidden_size / 64,
    intermediate_size: 4 * hidden_size,
    max_position_embeddings: o.maxPositions ?? 512,
    num_labels: o.numLabels,
  } as BertConfig;
  fs.mkdirSync(dir, { recursive: true });
  writeFileAtomic(path.join(dir, 'vocab.txt'), vocab.join('\n') + '\n');
  tokenizerJson(vocab, path.join(dir, 'tokenizer.json'));
  writeFileAtomic(
    path.join(dir, 'tokenizer_config.json'),
    JSON.stringify({ tokenizer_class: 'BertTokenizer', do_lower_case: true, model_max_length: config.max_position_embeddings }, null, 1) + '\n',
  );
  const model = modelFromConfig(config, o.seed);
  try {
    await savePretrained(model, dir);
  } finally {
    model.dispose();
  }
  return dir;
}
