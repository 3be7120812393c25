/** Reading config.json: the type's defaults filled in (transformers' XConfig()), the numbers that shape the model checked. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ModelConfig } from './config';
import { ConfigError } from './errors';
import { architectureOf, modelType } from './model-types';

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
  checkSize(config, file);
  return config;
}

/**
 * A config whose model could not be held in this machine's memory is refused before anything is allocated
 * (`num_hidden_layers: 100000` grew past gigabytes layer by layer; `hidden_size: 1e9` failed deep in tfjs).
 * The count is the encoder's largest shape - every head kept, the widest FFN - and the type's outer parameters.
 */
function checkSize(config: ModelConfig, file: string): void {
  const D = config.hidden_size;
  const widest = Math.max(config.intermediate_size, ...(config.intermediate_sizes ?? []));
  const layer = 4 * D * D + 2 * D * widest;
  const parameters = config.num_hidden_layers * layer + modelType(config.model_type).outerParameters(config, architectureOf(config).name);
  const bytes = 4 * parameters;
  if (bytes <= os.totalmem()) return;
  const gb = (b: number) => (b / 2 ** 30).toFixed(1);
  throw new ConfigError(
    `${file}: hidden_size ${D}, num_hidden_layers ${config.num_hidden_layers} and intermediate_size ${widest} describe about ${parameters.toPrecision(3)} parameters (${gb(bytes)} GiB as float32), more than this machine's ${gb(os.totalmem())} GiB of memory.`,
  );
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
