/**
 * Parameter and FLOP counts from a config, for dense and pruned models (per-layer head counts and
 * intermediate sizes). A multiply-add counts as 2 FLOPs; LayerNorm, softmax, GELU and biases' additions are
 * left out, as fvcore and the EarlyBERT paper leave them out. The encoder layers are counted here; what lies
 * outside them (embeddings, pooler, head) each model type counts for itself.
 */
import { architectureOf, headsPerLayer, intermediateSizes, ModelConfig, modelTypeOf } from '@ebt/models';
import { PruningError } from './prune';

export function countParameters(config: ModelConfig): number {
  const D = config.hidden_size;
  const d = D / config.num_attention_heads;
  const heads = headsPerLayer(config);
  const sizes = intermediateSizes(config);
  let n = 0;
  for (let l = 0; l < config.num_hidden_layers; l++) {
    const inner = heads[l] * d;
    n += 3 * (D * inner + inner); // query, key, value
    n += inner * D + D; // attention output dense
    n += D * sizes[l] + sizes[l] + sizes[l] * D + D; // FFN
    n += 2 * 2 * D; // two LayerNorms
  }
  return n + modelTypeOf(config).outerParameters(config, architectureOf(config).name);
}

/** Forward FLOPs for one example of `tokens` tokens (default: what the config fixes, as a ViT's patches + [CLS]; text needs it). */
export function countFlops(config: ModelConfig, tokens?: number): number {
  const type = modelTypeOf(config);
  const T = tokens ?? type.fixedTokens(config);
  if (!T) throw new PruningError(`countFlops: a ${type.name} model needs the number of tokens.`);
  const D = config.hidden_size;
  const d = D / config.num_attention_heads;
  const heads = headsPerLayer(config);
  const sizes = intermediateSizes(config);
  let f = 0;
  for (let l = 0; l < config.num_hidden_layers; l++) {
    const inner = heads[l] * d;
    f += 2 * T * D * inner * 3; // Q, K, V
    f += 2 * T * T * inner * 2; // scores and context
    f += 2 * T * inner * D; // output projection
    f += 2 * T * D * sizes[l] * 2; // FFN
  }
  return f + type.outerFlops(config, architectureOf(config).name, T);
}

/** The tokens a FLOP count assumes for a config: what it fixes, else `text` (e.g. BERT's usual 128). */
export function flopTokens(config: ModelConfig, text: number): number {
  return modelTypeOf(config).fixedTokens(config) ?? text;
}
