import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PNG } from 'pngjs';
import { cifar10Parquet, cifarPng } from '../test/cifar10-parquet';
import { DataError, readCifar10Files, readCifar10Parquet } from './index';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'ebt-cifar-parquet-'));

/** n seeded images of channel-planar bytes and their labels */
function images(n: number): { planar: Uint8Array[]; labels: number[] } {
  let s = 12345;
  const byte = () => (s = (s * 1103515245 + 12345) % 2 ** 31) % 256;
  const planar = Array.from({ length: n }, () => Uint8Array.from({ length: 3072 }, byte));
  return { planar, labels: planar.map((_, i) => (i * 7) % 10) };
}

describe('readCifar10Parquet', () => {
  test("the hub's parquet (PNG bytes in a struct) gives the same data set as the binary batch of the same pixels", async () => {
    const { planar, labels } = images(12);
    const dir = tmp();
    // the binary format: a label byte, then 1024 red, green and blue bytes
    const bin = path.join(dir, 'test_batch.bin');
    fs.writeFileSync(bin, Buffer.concat(planar.map((p, i) => Buffer.concat([Buffer.of(labels[i]), Buffer.from(p)]))));
    // two shards, as the hub splits large tables
    const shards = [
      [0, 5],
      [5, 12],
    ];
    const files = shards.map(([from, to], k) => {
      const file = path.join(dir, `test-0000${k}-of-00002.parquet`);
      fs.writeFileSync(file, cifar10Parquet(planar.slice(from, to).map(cifarPng), labels.slice(from, to)));
      return file;
    });
    const fromParquet = await readCifar10Parquet(files, 'cifar10-test');
    const fromBinary = readCifar10Files([bin], 'cifar10-test');
    expect(fromParquet.shape).toEqual([3, 32, 32]);
    expect(fromParquet.numClasses).toBe(10);
    expect(Array.from(fromParquet.labels)).toEqual(labels);
    expect(fromParquet.images).toEqual(fromBinary.images);
  });

  test('a wrong size, a bad label and a table without images are named', async () => {
    const dir = tmp();
    const file = path.join(dir, 'train.parquet');
    const { planar } = images(1);
    fs.writeFileSync(file, cifar10Parquet([cifarPng(planar[0])], [10]));
    await expect(readCifar10Parquet([file], 'x')).rejects.toThrow(new DataError(`'${file}', row 0: label 10 is not 0-9.`));
    fs.writeFileSync(file, cifar10Parquet([new Uint8Array(PNG.sync.write(new PNG({ width: 8, height: 8 })))], [1]));
    await expect(readCifar10Parquet([file], 'x')).rejects.toThrow(/row 0: the image is 8x8, not CIFAR-10's 32x32/);
    fs.writeFileSync(file, cifar10Parquet([Uint8Array.of(1, 2, 3)], [1]));
    await expect(readCifar10Parquet([file], 'x')).rejects.toThrow(/row 0: the image is not a readable PNG/);
  });
});
