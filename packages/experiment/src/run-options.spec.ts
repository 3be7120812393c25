import { runCriteria, watchRatios } from './index';

describe('runCriteria: each criterion at each ratio pair', () => {
  test('one watch per criterion and pair, its masks those of the pair; run.json records the pairs and the mode', () => {
    const { watches, recorded } = runCriteria(
      {
        ratios: [
          { heads: 0.3, ffn: 0.3 },
          { heads: 0.8, ffn: 0.5 },
        ],
      },
      'short',
    );
    expect(watches.map((w) => w.key)).toEqual([
      'mask-distance@0.3:0.3',
      'nuclear-stationarity@0.3:0.3',
      'mask-distance@0.8:0.5',
      'nuclear-stationarity@0.8:0.5',
    ]);
    for (const w of watches) {
      const options = (w.criterion.details() as { options: { ratioHeads: number; ratioFfn: number } }).options;
      expect([w.criterion.name, options.ratioHeads, options.ratioFfn]).toEqual([w.name, w.ratio.heads, w.ratio.ffn]);
    }
    expect(recorded.ratios).toEqual([
      { heads: 0.3, ffn: 0.3 },
      { heads: 0.8, ffn: 0.5 },
    ]);
    // the mode is written down even when defaulted, with the preset's windows
    expect(recorded.nuclearStationarity).toMatchObject({ mode: 'calibrated', windows: 'short', smooth: 50, window: 100, every: 25 });
  });

  test("without --ratios, EarlyBERT's pair; bad pairs are usage errors naming the flag", () => {
    expect(runCriteria({}, 'seed').watches.map((w) => w.key)).toEqual(['mask-distance@0.3333333333333333:0.4', 'nuclear-stationarity@0.3333333333333333:0.4']);
    expect(() => watchRatios([])).toThrow('--ratios must name at least one heads:FFN pair.');
    expect(() => watchRatios([{ heads: 1, ffn: 0.3 }])).toThrow('--ratios: each share must lie in [0, 1) (got 1:0.3).');
    expect(() =>
      watchRatios([
        { heads: 0.3, ffn: 0.3 },
        { heads: 0.3, ffn: 0.3 },
      ]),
    ).toThrow('--ratios names a pair twice (0.3:0.3,0.3:0.3).');
  });
});
