/** The presets of `ebt pretrain bert` (docs/pretraining.md says how they were chosen). */
import type { WindowPresetName } from '@ebt/eb-criteria';

export interface BertPreset {
  /** --model's default */
  model: string;
  epochs: number;
  batchSize: number;
  lr: number;
  weightDecay: number;
  /** the share of all steps spent warming the learning rate up (then linear decay to 0) */
  warmupFraction: number;
  maxLength: number;
  vocabSize: number;
  windows: WindowPresetName;
  /** use only the first texts of each split (the smoke preset) */
  trainTexts?: number;
  testTexts?: number;
}

export const BERT_PRESETS: Record<string, BertPreset> = {
  // bert-mini on the Brown Corpus: 11,798 sequences, 369 steps an epoch of about 15 min here; 3 epochs fit in an hour (docs/pretraining.md)
  default: {
    model: 'scratch:bert-mini',
    epochs: 3,
    batchSize: 32,
    lr: 5e-4,
    weightDecay: 0.01,
    warmupFraction: 0.06,
    maxLength: 128,
    vocabSize: 8192,
    windows: 'short',
  },
  // seconds here (native): bert-tiny on 10 texts
  smoke: {
    model: 'scratch:bert-tiny',
    epochs: 2,
    batchSize: 16,
    lr: 1e-3,
    weightDecay: 0.01,
    warmupFraction: 0.06,
    maxLength: 64,
    vocabSize: 1000,
    windows: 'smoke',
    trainTexts: 10,
    testTexts: 3,
  },
};
