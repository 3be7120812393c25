import type { SelfAttention } from './attention';
import type { Intermediate } from './feed-forward';
import type { Linear } from './linear';

/**
 * The handles of one encoder layer that slimming, pruning, counting and export work on: the heads (their
 * query/key/value and slimming hook), the attention's output projection, the FFN's first projection (its
 * neurons, and their hook) and its output projection. Each model lists its own; nothing outside the model
 * walks its tree to find them.
 */
export interface EncoderLayerHandles {
  attention: SelfAttention;
  attentionOutput: Linear;
  intermediate: Intermediate;
  output: Linear;
}

/** What every task model says of itself, so that no caller has to find it out with `instanceof` or a key. */
export interface ModelIdentity {
  /** the Hugging Face class name, written to config.json's `architectures` */
  readonly architecture: string;
  /** the prefix of the base model's parameters (`bert`, `vit`): a bare base-model checkpoint loads under it */
  readonly basePrefix: string;
  encoderLayers(): EncoderLayerHandles[];
}
