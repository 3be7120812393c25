import { resolveMaskOptions, settlingSteps } from './index';

// one layer of 4 heads and one of 10 FFN neurons; half of each pruned (heads layerwise, FFN global)
const o = resolveMaskOptions({ ratioHeads: 0.5, ratioFfn: 0.5, scopeHeads: 'layerwise', scopeFfn: 'global' });
const heads = (order: number[]) => [order];
const ffnKeeping = (kept: number[]) => [Array.from({ length: 10 }, (_, i) => (kept.includes(i) ? 2 : 1) + i / 100)];
const final = { heads: heads([4, 3, 2, 1]), ffn: ffnKeeping([0, 1, 2, 3, 4]) };

test('the first step after which each mask stays within each tolerance of the final one, worked by hand', () => {
  const points = [
    { step: 0, epoch: 0, heads: heads([1, 2, 3, 4]), ffn: ffnKeeping([5, 6, 7, 8, 9]) }, // heads 1.0 away, FFN 1.0
    { step: 10, epoch: 0, heads: heads([4, 3, 2, 1]), ffn: ffnKeeping([0, 1, 2, 3, 9]) }, // heads 0, FFN 0.2 (2 of 10 differ)
    { step: 20, epoch: 0, heads: heads([4, 1, 3, 2]), ffn: ffnKeeping([0, 1, 2, 3, 9]) }, // heads 0.5 again, FFN 0.2
    { step: 30, epoch: 0, heads: heads([4, 3, 2, 1]), ffn: ffnKeeping([0, 1, 2, 3, 4]) }, // both final
    { step: 40, epoch: 0, ...final },
    // EB-train pruned here: another model's masks, left out
    { step: 50, epoch: 1, heads: [[1, 2]], ffn: [[1, 2, 3]] },
  ];
  expect(settlingSteps(points, o)).toEqual([
    { tolerance: 0.1, heads: 30, ffn: 30, both: 30 },
    { tolerance: 0.05, heads: 30, ffn: 30, both: 30 },
    { tolerance: 0.02, heads: 30, ffn: 30, both: 30 },
    { tolerance: 0, heads: 30, ffn: 30, both: 30 },
  ]);
  // with a looser tolerance the FFN (0.2 away from step 10) settles at 10; the heads only once they stop moving
  expect(settlingSteps(points, o, [0.25, 0.5])).toEqual([
    { tolerance: 0.25, heads: 30, ffn: 10, both: 30 },
    { tolerance: 0.5, heads: 10, ffn: 10, both: 10 },
  ]);
});

test('a trajectory whose masks never change has settled at its first point; no points, no answer', () => {
  expect(
    settlingSteps(
      [
        { step: 5, epoch: 0, ...final },
        { step: 9, epoch: 0, ...final },
      ],
      o,
      [0],
    ),
  ).toEqual([{ tolerance: 0, heads: 5, ffn: 5, both: 5 }]);
  expect(settlingSteps([], o)).toEqual([]);
});
