/**
 * Physical pruning (docs/method.md section 5): removing head h of layer l drops rows [h d, (h+1) d) of the query, key
 * and value weights and biases and the same columns of the attention output projection; removing FFN
 * neuron j drops row j of the intermediate dense weight and bias and column j of the output dense weight.
 * Kept slimming coefficients are folded into the output projections (or returned, to keep slimming), so
 * the pruned model computes what the masked model computes. (Our Linear keeps weights as [in, out], so
 * "rows" of the checkpoint are our columns.)
 */
import { UsageError } from '@ebt/errors';
import * as tf from '@tensorflow/tfjs';
import { headsPerLayer, ModelConfig, modelFromConfig, PretrainedModel } from '@ebt/models';

export interface PruningMasks {
  /** layers x current heads, 1 = keep */
  heads: ArrayLike<number>[];
  /** layers x current intermediate size, 1 = keep */
  ffn: ArrayLike<number>[];
}

export interface Coefficients {
  heads: ArrayLike<number>[];
  ffn: ArrayLike<number>[];
}

export interface PruneOptions {
  /** the slimming coefficients to fold into the output projections (default: none, i.e. all ones) */
  coefficients?: Coefficients;
  /** return the kept coefficients instead of folding them, to continue slimming the pruned model */
  keepCoefficients?: boolean;
  seed?: number;
}

export class PruningError extends UsageError {}

const keptIndices = (mask: ArrayLike<number>) => Array.from(mask).flatMap((m, i) => (m ? [i] : []));

/** The config of the pruned model: HF's pruned_heads in original head numbers, and per-layer intermediate sizes. */
export function prunedConfig(config: ModelConfig, masks: PruningMasks): ModelConfig {
  const heads = headsPerLayer(config);
  const prunedHeads: Record<string, number[]> = {};
  for (let l = 0; l < config.num_hidden_layers; l++) {
    const already = new Set(config.pruned_heads?.[String(l)] ?? []);
    const original = Array.from({ length: config.num_attention_heads }, (_, h) => h).filter((h) => !already.has(h)); // current index -> original head
    if (masks.heads[l].length !== heads[l])
      throw new PruningError(`the head mask of layer ${l} has ${masks.heads[l].length} entries but the layer has ${heads[l]} heads.`);
    const removed = Array.from(masks.heads[l]).flatMap((m, i) => (m ? [] : [original[i]]));
    const all = [...already, ...removed].sort((a, b) => a - b);
    if (all.length >= config.num_attention_heads) throw new PruningError(`the mask removes every head of layer ${l}.`);
    if (all.length) prunedHeads[String(l)] = all;
  }
  const sizes = masks.ffn.map((m, l) => {
    const kept = keptIndices(m).length;
    if (kept === 0) throw new PruningError(`the mask removes every FFN neuron of layer ${l}.`);
    return kept;
  });
  const out: ModelConfig = { ...config, pruned_heads: prunedHeads, intermediate_sizes: sizes };
  if (Object.keys(prunedHeads).length === 0) delete out.pruned_heads;
  if (sizes.every((s) => s === config.intermediate_size)) delete out.intermediate_sizes;
  return out;
}

/** A new, smaller model holding the kept structures of `model`; `model` is left as it was. */
export function pruneModel(model: PretrainedModel, masks: PruningMasks, options: PruneOptions = {}): { model: PretrainedModel; coefficients: Coefficients } {
  const oldParts = model.encoderLayers();
  if (masks.heads.length !== oldParts.length || masks.ffn.length !== oldParts.length) {
    throw new PruningError(`the masks cover ${masks.heads.length} / ${masks.ffn.length} layers but the model has ${oldParts.length}.`);
  }
  oldParts.forEach((p, l) => {
    if (masks.ffn[l].length !== p.intermediate.intermediateSize)
      throw new PruningError(`the FFN mask of layer ${l} has ${masks.ffn[l].length} entries but the layer has ${p.intermediate.intermediateSize} neurons.`);
  });
  const config = prunedConfig(model.config, masks);
  const pruned = modelFromConfig(config, options.seed);
  const newParts = pruned.encoderLayers();
  const handled = new Set<tf.Variable>();
  const set = (target: tf.Variable | undefined, value: () => tf.Tensor) => {
    if (!target) return;
    tf.tidy(() => target.assign(value()));
    handled.add(target);
  };
  const kept: Coefficients = { heads: [], ffn: [] };
  tf.tidy(() => {
    oldParts.forEach((old, l) => {
      const next = newParts[l];
      const d = old.attention.headDim;
      const heads = keptIndices(masks.heads[l]);
      const columns = tf.tensor1d(
        heads.flatMap((h) => Array.from({ length: d }, (_, i) => h * d + i)),
        'int32',
      );
      const headCoef = Float32Array.from(heads, (h) => options.coefficients?.heads[l][h] ?? 1);
      kept.heads.push(headCoef);
      for (const key of ['query', 'key', 'value'] as const) {
        set(next.attention[key].weight, () => tf.gather(old.attention[key].weight, columns, 1));
        set(next.attention[key].bias, () => tf.gather(old.attention[key].bias!, columns));
      }
      const rowScale = options.keepCoefficients ? null : tf.tensor1d(Array.from(headCoef).flatMap((c) => new Array(d).fill(c))).expandDims(1);
      set(next.attentionOutput.weight, () => {
        const w = tf.gather(old.attentionOutput.weight, columns, 0);
        return rowScale ? w.mul(rowScale) : w;
      });
      set(next.attentionOutput.bias, () => old.attentionOutput.bias!.clone());

      const neurons = tf.tensor1d(keptIndices(masks.ffn[l]), 'int32');
      const ffnCoef = Float32Array.from(keptIndices(masks.ffn[l]), (j) => options.coefficients?.ffn[l][j] ?? 1);
      kept.ffn.push(ffnCoef);
      set(next.intermediate.dense.weight, () => tf.gather(old.intermediate.dense.weight, neurons, 1));
      set(next.intermediate.dense.bias, () => tf.gather(old.intermediate.dense.bias!, neurons));
      set(next.output.weight, () => {
        const w = tf.gather(old.output.weight, neurons, 0);
        return options.keepCoefficients ? w : w.mul(tf.tensor1d(ffnCoef).expandDims(1));
      });
      set(next.output.bias, () => old.output.bias!.clone());
    });
  });
  const oldByName = new Map(model.namedParameters().map(([name, v]) => [name, v]));
  for (const [name, v] of pruned.namedParameters()) {
    if (handled.has(v)) continue;
    const source = oldByName.get(name);
    if (!source || source.shape.join(',') !== v.shape.join(',')) throw new PruningError(`cannot carry '${name}' over to the pruned model.`);
    tf.tidy(() => v.assign(source));
  }
  return { model: pruned, coefficients: kept };
}

/** The masked model's coefficients: c * mask (what the pruned model must reproduce). */
export function maskedCoefficients(masks: PruningMasks, coefficients?: Coefficients): Coefficients {
  return {
    heads: masks.heads.map((m, l) => Float32Array.from(m, (v, i) => v * (coefficients?.heads[l][i] ?? 1))),
    ffn: masks.ffn.map((m, l) => Float32Array.from(m, (v, i) => v * (coefficients?.ffn[l][i] ?? 1))),
  };
}
