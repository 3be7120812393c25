/**
 * The fine-tuning defaults of docs/method.md section 8, one owner per task: EarlyBERT's GLUE settings, the
 * seed's SQuAD script, and the ViT fine-tuning recipe. The apps, their run kinds' flags and --help ask here.
 */
export const GLUE_DEFAULTS = { epochs: 3, batchSize: 32, lr: 2e-5, weightDecay: 0, maxLength: 128 } as const;

export const SQUAD_DEFAULTS = {
  epochs: 2,
  batchSize: 12,
  lr: 3e-5,
  weightDecay: 0,
  maxLength: 384,
  docStride: 128,
  maxQueryLength: 64,
  maxAnswerLength: 30,
  nBest: 20,
} as const;

export const VIT_DEFAULTS = { epochs: 3, batchSize: 64, lr: 3e-5, weightDecay: 0 } as const;
