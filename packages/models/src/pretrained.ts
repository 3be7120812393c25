/** Loading and saving models in the Hugging Face folder layout: config.json + model.safetensors. */
import { readJsonFile } from '@ebt/files';
import { readAll } from '@ebt/backend';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { ModelConfig, numLabels, writeConfig } from './config';
import { readConfig } from './config-file';
import { ConfigError, SafetensorsError } from './errors';
import type { ModelTask, PretrainedModel } from './model-type';
import { architectureFor, modelFromConfig, modelTypeOf } from './model-types';
import { NamedTensor, readSafetensors, SafetensorsFile, writeSafetensors } from './safetensors';

export interface LoadReport {
  /** checkpoint keys the model has no parameter for (e.g. cls.predictions.*): ignored */
  unexpectedKeys: string[];
  /** model parameters the checkpoint lacks: left at their initialisation */
  missingKeys: string[];
  /** parameters whose checkpoint shape did not fit (the classifier, for another num_labels): re-initialised */
  reinitialised: string[];
}

export interface LoadOptions {
  /** seed for the parameters that are initialised rather than loaded */
  seed?: number;
  /** where warnings go (default: stderr); null for silence */
  log?: ((line: string) => void) | null;
  /** classes of the task to fine-tune on; replaces config.json's id2label/label2id when they differ */
  numLabels?: number;
  /** transformers' config.problem_type: 'regression' makes a one-output head's loss MSE (STS-B), in ebt and in Python */
  problemType?: 'regression';
  /** build the model type's head for this task whatever config.json's architectures say (e.g. QA from a bert-base checkpoint) */
  task?: ModelTask;
  /** a new classification head (classifier.*) even where the checkpoint's fits: the task's classes are others than the checkpoint's */
  newHead?: boolean;
}

/**
 * DIR's config.json, checked as loading it would check it - the folder, the numbers that shape the model, an
 * architecture ebt implements - before anything is allocated or a backend started (a malformed folder is one line).
 */
export function checkPretrained(dir: string, options: Pick<LoadOptions, 'task'> = {}): ModelConfig {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new ConfigError(`Model folder '${dir}' does not exist.`);
  const config = readConfig(dir);
  if (!options.task) checkArchitecture(config, path.join(dir, 'config.json'));
  return config;
}

/** Loads DIR (config.json + model.safetensors) into the matching model class. */
export function loadPretrained(dir: string, options: LoadOptions = {}): { model: PretrainedModel; report: LoadReport } {
  const config = checkPretrained(dir, options);
  if (options.task) config.architectures = [architectureFor(config, options.task)];
  if (options.problemType) config.problem_type = options.problemType;
  if (options.numLabels !== undefined && options.numLabels !== numLabels(config)) {
    config.id2label = Object.fromEntries(Array.from({ length: options.numLabels }, (_, i) => [String(i), `LABEL_${i}`]));
    config.label2id = Object.fromEntries(Array.from({ length: options.numLabels }, (_, i) => [`LABEL_${i}`, i]));
    delete config.num_labels;
  }
  const { tensors, buffers, file: weights } = readWeights(dir);
  const model = modelFromConfig(config, options.seed);
  if (options.newHead) for (const key of [...tensors.keys()]) if (key.startsWith('classifier.')) tensors.delete(key);
  const report = loadState(model, tensors, weights);
  const write = options.log === undefined ? (l: string) => process.stderr.write(l + '\n') : options.log;
  if (buffers.length)
    write?.(`ebt: skipped ${buffers.length} integer buffers, as transformers does: ${summarise(buffers.map((b) => `${b.name} (${b.dtype})`))}`);
  if (report.unexpectedKeys.length)
    write?.(`ebt: ignored ${report.unexpectedKeys.length} checkpoint keys the model does not use: ${summarise(report.unexpectedKeys)}`);
  if (report.reinitialised.length)
    write?.(`ebt: warning: re-initialised ${report.reinitialised.join(', ')}: the checkpoint's shape does not fit num_labels = ${numLabels(model.config)}`);
  if (report.missingKeys.length)
    write?.(`ebt: warning: ${report.missingKeys.length} parameters are not in the checkpoint and keep their initialisation: ${summarise(report.missingKeys)}`);
  return { model, report };
}

/**
 * A folder loaded as it is (infer, prune, export) must be a model ebt implements: another head of a known type
 * (BertForTokenClassification, a bare ViTModel) would run as the type's first with a random head - logits of the
 * wrong shape, silently. Fine-tuning names its task instead, and starts a new head from any of them.
 */
function checkArchitecture(config: ModelConfig, file: string): void {
  const known = Object.keys(modelTypeOf(config).architectures);
  const named = config.architectures ?? [];
  if (named.length === 0 || named.some((a) => known.includes(a))) return;
  throw new ConfigError(
    `${file}: field 'architectures' is ${JSON.stringify(named)}, a model ebt does not implement for model_type '${config.model_type}' (it has ${known.join(', ')}); fine-tuning commands start a new head from such a folder.`,
  );
}

