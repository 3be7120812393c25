import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FASHION_MNIST_DEBIAN_DIR } from '@ebt/data';
import { Trajectory } from '@ebt/slimming';
import { pretrainSmallVit, PRESETS, resolvePreset } from './index';

describe('pretrainSmallVit', () => {
  test('one smoke epoch on MNIST (wasm) leaves run.json, metrics.csv, the trajectory, checkpoints and the initial weights', async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'ebt-pretrain-'));
    // dense after a draw: the snapshots keep the dense model's shapes whether or not a criterion draws in this epoch
    const { result } = await pretrainSmallVit({
      preset: 'smoke',
      epochs: 1,
      backend: 'wasm',
      out,
      progress: false,
      recordEvery: 20,
      sweep: false,
      continueWith: 'dense',
    });
    expect(result.steps).toBe(Math.ceil(2000 / 32));
    const run = JSON.parse(fs.readFileSync(path.join(out, 'run.json'), 'utf8'));
    expect(run.options).toMatchObject({ preset: 'smoke', data: 'mnist', seed: 0, epochs: 1, lambdaHeads: 1e-4, lambdaFfn: 1e-4 });
    expect(run.backend.name).toBe('wasm');
    const metrics = fs.readFileSync(path.join(out, 'metrics.csv'), 'utf8');
    expect(metrics).toMatch(/^step,epoch,split,loss,accuracy,lr,seconds,phase,examples\n/);
    const test = metrics
      .trim()
      .split('\n')
      .filter((l) => l.includes(',test,'));
    expect(test).toHaveLength(1);
    expect(Number(test[0].split(',')[4])).toBeGreaterThan(0.2); // better than chance (0.1) after one epoch
    const snaps = Trajectory.read(path.join(out, 'trajectory.arrow')).snapshots();
    expect(snaps.map((s) => s.step)).toEqual([0, 20, 40, 60, 63]);
    const m = PRESETS.smoke.model;
    expect(snaps[4].snapshot.heads.map((h) => h.length)).toEqual(new Array(m.num_hidden_layers).fill(m.num_attention_heads));
    expect(snaps[4].snapshot.ffn.map((h) => h.length)).toEqual(new Array(m.num_hidden_layers).fill(m.intermediate_size));
    const detections = JSON.parse(fs.readFileSync(path.join(out, 'detections.json'), 'utf8'));
    expect(detections.criteria.map((c: { criterion: string }) => c.criterion)).toEqual(['mask-distance', 'nuclear-stationarity']);
    for (const f of ['checkpoints/last.safetensors', 'checkpoints/best.safetensors', 'init/config.json', 'init/model.safetensors'])
      expect(fs.existsSync(path.join(out, f))).toBe(true);
  }, 120_000);

  const fashion = fs.existsSync(FASHION_MNIST_DEBIAN_DIR) || process.env.EBT_REQUIRE_FASHION_MNIST ? test : test.skip;
  fashion(
    '--data fashion-mnist: the smoke model learns a slice of the clothes (one epoch of 2,000, native)',
    async () => {
      const out = fs.mkdtempSync(path.join(os.tmpdir(), 'ebt-fashion-'));
      const { result } = await pretrainSmallVit({
        preset: 'smoke',
        data: 'fashion-mnist',
        epochs: 1,
        out,
        progress: false,
        sweep: false,
        continueWith: 'dense',
      });
      const run = JSON.parse(fs.readFileSync(path.join(out, 'run.json'), 'utf8'));
      expect(run.options).toMatchObject({ data: 'fashion-mnist', trainExamples: 2000, testExamples: 500 });
      // ten balanced classes: chance is 10%
      expect(result.finalTest!.score).toBeGreaterThan(0.4);
    },
    120_000,
  );

  test("issue 29's --lr 50 on the smoke preset: the run is flagged as not learned in run.json and its report", async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'ebt-lr50-'));
    const { result, report } = await pretrainSmallVit({ preset: 'smoke', lr: 50, backend: 'wasm', out, progress: false, sweep: false });
    expect(result.finalTest!.score).toBeLessThan(0.15); // ten balanced classes: chance is 0.1
    const run = JSON.parse(fs.readFileSync(path.join(out, 'run.json'), 'utf8'));
    expect(run.learning.learned).toBe(false);
    expect(run.learning.reasons.join('; ')).toMatch(/within 5 points of chance \(10\)/);
    expect(fs.readFileSync(report!, 'utf8')).toContain('NO - not a result');
  }, 120_000);

  test('bad options are usage errors', async () => {
    expect(() => resolvePreset('huge')).toThrow(/Unknown preset 'huge'; use one of default, smoke, fashion-mnist, seed-cifar10/);
    await expect(pretrainSmallVit({ preset: 'smoke', epochs: 0 })).rejects.toThrow(/--epochs must be a positive integer/);
    await expect(pretrainSmallVit({ preset: 'smoke', data: 'imagenet', backend: 'cpu', out: fs.mkdtempSync(path.join(os.tmpdir(), 'x-')) })).rejects.toThrow(
      /--data must be 'mnist', 'fashion-mnist', 'fashion-mnist:DIR', 'cifar10' or 'cifar10:DIR' \(got 'imagenet'\)/,
    );
    await expect(pretrainSmallVit({ preset: 'smoke', resume: true, out: fs.mkdtempSync(path.join(os.tmpdir(), 'x-')) })).rejects.toThrow(/holds no run/);
  });
});
