import { RUN_FIELDS } from '@ebt/experiment';
import { z } from 'zod';

/** run.json's options of `finetune bert`, GLUE and SQuAD alike (docs/run-folder.md): the shared fields and this kind's own. */
export const BERT_OPTIONS = z.object({
  command: z.literal('finetune bert'),
  task: z.enum(['glue', 'squad']),
  ...RUN_FIELDS,
  model: z.string(),
  /** the miniature a `--model scratch:SIZE` run built into its folder (`model` is that folder) */
  scratch: z.string().optional(),
  data: z.string(),
  warmupSteps: z.number().int().nonnegative().optional(),
  clipNorm: z.number().positive(),
  // GLUE
  maxLength: z.number().int().positive(),
  numLabels: z.number().int().positive().optional(),
  /** 'regression': a one-output head trained by MSE and scored by Pearson's r (STS-B) */
  problemType: z.literal('regression').optional(),
  /** a GLUE task name: its columns, label names and official metrics */
  glueTask: z.string().optional(),
  textColumn: z.string().optional(),
  pairColumn: z.string().optional(),
  labelColumn: z.string().optional(),
  trainExamples: z.number().int().positive(),
  devExamples: z.number().int().positive(),
  // SQuAD
  docStride: z.number().int().positive().optional(),
  maxQueryLength: z.number().int().positive().optional(),
  maxAnswerLength: z.number().int().positive().optional(),
  nBest: z.number().int().positive().optional(),
  trainFeatures: z.number().int().positive().optional(),
  devFeatures: z.number().int().positive().optional(),
});

export type BertRunOptions = z.infer<typeof BERT_OPTIONS>;
