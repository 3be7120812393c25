/**
 * BERT (Devlin et al. 2019) as Hugging Face's modeling_bert.py: the same modules and parameter names,
 * so that a checkpoint loads by walking its keys. Slimming hooks: `attention.self.slimming` (heads) and
 * `intermediate.slimming` (FFN neurons) in every layer.
 */
import * as tf from '@tensorflow/tfjs';
import type { EncoderLayerHandles, ModelIdentity } from './encoder-layer';
import { activation } from './activations';
import { attentionBias, SelfAttention } from './attention';
import { BertConfig, headsPerLayer, intermediateSizes, numLabels } from './config';
import { Intermediate } from './feed-forward';
import { LayerNorm } from './layer-norm';
import { Linear } from './linear';
import { dropout } from './dropout';
import { Initializer, Module, variable } from './module';

export interface BertInputs {
  inputIds: tf.Tensor2D; // [B, T] int32
  attentionMask?: tf.Tensor2D; // [B, T] 0/1
  tokenTypeIds?: tf.Tensor2D; // [B, T] int32
}

export class BertEmbeddings extends Module {
  word_embeddings: { weight: tf.Variable } & Module;
  position_embeddings: { weight: tf.Variable } & Module;
  token_type_embeddings: { weight: tf.Variable } & Module;
  LayerNorm: LayerNorm;

  constructor(
    private readonly config: BertConfig,
    init: Initializer,
  ) {
    super();
    this.word_embeddings = new Embedding(config.vocab_size, config.hidden_size, init, config.pad_token_id);
    this.position_embeddings = new Embedding(config.max_position_embeddings, config.hidden_size, init);
    this.token_type_embeddings = new Embedding(config.type_vocab_size, config.hidden_size, init);
    this.LayerNorm = new LayerNorm(config.hidden_size, config.layer_norm_eps);
  }

  forward(inputIds: tf.Tensor2D, tokenTypeIds: tf.Tensor2D, training: boolean): tf.Tensor3D {
    return tf.tidy(() => {
      const t = inputIds.shape[1];
      const positions = tf.range(0, t, 1, 'int32');
      const x = tf
        .gather(this.word_embeddings.weight, inputIds)
        .add(tf.gather(this.position_embeddings.weight, positions).expandDims(0))
        .add(tf.gather(this.token_type_embeddings.weight, tokenTypeIds));
      return dropout(this.LayerNorm.forward(x), this.config.hidden_dropout_prob, training) as tf.Tensor3D;
    });
  }
}

export class Embedding extends Module {
  weight: tf.Variable;
  constructor(count: number, size: number, init: Initializer, paddingIdx?: number) {
    super();
    this.weight = variable(
      tf.tidy(() => {
        const w = init.normal([count, size]);
        if (paddingIdx === undefined) return w;
        const keep = tf
          .oneHot(tf.tensor1d([paddingIdx], 'int32'), count)
          .sum(0)
          .sub(1)
          .neg()
          .expandDims(1);
        return w.mul(keep);
      }),
      'embedding',
    );
  }
}

export class BertSelfOutput extends Module {
  dense: Linear;
  LayerNorm: LayerNorm;
  constructor(inner: number, hidden: number, eps: number, init: Initializer) {
    super();
    this.dense = new Linear(inner, hidden, init);
    this.LayerNorm = new LayerNorm(hidden, eps);
  }
}

export class BertAttention extends Module {
  self: SelfAttention;
  output: BertSelfOutput;
  constructor(config: BertConfig, heads: number, init: Initializer) {
    super();
    const headDim = config.hidden_size / config.num_attention_heads;
    this.self = new SelfAttention(config.hidden_size, heads, headDim, init);
    this.output = new BertSelfOutput(heads * headDim, config.hidden_size, config.layer_norm_eps, init);
  }
}

export class BertOutput extends Module {
  dense: Linear;
  LayerNorm: LayerNorm;
  constructor(intermediate: number, hidden: number, eps: number, init: Initializer) {
    super();
    this.dense = new Linear(intermediate, hidden, init);
    this.LayerNorm = new LayerNorm(hidden, eps);
  }
}

/** Post-LN encoder layer: x = LN(x + Attn(x)); x = LN(x + FFN(x)). */
export class BertLayer extends Module {
  attention: BertAttention;
  intermediate: Intermediate;
  output: BertOutput;

  constructor(
    private readonly config: BertConfig,
    heads: number,
    intermediateSize: number,
    init: Initializer,
  ) {
    super();
    this.attention = new BertAttention(config, heads, init);
    this.intermediate = new Intermediate(config.hidden_size, intermediateSize, activation(config.hidden_act), init);
    this.output = new BertOutput(intermediateSize, config.hidden_size, config.layer_norm_eps, init);
  }

  forward(x: tf.Tensor3D, maskBias: tf.Tensor | null, training: boolean): tf.Tensor3D {
    return tf.tidy(() => {
      const p = this.config.hidden_dropout_prob;
      const context = this.attention.self.forward(x, maskBias, training ? this.config.attention_probs_dropout_prob : 0);
      const attended = this.attention.output.LayerNorm.forward(dropout(this.attention.output.dense.forward(context), p, training).add(x));
      const h = this.intermediate.forward(attended);
      return this.output.LayerNorm.forward(dropout(this.output.dense.forward(h), p, training).add(attended)) as tf.Tensor3D;
    });
  }
}

