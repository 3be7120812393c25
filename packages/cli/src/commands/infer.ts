import { Command } from 'commander';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@ebt/backend';
import { BertForQuestionAnswering, BertForSequenceClassification, loadPretrained, ViTForImageClassification } from '@ebt/models';
import { UsageError } from '@ebt/errors';
import { resolveModel } from '@ebt/hub';
import { readText } from '../input';
import { printJson } from '../output';

/** A rectangular nested array of numbers with `rank` levels, or a UsageError naming the field. */
function tensorField(input: Record<string, unknown>, field: string, rank: number, file: string, dtype: 'float32' | 'int32'): tf.Tensor {
  const value = input[field];
  const shape: number[] = [];
  let level: unknown = value;
  for (let d = 0; d < rank; d++) {
    if (!Array.isArray(level) || level.length === 0) throw new UsageError(`${file}: '${field}' must be a non-empty ${rank}-dimensional array.`);
    shape.push(level.length);
    level = level[0];
  }
  const flat = (value as unknown[]).flat(rank - 1) as unknown[];
  if (flat.length !== shape.reduce((a, b) => a * b, 1))
    throw new UsageError(`${file}: '${field}' is ragged; every row must have the same length (shape ${JSON.stringify(shape)}).`);
  flat.forEach((v, i) => {
    if (typeof v !== 'number' || !Number.isFinite(v))
      throw new UsageError(`${file}: '${field}' holds ${JSON.stringify(v)} at flat index ${i}, not a finite number.`);
    if (dtype === 'int32' && !Number.isInteger(v)) throw new UsageError(`${file}: '${field}' holds ${v} at flat index ${i}, not an integer.`);
  });
  return tf.tensor(flat as number[], shape, dtype);
}

export function inferCommand(): Command {
  return new Command('infer')
    .description('Run a model folder (Hugging Face layout) on one input; prints {"logits": [[...]]} (QA models: {"start_logits", "end_logits"}) as JSON.')
    .requiredOption('--model <dir|id>', 'folder with config.json and model.safetensors (or shards), or a hub id such as bert-base-uncased')
    .option('--revision <rev>', 'hub branch, tag or commit of --model (default main)')
    .requiredOption('--input <file>', "JSON with 'pixel_values' (NCHW) or 'input_ids' (+ 'attention_mask', 'token_type_ids'); - for stdin")
    .option('--backend <name>', 'tfjs backend (default: EBT_BACKEND, else the first that starts)')
    .option('--json', 'machine-readable output (always on)', true)
    .action(async (o) => {
      let input: Record<string, unknown>;
      try {
        input = JSON.parse(readText(o.input));
      } catch (e) {
        if (e instanceof UsageError) throw e;
        throw new UsageError(`Input file '${o.input}' is not valid JSON: ${(e as Error).message}.`);
      }
      if (input === null || typeof input !== 'object' || Array.isArray(input)) throw new UsageError(`Input file '${o.input}' must hold a JSON object.`);
      // A fixture's reference.json works as it is: use its "input" object.
      if ('input' in input && typeof input.input === 'object') input = input.input as Record<string, unknown>;
      await initBackend({ backend: o.backend });
      const { model } = loadPretrained(await resolveModel(o.model, { revision: o.revision }));
      const outputs = tf.tidy((): Record<string, tf.Tensor> => {
        if (model instanceof ViTForImageClassification) {
          if (!('pixel_values' in input)) throw new UsageError(`${o.input}: a ViT model needs 'pixel_values' (NCHW).`);
          const pixels = tensorField(input, 'pixel_values', 4, o.input, 'float32') as tf.Tensor4D;
          const [, c, h, w] = pixels.shape;
          const cfg = model.config;
          if (c !== cfg.num_channels || h !== cfg.image_size || w !== cfg.image_size) {
            throw new UsageError(
              `${o.input}: 'pixel_values' has shape ${JSON.stringify(pixels.shape)} but the model expects [N, ${cfg.num_channels}, ${cfg.image_size}, ${cfg.image_size}].`,
            );
          }
          return { logits: model.forward(pixels).logits };
        }
        const bert = model as BertForSequenceClassification | BertForQuestionAnswering;
        if (!('input_ids' in input)) throw new UsageError(`${o.input}: a BERT model needs 'input_ids'.`);
        const inputIds = tensorField(input, 'input_ids', 2, o.input, 'int32') as tf.Tensor2D;
        const [b, t] = inputIds.shape;
        const ids = inputIds.dataSync(); // the input's own values, still on the host
        const bad = ids.findIndex((v) => v < 0 || v >= bert.config.vocab_size);
        if (bad >= 0)
          throw new UsageError(`${o.input}: 'input_ids' holds ${ids[bad]} at flat index ${bad}, outside the vocabulary of ${bert.config.vocab_size}.`);
        if (t > bert.config.max_position_embeddings)
          throw new UsageError(`${o.input}: ${t} tokens exceed max_position_embeddings ${bert.config.max_position_embeddings}.`);
        const optional = (field: string) => {
          if (!(field in input)) return undefined;
          const x = tensorField(input, field, 2, o.input, 'int32') as tf.Tensor2D;
          if (x.shape[0] !== b || x.shape[1] !== t)
            throw new UsageError(`${o.input}: '${field}' has shape ${JSON.stringify(x.shape)} but 'input_ids' has [${b}, ${t}].`);
          return x;
        };
        const inputs = { inputIds, attentionMask: optional('attention_mask'), tokenTypeIds: optional('token_type_ids') };
        if (bert instanceof BertForQuestionAnswering) {
          const r = bert.forward(inputs);
          return { start_logits: r.startLogits, end_logits: r.endLogits };
        }
        return { logits: bert.forward(inputs).logits };
      });
      const output = Object.fromEntries(await Promise.all(Object.entries(outputs).map(async ([k, t]) => [k, await t.array()])));
      tf.dispose(Object.values(outputs));
      printJson(output);
      model.dispose();
    });
}
