/**
 * The registry of model types: the one place that knows which `model_type`s ebt reads and which task
 * model each architecture builds. Adding a model type is a line here (docs/architecture.md).
 */
import { BERT } from './bert';
import type { ModelConfig } from './config';
import { ConfigError } from './errors';
import type { Architecture, ModelTask, ModelType, PretrainedModel } from './model-type';
import { ROBERTA } from './roberta';
import { VIT } from './vit';

export const MODEL_TYPES: readonly ModelType[] = [BERT, ROBERTA, VIT];

/** The type config.json's `model_type` names, or a ConfigError naming the file and the types ebt knows. */
export function modelType(name: unknown, file = 'config.json'): ModelType {
  const type = MODEL_TYPES.find((t) => t.name === name);
  if (!type) {
    const known = MODEL_TYPES.map((t) => `'${t.name}'`).join(', ');
    throw new ConfigError(`${file}: model_type ${JSON.stringify(name)} is not supported; ebt knows ${known}.`);
  }
  return type;
}

export function modelTypeOf(config: ModelConfig): ModelType {
  return modelType(config.model_type);
}

/** The architecture a config builds: the first of its `architectures` its type knows, else the type's first. */
export function architectureOf(config: ModelConfig): { name: string } & Architecture {
  const { architectures } = modelTypeOf(config);
  const name = config.architectures?.find((a) => a in architectures) ?? Object.keys(architectures)[0];
  return { name, ...architectures[name] };
}

/** The architecture of `config`'s type that does `task`, or a ConfigError. */
export function architectureFor(config: ModelConfig, task: ModelTask): string {
  const type = modelTypeOf(config);
  const name = Object.keys(type.architectures).find((a) => type.architectures[a].task === task);
  if (!name) throw new ConfigError(`ebt has no ${task} model for model_type '${type.name}'.`);
  return name;
}

/** Builds the model a config describes, with fresh (seeded) weights. */
export function modelFromConfig(config: ModelConfig, seed?: number): PretrainedModel {
  return architectureOf(config).build(config, { seed });
}
