/**
 * What a model type tells the rest of ebt about itself: the task models it builds, its config's defaults
 * and required keys, what it reads, and the parameters and FLOPs outside its encoder layers. Each model
 * file defines one (`BERT`, `VIT`, `ROBERTA`); `model-types.ts` lists them. Callers ask the registry or
 * the model; none of them tests a class or a `model_type` string.
 */
import type * as tf from '@tensorflow/tfjs';
import type { TransformerConfig } from './config';
import type { ModelIdentity } from './encoder-layer';
import type { Module } from './module';

/** Token ids [B, T] (int32), with the optional attention mask (0/1) and segment ids of the same shape. */
export interface TextInputs {
  inputIds: tf.Tensor2D;
  attentionMask?: tf.Tensor2D;
  tokenTypeIds?: tf.Tensor2D;
}

/** What a task model is for, in transformers' pipeline names. */
export type ModelTask = 'text-classification' | 'question-answering' | 'image-classification' | 'fill-mask';

interface TaskModel extends Module, ModelIdentity {
  readonly config: TransformerConfig;
  readonly task: ModelTask;
}

export interface TextClassifier extends TaskModel {
  readonly task: 'text-classification';
  forward(inputs: TextInputs, training?: boolean): { logits: tf.Tensor2D; lastHiddenState: tf.Tensor3D };
}

export interface QuestionAnswerer extends TaskModel {
  readonly task: 'question-answering';
  /** start and end logits [B, T] */
  forward(inputs: TextInputs, training?: boolean): { startLogits: tf.Tensor2D; endLogits: tf.Tensor2D; lastHiddenState: tf.Tensor3D };
}

export interface ImageClassifier extends TaskModel {
  readonly task: 'image-classification';
  /** pixels [B, C, H, W] */
  forward(pixelValues: tf.Tensor4D, training?: boolean): { logits: tf.Tensor2D; lastHiddenState: tf.Tensor3D };
}

/** A masked language model (BertForMaskedLM): a score for every vocabulary entry at every position. */
export interface MaskedLanguageModel extends TaskModel {
  readonly task: 'fill-mask';
  /** vocabulary logits [B, T, V] */
  forward(inputs: TextInputs, training?: boolean): { logits: tf.Tensor3D; lastHiddenState: tf.Tensor3D };
}

/** Any task model ebt loads, trains, slims, prunes and exports; `task` tells them apart. */
export type PretrainedModel = TextClassifier | QuestionAnswerer | ImageClassifier | MaskedLanguageModel;

/** What a model reads: token ids below `vocabSize`, at most `maxLength` per row; or pixels [N, channels, imageSize, imageSize]. */
export type InputSpec =
  { modality: 'text'; vocabSize: number; typeVocabSize: number; maxLength: number } | { modality: 'image'; channels: number; imageSize: number };

/** One architecture of a model type: the Hugging Face class name is its key in `ModelType.architectures`. */
export interface Architecture {
  readonly task: ModelTask;
  build(config: TransformerConfig, options: { seed?: number }): PretrainedModel;
}

/** `{task, build}` with `build` checked to return a model of that task. */
export function architecture<T extends ModelTask>(
  task: T,
  build: (config: TransformerConfig, options: { seed?: number }) => Extract<PretrainedModel, { task: T }>,
): Architecture {
  return { task, build };
}

export interface ModelType {
  /** config.json's `model_type` */
  readonly name: string;
  /** transformers' config defaults for this type (its XConfig() arguments) */
  readonly defaults: Readonly<Record<string, unknown>>;
  /** keys beyond the encoder's that must be positive integers */
  readonly positiveKeys: readonly string[];
  /** the task models by Hugging Face class name; the first is built when config.json names none */
  readonly architectures: Readonly<Record<string, Architecture>>;
  /** a further check of a filled config: what is wrong, or null */
  check?(config: TransformerConfig): string | null;
  input(config: TransformerConfig): InputSpec;
  /** tokens per example where the config fixes them (a ViT's patches + [CLS]); null where the input does */
  fixedTokens(config: TransformerConfig): number | null;
  /** parameters outside the encoder layers (embeddings, pooler, final norm, head) */
  outerParameters(config: TransformerConfig, architecture: string): number;
  /** forward FLOPs outside the encoder layers for one example of `tokens` tokens (multiply-add = 2) */
  outerFlops(config: TransformerConfig, architecture: string, tokens: number): number;
}

/** A task model's head: parameters and FLOPs of a classifier on one vector, or of a span head on every token. */
export function headCounts(task: ModelTask, hidden: number, labels: number, tokens: number): { parameters: number; flops: number } {
  if (task === 'question-answering') return { parameters: hidden * 2 + 2, flops: 2 * tokens * hidden * 2 };
  // the masked-LM head: a D x D transform and its LayerNorm, the decoder tied to the word embeddings (no
  // parameters of its own) and a bias per vocabulary entry (`labels` here), at every token
  if (task === 'fill-mask') return { parameters: hidden * hidden + 3 * hidden + labels, flops: 2 * tokens * hidden * (hidden + labels) };
  return { parameters: hidden * labels + labels, flops: 2 * hidden * labels };
}
