import { BertForQuestionAnswering, BertForSequenceClassification, numLabels } from '@ebt/models';
import { Exporter, FLOAT, INT64 } from './layers';

/**
 * BERT as an ONNX graph with the inputs and outputs of Optimum's exports: int64 input_ids, attention_mask
 * and token_type_ids [batch_size, sequence_length]; logits [batch_size, num_labels], or start_logits and
 * end_logits [batch_size, sequence_length] for question answering.
 */
export async function bertGraph(model: BertForSequenceClassification | BertForQuestionAnswering): Promise<Exporter> {
  const e = await Exporter.of(model);
  const g = e.g;
  const { config } = model;
  const axes: [string, string] = ['batch_size', 'sequence_length'];
  const inputIds = g.input('input_ids', INT64, axes);
  const attentionMask = g.input('attention_mask', INT64, axes);
  const tokenTypeIds = g.input('token_type_ids', INT64, axes);

  const emb = model.bert.embeddings;
  const length = g.node('Gather', [g.node('Shape', [inputIds]), g.int64([1], [])], { axis: 0 });
  const positions = g.node('Range', [g.int64([0], []), length, g.int64([1], [])]);
  const words = g.node('Gather', [e.param(emb.word_embeddings.weight), inputIds]);
  const summed = g.node('Add', [
    g.node('Add', [words, g.node('Gather', [e.param(emb.position_embeddings.weight), positions])]),
    g.node('Gather', [e.param(emb.token_type_embeddings.weight), tokenTypeIds]),
  ]);
  let h = e.layerNorm(summed, emb.LayerNorm);

  // (1 - mask) * -1e9 as [B, 1, 1, T], the additive bias ebt's own forward pass uses
  const keep = g.node('Cast', [attentionMask], { to: FLOAT });
  const maskBias = g.node('Unsqueeze', [g.node('Mul', [g.node('Sub', [g.scalar(1), keep]), g.scalar(-1e9)]), g.int64([1, 2])]);

  for (const layer of model.bert.encoder.layer) {
    const context = e.selfAttention(h, layer.attention.self, maskBias);
    const attended = e.layerNorm(g.node('Add', [e.linear(context, layer.attention.output.dense), h]), layer.attention.output.LayerNorm);
    const ffn = e.activation(e.linear(attended, layer.intermediate.dense), config.hidden_act);
    h = e.layerNorm(g.node('Add', [e.linear(ffn, layer.output.dense), attended]), layer.output.LayerNorm);
  }

  if (model instanceof BertForQuestionAnswering) {
    const logits = e.linear(h, model.qa_outputs); // [B, T, 2]
    g.output('start_logits', g.node('Gather', [logits, g.int64([0], [])], { axis: 2 }), FLOAT, axes);
    g.output('end_logits', g.node('Gather', [logits, g.int64([1], [])], { axis: 2 }), FLOAT, axes);
  } else {
    const pooled = g.node('Tanh', [e.linear(e.token(h, 0), model.bert.pooler!.dense)]);
    g.output('logits', e.linear(pooled, model.classifier), FLOAT, ['batch_size', numLabels(config)]);
  }
  return e;
}
