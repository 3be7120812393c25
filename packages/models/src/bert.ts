/**
 * BERT (Devlin et al. 2019) as Hugging Face's modeling_bert.py: the same modules and parameter names,
 * so that a checkpoint loads by walking its keys. Slimming hooks: `attention.self.slimming` (heads) and
 * `intermediate.slimming` (FFN neurons) in every layer.
 */
import * as tf from '@tensorflow/tfjs';
import type { EncoderLayerHandles } from './encoder-layer';
import { activation } from './activations';
import { attentionBias, SelfAttention } from './attention';
import { BertConfig, headsPerLayer, intermediateSizes, numLabels, TransformerConfig } from './config';
import { Intermediate } from './feed-forward';
import { LayerNorm } from './layer-norm';
import { Linear } from './linear';
import { dropout } from './dropout';
import { architecture, headCounts, MaskedLanguageModel, ModelTask, ModelType, QuestionAnswerer, TextClassifier, TextInputs } from './model-type';
import { Initializer, Module, variable } from './module';
import { ConfigError } from './errors';
import { BertOnlyMLMHead } from './mlm-head';

/** transformers' BertConfig() defaults (bert-base-uncased). */
export const BERT_DEFAULTS: Omit<BertConfig, 'model_type'> = {
  vocab_size: 30522,
  hidden_size: 768,
  num_hidden_layers: 12,
  num_attention_heads: 12,
  intermediate_size: 3072,
  hidden_act: 'gelu',
  hidden_dropout_prob: 0.1,
  attention_probs_dropout_prob: 0.1,
  max_position_embeddings: 512,
  type_vocab_size: 2,
  initializer_range: 0.02,
  layer_norm_eps: 1e-12,
  pad_token_id: 0,
  position_embedding_type: 'absolute',
};

/** BERT's inputs: token ids, attention mask, segment ids. */
export type BertInputs = TextInputs;

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

/** LN(input + dropout(dense(hidden))): BertSelfOutput after attention, BertOutput after the FFN. */
export class BertSelfOutput extends Module {
  dense: Linear;
  LayerNorm: LayerNorm;
  constructor(
    inner: number,
    hidden: number,
    eps: number,
    private readonly dropoutProb: number,
    init: Initializer,
  ) {
    super();
    this.dense = new Linear(inner, hidden, init);
    this.LayerNorm = new LayerNorm(hidden, eps);
  }

  forward(hidden: tf.Tensor3D, input: tf.Tensor3D, training: boolean): tf.Tensor3D {
    return tf.tidy(() => this.LayerNorm.forwardAdd(dropout(this.dense.forward(hidden), this.dropoutProb, training), input).normed as tf.Tensor3D);
  }
}

export class BertOutput extends BertSelfOutput {}

export class BertAttention extends Module {
  self: SelfAttention;
  output: BertSelfOutput;
  constructor(
    private readonly config: TransformerConfig,
    heads: number,
    init: Initializer,
  ) {
    super();
    const headDim = config.hidden_size / config.num_attention_heads;
    this.self = new SelfAttention(config.hidden_size, heads, headDim, init);
    this.output = new BertSelfOutput(heads * headDim, config.hidden_size, config.layer_norm_eps, config.hidden_dropout_prob, init);
  }

  forward(x: tf.Tensor3D, maskBias: tf.Tensor | null, training: boolean): tf.Tensor3D {
    return tf.tidy(() => this.output.forward(this.self.forward(x, maskBias, training ? this.config.attention_probs_dropout_prob : 0), x, training));
  }
}

/** Post-LN encoder layer: x = LN(x + Attn(x)); x = LN(x + FFN(x)). */
export class BertLayer extends Module {
  attention: BertAttention;
  intermediate: Intermediate;
  output: BertOutput;

  constructor(config: TransformerConfig, heads: number, intermediateSize: number, init: Initializer) {
    super();
    this.attention = new BertAttention(config, heads, init);
    this.intermediate = new Intermediate(config.hidden_size, intermediateSize, activation(config.hidden_act), init);
    this.output = new BertOutput(intermediateSize, config.hidden_size, config.layer_norm_eps, config.hidden_dropout_prob, init);
  }

