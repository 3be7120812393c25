/** Reading config.json: the type's defaults filled in (transformers' XConfig()), the numbers that shape the model checked. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ModelConfig } from './config';
import { ConfigError } from './errors';
import { modelType } from './model-types';

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

const ENCODER_KEYS = ['hidden_size', 'num_hidden_layers', 'num_attention_heads', 'intermediate_size'];

export function parseConfig(raw: Record<string, unknown>, file = 'config.json'): ModelConfig {
  const type = modelType(raw.model_type, file);
  const config = { ...type.defaults, ...raw } as ModelConfig;
  for (const key of [...ENCODER_KEYS, ...type.positiveKeys]) {
    const v = config[key];
    if (!Number.isInteger(v) || (v as number) <= 0) throw new ConfigError(`${file}: ${key} must be a positive integer (got ${JSON.stringify(v)}).`);
  }
  if (config.hidden_size % config.num_attention_heads !== 0) {
    throw new ConfigError(`${file}: hidden_size ${config.hidden_size} is not a multiple of num_attention_heads ${config.num_attention_heads}.`);
  }
  const problem = type.check?.(config);
  if (problem) throw new ConfigError(`${file}: ${problem}`);
  const sizes = config.intermediate_sizes;
  if (sizes !== undefined && (!Array.isArray(sizes) || sizes.length !== config.num_hidden_layers || !sizes.every((s) => Number.isInteger(s) && s > 0))) {
    throw new ConfigError(`${file}: intermediate_sizes must list ${config.num_hidden_layers} positive integers (got ${JSON.stringify(sizes)}).`);
  }
  checkPrunedHeads(config, file);
  return config;
}

function checkPrunedHeads(config: ModelConfig, file: string): void {
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
}
