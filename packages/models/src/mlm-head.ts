/**
 * BERT's masked-language-model head as transformers' modeling_bert.py builds it (`cls.predictions.*`): the
 * transform (dense, activation, LayerNorm) and the decoder over the word embeddings with a bias per entry.
 */
import * as tf from '@tensorflow/tfjs';
import { activation } from './activations';
import type { BertConfig } from './config';
import { LayerNorm } from './layer-norm';
import { Linear } from './linear';
import { Initializer, Module, variable } from './module';

/** transformers' BertPredictionHeadTransform: dense, activation, LayerNorm on every token. */
export class BertPredictionHeadTransform extends Module {
  dense: Linear;
  LayerNorm: LayerNorm;
  constructor(
    private readonly config: BertConfig,
    init: Initializer,
  ) {
    super();
    this.dense = new Linear(config.hidden_size, config.hidden_size, init);
    this.LayerNorm = new LayerNorm(config.hidden_size, config.layer_norm_eps);
  }
  forward<T extends tf.Tensor>(h: T): T {
    return tf.tidy(() => this.LayerNorm.forward(activation(this.config.hidden_act)(this.dense.forward(h))) as T);
  }
}

/**
 * transformers' BertLMPredictionHead: the transform, then the decoder - tied to the word embeddings, as
 * `tie_word_embeddings` (true by default) makes it, so the checkpoint holds no `decoder.weight` - and a bias
 * per vocabulary entry (`cls.predictions.bias`).
 */
export class BertLMPredictionHead extends Module {
  transform: BertPredictionHeadTransform;
  bias: tf.Variable;
  constructor(config: BertConfig, init: Initializer) {
    super();
    this.transform = new BertPredictionHeadTransform(config, init);
    this.bias = variable(tf.zeros([config.vocab_size]), 'bias');
  }
  /** [N, D] -> [N, V] through the word embeddings [V, D] */
  forward(h: tf.Tensor2D, wordEmbeddings: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => tf.matMul(this.transform.forward(h), wordEmbeddings, false, true).add(this.bias) as tf.Tensor2D);
  }
}

/** transformers' BertOnlyMLMHead, kept for its parameter names (`cls.predictions.*`). */
export class BertOnlyMLMHead extends Module {
  predictions: BertLMPredictionHead;
  constructor(config: BertConfig, init: Initializer) {
    super();
    this.predictions = new BertLMPredictionHead(config, init);
  }
}
