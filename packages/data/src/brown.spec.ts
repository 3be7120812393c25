import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readBrown, splitBrown, untag } from './brown';
import { checkCorpusSpec, loadTextCorpus } from './text-corpus';

describe('the Brown Corpus', () => {
  const texts = readBrown();

  test("NLTK's counts: 500 texts, 57,340 sentences, 1,161,192 words (brown.sents(), brown.words()); the manual's texts per genre", () => {
    expect(texts).toHaveLength(500);
    expect(texts.reduce((s, t) => s + t.sentences.length, 0)).toBe(57_340);
    expect(texts.reduce((s, t) => s + t.sentences.reduce((a, x) => a + x.split(' ').length, 0), 0)).toBe(1_161_192);
    const perGenre = Object.fromEntries([...new Set(texts.map((t) => t.genre))].map((g) => [g, texts.filter((t) => t.genre === g).length]));
    expect(perGenre).toEqual({
      news: 44, editorial: 27, reviews: 17, religion: 17, hobbies: 36, lore: 48, belles_lettres: 75, government: 30,
      learned: 80, fiction: 29, mystery: 24, science_fiction: 6, adventure: 29, romance: 29, humor: 9,
    }); // prettier-ignore
  });

  test("tags stripped at the last '/', quotes made plain; the first sentence of ca01", () => {
    expect(untag("\tThe/at Fulton/np-tl ``/`` no/at 1/2/cd-tl ''/'' ./.")).toBe('The Fulton " no 1/2 " .');
    expect(texts[0].sentences[0]).toBe(
      'The Fulton County Grand Jury said Friday an investigation of Atlanta\'s recent primary election produced " no evidence " that any irregularities took place .',
    );
  });

  test('the held-out split is by text: 51 texts, every genre on both sides, no text on both', () => {
    const { train, test } = splitBrown(texts);
    expect([train.length, test.length]).toEqual([449, 51]);
    expect(new Set(test.map((t) => t.genre)).size).toBe(15);
    expect(new Set(train.map((t) => t.genre)).size).toBe(15);
    expect(test.filter((t) => train.some((u) => u.id === t.id))).toEqual([]);
    expect(test.slice(0, 2).map((t) => t.id)).toEqual(['ca06', 'ca16']);
  });
});

describe('text corpora by name', () => {
  test('a folder of .txt files: one text each, a line a sentence, split by file', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ebt-corpus-'));
    for (let i = 0; i < 12; i++) fs.writeFileSync(path.join(dir, `t${String(i).padStart(2, '0')}.txt`), `first line ${i}\n\nsecond line\n`);
    fs.writeFileSync(path.join(dir, 'notes.md'), 'ignored');
    const c = await loadTextCorpus(`text:${dir}`);
    expect(c.train).toHaveLength(11);
    expect(c.test.map((t) => t.id)).toEqual(['t05.txt']);
    expect(c.train[0].sentences).toEqual(['first line 0', 'second line']);
  });

  test('bad specs name the flag and the value', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ebt-corpus-'));
    expect(() => checkCorpusSpec('imagenet')).toThrow("--data must be 'brown', 'spam-assassin' or 'text:DIR' (got 'imagenet').");
    expect(() => checkCorpusSpec(`text:${dir}/nope`)).toThrow(`--data text:${dir}/nope: '${dir}/nope' is not a folder.`);
    expect(() => checkCorpusSpec(`text:${dir}`)).toThrow('holds fewer than two .txt files');
  });
});
