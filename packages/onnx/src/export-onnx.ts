import { writeFileAtomic } from '@ebt/files';
import * as fs from 'node:fs';
import { BertForQuestionAnswering, BertForSequenceClassification, PretrainedModel, ViTForImageClassification } from '@ebt/models';
import { bertGraph } from './bert-graph';
import { vitGraph } from './vit-graph';

const PRODUCER = { name: 'ebt', version: JSON.parse(fs.readFileSync(require.resolve('../package.json'), 'utf8')).version as string };

/** The graph builder of each architecture ebt exports, by the name the model gives itself. */
const GRAPHS: Record<string, (model: PretrainedModel) => ReturnType<typeof bertGraph>> = {
  BertForSequenceClassification: (m) => bertGraph(m as BertForSequenceClassification),
  BertForQuestionAnswering: (m) => bertGraph(m as BertForQuestionAnswering),
  ViTForImageClassification: (m) => vitGraph(m as ViTForImageClassification),
};

/** The model as a serialized ONNX ModelProto (opset 17), dense or pruned: each layer exports with its own head count and FFN width. */
export async function toOnnx(model: PretrainedModel): Promise<Uint8Array> {
  const graph = GRAPHS[model.architecture];
  if (!graph) throw new Error(`no ONNX export for ${model.architecture}`);
  return (await graph(model)).g.toModel(model.architecture, PRODUCER);
}

/** Writes toOnnx(model) to `file` (a temporary file, then a rename). */
export async function exportOnnx(model: PretrainedModel, file: string): Promise<number> {
  const bytes = await toOnnx(model);
  writeFileAtomic(file, bytes);
  return bytes.byteLength;
}
