/**
 * RoBERTa (Liu et al. 2019) as Hugging Face's modeling_roberta.py: BERT's encoder under `roberta.`, with
 * position ids counted from `padding_idx + 1` over the non-padding tokens, and, for classification, no
 * pooler but a two-layer head on `<s>` (`classifier.dense`, `classifier.out_proj`).
 */
import * as tf from '@tensorflow/tfjs';
import { attentionBias } from './attention';
import { BERT_DEFAULTS, BertEncoder, Embedding, textOuterCounts } from './bert';
import { numLabels, TransformerConfig } from './config';
import { dropout } from './dropout';
import type { EncoderLayerHandles } from './encoder-layer';
import { LayerNorm } from './layer-norm';
import { Linear } from './linear';
import { architecture, ModelType, QuestionAnswerer, TextClassifier, TextInputs } from './model-type';
import { Initializer, Module } from './module';

export interface RobertaConfig extends TransformerConfig {
  model_type: 'roberta';
  vocab_size: number;
  max_position_embeddings: number;
  type_vocab_size: number;
  pad_token_id: number;
}

/** transformers' RobertaConfig() defaults: BertConfig's, with `<pad>` = 1, `<s>` = 0, `</s>` = 2. */
export const ROBERTA_DEFAULTS: Omit<RobertaConfig, 'model_type'> = { ...BERT_DEFAULTS, pad_token_id: 1, bos_token_id: 0, eos_token_id: 2 };

/**
 * create_position_ids_from_input_ids: padding_idx + (the count of non-padding tokens up to and including
 * this one), padding_idx on padding. The running count is a product with an upper-triangular matrix of
 * ones, which every backend has (and no host read).
 */
export function robertaPositionIds(inputIds: tf.Tensor2D, paddingIdx: number): tf.Tensor2D {
  return tf.tidy(() => {
    const t = inputIds.shape[1];
    const tokens = tf.notEqual(inputIds, paddingIdx).toFloat();
    const upper = tf.linalg.bandPart(tf.ones([t, t]), 0, -1);
    return tf.matMul(tokens, upper).mul(tokens).round().add(paddingIdx).toInt() as tf.Tensor2D;
  });
}

export class RobertaEmbeddings extends Module {
  word_embeddings: Embedding;
  position_embeddings: Embedding;
  token_type_embeddings: Embedding;
  LayerNorm: LayerNorm;

  constructor(
    private readonly config: RobertaConfig,
    init: Initializer,
  ) {
    super();
    this.word_embeddings = new Embedding(config.vocab_size, config.hidden_size, init, config.pad_token_id);
    this.position_embeddings = new Embedding(config.max_position_embeddings, config.hidden_size, init, config.pad_token_id);
    this.token_type_embeddings = new Embedding(config.type_vocab_size, config.hidden_size, init);
    this.LayerNorm = new LayerNorm(config.hidden_size, config.layer_norm_eps);
  }

  forward(inputIds: tf.Tensor2D, tokenTypeIds: tf.Tensor2D, training: boolean): tf.Tensor3D {
    return tf.tidy(() => {
      const x = tf
        .gather(this.word_embeddings.weight, inputIds)
        .add(tf.gather(this.token_type_embeddings.weight, tokenTypeIds))
        .add(tf.gather(this.position_embeddings.weight, robertaPositionIds(inputIds, this.config.pad_token_id)));
      return dropout(this.LayerNorm.forward(x), this.config.hidden_dropout_prob, training) as tf.Tensor3D;
    });
  }
}

/** RoBERTa's base model, without a pooler (neither task head here reads one). */
export class RobertaModel extends Module {
  embeddings: RobertaEmbeddings;
  encoder: BertEncoder;

  constructor(
    readonly config: RobertaConfig,
    init: Initializer,
  ) {
    super();
    this.embeddings = new RobertaEmbeddings(config, init);
    this.encoder = new BertEncoder(config, init);
  }

  forward(inputs: TextInputs, training = false): tf.Tensor3D {
    return tf.tidy(() => {
      const { inputIds } = inputs;
      const maskBias = inputs.attentionMask ? attentionBias(inputs.attentionMask) : null;
      const h = this.embeddings.forward(inputIds, inputs.tokenTypeIds ?? tf.zerosLike(inputIds), training);
      return this.encoder.forward(h, maskBias, training);
    });
  }
}

/** out_proj(dropout(tanh(dense(dropout(h_<s>))))) */
export class RobertaClassificationHead extends Module {
  dense: Linear;
  out_proj: Linear;

