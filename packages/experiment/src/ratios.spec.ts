import { parseRatioPairs, ratioKey, ratioLabel, shareLabel } from './ratios';

describe('ratio pairs', () => {
  test('a share reads as people write it: thirds as fractions, the rest to 4 significant digits', () => {
    expect([1 / 3, 2 / 3, 0.4, 0.5, 0, 0.123456, 0.9].map(shareLabel)).toEqual(['1/3', '2/3', '0.4', '0.5', '0', '0.1235', '0.9']);
    expect(shareLabel(0.3333)).toBe('0.3333'); // only an exact third is 1/3
  });

  test('the label is for people, the key for files: a pair keeps every digit in its key', () => {
    expect(ratioLabel({ heads: 1 / 3, ffn: 0.4 })).toBe('1/3:0.4');
    expect(ratioLabel({ ratioHeads: 0.75, ratioFfn: 0.9 })).toBe('0.75:0.9');
    expect(ratioKey({ heads: 1 / 3, ffn: 0.4 })).toBe('0.3333333333333333:0.4');
    expect(parseRatioPairs('0.75:0.9,0.5', '--ratios').map(ratioLabel)).toEqual(['0.75:0.9', '0.5:0.5']);
  });
});
