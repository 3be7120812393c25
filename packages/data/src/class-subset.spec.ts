import { needsNewHead, parseClassSubset, selectClasses } from './class-subset';
import type { ImageDataset } from './dataset';

// 8 one-pixel images labelled 0 1 2 0 1 2 0 1, each pixel its own index
const d: ImageDataset = {
  images: Float32Array.from({ length: 8 }, (_, i) => i),
  labels: Int32Array.from([0, 1, 2, 0, 1, 2, 0, 1]),
  shape: [1, 1, 1],
  numClasses: 3,
  name: 'toy',
};

describe('transfer tasks: a subset of classes', () => {
  test('the spec splits into the loader spec and the subset; lists and ranges', () => {
    expect(parseClassSubset('fashion-mnist:classes=0-4')).toEqual({ base: 'fashion-mnist', classes: [0, 1, 2, 3, 4], perClass: null });
    expect(parseClassSubset('fashion-mnist:/data/fm:classes=7-9,0,2:per-class=1200')).toEqual({
      base: 'fashion-mnist:/data/fm',
      classes: [0, 2, 7, 8, 9],
      perClass: 1200,
    });
    expect(parseClassSubset('mnist')).toEqual({ base: 'mnist', classes: null, perClass: null });
  });

  test('kept images in file order with their own labels; per-class keeps the first N of each class in training only', () => {
    const s = parseClassSubset('toy:classes=0,1:per-class=2');
    const train = selectClasses(d, s, 'toy:classes=0,1:per-class=2', true);
    expect(Array.from(train.images)).toEqual([0, 1, 3, 4]);
    expect(Array.from(train.labels)).toEqual([0, 1, 0, 1]);
    expect(train.numClasses).toBe(3);
    const test = selectClasses(d, s, 'toy:classes=0,1:per-class=2', false);
    expect(Array.from(test.labels)).toEqual([0, 1, 0, 1, 0, 1]);
  });

  test('bad subsets name --data and the value', () => {
    expect(() => parseClassSubset('fashion-mnist:classes=a-b')).toThrow(
      "--data fashion-mnist:classes=a-b: classes must be labels and ranges such as 0-4 or 0,2,7-9 (got 'a-b').",
    );
    expect(() => parseClassSubset('fashion-mnist:classes=4-0')).toThrow('the range 4-0 is empty');
    expect(() => parseClassSubset('fashion-mnist:per-class=0')).toThrow("--data fashion-mnist:per-class=0: per-class must be a positive integer (got '0').");
    expect(() => selectClasses(d, parseClassSubset('toy:classes=2-5'), 'toy:classes=2-5', true)).toThrow(
      '--data toy:classes=2-5: toy has classes 0-2, not 3, 4, 5.',
    );
    const none = { ...d, labels: Int32Array.from([0, 0, 0, 0, 0, 0, 0, 0]) };
    expect(() => selectClasses(none, parseClassSubset('toy:classes=1'), 'toy:classes=1', true)).toThrow(
      '--data toy:classes=1: no image of toy is in classes 1.',
    );
  });

  test('a checkpoint gets a new head when the task has a class its head never saw', () => {
    expect(needsNewHead([0, 1, 2, 3, 4], [5, 6, 7, 8, 9])).toBe(true);
    expect(needsNewHead([0, 1, 2], null)).toBe(true);
    expect(needsNewHead([0, 1], [0, 1])).toBe(false);
    expect(needsNewHead([0, 1, 2], [1])).toBe(false);
    expect(needsNewHead(undefined, null)).toBe(false);
    expect(needsNewHead(undefined, [0, 1])).toBe(false);
  });
});
