import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DataError, decodeAnswers, exactMatch, f1Score, normalizeAnswer, readSquad, squadFeatures, squadMetrics, SquadTokenizer } from './index';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ebt-squad-'));
const write = (name: string, json: unknown) => {
  const f = path.join(dir, name);
  fs.writeFileSync(f, typeof json === 'string' ? json : JSON.stringify(json));
  return f;
};
const squad = (context: string, qas: Array<[string, string, string, number?]>) => ({
  data: [
    {
      title: 't',
      paragraphs: [
        { context, qas: qas.map(([id, question, text, start]) => ({ id, question, answers: [{ text, answer_start: start ?? context.indexOf(text) }] })) },
      ],
    },
  ],
});

/** A tokenizer for the tests: one id per lower-cased word, except "quickly" = quick + ##ly (ids from a table). */
const vocab = new Map<string, number>();
const tok: SquadTokenizer = {
  tokenize: (text) =>
    text
      .toLowerCase()
      .split(/\s+/)
      .filter(Boolean)
      .flatMap((w) => (w === 'quickly' ? ['quick', '##ly'] : [w]))
      .map((w) => {
        if (!vocab.has(w)) vocab.set(w, 10 + vocab.size);
        return vocab.get(w)!;
      }),
  cls: 1,
  sep: 2,
  pad: 0,
};

describe('SQuAD v1.1 data', () => {
  test('features: question first, the answer span in word pieces, token types, CLS when a window misses the answer', () => {
    const file = write('a.json', squad('the fox ran quickly over the dog', [['q1', 'who ran ?', 'ran quickly', 8]]));
    const [ex] = readSquad(file);
    expect(ex.words).toEqual(['the', 'fox', 'ran', 'quickly', 'over', 'the', 'dog']);
    const [f] = squadFeatures([ex], tok);
    // [CLS] who ran ? [SEP] the fox ran quick ##ly over the dog [SEP]
    expect(f.inputIds).toHaveLength(5 + 8 + 1);
    expect(f.tokenTypeIds).toEqual([0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
    expect([f.startPosition, f.endPosition]).toEqual([7, 9]); // "ran quick ##ly"
    expect(f.tokenToWord.get(9)).toBe(3);
    // windows of 3 context pieces (maxLength 9 - 3 question - 3 specials) every 2: [0,3) [2,5) [4,7) [6,8)
    const windows = squadFeatures([ex], tok, { maxLength: 9, docStride: 2 });
    expect(windows).toHaveLength(4);
    expect(windows.map((w) => [w.startPosition, w.endPosition])).toEqual([
      [0, 0],
      [5, 7],
      [0, 0],
      [0, 0],
    ]);
  });

  test('malformed files and answers that are not in their context are refused, naming the entry', () => {
    expect(() => readSquad(write('b.json', '{"data": ['))).toThrow(/not valid JSON/);
    expect(() => readSquad(write('c.json', { version: '1.1' }))).toThrow(/no 'data' array/);
    expect(() => readSquad(write('d.json', squad('the fox ran', [['q9', 'who?', 'dog', 4]])))).toThrow(DataError);
    expect(() => readSquad(write('d.json', squad('the fox ran', [['q9', 'who?', 'dog', 4]])))).toThrow(
      /answer 'dog' of question 'q9' is not in its context at character 4/,
    );
  });

  test('decoding picks the best valid span across windows and maps it back to the context words', () => {
    const [ex] = readSquad(write('e.json', squad('the fox ran quickly over the dog', [['q1', 'who ran ?', 'ran quickly', 8]])));
    const [f] = squadFeatures([ex], tok);
    const start = new Array(f.inputIds.length).fill(0);
    const end = new Array(f.inputIds.length).fill(0);
    start[0] = 50; // [CLS] is not in the context: never an answer
    end[0] = 50;
    start[7] = 5; // "ran"
    end[9] = 4; // "##ly" of "quickly"
    end[6] = 9; // "fox": ends before the start, so invalid with start 7
    start[6] = 1;
    const answers = decodeAnswers([ex], [f], [{ start, end }]);
    // candidates: (7,9) = 9, (6,6) = 10, (6,9) = 5 ... the best valid is (6,6) "fox"
    expect(answers.get('q1')).toBe('fox');
    expect(decodeAnswers([ex], [f], [{ start, end }], { maxAnswerLength: 0 }).get('q1')).toBe('');
  });
});

describe('official v1.1 metrics', () => {
  test('normalisation: lower case, no punctuation, no articles, single spaces', () => {
    expect(normalizeAnswer('  The Denver Broncos!  ')).toBe('denver broncos');
    expect(normalizeAnswer('an apple, a pear')).toBe('apple pear');
    expect(normalizeAnswer('theater')).toBe('theater'); // articles only as whole words
  });
  test('EM, F1 over tokens, and the best over the gold answers', () => {
    expect(exactMatch('the Broncos', 'Broncos')).toBe(1);
    expect(f1Score('the cat sat', 'a cat sat on mat')).toBeCloseTo(2 / 3, 12); // p = 1, r = 1/2
    expect(f1Score('cat cat', 'cat')).toBeCloseTo(2 / 3, 12); // p = 1/2, r = 1
    expect(f1Score('dog', 'cat')).toBe(0);
    const examples = [
      {
        id: 'a',
        question: '',
        context: '',
        words: [],
        answers: [
          { text: 'Denver Broncos', start: 0 },
          { text: 'the Broncos', start: 0 },
        ],
      },
      { id: 'b', question: '', context: '', words: [], answers: [{ text: 'seven', start: 0 }] },
    ];
    const m = squadMetrics(
      examples,
      new Map([
        ['a', 'Broncos'],
        ['b', 'seven days'],
      ]),
    );
    // a: EM max(0, 1) = 1, F1 max(2/3, 1) = 1; b: EM 0, F1 2/3
    expect(m.exactMatch).toBeCloseTo(50, 10);
    expect(m.f1).toBeCloseTo((100 * (1 + 2 / 3)) / 2, 10);
  });
});
