/**
 * Parameter and FLOP counts from a config, for dense and pruned models (per-layer head counts and
 * intermediate sizes). A multiply-add counts as 2 FLOPs; LayerNorm, softmax, GELU and biases' additions are
 * left out, as fvcore and the EarlyBERT paper leave them out.
 */
import { BertConfig, headsPerLayer, intermediateSizes, ModelConfig, numLabels, ViTConfig } from '@ebt/models';

/** BertForQuestionAnswering: no pooler, and qa_outputs (start and end logits) applied to every token. */
const isQuestionAnswering = (config: ModelConfig) => config.model_type === 'bert' && Boolean(config.architectures?.includes('BertForQuestionAnswering'));

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
  if (config.model_type === 'bert') {
    const c = config as BertConfig;
    n += (c.vocab_size + c.max_position_embeddings + c.type_vocab_size) * D + 2 * D; // embeddings + LayerNorm
    if (isQuestionAnswering(config)) return n + D * 2 + 2; // qa_outputs
    n += D * D + D; // pooler
  } else {
    const c = config as ViTConfig;
    const patches = (c.image_size / c.patch_size) ** 2;
    n += c.num_channels * c.patch_size ** 2 * D + D; // patch projection
    n += D + (patches + 1) * D; // [CLS] and positions
    n += 2 * D; // final LayerNorm
  }
  const labels = numLabels(config);
  return n + D * labels + labels;
}

/** Forward FLOPs for one example of `tokens` tokens (default: a ViT's patches + [CLS]; BERT needs it). */
export function countFlops(config: ModelConfig, tokens?: number): number {
  const D = config.hidden_size;
  const d = D / config.num_attention_heads;
  let T = tokens ?? 0;
  if (config.model_type === 'vit') {
    const c = config as ViTConfig;
    T = tokens ?? (c.image_size / c.patch_size) ** 2 + 1;
  } else if (!tokens) {
    throw new RangeError('countFlops: BERT needs the number of tokens.');
  }
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
  if (config.model_type === 'vit') {
    const c = config as ViTConfig;
    f += 2 * (T - 1) * c.num_channels * c.patch_size ** 2 * D;
  } else if (isQuestionAnswering(config)) {
    return f + 2 * T * D * 2; // qa_outputs on every token
  } else {
    f += 2 * D * D; // pooler
  }
  return f + 2 * D * numLabels(config);
}
