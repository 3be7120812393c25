import { BertEncoder, BertForQuestionAnswering, BertForSequenceClassification, BertModel, numLabels, TransformerConfig } from '@ebt/models';
import { Exporter, FLOAT, INT64 } from './layers';

/**
 * BERT as an ONNX graph with the inputs and outputs of Optimum's exports: int64 input_ids, attention_mask
 * and token_type_ids [batch_size, sequence_length]; logits [batch_size, num_labels], or start_logits and
 * end_logits [batch_size, sequence_length] for question answering.
 */
export const TEXT_AXES: [string, string] = ['batch_size', 'sequence_length'];

/** (1 - mask) * -1e9 as [B, 1, 1, T], the additive bias ebt's own forward pass uses. */
export function maskBiasGraph(e: Exporter, attentionMask: string): string {
  const g = e.g;
  const keep = g.node('Cast', [attentionMask], { to: FLOAT });
  return g.node('Unsqueeze', [g.node('Mul', [g.node('Sub', [g.scalar(1), keep]), g.scalar(-1e9)]), g.int64([1, 2])]);
}

/** BERT's post-LN encoder layers (BertLayer), each with its own head count and FFN width. */
export function encoderGraph(e: Exporter, encoder: BertEncoder, config: TransformerConfig, h: string, maskBias: string): string {
  const g = e.g;
  for (const layer of encoder.layer) {
    const context = e.selfAttention(h, layer.attention.self, maskBias);
    const attended = e.layerNorm(g.node('Add', [e.linear(context, layer.attention.output.dense), h]), layer.attention.output.LayerNorm);
    const ffn = e.activation(e.linear(attended, layer.intermediate.dense), config.hidden_act);
    h = e.layerNorm(g.node('Add', [e.linear(ffn, layer.output.dense), attended]), layer.output.LayerNorm);
  }
  return h;
}

/** start_logits and end_logits [B, T] from qa_outputs on every token. */
export function spanOutputs(e: Exporter, logits: string): void {
  const g = e.g;
  g.output('start_logits', g.node('Gather', [logits, g.int64([0], [])], { axis: 2 }), FLOAT, TEXT_AXES);
  g.output('end_logits', g.node('Gather', [logits, g.int64([1], [])], { axis: 2 }), FLOAT, TEXT_AXES);
}

/** The last hidden state of BertModel: embeddings (words + positions 0..T-1 + segments, LayerNorm), then the encoder. */
function bertBody(e: Exporter, bert: BertModel): string {
  const g = e.g;
  const inputIds = g.input('input_ids', INT64, TEXT_AXES);
  const attentionMask = g.input('attention_mask', INT64, TEXT_AXES);
  const tokenTypeIds = g.input('token_type_ids', INT64, TEXT_AXES);
  const emb = bert.embeddings;
  const length = g.node('Gather', [g.node('Shape', [inputIds]), g.int64([1], [])], { axis: 0 });
  const positions = g.node('Range', [g.int64([0], []), length, g.int64([1], [])]);
  const words = g.node('Gather', [e.param(emb.word_embeddings.weight), inputIds]);
  const summed = g.node('Add', [
    g.node('Add', [words, g.node('Gather', [e.param(emb.position_embeddings.weight), positions])]),
    g.node('Gather', [e.param(emb.token_type_embeddings.weight), tokenTypeIds]),
  ]);
  return encoderGraph(e, bert.encoder, bert.config, e.layerNorm(summed, emb.LayerNorm), maskBiasGraph(e, attentionMask));
}

export async function bertSequenceGraph(model: BertForSequenceClassification): Promise<Exporter> {
  const e = await Exporter.of(model);
  const h = bertBody(e, model.bert);
  const pooled = e.g.node('Tanh', [e.linear(e.token(h, 0), model.bert.pooler!.dense)]);
  e.g.output('logits', e.linear(pooled, model.classifier), FLOAT, ['batch_size', numLabels(model.config)]);
  return e;
}

export async function bertQuestionAnsweringGraph(model: BertForQuestionAnswering): Promise<Exporter> {
  const e = await Exporter.of(model);
  spanOutputs(e, e.linear(bertBody(e, model.bert), model.qa_outputs)); // [B, T, 2]
  return e;
}
