import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readStudySummary, STUDY_FORMAT } from './index';

// a study.json of format 1, as committed before the score was named `score` (issue 32 item 4)
const committed = path.join(__dirname, '..', '..', '..', 'results', 'vit-transfer-pilots', 'b', 'study.json');

const keys = (v: unknown): string[] =>
  Array.isArray(v) ? v.flatMap(keys) : v !== null && typeof v === 'object' ? Object.entries(v).flatMap(([k, x]) => [k, ...keys(x)]) : [];

test('a format-1 study.json reads as format 2: every accuracy key is the score, the numbers unchanged', () => {
  const raw = JSON.parse(fs.readFileSync(committed, 'utf8'));
  expect(raw.format).toBeUndefined();
  const s = readStudySummary(committed);
  expect(s.format).toBe(STUDY_FORMAT);
  expect(keys(s).filter((k) => /accuracy/i.test(k))).toEqual([]);
  expect(s.dense.score).toEqual(raw.dense.accuracy);
  expect(s.grid.map((g) => g.score)).toEqual(raw.grid.map((g: { accuracy: number }) => g.accuracy));
  const [watch] = Object.keys(raw.criteria);
  expect(s.criteria[watch].ticketScore).toEqual(raw.criteria[watch].ticketAccuracy);
  expect(s.criteria[watch].statistics.falsePositiveRate.score).toEqual(raw.criteria[watch].statistics.falsePositiveRate.accuracy);
  expect(s.metric).toBe('accuracy'); // a value, not a key: kept
});

test('a study.json of a format this ebt does not know is refused, naming it', () => {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ebt-study-file-')), 'study.json');
  fs.writeFileSync(file, JSON.stringify({ format: 9 }));
  expect(() => readStudySummary(file)).toThrow(`'${file}' is a study.json of format 9; this ebt reads formats 1 and 2.`);
});
