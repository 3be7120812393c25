import * as fs from 'node:fs';
import * as path from 'node:path';
import { initBackend } from '@ebt/backend';
import { MaskDistanceCriterion, NuclearStationarityCriterion } from '@ebt/eb-criteria';
import { readConfig } from '@ebt/models';
import { Trajectory } from '@ebt/slimming';
import { ebTrain, watchOf } from './index';
import { setup, tmp } from '../test/toy';

beforeAll(async () => {
  await initBackend({ backend: process.env.EBT_TEST_BACKEND ?? 'wasm', log: null });
});

describe('ebTrain', () => {
  test('draws the ticket, saves it, prunes, and trains the pruned model for the rest of the budget in the same files', async () => {
    const out = tmp();
    // the nuclear-norm criterion's window is longer than the run: it never draws, and keeps watching
    const never = new NuclearStationarityCriterion({ smooth: 2, window: 100, every: 1 });
    const { result, ticket } = await ebTrain(
      await setup(out, { watches: [new MaskDistanceCriterion({ queue: 5, epsilon: 1 }), never].map((c) => watchOf(c)) }),
    );
    expect(ticket).toMatchObject({ criterion: 'mask-distance', step: 4, epoch: 0, heads: [3, 3] });
    expect(result.steps).toBe(18); // 3 epochs of 6 batches, the budget unchanged
    expect(result.state.phase).toBe(2);
    const config = readConfig(path.join(out, 'ticket'));
    // HF's pruned_heads names, per layer, exactly the heads the ticket's mask dropped
    const dropped = ticket!.masks.heads.map((m) => m.flatMap((keep, h) => (keep ? [] : [h])));
    expect(dropped.map((d) => d.length)).toEqual([1, 1]);
    expect(config.pruned_heads).toEqual({ '0': dropped[0], '1': dropped[1] });
    const snaps = Trajectory.read(path.join(out, 'trajectory.arrow')).snapshots();
    expect(snaps.map((s) => s.step)).toEqual([0, 4, 6, 8, 12, 16, 18]);
    expect(snaps[1].snapshot.heads[0]).toHaveLength(4); // dense up to the draw
    expect(snaps[2].snapshot.heads[0]).toHaveLength(3); // pruned after it
    const metrics = fs.readFileSync(path.join(out, 'metrics.csv'), 'utf8').trim().split('\n');
    expect(metrics.filter((l) => l.includes(',test,'))).toHaveLength(3);
    const detections = JSON.parse(fs.readFileSync(path.join(out, 'detections.json'), 'utf8'));
    expect(detections.criteria.find((c: any) => c.criterion === 'mask-distance').drawnAt).toEqual({ step: 4, epoch: 0 });
    // the criterion that had not drawn watched the dense model only, each step once: steps 0..4, none after the pruning
    const watched = detections.criteria.find((c: any) => c.criterion === 'nuclear-stationarity').details.signal.steps.map((s: { step: number }) => s.step);
    expect(watched).toEqual([0, 1, 2, 3, 4]);
  });

  test('one criterion per ratio pair: EB-train acts on the chosen criterion at the first pair, and prunes at it', async () => {
    const out = tmp();
    const first = { heads: 0.5, ffn: 0.25 };
    const second = { heads: 0.25, ffn: 0.5 };
    const at = (r: { heads: number; ffn: number }) => new MaskDistanceCriterion({ queue: 5, epsilon: 1, ratioHeads: r.heads, ratioFfn: r.ffn });
    const watches = [watchOf(at(first), first), watchOf(at(second), second)];
    const { ticket } = await ebTrain(await setup(out, { watches }));
    // half of each layer's 4 heads pruned: the first pair's, not the second's one head
    expect(ticket).toMatchObject({ criterion: 'mask-distance', step: 4, heads: [2, 2] });
    const detections = JSON.parse(fs.readFileSync(path.join(out, 'detections.json'), 'utf8'));
    expect(detections.criteria.map((c: any) => [c.criterion, c.ratio, c.drawnAt?.step])).toEqual([
      ['mask-distance', first, 4],
      ['mask-distance', second, 4],
    ]);
  });

  test('continueWith dense only records the ticket', async () => {
    const out = tmp();
    const { result, ticket } = await ebTrain(await setup(out, { continueWith: 'dense' }));
    expect(ticket!.step).toBe(4);
    expect(result.state.phase).toBe(1);
    const snaps = Trajectory.read(path.join(out, 'trajectory.arrow')).snapshots();
    expect(snaps[snaps.length - 1].snapshot.heads[0]).toHaveLength(4);
  });

  test('rewind init trains the masked initial weights from scratch, without slimming, in ticket-train/', async () => {
    const out = tmp();
    const { ticketTraining } = await ebTrain(await setup(out, { rewind: 'init' }));
    expect(ticketTraining!.steps).toBe(18);
    expect(fs.existsSync(path.join(out, 'ticket-train', 'metrics.csv'))).toBe(true);
    expect(fs.existsSync(path.join(out, 'ticket-train', 'trajectory.arrow'))).toBe(false);
  });

  test('resuming in the dense phase restores the criteria: detections.json as an unbroken run', async () => {
    // criteria whose decisions come after the crash: smoothed from step 1, spanning 10 steps at step 10
    const criteria = () => [
      new MaskDistanceCriterion({ queue: 5, epsilon: 0 }),
      new NuclearStationarityCriterion({ smooth: 2, window: 10, every: 2, tests: ['mk'] }),
    ];
    const options = { continueWith: 'dense' as const, criterion: 'nuclear-stationarity' };
    const unbroken = tmp();
    await ebTrain(await setup(unbroken, { ...options, watches: criteria().map((c) => watchOf(c)) }));
    const broken = tmp();
    let n = 0;
    const crash = await setup(broken, { ...options, watches: criteria().map((c) => watchOf(c)) });
    const forwardOf = crash.forwardOf;
    crash.forwardOf = (m) => {
      const f = forwardOf(m);
      return (x, training) => {
        if (training && ++n === 9) throw new Error('simulated crash in epoch 2'); // after the checkpoint of epoch 1
        return f(x, training);
      };
    };
    await expect(ebTrain(crash)).rejects.toThrow('simulated crash');
    await ebTrain(await setup(broken, { ...options, watches: criteria().map((c) => watchOf(c)), resume: true }));
    const read = (dir: string) => JSON.parse(fs.readFileSync(path.join(dir, 'detections.json'), 'utf8'));
    expect(read(broken)).toEqual(read(unbroken));
    const tested = read(unbroken).criteria[1].details.tests.map((t: { step: number }) => t.step);
    expect(tested[0]).toBe(10);
  });

  test('rewind init resumed in ticket-train/ continues the ticket, not the dense run', async () => {
    const unbroken = tmp();
    const whole = await ebTrain(await setup(unbroken, { rewind: 'init' }));
    const broken = tmp();
    let n = 0;
    const crash = await setup(broken, { rewind: 'init' });
    const forwardOf = crash.forwardOf;
    crash.forwardOf = (m) => {
      const f = forwardOf(m);
      // 4 dense steps up to the draw, then the ticket's: crash in its second epoch, after its first checkpoint
      return (x, training) => {
        if (training && ++n === 4 + 9) throw new Error('simulated crash in ticket-train');
        return f(x, training);
      };
    };
    await expect(ebTrain(crash)).rejects.toThrow('simulated crash');
    const resumed = await ebTrain(await setup(broken, { rewind: 'init', resume: true }));
    const read = (dir: string, file: string) => fs.readFileSync(path.join(dir, file), 'utf8');
    // seconds aside, the dense run stays stopped at the draw: the same metrics and trajectory
    const noTime = (csv: string) => csv.split('\n').map((l) => l.split(',').filter((_, i) => i !== 6));
    expect(noTime(read(broken, 'metrics.csv'))).toEqual(noTime(read(unbroken, 'metrics.csv')));
    expect(Trajectory.read(path.join(broken, 'trajectory.arrow')).rows()).toEqual(Trajectory.read(path.join(unbroken, 'trajectory.arrow')).rows());
    // the ticket's training went on from its checkpoint to the same end
    expect(noTime(read(broken, 'ticket-train/metrics.csv'))).toEqual(noTime(read(unbroken, 'ticket-train/metrics.csv')));
    expect(resumed.ticketTraining!.steps).toBe(whole.ticketTraining!.steps);
  });

  test('resuming in the pruned phase gives the same trajectory as an unbroken run', async () => {
    const unbroken = tmp();
    await ebTrain(await setup(unbroken));
    const broken = tmp();
    let n = 0;
    const crash = await setup(broken);
    const forwardOf = crash.forwardOf;
    crash.forwardOf = (m) => {
      const f = forwardOf(m);
      return (x, training) => {
        if (training && ++n === 10) throw new Error('simulated crash in the pruned phase');
        return f(x, training);
      };
    };
    await expect(ebTrain(crash)).rejects.toThrow('simulated crash');
    const again = await setup(broken, { resume: true });
    await ebTrain(again);
    expect(Trajectory.read(path.join(broken, 'trajectory.arrow')).rows()).toEqual(Trajectory.read(path.join(unbroken, 'trajectory.arrow')).rows());
  });

  test('--resume on a damaged ticket.json refuses, naming the file, and keeps the ticket (it was deleted before)', async () => {
    const out = tmp();
    await ebTrain(await setup(out));
    const file = path.join(out, 'ticket', 'ticket.json');
    const text = fs.readFileSync(file, 'utf8');
    fs.writeFileSync(file, text.slice(0, 20)); // one cut: not JSON any more
    await expect(ebTrain(await setup(out, { resume: true }))).rejects.toThrow(/ticket\.json/);
    expect(fs.existsSync(path.join(out, 'ticket', 'model.safetensors'))).toBe(true);
    expect(fs.readFileSync(file, 'utf8')).toBe(text.slice(0, 20));
  });

  test('--resume of a run whose detections.json was damaged refuses, naming the file (it went on and left it damaged)', async () => {
    const out = tmp();
    await ebTrain(await setup(out));
    fs.writeFileSync(path.join(out, 'detections.json'), '{"criteria": 3}');
    await expect(ebTrain(await setup(out, { resume: true }))).rejects.toThrow(/detections\.json/);
  });
});
