import { writeFileAtomic } from '@ebt/files';
import * as fs from 'node:fs';
import type { PretrainedModel } from '@ebt/models';
import { bertQuestionAnsweringGraph, bertSequenceGraph } from './bert-graph';
import type { Exporter } from './layers';
import { robertaQuestionAnsweringGraph, robertaSequenceGraph } from './roberta-graph';
import { vitGraph } from './vit-graph';

const PRODUCER = { name: 'ebt', version: JSON.parse(fs.readFileSync(require.resolve('../package.json'), 'utf8')).version as string };

/** The graph builder of each architecture ebt exports, by the name the model gives itself (its `architecture`). */
const GRAPHS: Record<string, (model: never) => Promise<Exporter>> = {
  BertForSequenceClassification: bertSequenceGraph,
  BertForQuestionAnswering: bertQuestionAnsweringGraph,
  RobertaForSequenceClassification: robertaSequenceGraph,
  RobertaForQuestionAnswering: robertaQuestionAnsweringGraph,
  ViTForImageClassification: vitGraph,
};

/** The model as a serialized ONNX ModelProto (opset 17), dense or pruned: each layer exports with its own head count and FFN width. */
export async function toOnnx(model: PretrainedModel): Promise<Uint8Array> {
  const graph = GRAPHS[model.architecture];
  if (!graph) throw new Error(`no ONNX export for ${model.architecture}`);
  return (await graph(model as never)).g.toModel(model.architecture, PRODUCER);
}

/** Writes toOnnx(model) to `file` (a temporary file, then a rename). */
export async function exportOnnx(model: PretrainedModel, file: string): Promise<number> {
  const bytes = await toOnnx(model);
  writeFileAtomic(file, bytes);
  return bytes.byteLength;
}
