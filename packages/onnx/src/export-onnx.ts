import * as fs from 'node:fs';
import { BertForQuestionAnswering, BertForSequenceClassification, PretrainedModel, ViTForImageClassification, writeFileAtomic } from '@ebt/models';
import { bertGraph } from './bert-graph';
import { vitGraph } from './vit-graph';

const PRODUCER = { name: 'ebt', version: JSON.parse(fs.readFileSync(require.resolve('../package.json'), 'utf8')).version as string };

/** The model as a serialized ONNX ModelProto (opset 17), dense or pruned: each layer exports with its own head count and FFN width. */
export async function toOnnx(model: PretrainedModel): Promise<Uint8Array> {
  if (model instanceof ViTForImageClassification) return (await vitGraph(model)).g.toModel('ViTForImageClassification', PRODUCER);
  if (model instanceof BertForQuestionAnswering) return (await bertGraph(model)).g.toModel('BertForQuestionAnswering', PRODUCER);
  if (model instanceof BertForSequenceClassification) return (await bertGraph(model)).g.toModel('BertForSequenceClassification', PRODUCER);
  throw new Error(`no ONNX export for ${(model as object).constructor.name}`);
}

/** Writes toOnnx(model) to `file` (a temporary file, then a rename). */
export async function exportOnnx(model: PretrainedModel, file: string): Promise<number> {
  const bytes = await toOnnx(model);
  writeFileAtomic(file, bytes);
  return bytes.byteLength;
}
