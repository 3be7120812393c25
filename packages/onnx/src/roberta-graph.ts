import { numLabels, RobertaForQuestionAnswering, RobertaForSequenceClassification, RobertaModel } from '@ebt/models';
import { encoderGraph, maskBiasGraph, spanOutputs, TEXT_AXES } from './bert-graph';
import { Exporter, FLOAT, INT64 } from './layers';

/**
 * RoBERTa with Optimum's inputs (int64 input_ids and attention_mask; segment 0 throughout) and BERT's
 * encoder. Positions: padding_idx + the running count of non-padding tokens, padding_idx on padding.
 */
function robertaBody(e: Exporter, roberta: RobertaModel): string {
  const g = e.g;
  const inputIds = g.input('input_ids', INT64, TEXT_AXES);
  const attentionMask = g.input('attention_mask', INT64, TEXT_AXES);
  const emb = roberta.embeddings;
  const pad = g.int64([roberta.config.pad_token_id], []);
  const tokens = g.node('Cast', [g.node('Not', [g.node('Equal', [inputIds, pad])])], { to: INT64 });
  const positions = g.node('Add', [g.node('Mul', [g.node('CumSum', [tokens, g.int64([1], [])]), tokens]), pad]);
  const summed = g.node('Add', [
    g.node('Add', [g.node('Gather', [e.param(emb.word_embeddings.weight), inputIds]), g.node('Gather', [e.param(emb.position_embeddings.weight), positions])]),
    g.node('Gather', [e.param(emb.token_type_embeddings.weight), g.int64([0], [])]),
  ]);
  return encoderGraph(e, roberta.encoder, roberta.config, e.layerNorm(summed, emb.LayerNorm), maskBiasGraph(e, attentionMask));
}

export async function robertaSequenceGraph(model: RobertaForSequenceClassification): Promise<Exporter> {
  const e = await Exporter.of(model);
  const head = model.classifier;
  const first = e.token(robertaBody(e, model.roberta), 0);
  const logits = e.linear(e.g.node('Tanh', [e.linear(first, head.dense)]), head.out_proj);
  e.g.output('logits', logits, FLOAT, ['batch_size', numLabels(model.config)]);
  return e;
}

export async function robertaQuestionAnsweringGraph(model: RobertaForQuestionAnswering): Promise<Exporter> {
  const e = await Exporter.of(model);
  spanOutputs(e, e.linear(robertaBody(e, model.roberta), model.qa_outputs));
  return e;
}
