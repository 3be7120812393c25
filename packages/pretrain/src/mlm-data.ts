/**
 * Masked-language-model batches (docs/method.md, pretraining): a corpus's texts tokenised once and packed into
 * sequences, then masked afresh in every batch as transformers' DataCollatorForLanguageModeling does.
 */
import * as tf from '@tensorflow/tfjs';
import type { CorpusText } from '@ebt/data';
import type { DataSource } from '@ebt/training';

/** The ids the collator needs: [CLS], [SEP], [PAD], [MASK], and the vocabulary's size (random replacements). */
export interface MlmVocabulary {
  cls: number;
  sep: number;
  pad: number;
  mask: number;
  size: number;
}

/** DataCollatorForLanguageModeling's defaults (mlm_probability 0.15; of those, 80% [MASK], 10% random, 10% kept). */
export const MLM_PROBABILITY = 0.15;

/**
 * Each text's sentences, tokenised, packed in order into sequences `[CLS] s1 s2 ... [SEP]` of at most
 * `maxLength` tokens - whole sentences where they fit (a sentence longer than a sequence is cut into pieces).
 * A sequence never spans two texts, so a held-out text never shares one with a training text.
 */
export function packSequences(
  texts: CorpusText[],
  tokenize: (sentence: string) => number[],
  maxLength: number,
  v: Pick<MlmVocabulary, 'cls' | 'sep'>,
): Int32Array[] {
  const room = maxLength - 2;
  const out: Int32Array[] = [];
  for (const text of texts) {
    let current: number[] = [];
    const flush = () => {
      if (current.length > 0) out.push(Int32Array.from([v.cls, ...current, v.sep]));
      current = [];
    };
    for (const sentence of text.sentences) {
      const ids = tokenize(sentence);
      if (current.length + ids.length > room) flush();
      for (let i = 0; i < ids.length; i += room) {
        const piece = ids.slice(i, i + room);
        if (piece.length === room) out.push(Int32Array.from([v.cls, ...piece, v.sep]));
        else current.push(...piece);
      }
    }
    flush();
  }
  return out;
}

/** One sequence masked: the ids the model reads, and the positions and original ids it must predict. */
export function maskSequence(
  ids: Int32Array,
  v: MlmVocabulary,
  next: () => number,
  probability = MLM_PROBABILITY,
): { ids: Int32Array; positions: number[]; labels: number[] } {
  const out = Int32Array.from(ids);
  const positions: number[] = [];
  const labels: number[] = [];
  const special = (id: number) => id === v.cls || id === v.sep || id === v.pad;
  for (let t = 0; t < ids.length; t++) {
    if (special(ids[t]) || next() >= probability) continue;
    positions.push(t);
    labels.push(ids[t]);
    const r = next();
    if (r < 0.8) out[t] = v.mask;
    else if (r < 0.9) out[t] = Math.floor(next() * v.size);
  }
  // a sequence with nothing selected (short ones can draw none) predicts one token anyway, so that no batch is empty
  if (positions.length === 0) {
    const candidates = Array.from(ids.keys()).filter((t) => !special(ids[t]));
    if (candidates.length > 0) {
      const t = candidates[Math.floor(next() * candidates.length)];
      positions.push(t);
      labels.push(ids[t]);
      out[t] = v.mask;
    }
  }
  return { ids: out, positions, labels };
}

/**
 * Packed sequences as a DataSource: each batch masked with the batch's random stream (the trainer's seeded one;
 * evaluation's is fixed, so the held-out split is masked the same way at every evaluation). x holds the padded
 * inputs and `positions`, the masked tokens' flat indices (b * T + t); labels are their original ids.
 */
export function mlmSource(sequences: Int32Array[], v: MlmVocabulary): DataSource {
  return {
    size: sequences.length,
    batch(indices, { random }) {
      const rows = Array.from(indices, (k) => maskSequence(sequences[k], v, () => random.next()));
      const width = Math.max(...rows.map((r) => r.ids.length));
      const b = rows.length;
      const ids = new Int32Array(b * width).fill(v.pad);
      const mask = new Int32Array(b * width);
      const positions: number[] = [];
      const labels: number[] = [];
      rows.forEach((r, i) => {
        ids.set(r.ids, i * width);
        mask.fill(1, i * width, i * width + r.ids.length);
        r.positions.forEach((t, j) => {
          positions.push(i * width + t);
          labels.push(r.labels[j]);
        });
      });
      return {
        x: {
          inputIds: tf.tensor2d(ids, [b, width], 'int32'),
          attentionMask: tf.tensor2d(mask, [b, width], 'int32'),
          positions: tf.tensor1d(positions, 'int32'),
        },
        labels: tf.tensor1d(labels, 'int32'),
      };
    },
  };
}

/** The share of the most frequent token among the held-out split's targets: the masked-token accuracy of always guessing it. */
export function unigramBaseline(train: Int32Array[], test: Int32Array[], v: MlmVocabulary): { token: number; accuracy: number } {
  const counts = new Map<number, number>();
  const special = (id: number) => id === v.cls || id === v.sep || id === v.pad;
  for (const s of train) for (const id of s) if (!special(id)) counts.set(id, (counts.get(id) ?? 0) + 1);
  const token = [...counts.entries()].reduce((best, e) => (e[1] > best[1] ? e : best), [-1, -1])[0];
  let hits = 0;
  let all = 0;
  for (const s of test)
    for (const id of s)
      if (!special(id)) {
        all++;
        if (id === token) hits++;
      }
  return { token, accuracy: hits / Math.max(1, all) };
}
