/**
 * Text corpora for masked-language-model pretraining, by name (`--data`): `brown` (the Brown Corpus, brown.ts),
 * `spam-assassin` (the SpamAssassin messages' text, spam-assassin.ts), or `text:DIR` (every .txt file of DIR, one
 * text each, one line a sentence). Each is split into training and held-out texts by text, the same split for
 * every seed: Brown's by genre (splitBrown), SpamAssassin's by its message hash (inTestSplit, 20%), a folder's the
 * files at positions 5, 15, 25, ... in name order.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UsageError } from '@ebt/errors';
import { brownDir, CorpusText, readBrown, splitBrown } from './brown';
import { inTestSplit, readSpamAssassin } from './spam-assassin';

export interface TextCorpus {
  /** the --data spec, for run folder names and run.json */
  name: string;
  train: CorpusText[];
  test: CorpusText[];
}

export const TEXT_CORPORA = "'brown', 'spam-assassin' or 'text:DIR'";

/** Checks a corpus spec without reading the corpus (bad flags fail before anything is written). */
export function checkCorpusSpec(spec: string): void {
  if (spec === 'brown' || spec === 'spam-assassin') return;
  if (!spec.startsWith('text:')) throw new UsageError(`--data must be ${TEXT_CORPORA} (got '${spec}').`);
  const dir = spec.slice('text:'.length);
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new UsageError(`--data ${spec}: '${dir}' is not a folder.`);
  if (txtFiles(dir).length < 2) throw new UsageError(`--data ${spec}: '${dir}' holds fewer than two .txt files (one to train on, one to hold out).`);
}

const txtFiles = (dir: string) =>
  fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.txt'))
    .sort();

export async function loadTextCorpus(spec: string): Promise<TextCorpus> {
  checkCorpusSpec(spec);
  if (spec === 'brown') return { name: spec, ...splitBrown(readBrown(brownDir())) };
  if (spec === 'spam-assassin') {
    const texts = (await readSpamAssassin()).map((m) => ({ id: m.id, genre: m.group, sentences: [m.text] }));
    const test = (t: CorpusText) => inTestSplit(t.sentences[0], 0.2);
    return { name: spec, train: texts.filter((t) => !test(t)), test: texts.filter(test) };
  }
  const dir = spec.slice('text:'.length);
  const texts = txtFiles(dir).map((f) => ({
    id: f,
    genre: null,
    sentences: fs
      .readFileSync(path.join(dir, f), 'utf8')
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter(Boolean),
  }));
  const empty = texts.find((t) => t.sentences.length === 0);
  if (empty) throw new UsageError(`--data ${spec}: '${path.join(dir, empty.id)}' is empty.`);
  return { name: spec, train: texts.filter((_, i) => i % 10 !== 5), test: texts.filter((_, i) => i % 10 === 5) };
}
