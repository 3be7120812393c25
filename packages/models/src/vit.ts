/**
 * ViT (Dosovitskiy et al. 2021) as Hugging Face's modeling_vit.py: the same modules and parameter names.
 * Slimming hooks: `attention.attention.slimming` (heads) and `intermediate.slimming` (FFN neurons).
 * small-ViT is this model built from a config with Hugging Face's initialisation.
 */
import * as tf from '@tensorflow/tfjs';
import type { EncoderLayerHandles } from './encoder-layer';
import { activation } from './activations';
import { SelfAttention } from './attention';
import { headsPerLayer, intermediateSizes, numLabels, ViTConfig } from './config';
import { architecture, headCounts, ImageClassifier, ModelType } from './model-type';
import { Intermediate } from './feed-forward';
import { LayerNorm } from './layer-norm';
import { Linear } from './linear';
import { dropout } from './dropout';
import { Initializer, Module, variable } from './module';

/** transformers' ViTConfig() defaults (google/vit-base-patch16-224). */
export const VIT_DEFAULTS: Omit<ViTConfig, 'model_type'> = {
  hidden_size: 768,
  num_hidden_layers: 12,
  num_attention_heads: 12,
  intermediate_size: 3072,
  hidden_act: 'gelu',
  hidden_dropout_prob: 0,
  attention_probs_dropout_prob: 0,
  initializer_range: 0.02,
  layer_norm_eps: 1e-12,
  image_size: 224,
  patch_size: 16,
  num_channels: 3,
  qkv_bias: true,
};

/**
 * The patch embedding, a Conv2d with kernel = stride = patch size in the checkpoint ([D, C, p, p]). Since
 * patches do not overlap it is a matMul on flattened patches, which every backend differentiates (tfjs-wasm
 * has no Conv2DBackpropFilter); the weight is kept as [C*p*p, D].
 */
export class PatchProjection extends Module {
  weight: tf.Variable; // [C*p*p, D]
  bias: tf.Variable; // [D]

  constructor(
    readonly channels: number,
    readonly patch: number,
    readonly hidden: number,
    init: Initializer,
  ) {
    super();
    this.weight = variable(
      tf.tidy(() => init.truncNormal([hidden, channels * patch * patch]).transpose()),
      'patch',
    );
    this.bias = variable(tf.zeros([hidden]), 'patch_bias');
  }

  override fromCheckpoint(property: string, t: tf.Tensor): tf.Tensor {
    return property === 'weight' ? t.reshape([this.hidden, -1]).transpose() : t;
  }

  override toCheckpoint(property: string, t: tf.Tensor): tf.Tensor {
    return property === 'weight' ? t.transpose().reshape([this.hidden, this.channels, this.patch, this.patch]) : t;
  }

  /** [B, C, H, W] -> [B, (H/p)(W/p), D] */
  forward(pixels: tf.Tensor4D): tf.Tensor3D {
    return tf.tidy(() => {
      const [b, c, h, w] = pixels.shape;
      const p = this.patch;
      const patches = pixels
        .reshape([b, c, h / p, p, w / p, p])
        .transpose([0, 2, 4, 1, 3, 5])
        .reshape([b * (h / p) * (w / p), c * p * p]);
      return tf
        .matMul(patches, this.weight)
        .add(this.bias)
        .reshape([b, (h / p) * (w / p), this.hidden]) as tf.Tensor3D;
    });
  }
}

export class ViTPatchEmbeddings extends Module {
  projection: PatchProjection;
  constructor(config: ViTConfig, init: Initializer) {
    super();
    this.projection = new PatchProjection(config.num_channels, config.patch_size, config.hidden_size, init);
  }
}

export class ViTEmbeddings extends Module {
  cls_token: tf.Variable; // [1, 1, D]
  position_embeddings: tf.Variable; // [1, N + 1, D]
  patch_embeddings: ViTPatchEmbeddings;

  constructor(
    private readonly config: ViTConfig,
    init: Initializer,
  ) {
    super();
    const patches = (config.image_size / config.patch_size) ** 2;
    this.cls_token = variable(init.truncNormal([1, 1, config.hidden_size]), 'cls');
    this.position_embeddings = variable(init.truncNormal([1, patches + 1, config.hidden_size]), 'pos');
    this.patch_embeddings = new ViTPatchEmbeddings(config, init);
  }

