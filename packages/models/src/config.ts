import { writeFileAtomic } from '@ebt/files';
import * as path from 'node:path';

/** Keys shared by BertConfig and ViTConfig, named as in Hugging Face's config.json. */
export interface TransformerConfig {
  model_type: string;
  architectures?: string[];
  hidden_size: number;
  num_hidden_layers: number;
  num_attention_heads: number;
  intermediate_size: number;
  hidden_act: string;
  hidden_dropout_prob: number;
  attention_probs_dropout_prob: number;
  initializer_range: number;
  layer_norm_eps: number;
  id2label?: Record<string, string>;
  label2id?: Record<string, number>;
  num_labels?: number;
  /** transformers' name for what a classification head is trained for ('regression': one output, MSE) */
  problem_type?: 'regression' | 'single_label_classification' | 'multi_label_classification';
  /** Hugging Face's record of pruned heads: {layer: [head, ...]} */
  pruned_heads?: Record<string, number[]>;
  /** ebt's extension for FFN pruning: the intermediate size of each layer */
  intermediate_sizes?: number[];
  /** every other key of the file, kept and written back */
  [key: string]: unknown;
}

export interface BertConfig extends TransformerConfig {
  model_type: 'bert';
  vocab_size: number;
  max_position_embeddings: number;
  type_vocab_size: number;
  pad_token_id: number;
  position_embedding_type?: string;
}

export interface ViTConfig extends TransformerConfig {
  model_type: 'vit';
  image_size: number;
  patch_size: number;
  num_channels: number;
  qkv_bias: boolean;
}

/** Any model's config: the encoder's keys, plus those of its type (see ModelType). */
export type ModelConfig = TransformerConfig;

export function numLabels(config: TransformerConfig): number {
  if (config.id2label) return Object.keys(config.id2label).length;
  return typeof config.num_labels === 'number' ? config.num_labels : 2;
}

/** Heads left in each layer after `pruned_heads`. */
export function headsPerLayer(config: TransformerConfig): number[] {
  return Array.from({ length: config.num_hidden_layers }, (_, l) => config.num_attention_heads - new Set(config.pruned_heads?.[String(l)] ?? []).size);
}

export function intermediateSizes(config: TransformerConfig): number[] {
  return config.intermediate_sizes ?? Array.from({ length: config.num_hidden_layers }, () => config.intermediate_size);
}

export function writeConfig(dir: string, config: ModelConfig): void {
  writeFileAtomic(path.join(dir, 'config.json'), JSON.stringify(config, null, 2) + '\n');
}