  forward(x: tf.Tensor3D, maskBias: tf.Tensor | null, training: boolean): tf.Tensor3D {
    return tf.tidy(() => {
      const attended = this.attention.forward(x, maskBias, training);
      return this.output.forward(this.intermediate.forward(attended) as tf.Tensor3D, attended, training);
    });
  }
}

export class BertEncoder extends Module {
  layer: BertLayer[];
  constructor(config: TransformerConfig, init: Initializer) {
    super();
    const heads = headsPerLayer(config);
    const sizes = intermediateSizes(config);
    this.layer = heads.map((h, l) => new BertLayer(config, h, sizes[l], init));
  }

  forward(h: tf.Tensor3D, maskBias: tf.Tensor | null, training: boolean): tf.Tensor3D {
    return tf.tidy(() => this.layer.reduce((x, layer) => layer.forward(x, maskBias, training), h));
  }

  /** The handles of each layer, for slimming, pruning, counting and export (see EncoderLayerHandles). */
  encoderLayers(): EncoderLayerHandles[] {
    return this.layer.map((l) => ({
      attention: l.attention.self,
      attentionOutput: l.attention.output.dense,
      intermediate: l.intermediate,
      output: l.output.dense,
    }));
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

  forward(inputs: TextInputs, training = false): { lastHiddenState: tf.Tensor3D; poolerOutput: tf.Tensor2D | null } {
    const lastHiddenState = tf.tidy(() => {
      const { inputIds } = inputs;
      const tokenTypeIds = inputs.tokenTypeIds ?? tf.zerosLike(inputIds);
      const maskBias = inputs.attentionMask ? attentionBias(inputs.attentionMask) : null;
      return this.encoder.forward(this.embeddings.forward(inputIds, tokenTypeIds, training), maskBias, training);
    });
    return { lastHiddenState, poolerOutput: this.pooler ? this.pooler.forward(lastHiddenState) : null };
  }
}

export class BertForSequenceClassification extends Module implements TextClassifier {
  bert: BertModel;
  classifier: Linear;
  readonly task = 'text-classification';

  get architecture(): string {
    return 'BertForSequenceClassification';
  }

  get basePrefix(): string {
    return 'bert';
  }

  encoderLayers(): EncoderLayerHandles[] {
    return this.bert.encoder.encoderLayers();
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

  forward(inputs: TextInputs, training = false): { logits: tf.Tensor2D; poolerOutput: tf.Tensor2D; lastHiddenState: tf.Tensor3D } {
    return tf.tidy(() => {
      const { lastHiddenState, poolerOutput } = this.bert.forward(inputs, training);
      const pooled = dropout(poolerOutput!, this.config.hidden_dropout_prob, training);
      return { logits: this.classifier.forward(pooled) as tf.Tensor2D, poolerOutput: poolerOutput!, lastHiddenState };
    });
  }
}

/** Extractive QA (SQuAD): a span head over the encoder, no pooler; start and end logits per token. */
export class BertForQuestionAnswering extends Module implements QuestionAnswerer {
  bert: BertModel;
  qa_outputs: Linear;
  readonly task = 'question-answering';

  get architecture(): string {
    return 'BertForQuestionAnswering';
  }

  get basePrefix(): string {
    return 'bert';
  }

  encoderLayers(): EncoderLayerHandles[] {
    return this.bert.encoder.encoderLayers();
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
  forward(inputs: TextInputs, training = false): { startLogits: tf.Tensor2D; endLogits: tf.Tensor2D; lastHiddenState: tf.Tensor3D } {
    return tf.tidy(() => {
      const { lastHiddenState } = this.bert.forward(inputs, training);
      const logits = this.qa_outputs.forward(lastHiddenState); // [B, T, 2]
      const [start, end] = tf.split(logits, 2, -1);
      return { startLogits: start.squeeze([2]) as tf.Tensor2D, endLogits: end.squeeze([2]) as tf.Tensor2D, lastHiddenState };
    });
  }
}

/** Masked-language modelling (BERT's pretraining objective without next-sentence prediction): vocabulary logits at every token. */
export class BertForMaskedLM extends Module implements MaskedLanguageModel {
  bert: BertModel;
  cls: BertOnlyMLMHead;
  readonly task = 'fill-mask';

