import { Random } from '@ebt/data';
import { maskSequence, MlmVocabulary, packSequences, unigramBaseline } from './mlm-data';

const v: MlmVocabulary = { pad: 0, cls: 2, sep: 3, mask: 4, size: 1000 };

describe("masking as transformers' DataCollatorForLanguageModeling", () => {
  test('15% of the ordinary tokens are selected; of those 80% become [MASK], 10% a random token, 10% stay; special tokens never', () => {
    const random = new Random(7);
    const ids = Int32Array.from([v.cls, ...Array.from({ length: 126 }, (_, i) => 10 + (i % 900)), v.sep]);
    let tokens = 0;
    let selected = 0;
    let masked = 0;
    let kept = 0;
    let replaced = 0;
    for (let n = 0; n < 2000; n++) {
      const r = maskSequence(ids, v, () => random.next());
      tokens += 126;
      selected += r.positions.length;
      expect(r.positions.every((t) => t > 0 && t < 127)).toBe(true); // never [CLS] or [SEP]
      expect(r.labels).toEqual(r.positions.map((t) => ids[t]));
      for (const t of r.positions) {
        if (r.ids[t] === v.mask) masked++;
        else if (r.ids[t] === ids[t]) kept++;
        else replaced++;
      }
      // positions not selected are untouched
      expect(Array.from(r.ids).filter((x, t) => x !== ids[t] && !r.positions.includes(t))).toEqual([]);
    }
    // binomial standard errors: 126 * 2000 tokens, about 38,000 selected
    expect(Math.abs(selected / tokens - 0.15)).toBeLessThan(0.003);
    expect(Math.abs(masked / selected - 0.8)).toBeLessThan(0.01);
    // a random replacement can draw the token itself (1 in 1000): it then counts as kept
    expect(Math.abs(replaced / selected - 0.1)).toBeLessThan(0.006);
    expect(Math.abs(kept / selected - 0.1)).toBeLessThan(0.006);
  });

  test('a short sequence that drew nothing still predicts one token; the same stream gives the same masks', () => {
    const ids = Int32Array.from([v.cls, 50, v.sep]);
    const r = maskSequence(ids, v, () => 0.99); // nothing drawn below 0.15
    expect(r.positions).toEqual([1]);
    expect(r.ids[1]).toBe(v.mask);
    const a = new Random(3);
    const b = new Random(3);
    const long = Int32Array.from({ length: 64 }, (_, i) => 10 + i);
    expect(maskSequence(long, v, () => a.next())).toEqual(maskSequence(long, v, () => b.next()));
  });
});

describe('packing sentences into sequences', () => {
  const tokenize = (s: string) => s.split(' ').map(Number);
  test('whole sentences in order, [CLS] ... [SEP], never across texts; a sentence longer than a sequence is cut', () => {
    const texts = [
      { id: 'a', genre: null, sentences: ['10 11 12', '13 14', '15 16 17 18'] },
      { id: 'b', genre: null, sentences: ['20 21 22 23 24 25 26 27 28 29 30 31 32', '40'] },
    ];
    const seqs = packSequences(texts, tokenize, 8, v).map((s) => Array.from(s));
    expect(seqs).toEqual([
      [2, 10, 11, 12, 13, 14, 3],
      [2, 15, 16, 17, 18, 3],
      [2, 20, 21, 22, 23, 24, 25, 3],
      [2, 26, 27, 28, 29, 30, 31, 3],
      [2, 32, 40, 3],
    ]);
  });

  test('the unigram baseline: the most frequent training token, scored on the held-out tokens', () => {
    const train = [Int32Array.from([2, 9, 9, 8, 3])];
    const test = [Int32Array.from([2, 9, 8, 8, 7, 3])];
    expect(unigramBaseline(train, test, v)).toEqual({ token: 9, accuracy: 0.25 });
  });
});