  constructor(
    private readonly config: RobertaConfig,
    init: Initializer,
  ) {
    super();
    this.dense = new Linear(config.hidden_size, config.hidden_size, init);
    this.out_proj = new Linear(config.hidden_size, numLabels(config), init);
  }

  forward(hidden: tf.Tensor3D, training: boolean): tf.Tensor2D {
    return tf.tidy(() => {
      const p = this.config.hidden_dropout_prob;
      const first = dropout(hidden.slice([0, 0, 0], [-1, 1, -1]).squeeze([1]), p, training);
      return this.out_proj.forward(dropout(tf.tanh(this.dense.forward(first)), p, training)) as tf.Tensor2D;
    });
  }
}

abstract class RobertaTaskModel extends Module {
  roberta: RobertaModel;

  get basePrefix(): string {
    return 'roberta';
  }

  encoderLayers(): EncoderLayerHandles[] {
    return this.roberta.encoder.encoderLayers();
  }

  constructor(
    readonly config: RobertaConfig,
    init: Initializer,
  ) {
    super();
    this.roberta = new RobertaModel(config, init);
  }
}

export class RobertaForSequenceClassification extends RobertaTaskModel implements TextClassifier {
  classifier: RobertaClassificationHead;
  readonly task = 'text-classification';

  get architecture(): string {
    return 'RobertaForSequenceClassification';
  }

  constructor(config: RobertaConfig, options: { seed?: number } = {}) {
    const init = new Initializer(options.seed, config.initializer_range);
    super(config, init);
    this.classifier = new RobertaClassificationHead(config, init);
  }

  forward(inputs: TextInputs, training = false): { logits: tf.Tensor2D; lastHiddenState: tf.Tensor3D } {
    return tf.tidy(() => {
      const lastHiddenState = this.roberta.forward(inputs, training);
      return { logits: this.classifier.forward(lastHiddenState, training), lastHiddenState };
    });
  }
}

export class RobertaForQuestionAnswering extends RobertaTaskModel implements QuestionAnswerer {
  qa_outputs: Linear;
  readonly task = 'question-answering';

  get architecture(): string {
    return 'RobertaForQuestionAnswering';
  }

  constructor(config: RobertaConfig, options: { seed?: number } = {}) {
    const init = new Initializer(options.seed, config.initializer_range);
    super(config, init);
    this.qa_outputs = new Linear(config.hidden_size, 2, init);
  }

  forward(inputs: TextInputs, training = false): { startLogits: tf.Tensor2D; endLogits: tf.Tensor2D; lastHiddenState: tf.Tensor3D } {
    return tf.tidy(() => {
      const lastHiddenState = this.roberta.forward(inputs, training);
      const [start, end] = tf.split(this.qa_outputs.forward(lastHiddenState), 2, -1);
      return { startLogits: start.squeeze([2]) as tf.Tensor2D, endLogits: end.squeeze([2]) as tf.Tensor2D, lastHiddenState };
    });
  }
}

export const ROBERTA: ModelType = {
  name: 'roberta',
  defaults: { ...ROBERTA_DEFAULTS, model_type: 'roberta' },
  positiveKeys: ['vocab_size', 'max_position_embeddings', 'type_vocab_size'],
  architectures: {
    RobertaForSequenceClassification: architecture('text-classification', (c, o) => new RobertaForSequenceClassification(c as RobertaConfig, o)),
    RobertaForQuestionAnswering: architecture('question-answering', (c, o) => new RobertaForQuestionAnswering(c as RobertaConfig, o)),
  },
  check: (config) => {
    const c = config as RobertaConfig;
    const ok = Number.isInteger(c.pad_token_id) && c.pad_token_id >= 0 && c.pad_token_id + 1 < c.max_position_embeddings;
    return ok ? null : `pad_token_id ${JSON.stringify(c.pad_token_id)} leaves no positions below max_position_embeddings ${c.max_position_embeddings}.`;
  },
  // positions start after padding_idx, so a row holds max_position_embeddings - padding_idx - 1 tokens (514 - 2 = 512)
  input: (config) => {
    const c = config as RobertaConfig;
    return { modality: 'text', vocabSize: c.vocab_size, typeVocabSize: c.type_vocab_size, maxLength: c.max_position_embeddings - c.pad_token_id - 1 };
  },
  fixedTokens: () => null,
  // the classification head is BERT's pooler and classifier in size (dense D x D on <s>, then D x labels)
  outerParameters: (c, name) => textOuterCounts(ROBERTA.architectures[name].task, c, 0).parameters,
  outerFlops: (c, name, tokens) => textOuterCounts(ROBERTA.architectures[name].task, c, tokens).flops,
};
