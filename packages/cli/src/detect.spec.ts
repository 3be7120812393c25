import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeManifest } from '@ebt/experiment';
import { runCli } from '../test/run-cli';

describe('ebt detect on a trajectory EB-train pruned (issue 33 item 2)', () => {
  test("replays the dense part up to the draw and says so, where it failed with 'layer 0 has 3 and 4 entries'", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ebt-detect-'));
    const file = path.join(dir, 'trajectory.csv');
    // steps 0..50 with 4 heads and 4 FFN neurons (head 3 and neuron 0 falling), then from step 60 the pruned model's 3
    const lines = ['step,epoch,kind,layer,index,value'];
    for (let step = 0; step <= 90; step += 10) {
      const pruned = step >= 60;
      const heads = pruned ? [1, 0.9, 0.8] : [1, 0.9, 0.8, Math.max(0, 0.7 - step / 100)];
      const ffn = pruned ? [0.9, 0.8, 0.7] : [Math.max(0, 0.6 - step / 100), 0.9, 0.8, 0.7];
      heads.forEach((v, i) => lines.push(`${step},0,head,0,${i},${v}`));
      ffn.forEach((v, i) => lines.push(`${step},0,ffn,0,${i},${v}`));
    }
    fs.writeFileSync(file, lines.join('\n') + '\n');
    const r = runCli(['detect', '--trajectory', file, '--criterion', 'mask-distance', '--queue', '2', '--ratio-heads', '0.25', '--ratio-ffn', '0.25']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.points).toBe(6);
    expect(out.note).toBe('the model was pruned at step 60 (EB-train): the 6 points before it were replayed');
    // head 3 and neuron 0 are the smallest from step 0 on: two equal masks in a row draw at step 10
    expect(out.drawnAt).toEqual({ step: 10, epoch: 0 });
  });
});

describe("ebt detect on ebt's own run folder", () => {
  test("the run's criterion settings are the defaults, flags override them, and a setting that cannot draw says why", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ebt-detect-run-'));
    // prettier-ignore
    const options = {
      command: 'pretrain small-vit', preset: 'smoke', data: 'mnist', seed: 0, epochs: 3, batchSize: 32, lr: 0.001, minLr: 1e-5, warmupSteps: 0, schedule: 'cosine', optimizer: 'adam', weightDecay: 0,
      labelSmoothing: 0, lambdaHeads: 1e-4, lambdaFfn: 1e-4, recordEvery: 5, criterion: 'nuclear-stationarity', continueWith: 'dense', rewind: 'none', maskDistance: { queue: 3 },
      nuclearStationarity: { smooth: 4, window: 12, every: 3 }, ratios: [{ heads: 0.25, ffn: 0.5 }], trainExamples: 96, testExamples: 30,
      model: { model_type: 'vit', hidden_size: 16, num_hidden_layers: 2, num_attention_heads: 4, intermediate_size: 16, image_size: 8, patch_size: 4, num_channels: 1, num_labels: 3 },
    } as const;
    writeManifest(dir, options as never, { name: 'cpu' }, false);
    // coefficients that settle in order by step 100, recorded every 5 steps to 300
    const lines = ['step,epoch,kind,layer,index,value'];
    for (let step = 0; step <= 300; step += 5) {
      const settle = Math.exp(-step / 40);
      for (let l = 0; l < 2; l++) {
        for (let h = 0; h < 4; h++) lines.push(`${step},0,head,${l},${h},${1 - 0.1 * h * (1 - settle) + 0.2 * settle * Math.sin(step + l + h)}`);
        for (let j = 0; j < 16; j++) lines.push(`${step},0,ffn,${l},${j},${1 - 0.03 * j * (1 - settle) + 0.3 * settle * Math.cos(step * 0.7 + j + l)}`);
      }
    }
    const file = path.join(dir, 'trajectory.csv');
    fs.writeFileSync(file, lines.join('\n') + '\n');
    const detect = (args: string[]) => {
      const r = runCli(['detect', '--trajectory', file, '--criterion', 'nuclear-stationarity', ...args]);
      expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
      return JSON.parse(r.stdout);
    };
    const own = detect([]);
    const explicit = detect(['--smooth', '4', '--window', '12', '--every', '3', '--ratio-heads', '0.25', '--ratio-ffn', '0.5']);
    expect(own.drawnAt).not.toBeNull();
    expect(own.drawnAt).toEqual(explicit.drawnAt); // the run's settings, as if given
    expect(own.note).toBe(`the criterion settings of the run in ${dir} (run.json), under the flags given`);
    // a flag overrides the run: windows longer than the trajectory cannot draw, and the note says why
    const long = detect(['--smooth', '200', '--window', '300']);
    expect(long.drawnAt).toBeNull();
    expect(long.note).toMatch(/no draw: the points span 300 steps, fewer than the smoothing \(200\) and window \(300\) need together \(500\)/);
  });
});
