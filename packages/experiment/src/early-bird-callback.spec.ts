import * as fs from 'node:fs';
import * as path from 'node:path';
import { initBackend } from '@ebt/backend';
import { MaskDistanceCriterion, NuclearStationarityCriterion, replay } from '@ebt/eb-criteria';
import { Trajectory } from '@ebt/slimming';
import { train } from '@ebt/training';
import { earlyBirdCallback } from './index';
import { setup, tmp } from '../test/toy';

beforeAll(async () => {
  await initBackend({ backend: process.env.EBT_TEST_BACKEND ?? 'cpu', log: null });
});

/** A plain training run (no EB-train) with the callback watching. */
function plain(outDir: string, callbacks: ReturnType<typeof earlyBirdCallback>[], recordEvery: number) {
  const o = setup(outDir);
  return { ...o, forward: o.forwardOf(o.model), criteria: undefined, recordEvery, callbacks };
}

describe('earlyBirdCallback', () => {
  // mask distance with a loose epsilon draws within the run; the strict one never does
  const criteria = () => [
    new MaskDistanceCriterion({ queue: 3, epsilon: 0.5 }),
    new NuclearStationarityCriterion({ smooth: 2, window: 4, every: 2, tests: ['mk'] }),
  ];

  test('detections.json holds both verdicts, equal to an offline replay of the finished trajectory', async () => {
    const out = tmp();
    const cb = earlyBirdCallback({ criteria: criteria(), outDir: out });
    await train(plain(out, [cb], 2));
    const detections = JSON.parse(fs.readFileSync(path.join(out, 'detections.json'), 'utf8'));
    expect(detections.totalSteps).toBe(18);
    expect(detections.criteria.map((c: { criterion: string }) => c.criterion)).toEqual(['mask-distance', 'nuclear-stationarity']);
    const points = Trajectory.read(path.join(out, 'trajectory.arrow')).points();
    const offline = criteria().map((c) => replay(c, points));
    // the comparison means something only if a criterion drew: mask distance's third point (step 4)
    expect(offline[0]).toEqual({ drawn: true, step: 4, epoch: 0 });
    expect(detections.criteria.map((c: { drawnAt: unknown }) => c.drawnAt)).toEqual(offline.map((v) => (v.drawn ? { step: v.step, epoch: v.epoch } : null)));
  });

  test("onDraw returning 'stop' ends training at the draw", async () => {
    const out = tmp();
    const cb = earlyBirdCallback({ criteria: [new MaskDistanceCriterion({ queue: 2, epsilon: 1 })], outDir: out, onDraw: () => 'stop' });
    const result = await train(plain(out, [cb], 1));
    expect(result.stoppedEarly).toBe(true);
    expect(result.steps).toBe(1); // a queue of 2 is full at the first recorded step after step 0
  });
});