/**
 * The weights of a model folder: model.safetensors, or the shards that model.safetensors.index.json names
 * (its weight_map: tensor name -> shard file), each tensor checked to be in the shard the index says.
 */
export function readWeights(dir: string): { tensors: Map<string, NamedTensor>; buffers: SafetensorsFile['buffers']; file: string } {
  const single = path.join(dir, 'model.safetensors');
  const index = path.join(dir, 'model.safetensors.index.json');
  if (fs.existsSync(single)) {
    const { tensors, buffers } = readSafetensors(single);
    return { tensors, buffers, file: single };
  }
  if (!fs.existsSync(index)) {
    const pickle = ['pytorch_model.bin', 'model.bin', 'model.pt'].find((f) => fs.existsSync(path.join(dir, f)));
    if (pickle) readSafetensors(path.join(dir, pickle)); // throws the "convert it" message
    throw new SafetensorsError(`Model folder '${dir}' has no model.safetensors (nor a sharded model.safetensors.index.json).`);
  }
  const weightMap = readJsonFile<{ weight_map?: Record<string, string> }>(index).weight_map;
  if (!weightMap || typeof weightMap !== 'object') throw new SafetensorsError(`'${index}' has no weight_map.`);
  const tensors = new Map<string, NamedTensor>();
  const buffers: SafetensorsFile['buffers'] = [];
  for (const shard of [...new Set(Object.values(weightMap))]) {
    if (path.basename(shard) !== shard) throw new SafetensorsError(`'${index}' names shard '${shard}', which is not a file of this folder.`);
    const file = path.join(dir, shard);
    if (!fs.existsSync(file)) throw new SafetensorsError(`'${index}' names shard '${shard}', which is missing from '${dir}'.`);
    const part = readSafetensors(file);
    part.tensors.forEach((t, name) => tensors.set(name, t));
    buffers.push(...part.buffers);
  }
  for (const [name, shard] of Object.entries(weightMap))
    if (!tensors.has(name) && !buffers.some((b) => b.name === name)) throw new SafetensorsError(`'${index}' puts '${name}' in '${shard}', which lacks it.`);
  return { tensors, buffers, file: index };
}

function summarise(keys: string[]): string {
  return keys.length <= 6 ? keys.join(', ') : `${keys.slice(0, 6).join(', ')}, ... (${keys.length - 6} more)`;
}

/** Old TF-converted checkpoints name LayerNorm parameters gamma/beta. */
function canonicalKey(key: string): string {
  return key.replace(/LayerNorm\.gamma$/, 'LayerNorm.weight').replace(/LayerNorm\.beta$/, 'LayerNorm.bias');
}

export function loadState(model: PretrainedModel, tensors: Map<string, NamedTensor>, file = 'model.safetensors'): LoadReport {
  const params = new Map(model.namedParameters().map(([name, v, owner, key]) => [name, { v, owner, key }]));
  const base = model.basePrefix;
  const report: LoadReport = { unexpectedKeys: [], missingKeys: [], reinitialised: [] };
  const loaded = new Set<string>();
  for (const [rawKey, t] of tensors) {
    let key = canonicalKey(rawKey);
    if (!params.has(key) && params.has(`${base}.${key}`)) key = `${base}.${key}`; // a bare BertModel/ViTModel checkpoint
    const p = params.get(key);
    if (!p) {
      report.unexpectedKeys.push(rawKey);
      continue;
    }
    tf.tidy(() => {
      const value = p.owner.fromCheckpoint(p.key, tf.tensor(t.data, t.shape, 'float32'));
      if (value.shape.join(',') !== p.v.shape.join(',')) {
        if (key.startsWith('classifier.')) {
          report.reinitialised.push(key);
          return;
        }
        const expected = p.owner.toCheckpoint(p.key, p.v).shape;
        throw new ConfigError(`${file}: '${rawKey}' has shape [${t.shape}] but config.json implies [${expected}].`);
      }
      p.v.assign(value);
      loaded.add(key);
    });
  }
  for (const name of params.keys()) if (!loaded.has(name) && !report.reinitialised.includes(name)) report.missingKeys.push(name);
  return report;
}

/** Writes DIR/config.json and DIR/model.safetensors (each atomically) that transformers' from_pretrained loads. */
export async function savePretrained(model: PretrainedModel, dir: string): Promise<void> {
  const params = model.namedParameters();
  const laidOut = params.map(([, v, owner, key]) => tf.tidy(() => owner.toCheckpoint(key, v)));
  let values: Float32Array[];
  try {
    values = await readAll(laidOut);
  } finally {
    // toCheckpoint returns the variable itself when the layouts agree
    laidOut.forEach((t, i) => {
      if (t !== params[i][1]) t.dispose();
    });
  }
  const tensors = new Map<string, { shape: number[]; data: Float32Array }>();
  params.forEach(([name], i) => tensors.set(name, { shape: laidOut[i].shape, data: values[i] }));
  fs.mkdirSync(dir, { recursive: true });
  writeSafetensors(path.join(dir, 'model.safetensors'), tensors);
  writeConfig(dir, { ...model.config, architectures: [model.architecture] });
}