  forward(pixels: tf.Tensor4D, training: boolean): tf.Tensor3D {
    return tf.tidy(() => {
      const x = this.patch_embeddings.projection.forward(pixels);
      const cls = tf.tile(this.cls_token, [x.shape[0], 1, 1]);
      const h = tf.concat([cls, x], 1).add(this.position_embeddings);
      return dropout(h, this.config.hidden_dropout_prob, training) as tf.Tensor3D;
    });
  }
}

/** dropout(dense(hidden)); the residual is the layer's (as HF: ViT is pre-LN). */
export class ViTSelfOutput extends Module {
  dense: Linear;
  constructor(
    inner: number,
    hidden: number,
    private readonly dropoutProb: number,
    init: Initializer,
  ) {
    super();
    this.dense = new Linear(inner, hidden, init);
  }

  forward(hidden: tf.Tensor3D, training: boolean): tf.Tensor3D {
    return tf.tidy(() => dropout(this.dense.forward(hidden), this.dropoutProb, training) as tf.Tensor3D);
  }
}

export class ViTAttention extends Module {
  attention: SelfAttention;
  output: ViTSelfOutput;
  constructor(
    private readonly config: ViTConfig,
    heads: number,
    init: Initializer,
  ) {
    super();
    const headDim = config.hidden_size / config.num_attention_heads;
    this.attention = new SelfAttention(config.hidden_size, heads, headDim, init, config.qkv_bias);
    this.output = new ViTSelfOutput(heads * headDim, config.hidden_size, config.hidden_dropout_prob, init);
  }

  forward(x: tf.Tensor3D, training: boolean): tf.Tensor3D {
    return tf.tidy(() => this.output.forward(this.attention.forward(x, null, training ? this.config.attention_probs_dropout_prob : 0), training));
  }
}

/** dropout(dense(hidden)): the FFN's output projection; the second residual is the layer's (ViTLayer.forwardPending). */
export class ViTOutput extends Module {
  dense: Linear;
  constructor(
    intermediate: number,
    hidden: number,
    private readonly dropoutProb: number,
    init: Initializer,
  ) {
    super();
    this.dense = new Linear(intermediate, hidden, init);
  }

  forward(hidden: tf.Tensor3D, training: boolean): tf.Tensor3D {
    return tf.tidy(() => dropout(this.dense.forward(hidden), this.dropoutProb, training) as tf.Tensor3D);
  }
}

/**
 * The residual stream with its last add not yet taken: the hidden state is branch + stream. A pre-LN layer
 * takes that add together with its first LayerNorm (LayerNorm.forwardAdd: one kernel where the backend has it).
 */
export interface PendingResidual {
  branch: tf.Tensor3D;
  /** null: the hidden state is branch alone */
  stream: tf.Tensor3D | null;
}

/** Pre-LN encoder layer: x = x + Attn(LN(x)); x = x + FFN(LN(x)). */
export class ViTLayer extends Module {
  layernorm_before: LayerNorm;
  attention: ViTAttention;
  layernorm_after: LayerNorm;
  intermediate: Intermediate;
  output: ViTOutput;

  constructor(config: ViTConfig, heads: number, intermediateSize: number, init: Initializer) {
    super();
    this.layernorm_before = new LayerNorm(config.hidden_size, config.layer_norm_eps);
    this.attention = new ViTAttention(config, heads, init);
    this.layernorm_after = new LayerNorm(config.hidden_size, config.layer_norm_eps);
    this.intermediate = new Intermediate(config.hidden_size, intermediateSize, activation(config.hidden_act), init);
    this.output = new ViTOutput(intermediateSize, config.hidden_size, config.hidden_dropout_prob, init);
  }

  forward(x: tf.Tensor3D, training: boolean): tf.Tensor3D {
    return tf.tidy(() => {
      const { branch, stream } = this.forwardPending({ branch: x, stream: null }, training);
      return branch.add(stream);
    });
  }

  /** The layer on a hidden state whose last residual add is pending; returns its own output the same way. */
  forwardPending(input: PendingResidual, training: boolean): { branch: tf.Tensor3D; stream: tf.Tensor3D } {
    return tf.tidy(() => {
      const before = this.layernorm_before.forwardAdd(input.branch, input.stream);
      const attention = this.attention.forward(before.normed as tf.Tensor3D, training);
      const after = this.layernorm_after.forwardAdd(attention, before.sum);
      const ffn = this.output.forward(this.intermediate.forward(after.normed) as tf.Tensor3D, training);
      return { branch: ffn, stream: after.sum as tf.Tensor3D };
    });
  }
}