export class BertEncoder extends Module {
  layer: BertLayer[];
  constructor(config: BertConfig, init: Initializer) {
    super();
    const heads = headsPerLayer(config);
    const sizes = intermediateSizes(config);
    this.layer = heads.map((h, l) => new BertLayer(config, h, sizes[l], init));
  }
}

export class BertPooler extends Module {
  dense: Linear;
  constructor(hidden: number, init: Initializer) {
    super();
    this.dense = new Linear(hidden, hidden, init);
  }
  /** tanh(W h_[CLS] + b) */
  forward(hidden: tf.Tensor3D): tf.Tensor2D {
    return tf.tidy(() => tf.tanh(this.dense.forward(hidden.slice([0, 0, 0], [-1, 1, -1]).squeeze([1]))) as tf.Tensor2D);
  }
}

export class BertModel extends Module {
  embeddings: BertEmbeddings;
  encoder: BertEncoder;
  pooler: BertPooler | undefined;

  constructor(
    readonly config: BertConfig,
    init: Initializer,
    addPooler = true,
  ) {
    super();
    this.embeddings = new BertEmbeddings(config, init);
    this.encoder = new BertEncoder(config, init);
    this.pooler = addPooler ? new BertPooler(config.hidden_size, init) : undefined;
    if (!addPooler) delete this.pooler;
  }

  forward(inputs: BertInputs, training = false): { lastHiddenState: tf.Tensor3D; poolerOutput: tf.Tensor2D | null } {
    const lastHiddenState = tf.tidy(() => {
      const { inputIds } = inputs;
      const tokenTypeIds = inputs.tokenTypeIds ?? tf.zerosLike(inputIds);
      const maskBias = inputs.attentionMask ? attentionBias(inputs.attentionMask) : null;
      let h = this.embeddings.forward(inputIds, tokenTypeIds, training);
      for (const layer of this.encoder.layer) h = layer.forward(h, maskBias, training);
      return h;
    });
    return { lastHiddenState, poolerOutput: this.pooler ? this.pooler.forward(lastHiddenState) : null };
  }

  /** The handles of each encoder layer, for slimming, pruning, counting and export (see EncoderLayerHandles). */
  encoderLayers(): EncoderLayerHandles[] {
    return this.encoder.layer.map((l) => ({
      attention: l.attention.self,
      attentionOutput: l.attention.output.dense,
      intermediate: l.intermediate,
      output: l.output.dense,
    }));
  }
}

export class BertForSequenceClassification extends Module implements ModelIdentity {
  bert: BertModel;
  classifier: Linear;

  get architecture(): string {
    return 'BertForSequenceClassification';
  }

  get basePrefix(): string {
    return 'bert';
  }

  encoderLayers(): EncoderLayerHandles[] {
    return this.bert.encoderLayers();
  }

  constructor(
    readonly config: BertConfig,
    options: { seed?: number } = {},
  ) {
    super();
    const init = new Initializer(options.seed, config.initializer_range);
    this.bert = new BertModel(config, init);
    this.classifier = new Linear(config.hidden_size, numLabels(config), init);
  }

  forward(inputs: BertInputs, training = false): { logits: tf.Tensor2D; poolerOutput: tf.Tensor2D; lastHiddenState: tf.Tensor3D } {
    return tf.tidy(() => {
      const { lastHiddenState, poolerOutput } = this.bert.forward(inputs, training);
      const pooled = dropout(poolerOutput!, this.config.hidden_dropout_prob, training);
      return { logits: this.classifier.forward(pooled) as tf.Tensor2D, poolerOutput: poolerOutput!, lastHiddenState };
    });
  }
}

/** Extractive QA (SQuAD): a span head over the encoder, no pooler; start and end logits per token. */
export class BertForQuestionAnswering extends Module implements ModelIdentity {
  bert: BertModel;
  qa_outputs: Linear;

  get architecture(): string {
    return 'BertForQuestionAnswering';
  }

  get basePrefix(): string {
    return 'bert';
  }

  encoderLayers(): EncoderLayerHandles[] {
    return this.bert.encoderLayers();
  }

  constructor(
    readonly config: BertConfig,
    options: { seed?: number } = {},
  ) {
    super();
    const init = new Initializer(options.seed, config.initializer_range);
    this.bert = new BertModel(config, init, false);
    this.qa_outputs = new Linear(config.hidden_size, 2, init);
  }

  /** start and end logits [B, T] */
  forward(inputs: BertInputs, training = false): { startLogits: tf.Tensor2D; endLogits: tf.Tensor2D; lastHiddenState: tf.Tensor3D } {
    return tf.tidy(() => {
      const { lastHiddenState } = this.bert.forward(inputs, training);
      const logits = this.qa_outputs.forward(lastHiddenState); // [B, T, 2]
      const [start, end] = tf.split(logits, 2, -1);
      return { startLogits: start.squeeze([2]) as tf.Tensor2D, endLogits: end.squeeze([2]) as tf.Tensor2D, lastHiddenState };
    });
  }
}
