import * as fs from 'node:fs';
import * as path from 'node:path';
import { initBackend } from '@ebt/backend';
import { MaskDistanceCriterion, NuclearStationarityCriterion, replay } from '@ebt/eb-criteria';
import { Trajectory } from '@ebt/slimming';
import { train } from '@ebt/training';
import { earlyBirdCallback, watchOf } from './index';
import { setup, tmp } from '../test/toy';

beforeAll(async () => {
  await initBackend({ backend: process.env.EBT_TEST_BACKEND ?? 'wasm', log: null });
});

/** A plain training run (no EB-train) with the callback watching. */
async function plain(outDir: string, callbacks: ReturnType<typeof earlyBirdCallback>[], recordEvery: number) {
  const o = await setup(outDir);
  return { ...o, forward: o.forwardOf(o.model), watches: undefined, recordEvery, callbacks };
}

describe('earlyBirdCallback', () => {
  // mask distance with a loose epsilon draws within the run; the strict one never does
  const criteria = () => [
    new MaskDistanceCriterion({ queue: 3, epsilon: 0.5 }),
    new NuclearStationarityCriterion({ smooth: 2, window: 4, every: 2, tests: ['mk'] }),
  ];

  test('detections.json holds both verdicts, equal to an offline replay of the trajectory recorded at every step', async () => {
    const out = tmp();
    const cb = earlyBirdCallback({ watches: criteria().map((c) => watchOf(c)), outDir: out });
    await train(await plain(out, [cb], 1));
    const detections = JSON.parse(fs.readFileSync(path.join(out, 'detections.json'), 'utf8'));
    expect(detections.totalSteps).toBe(18);
    expect(detections.criteria.map((c: { criterion: string }) => c.criterion)).toEqual(['mask-distance', 'nuclear-stationarity']);
    const points = Trajectory.read(path.join(out, 'trajectory.arrow')).points();
    const offline = criteria().map((c) => replay(c, points));
    // the comparison means something only if a criterion drew: mask distance, once its queue of 3 is full
    expect(offline[0]).toMatchObject({ drawn: true, epoch: 0 });
    expect((offline[0] as { step: number }).step).toBeGreaterThanOrEqual(2);
    expect(detections.criteria.map((c: { drawnAt: unknown }) => c.drawnAt)).toEqual(offline.map((v) => (v.drawn ? { step: v.step, epoch: v.epoch } : null)));
  });

  test("onDraw returning 'stop' ends training at the draw", async () => {
    const out = tmp();
    const cb = earlyBirdCallback({ watches: [watchOf(new MaskDistanceCriterion({ queue: 2, epsilon: 1 }))], outDir: out, onDraw: () => 'stop' });
    const result = await train(await plain(out, [cb], 4));
    expect(result.stoppedEarly).toBe(true);
    // the criteria see every step: a queue of 2 (steps 0 and 1) is full after the first step
    expect(result.steps).toBe(1);
    // the trajectory records the point of the draw, though it is not a multiple of recordEvery
    expect(
      Trajectory.read(path.join(out, 'trajectory.arrow'))
        .points()
        .map((p) => p.step),
    ).toEqual([0, 1]);
  });
});