export class ViTEncoder extends Module {
  layer: ViTLayer[];
  constructor(config: ViTConfig, init: Initializer) {
    super();
    const heads = headsPerLayer(config);
    const sizes = intermediateSizes(config);
    this.layer = heads.map((h, l) => new ViTLayer(config, h, sizes[l], init));
  }
}

export class ViTModel extends Module {
  embeddings: ViTEmbeddings;
  encoder: ViTEncoder;
  layernorm: LayerNorm;

  constructor(
    readonly config: ViTConfig,
    init: Initializer,
  ) {
    super();
    this.embeddings = new ViTEmbeddings(config, init);
    this.encoder = new ViTEncoder(config, init);
    this.layernorm = new LayerNorm(config.hidden_size, config.layer_norm_eps);
  }

  /** pixels [B, C, H, W] -> last hidden state [B, N + 1, D] after the final LayerNorm */
  forward(pixels: tf.Tensor4D, training = false): tf.Tensor3D {
    return tf.tidy(() => {
      let h: PendingResidual = { branch: this.embeddings.forward(pixels, training), stream: null };
      for (const layer of this.encoder.layer) h = layer.forwardPending(h, training);
      return this.layernorm.forwardAdd(h.branch, h.stream).normed as tf.Tensor3D;
    });
  }
}

export class ViTForImageClassification extends Module implements ImageClassifier {
  vit: ViTModel;
  classifier: Linear;
  readonly task = 'image-classification';

  get architecture(): string {
    return 'ViTForImageClassification';
  }

  get basePrefix(): string {
    return 'vit';
  }

  encoderLayers(): EncoderLayerHandles[] {
    return this.vit.encoder.layer.map((l) => ({
      attention: l.attention.attention,
      attentionOutput: l.attention.output.dense,
      intermediate: l.intermediate,
      output: l.output.dense,
    }));
  }

  constructor(
    readonly config: ViTConfig,
    options: { seed?: number } = {},
  ) {
    super();
    const init = new Initializer(options.seed, config.initializer_range);
    this.vit = new ViTModel(config, init);
    this.classifier = new Linear(config.hidden_size, numLabels(config), init);
    // Hugging Face initialises every Linear with trunc_normal(std) in ViT, not normal(std) as in BERT.
    for (const [, v, owner, key] of this.namedParameters()) {
      if (owner instanceof Linear && key === 'weight') tf.tidy(() => v.assign(init.truncNormal([v.shape[1] as number, v.shape[0]]).transpose()));
    }
  }

  forward(pixelValues: tf.Tensor4D, training = false): { logits: tf.Tensor2D; lastHiddenState: tf.Tensor3D } {
    return tf.tidy(() => {
      const lastHiddenState = this.vit.forward(pixelValues, training);
      const cls = lastHiddenState.slice([0, 0, 0], [-1, 1, -1]).squeeze([1]);
      return { logits: this.classifier.forward(cls) as tf.Tensor2D, lastHiddenState };
    });
  }
}

const patchCount = (c: ViTConfig) => (c.image_size / c.patch_size) ** 2;

export const VIT: ModelType = {
  name: 'vit',
  defaults: { ...VIT_DEFAULTS, model_type: 'vit' },
  positiveKeys: ['image_size', 'patch_size', 'num_channels'],
  architectures: {
    ViTForImageClassification: architecture('image-classification', (c, o) => new ViTForImageClassification(c as ViTConfig, o)),
  },
  check: (config) => {
    const c = config as ViTConfig;
    return c.image_size % c.patch_size === 0 ? null : `image_size ${c.image_size} is not a multiple of patch_size ${c.patch_size}.`;
  },
  input: (c) => ({ modality: 'image', channels: (c as ViTConfig).num_channels, imageSize: (c as ViTConfig).image_size }),
  fixedTokens: (c) => patchCount(c as ViTConfig) + 1,
  outerParameters: (config, name) => {
    const c = config as ViTConfig;
    const D = c.hidden_size;
    const embeddings = c.num_channels * c.patch_size ** 2 * D + D + D + (patchCount(c) + 1) * D; // patches, [CLS], positions
    return embeddings + 2 * D + headCounts(VIT.architectures[name].task, D, numLabels(c), 0).parameters; // final LayerNorm, head
  },
  outerFlops: (config, name, tokens) => {
    const c = config as ViTConfig;
    const patches = 2 * (tokens - 1) * c.num_channels * c.patch_size ** 2 * c.hidden_size;
    return patches + headCounts(VIT.architectures[name].task, c.hidden_size, numLabels(c), tokens).flops;
  },
};
