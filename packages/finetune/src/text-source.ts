import * as tf from '@tensorflow/tfjs';
import { TextDataset } from '@ebt/data';
import { TextTokenizer } from '@ebt/models';
import { DataSource } from '@ebt/training';

/** BERT inputs for token rows of different lengths: padded with 0 to the longest, with the attention mask. */
export function paddedBertInputs(rows: Array<{ ids: number[]; types: number[] }>): Record<'inputIds' | 'attentionMask' | 'tokenTypeIds', tf.Tensor2D> {
  const width = Math.max(...rows.map((r) => r.ids.length));
  const pad = (a: number[]) => [...a, ...new Array(width - a.length).fill(0)];
  const b = rows.length;
  return {
    inputIds: tf.tensor2d(
      rows.flatMap((r) => pad(r.ids)),
      [b, width],
      'int32',
    ),
    attentionMask: tf.tensor2d(
      rows.flatMap((r) => pad(r.ids.map(() => 1))),
      [b, width],
      'int32',
    ),
    tokenTypeIds: tf.tensor2d(
      rows.flatMap((r) => pad(r.types)),
      [b, width],
      'int32',
    ),
  };
}

/**
 * A tokenised text set as a DataSource for BERT. Every example is tokenised once, up front (truncated to
 * maxLength); a batch is padded to its own longest example, as transformers' DataCollatorWithPadding does.
 */
export function textSource(d: TextDataset, tokenizer: TextTokenizer, maxLength: number): DataSource {
  const encoded = d.texts.map((t, i) => {
    const e = tokenizer.encode([t], { pairs: d.pairs ? [d.pairs[i]] : undefined, maxLength });
    return { ids: e.inputIds[0], types: e.tokenTypeIds[0] };
  });
  return {
    size: d.labels.length,
    batch(indices) {
      return {
        x: paddedBertInputs(Array.from(indices, (k) => encoded[k])),
        labels: tf.tensor1d(
          Array.from(indices, (k) => d.labels[k]),
          d.labels instanceof Float32Array ? 'float32' : 'int32',
        ),
      };
    },
  };
}
