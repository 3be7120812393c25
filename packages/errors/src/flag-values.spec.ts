import { UsageError } from './errors';
import { oneOf, optionalInteger, parseInteger, parseNumber, splitList } from './flag-values';

describe('flag values', () => {
  test('integers and numbers: the value, or a usage error naming the flag and what was given', () => {
    expect(parseInteger(' 12 ', '--epochs')).toBe(12);
    expect(() => parseInteger('1.5', '--epochs')).toThrow(new UsageError("--epochs must be a non-negative integer (got '1.5')."));
    expect(() => parseInteger('-2', '--epochs')).toThrow(UsageError);
    expect(parseNumber('3e-4', '--lr')).toBe(3e-4);
    for (const bad of ['', ' ', 'abc', 'Infinity', 'NaN']) expect(() => parseNumber(bad, '--lr')).toThrow(`--lr must be a number (got '${bad}').`);
    expect(optionalInteger(undefined, '--limit')).toBeUndefined();
    expect(optionalInteger('40', '--limit')).toBe(40);
  });

  test('a choice, and a comma-separated list with empty items dropped', () => {
    expect(oneOf('native', ['cpu', 'native'], '--backend')).toBe('native');
    expect(() => oneOf('gpu', ['cpu', 'native'], '--backend')).toThrow("--backend must be one of cpu, native (got 'gpu').");
    expect(splitList(' 0.5:0.5, ,0.75:0.9,')).toEqual(['0.5:0.5', '0.75:0.9']);
  });
});
