import { writeFileAtomic } from '@ebt/files';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ConfigError } from './errors';

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

/** transformers' BertConfig() defaults (bert-base-uncased). */
export const BERT_DEFAULTS: Omit<BertConfig, 'model_type'> = {
  vocab_size: 30522,
  hidden_size: 768,
  num_hidden_layers: 12,
  num_attention_heads: 12,
  intermediate_size: 3072,
  hidden_act: 'gelu',
  hidden_dropout_prob: 0.1,
  attention_probs_dropout_prob: 0.1,
  max_position_embeddings: 512,
  type_vocab_size: 2,
  initializer_range: 0.02,
  layer_norm_eps: 1e-12,
  pad_token_id: 0,
  position_embedding_type: 'absolute',
};

/** transformers' ViTConfig() defaults (google/vit-base-patch16-224). */
export const VIT_DEFAULTS: Omit<ViTConfig, 'model_type'> = {
  hidden_size: 768,
  num_hidden_layers: 12,
  num_attention_heads: 12,
  intermediate_size: 3072,
  hidden_act: 'gelu',
  hidden_dropout_prob: 0,
  attention_probs_dropout_prob: 0,
  initializer_range: 0.02,
  layer_norm_eps: 1e-12,
  image_size: 224,
  patch_size: 16,
  num_channels: 3,
  qkv_bias: true,
};

export type ModelConfig = BertConfig | ViTConfig;

/** Reads DIR/config.json, fills Hugging Face's defaults and checks the numbers that shape the model. */
export function readConfig(dir: string): ModelConfig {
  const file = path.join(dir, 'config.json');
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ConfigError(code ? `Cannot read '${file}' (${code}).` : `'${file}' is not valid JSON: ${(e as Error).message}.`);
  }
  return parseConfig(raw, file);
}

export function parseConfig(raw: Record<string, unknown>, file = 'config.json'): ModelConfig {
  const type = raw.model_type;
  let config: ModelConfig;
  if (type === 'bert') config = { ...BERT_DEFAULTS, ...raw, model_type: 'bert' } as BertConfig;
  else if (type === 'vit') config = { ...VIT_DEFAULTS, ...raw, model_type: 'vit' } as ViTConfig;
  else throw new ConfigError(`${file}: model_type ${JSON.stringify(type)} is not supported; ebt knows 'bert' and 'vit'.`);
  const positive = ['hidden_size', 'num_hidden_layers', 'num_attention_heads', 'intermediate_size'];
  positive.push(
    ...(config.model_type === 'bert' ? ['vocab_size', 'max_position_embeddings', 'type_vocab_size'] : ['image_size', 'patch_size', 'num_channels']),
  );
  for (const key of positive) {
    const v = config[key];
    if (!Number.isInteger(v) || (v as number) <= 0) throw new ConfigError(`${file}: ${key} must be a positive integer (got ${JSON.stringify(v)}).`);
  }
  if (config.hidden_size % config.num_attention_heads !== 0) {
    throw new ConfigError(`${file}: hidden_size ${config.hidden_size} is not a multiple of num_attention_heads ${config.num_attention_heads}.`);
  }
  if (config.model_type === 'vit' && config.image_size % config.patch_size !== 0) {
    throw new ConfigError(`${file}: image_size ${config.image_size} is not a multiple of patch_size ${config.patch_size}.`);
  }
  const sizes = config.intermediate_sizes;
  if (sizes !== undefined && (!Array.isArray(sizes) || sizes.length !== config.num_hidden_layers || !sizes.every((s) => Number.isInteger(s) && s > 0))) {
    throw new ConfigError(`${file}: intermediate_sizes must list ${config.num_hidden_layers} positive integers (got ${JSON.stringify(sizes)}).`);
  }
  for (const [layer, heads] of Object.entries(config.pruned_heads ?? {})) {
    const l = Number(layer);
    if (
      !Number.isInteger(l) ||
      l < 0 ||
      l >= config.num_hidden_layers ||
      !Array.isArray(heads) ||
      heads.some((h) => !Number.isInteger(h) || h < 0 || h >= config.num_attention_heads)
    ) {
      throw new ConfigError(`${file}: pruned_heads entry ${JSON.stringify(layer)}: ${JSON.stringify(heads)} does not name heads of a layer.`);
    }
    if (new Set(heads).size >= config.num_attention_heads) throw new ConfigError(`${file}: pruned_heads removes every head of layer ${layer}.`);
  }
  return config;
}

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