  get architecture(): string {
    return 'BertForMaskedLM';
  }

  get basePrefix(): string {
    return 'bert';
  }

  encoderLayers(): EncoderLayerHandles[] {
    return this.bert.encoder.encoderLayers();
  }

  constructor(
    readonly config: BertConfig,
    options: { seed?: number } = {},
  ) {
    super();
    if (config.tie_word_embeddings === false)
      throw new ConfigError("config.json: field 'tie_word_embeddings' is false; ebt's BertForMaskedLM ties the decoder to the word embeddings.");
    const init = new Initializer(options.seed, config.initializer_range);
    this.bert = new BertModel(config, init, false);
    this.cls = new BertOnlyMLMHead(config, init);
  }

  forward(inputs: TextInputs, training = false): { logits: tf.Tensor3D; lastHiddenState: tf.Tensor3D } {
    return tf.tidy(() => {
      const { lastHiddenState } = this.bert.forward(inputs, training);
      const [b, t, d] = lastHiddenState.shape;
      const logits = this.predict(lastHiddenState.reshape([b * t, d]));
      return { logits: logits.reshape([b, t, -1]) as tf.Tensor3D, lastHiddenState };
    });
  }

  /**
   * Vocabulary logits [N, V] at N flat positions (b * T + t) only - the masked tokens, as Google's BERT
   * pretraining gathers them (`gather_indexes`): the decoder, the largest product of a small BERT, runs on 15%
   * of the tokens instead of all of them.
   */
  forwardAt(inputs: TextInputs, positions: tf.Tensor1D, training = false): tf.Tensor2D {
    return tf.tidy(() => {
      const { lastHiddenState } = this.bert.forward(inputs, training);
      const [b, t, d] = lastHiddenState.shape;
      return this.predict(tf.gather(lastHiddenState.reshape([b * t, d]), positions) as tf.Tensor2D);
    });
  }

  private predict(hidden: tf.Tensor2D): tf.Tensor2D {
    return this.cls.predictions.forward(hidden, this.bert.embeddings.word_embeddings.weight as tf.Tensor2D);
  }
}

/**
 * Parameters and FLOPs of a BERT-like text model outside its encoder: the embeddings (words, positions,
 * segments, LayerNorm), then, for classification, a D x D dense layer on the first token (BERT's pooler,
 * RoBERTa's classifier.dense) before the head; QA and masked-LM have no such layer and their heads read every
 * token.
 */
export function textOuterCounts(task: ModelTask, config: TransformerConfig, tokens: number): { parameters: number; flops: number } {
  const c = config as BertConfig;
  const D = c.hidden_size;
  const embeddings = (c.vocab_size + c.max_position_embeddings + c.type_vocab_size) * D + 2 * D;
  const head = headCounts(task, D, task === 'fill-mask' ? c.vocab_size : numLabels(c), tokens);
  const pooled = task === 'text-classification';
  const dense = pooled ? { parameters: D * D + D, flops: 2 * D * D } : { parameters: 0, flops: 0 };
  return { parameters: embeddings + dense.parameters + head.parameters, flops: dense.flops + head.flops };
}

export const BERT: ModelType = {
  name: 'bert',
  defaults: { ...BERT_DEFAULTS, model_type: 'bert' },
  positiveKeys: ['vocab_size', 'max_position_embeddings', 'type_vocab_size'],
  architectures: {
    BertForSequenceClassification: architecture('text-classification', (c, o) => new BertForSequenceClassification(c as BertConfig, o)),
    BertForQuestionAnswering: architecture('question-answering', (c, o) => new BertForQuestionAnswering(c as BertConfig, o)),
    BertForMaskedLM: architecture('fill-mask', (c, o) => new BertForMaskedLM(c as BertConfig, o)),
  },
  input: (c) => {
    const b = c as BertConfig;
    return { modality: 'text', vocabSize: b.vocab_size, typeVocabSize: b.type_vocab_size, maxLength: b.max_position_embeddings };
  },
  fixedTokens: () => null,
  outerParameters: (c, name) => textOuterCounts(BERT.architectures[name].task, c, 0).parameters,
  outerFlops: (c, name, tokens) => textOuterCounts(BERT.architectures[name].task, c, tokens).flops,
};
