/**
 * WordPiece vocabulary training, deterministic. Hugging Face's `tokenizers` trains WordPiece as BPE merges over
 * word counts with a `##` continuation prefix (its WordPieceTrainer wraps BpeTrainer), but its trainer is not
 * deterministic: the `##` pieces get their ids in hash-map order, and those ids break ties between merges of equal
 * count, so two trainings on the same texts can give different vocabularies (huggingface/tokenizers#1794, open;
 * the fix, #2066, unmerged), and its Node binding can set neither the vocabulary size nor the special tokens. ebt
 * runs the same algorithm here with ties broken by ids that do not depend on hash order, and uses the library for what it does
 * deterministically: the BERT normaliser and pre-tokeniser that split the texts into words (the same ones the
 * saved tokenizer.json applies when it encodes). `wordpiece-trainer.spec.ts` checks the result against the
 * library's trainings, which differ from each other where ties fall.
 *
 * The algorithm (Sennrich et al. 2016, as tokenizers' BpeTrainer): every word starts as its characters, the first
 * bare and the rest prefixed `##`; the vocabulary is the sorted alphabet, then the sorted `##` characters; then,
 * until the vocabulary is full or no pair is left, the most frequent adjacent pair (counted over the words, each
 * weighted by its count; ties: the pair of smaller ids, as tokenizers breaks them) is merged into one piece (`a` +
 * `b` without its `##`) everywhere and appended.
 */

const PREFIX = '##';

type Entry = [count: number, a: number, b: number];

/** A max-heap of [count, a, b]: the larger count first, ties to the smaller (a, b), as tokenizers' `Merge` orders. */
class PairHeap {
  private items: Entry[] = [];
  private static before(x: Entry, y: Entry): boolean {
    return x[0] !== y[0] ? x[0] > y[0] : x[1] !== y[1] ? x[1] < y[1] : x[2] < y[2];
  }
  get size() {
    return this.items.length;
  }
  push(item: Entry): void {
    const h = this.items;
    h.push(item);
    for (let i = h.length - 1; i > 0;) {
      const p = (i - 1) >> 1;
      if (!PairHeap.before(h[i], h[p])) break;
      [h[i], h[p]] = [h[p], h[i]];
      i = p;
    }
  }
  pop(): Entry | undefined {
    const h = this.items;
    const top = h[0];
    const last = h.pop();
    if (h.length > 0 && last) {
      h[0] = last;
      for (let i = 0; ;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && PairHeap.before(h[l], h[m])) m = l;
        if (r < h.length && PairHeap.before(h[r], h[m])) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m], h[i]];
        i = m;
      }
    }
    return top;
  }
}

/** A pair of piece ids as one number (ids stay far below 2^26). */
const pairKey = (a: number, b: number) => a * 67_108_864 + b;

/**
 * The vocabulary (in id order, `reserved` first) of at most `vocabSize` pieces learned from word counts - but the
 * alphabet is always whole, as in tokenizers; stops early when every word is one piece.
 */
export function learnWordPieces(wordCounts: Map<string, number>, vocabSize: number, reserved: string[] = []): string[] {
  const words = [...wordCounts.keys()].sort();
  const counts = words.map((w) => wordCounts.get(w)!);
  const vocab: string[] = [];
  const id = new Map<string, number>();
  const add = (t: string) => {
    if (!id.has(t)) {
      id.set(t, vocab.length);
      vocab.push(t);
    }
    return id.get(t)!;
  };
  reserved.forEach(add);
  // the alphabet: every character of every word, bare (as tokenizers' compute_alphabet, by code point); then the
  // `##` characters that follow another, sorted (tokenizers numbers these in hash order: the non-determinism)
  const chars = words.map((w) => Array.from(w));
  [...new Set(chars.flat())].sort().forEach(add);
  [...new Set(chars.flatMap((c) => c.slice(1)))].sort().forEach((c) => add(PREFIX + c));
  const symbols = chars.map((c) => c.map((ch, i) => id.get(i === 0 ? ch : PREFIX + ch)!));

  // pair counts and, for each pair, the words it occurs in
  const pairCount = new Map<number, number>();
  const where = new Map<number, Set<number>>();
  const count = (w: number, sign: 1 | -1) => {
    const s = symbols[w];
    for (let i = 0; i + 1 < s.length; i++) {
      const k = pairKey(s[i], s[i + 1]);
      pairCount.set(k, (pairCount.get(k) ?? 0) + sign * counts[w]);
      if (sign > 0) (where.get(k) ?? where.set(k, new Set()).get(k)!).add(w);
    }
  };
  symbols.forEach((_, w) => count(w, 1));
  const heap = new PairHeap();
  for (const [k, c] of pairCount) heap.push([c, Math.floor(k / 67_108_864), k % 67_108_864]);
  while (vocab.length < vocabSize && heap.size > 0) {
    const [c, a, b] = heap.pop()!;
    const k = pairKey(a, b);
    const now = pairCount.get(k) ?? 0;
    if (now !== c) {
      // a stale entry: the pair's count changed since it was pushed
      if (now > 0) heap.push([now, a, b]);
      continue;
    }
    if (c <= 0) break;
    const right = vocab[b];
    const merged = add(vocab[a] + (right.startsWith(PREFIX) ? right.slice(PREFIX.length) : right));
    const touched = new Set<number>();
    for (const w of where.get(k) ?? []) {
      const s = symbols[w];
      count(w, -1);
      const next: number[] = [];
      for (let i = 0; i < s.length; i++) {
        if (i + 1 < s.length && s[i] === a && s[i + 1] === b) {
          next.push(merged);
          i++;
        } else next.push(s[i]);
      }
      symbols[w] = next;
      count(w, 1);
      for (let i = 0; i + 1 < next.length; i++) touched.add(pairKey(next[i], next[i + 1]));
    }
    pairCount.delete(k);
    where.delete(k);
    for (const t of touched) {
      const n = pairCount.get(t) ?? 0;
      if (n > 0) heap.push([n, Math.floor(t / 67_108_864), t % 67_108_864]);
    }
  }
  return vocab;
}
