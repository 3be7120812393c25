import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { glueParquet } from '../test/glue-parquet';
import { DataError, readGlueParquet, readGlueTsv } from './index';

const repo = path.join(__dirname, '..', '..', '..');
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'ebt-parquet-'));

describe('readGlueParquet', () => {
  test("reads the hub's layout (written by hyparquet-writer) to the same examples as the TSV", async () => {
    const tsv = readGlueTsv(path.join(repo, 'datasets', 'sst2-tiny', 'train.tsv'));
    const dir = tmp();
    const half = Math.floor(tsv.texts.length / 2);
    // two shards, as large splits come
    const shard = (from: number, to: number) => glueParquet({ sentence: tsv.texts.slice(from, to) }, Array.from(tsv.labels.slice(from, to)));
    fs.writeFileSync(path.join(dir, 'train-00000-of-00002.parquet'), shard(0, half));
    fs.writeFileSync(path.join(dir, 'train-00001-of-00002.parquet'), shard(half, tsv.texts.length));
    const files = ['train-00000-of-00002.parquet', 'train-00001-of-00002.parquet'].map((f) => path.join(dir, f));
    const d = await readGlueParquet(files, 'sst2');
    expect(d.texts).toEqual(tsv.texts);
    expect(Array.from(d.labels)).toEqual(Array.from(tsv.labels));
    expect(d.numClasses).toBe(2);
    expect(d.pairs).toBeUndefined();
  });

  test('a pair task takes both columns; a missing column and the unlabelled test split are named', async () => {
    const dir = tmp();
    const file = path.join(dir, 'validation_matched.parquet');
    fs.writeFileSync(file, glueParquet({ premise: ['a cat', 'a dog'], hypothesis: ['an animal', 'a car'] }, [0, 2]));
    const d = await readGlueParquet([file], 'mnli');
    expect(d).toMatchObject({ texts: ['a cat', 'a dog'], pairs: ['an animal', 'a car'], numClasses: 3 });
    await expect(readGlueParquet([file], 'qnli')).rejects.toThrow(
      new DataError(`'${file}': no column 'question' (it has premise, hypothesis, label, idx); is it GLUE's qnli?`),
    );
    const test = path.join(dir, 'test.parquet');
    fs.writeFileSync(test, glueParquet({ sentence: ['x'] }, [-1]));
    await expect(readGlueParquet([test], 'sst2')).rejects.toThrow(/row 0: label -1 is not one of sst2's 2 classes/);
  });

  test("STS-B's float scores are regression labels (numClasses 1); its unlabelled test split (-1) is named", async () => {
    const dir = tmp();
    const file = path.join(dir, 'validation.parquet');
    fs.writeFileSync(file, glueParquet({ sentence1: ['a man plays', 'a cat'], sentence2: ['a man is playing', 'a car'] }, [4.75, 0.2], 'FLOAT'));
    const d = await readGlueParquet([file], 'stsb');
    expect(d.labels).toBeInstanceOf(Float32Array);
    expect(Array.from(d.labels)).toEqual([4.75, Math.fround(0.2)]);
    expect(d).toMatchObject({ pairs: ['a man is playing', 'a car'], numClasses: 1 });
    const test = path.join(dir, 'test.parquet');
    fs.writeFileSync(test, glueParquet({ sentence1: ['x'], sentence2: ['y'] }, [-1], 'FLOAT'));
    await expect(readGlueParquet([test], 'stsb')).rejects.toThrow(/row 0: label -1 is not a score/);
  });
});
