import { numLabels, ViTForImageClassification } from '@ebt/models';
import { Exporter, FLOAT } from './layers';

/** ViT as an ONNX graph: pixel_values [batch_size, num_channels, height, width] -> logits [batch_size, num_labels]. */
export async function vitGraph(model: ViTForImageClassification): Promise<Exporter> {
  const e = await Exporter.of(model);
  const g = e.g;
  const { config } = model;
  const size = config.image_size;
  const pixels = g.input('pixel_values', FLOAT, ['batch_size', config.num_channels, size, size]);

  const emb = model.vit.embeddings;
  const projection = emb.patch_embeddings.projection;
  const p = config.patch_size;
  // the checkpoint's Conv2d (kernel = stride = patch), then [B, D, h, w] -> [B, h*w, D]
  const conv = g.node('Conv', [pixels, e.param(projection.weight, 'checkpoint'), e.param(projection.bias)], {
    kernel_shape: [p, p],
    strides: [p, p],
  });
  const patches = g.node('Transpose', [g.node('Reshape', [conv, g.int64([0, 0, -1])])], { perm: [0, 2, 1] });
  const batch = g.node('Slice', [g.node('Shape', [pixels]), g.int64([0]), g.int64([1])]);
  const cls = g.node('Expand', [e.param(emb.cls_token), g.node('Concat', [batch, g.int64([1, config.hidden_size])], { axis: 0 })]);
  let h = g.node('Add', [g.node('Concat', [cls, patches], { axis: 1 }), e.param(emb.position_embeddings)]);

  for (const layer of model.vit.encoder.layer) {
    const context = e.selfAttention(e.layerNorm(h, layer.layernorm_before), layer.attention.attention, null);
    h = g.node('Add', [e.linear(context, layer.attention.output.dense), h]);
    const ffn = e.activation(e.linear(e.layerNorm(h, layer.layernorm_after), layer.intermediate.dense), config.hidden_act);
    h = g.node('Add', [e.linear(ffn, layer.output.dense), h]);
  }
  const cls0 = e.token(e.layerNorm(h, model.vit.layernorm), 0);
  g.output('logits', e.linear(cls0, model.classifier), FLOAT, ['batch_size', numLabels(config)]);
  return e;
}
