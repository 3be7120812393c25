import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCli } from '../test/run-cli';

const vit = path.join(__dirname, '..', '..', 'models', 'test', 'fixtures', 'hf-tiny-vit');

/** A CSV trajectory for hf-tiny-vit (2 layers, 4 heads, 64 neurons): step 0 all ones, step 5 (end of epoch 1) graded. */
function trajectory(dir: string): string {
  const lines = ['step,epoch,kind,layer,index,value'];
  for (const [step, epoch] of [
    [0, 0],
    [5, 0],
  ]) {
    for (let l = 0; l < 2; l++) {
      for (let h = 0; h < 4; h++) lines.push(`${step},${epoch},head,${l},${h},${step ? [0.9, 0.1, 0.5, 0.7][h] : 1}`);
      for (let j = 0; j < 64; j++) lines.push(`${step},${epoch},ffn,${l},${j},${step ? (l * 64 + j) / 128 : 1}`);
    }
  }
  const file = path.join(dir, 'trajectory.csv');
  fs.writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

describe('ebt prune', () => {
  test('prunes by the masks of the chosen point and writes a loadable Hugging Face folder', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ebt-prune-'));
    const out = path.join(dir, 'pruned');
    const r = runCli([
      'prune',
      '--model',
      vit,
      '--trajectory',
      trajectory(dir),
      '--at',
      '1',
      '--out',
      out,
      '--ratio-heads',
      '0.25',
      '--ratio-ffn',
      '0.5',
      '--backend',
      'cpu',
      '--json',
    ]);
    expect(r.stderr).not.toMatch(/failed/);
    expect(r.status).toBe(0);
    const summary = JSON.parse(r.stdout);
    // heads: layerwise, 1 of 4 per layer goes (head 1, |c| = 0.1); FFN: global, the 64 smallest of 128 = all of layer 0
    // but a layer keeps its largest neuron, so layer 0 keeps 1 and layer 1 keeps 64
    expect(summary).toMatchObject({ step: 5, epoch: 0, heads: [3, 3], intermediateSizes: [1, 64] });
    expect(summary.parameters.after).toBeLessThan(summary.parameters.before);
    const config = JSON.parse(fs.readFileSync(path.join(out, 'config.json'), 'utf8'));
    expect(config.pruned_heads).toEqual({ '0': [1], '1': [1] });
    expect(config.intermediate_sizes).toEqual([1, 64]);
    const infer = runCli(['infer', '--model', out, '--input', path.join(vit, 'reference.json'), '--backend', 'cpu']);
    expect(infer.status).toBe(0);
  });

  test('a point that is not in the trajectory is a usage error', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ebt-prune-'));
    const r = runCli(['prune', '--model', vit, '--trajectory', trajectory(dir), '--at', '3', '--out', path.join(dir, 'x')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/has no point in epoch 3 \(it covers 1 epochs\)/);
    const both = runCli(['prune', '--model', vit, '--trajectory', trajectory(dir), '--out', path.join(dir, 'x')]);
    expect(both.status).toBe(2);
    expect(both.stderr).toMatch(/exactly one of --at EPOCH and --step STEP/);
  });
});

describe('ebt detect', () => {
  test('both criteria on a trajectory file; the draw point is where the masks settle', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ebt-detect-'));
    const file = trajectory(dir);
    const md = runCli(['detect', '--trajectory', file, '--criterion', 'mask-distance', '--queue', '2', '--epsilon', '0']);
    expect(md.status).toBe(0);
    // step 0 (all ones: ties pruned by index) and step 5 give different masks, so a queue of 2 never agrees
    expect(JSON.parse(md.stdout)).toMatchObject({ criterion: 'mask-distance', drawnAt: null, points: 2 });
    const ns = runCli(['detect', '--trajectory', file, '--criterion', 'nuclear-stationarity', '--smooth', '1', '--window', '3', '--every', '1']);
    expect(ns.status).toBe(0);
    expect(JSON.parse(ns.stdout)).toMatchObject({ criterion: 'nuclear-stationarity', drawnAt: null });
    const bad = runCli(['detect', '--trajectory', file, '--criterion', 'nuclear-stationarity', '--tests', 'dejong,foo']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--tests must be one of dejong, mk, adf, kpss \(got 'foo'\)/);
    const window = runCli(['detect', '--trajectory', file, '--criterion', 'nuclear-stationarity', '--window', '2']);
    expect(window.status).toBe(2);
    expect(window.stderr).toMatch(/window must be at least 3/);
  });
});
