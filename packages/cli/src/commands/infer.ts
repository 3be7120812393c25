import { Command } from 'commander';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@ebt/backend';
import { InputSpec, checkPretrained, loadPretrained, modelTypeOf, TextInputs } from '@ebt/models';
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

function imageInput(input: Record<string, unknown>, file: string, spec: Extract<InputSpec, { modality: 'image' }>): tf.Tensor4D {
  const pixels = tensorField(input, 'pixel_values', 4, file, 'float32') as tf.Tensor4D;
  const [, c, h, w] = pixels.shape;
  if (c !== spec.channels || h !== spec.imageSize || w !== spec.imageSize) {
    throw new UsageError(
      `${file}: 'pixel_values' has shape ${JSON.stringify(pixels.shape)} but the model expects [N, ${spec.channels}, ${spec.imageSize}, ${spec.imageSize}].`,
    );
  }
  return pixels;
}

/** A 2-d int32 field whose values lie in [0, limit), or a UsageError naming the field, the value and `rule`. */
function idField(input: Record<string, unknown>, field: string, file: string, limit: number, rule: string): tf.Tensor2D {
  const x = tensorField(input, field, 2, file, 'int32') as tf.Tensor2D;
  const ids = x.dataSync(); // the input's own values, still on the host
  const bad = ids.findIndex((v) => v < 0 || v >= limit);
  if (bad >= 0) throw new UsageError(`${file}: '${field}' holds ${ids[bad]} at flat index ${bad}; ${rule}.`);
  return x;
}

function textInputs(input: Record<string, unknown>, file: string, spec: Extract<InputSpec, { modality: 'text' }>): TextInputs {
  const inputIds = idField(input, 'input_ids', file, spec.vocabSize, `token ids lie below the vocabulary size ${spec.vocabSize}`);
  const [b, t] = inputIds.shape;
  if (t > spec.maxLength) throw new UsageError(`${file}: ${t} tokens exceed the model's ${spec.maxLength} positions.`);
  const optional = (field: string, x?: tf.Tensor2D) => {
    if (x && (x.shape[0] !== b || x.shape[1] !== t))
      throw new UsageError(`${file}: '${field}' has shape ${JSON.stringify(x.shape)} but 'input_ids' has [${b}, ${t}].`);
    return x;
  };
  return {
    inputIds,
    attentionMask: optional('attention_mask', 'attention_mask' in input ? idField(input, 'attention_mask', file, 2, 'a mask holds 0 or 1') : undefined),
    tokenTypeIds: optional(
      'token_type_ids',
      'token_type_ids' in input
        ? idField(input, 'token_type_ids', file, spec.typeVocabSize, `segment ids lie below type_vocab_size ${spec.typeVocabSize}`)
        : undefined,
    ),
  };
}

export function inferCommand(): Command {
  return new Command('infer')
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
      const dir = await resolveModel(o.model, { revision: o.revision });
      checkPretrained(dir); // a malformed folder says so before any backend starts
      await initBackend({ backend: o.backend });
      const { model } = loadPretrained(dir);
      const spec = modelTypeOf(model.config).input(model.config);
      const outputs = tf.tidy((): Record<string, tf.Tensor> => {
        if (model.task === 'image-classification') {
          if (spec.modality !== 'image' || !('pixel_values' in input)) throw new UsageError(`${o.input}: an image model needs 'pixel_values' (NCHW).`);
          return { logits: model.forward(imageInput(input, o.input, spec)).logits };
        }
        if (spec.modality !== 'text' || !('input_ids' in input)) throw new UsageError(`${o.input}: a text model needs 'input_ids'.`);
        const inputs = textInputs(input, o.input, spec);
        if (model.task === 'question-answering') {
          const r = model.forward(inputs);
          return { start_logits: r.startLogits, end_logits: r.endLogits };
        }
        return { logits: model.forward(inputs).logits };
      });
      const output = Object.fromEntries(await Promise.all(Object.entries(outputs).map(async ([k, t]) => [k, await t.array()])));
      tf.dispose(Object.values(outputs));
      printJson(output);
      model.dispose();
    });
}
