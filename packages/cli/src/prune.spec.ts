import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { runCli } from '../test/run-cli';

const fixtures = path.join(__dirname, '..', '..', 'models', 'test', 'fixtures');
const vit = path.join(fixtures, 'hf-tiny-vit');

/**
 * A CSV trajectory for hf-tiny-vit (2 layers, 4 heads, 64 neurons): step 0 all ones, then the same graded
 * coefficients at every later step (by default only step 5, the end of epoch 1).
 */
function trajectory(
  dir: string,
  points: number[][] = [
    [0, 0],
    [5, 0],
  ],
): string {
  const lines = ['step,epoch,kind,layer,index,value'];
  for (const [step, epoch] of points) {
    for (let l = 0; l < 2; l++) {
      for (let h = 0; h < 4; h++) lines.push(`${step},${epoch},head,${l},${h},${step ? [0.9, 0.1, 0.5, 0.7][h] : 1}`);
      for (let j = 0; j < 64; j++) lines.push(`${step},${epoch},ffn,${l},${j},${step ? (l * 64 + j) / 128 : 1}`);
    }
  }
  const file = path.join(dir, 'trajectory.csv');
  fs.writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

/** Runs an ONNX file in onnxruntime-node in a child process (its native arrays confuse jest's realm). */
function runOnnx(file: string, pixels: number[][][][]): number[] {
  const script = `
    const ort = require('onnxruntime-node');
    const px = JSON.parse(require('fs').readFileSync(0, 'utf8'));
    const dims = [px.length, px[0].length, px[0][0].length, px[0][0][0].length];
    ort.InferenceSession.create(process.argv[1]).then(async (s) => {
      const out = await s.run({ pixel_values: new ort.Tensor('float32', Float32Array.from(px.flat(3)), dims) });
      process.stdout.write(JSON.stringify(Array.from(out.logits.data)));
    });`;
  const r = spawnSync(process.execPath, ['-e', script, file], { input: JSON.stringify(pixels), encoding: 'utf8', cwd: __dirname });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout);
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

    // the pruned ticket leaves ebt as ONNX and onnxruntime-node gives ebt's logits
    const onnxFile = path.join(dir, 'pruned.onnx');
    const exported = runCli(['export', 'onnx', '--model', out, '--out', onnxFile, '--json']);
    expect(exported.stderr).toBe('');
    expect(JSON.parse(exported.stdout)).toMatchObject({ architecture: 'ViTForImageClassification', heads: [3, 3], intermediateSizes: [1, 64] });
    const pixels = JSON.parse(fs.readFileSync(path.join(vit, 'reference.json'), 'utf8')).input.pixel_values as number[][][][];
    const onnxLogits = runOnnx(onnxFile, pixels);
    const ebtLogits = (JSON.parse(infer.stdout).logits as number[][]).flat();
    expect(onnxLogits).toHaveLength(ebtLogits.length);
    onnxLogits.forEach((v, i) => expect(Math.abs(v - ebtLogits[i])).toBeLessThan(1e-4));
  });

  test("a pruned folder carries its source's tokenizer files, so it fine-tunes and infers like the original", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ebt-prune-'));
    const source = path.join(dir, 'bert');
    fs.mkdirSync(source);
    const fixtureDir = path.join(vit, '..');
    for (const f of ['config.json', 'model.safetensors']) fs.copyFileSync(path.join(fixtureDir, 'hf-tiny-bert', f), path.join(source, f));
    for (const f of ['tokenizer.json', 'tokenizer_config.json', 'vocab.txt']) fs.copyFileSync(path.join(fixtureDir, 'tiny-tokenizer', f), path.join(source, f));
    const out = path.join(dir, 'pruned');
    const r = runCli(['prune', '--model', source, '--trajectory', trajectory(dir), '--at', '1', '--out', out, '--backend', 'cpu', '--json']);
    expect(r.status).toBe(0);
    for (const f of ['tokenizer.json', 'tokenizer_config.json', 'vocab.txt'])
      expect(fs.readFileSync(path.join(out, f), 'utf8')).toBe(fs.readFileSync(path.join(source, f), 'utf8'));
  });

  test('export onnx refuses an --out folder or a missing parent before writing anything', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ebt-export-'));
    const asFolder = runCli(['export', 'onnx', '--model', vit, '--out', dir]);
    expect(asFolder.status).toBe(2);
    expect(asFolder.stderr).toBe(`ebt: --out '${dir}' is a folder; give a file name such as model.onnx.\n`);
    const missing = path.join(dir, 'no', 'model.onnx');
    const noParent = runCli(['export', 'onnx', '--model', vit, '--out', missing]);
    expect(noParent.status).toBe(2);
    expect(noParent.stderr).toMatch(/the folder '.*no' does not exist/);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  test('a QA checkpoint pruned at ratio 0 keeps as many parameters as its safetensors hold', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ebt-prune-'));
    const qa = path.join(fixtures, 'hf-tiny-bert-qa');
    // hf-tiny-bert-qa has 2 layers of 4 heads and 64 neurons, like the ViT trajectory
    const r = runCli([
      'prune',
      '--model',
      qa,
      '--trajectory',
      trajectory(dir),
      '--at',
      '1',
      '--out',
      path.join(dir, 'qa'),
      '--ratio-heads',
      '0',
      '--ratio-ffn',
      '0',
      '--backend',
      'cpu',
      '--json',
    ]);
    expect(r.status).toBe(0);
    const bytes = fs.readFileSync(path.join(qa, 'model.safetensors'));
    const header = JSON.parse(bytes.subarray(8, 8 + Number(bytes.readBigUInt64LE(0))).toString('utf8'));
    const elements = Object.entries(header)
      .filter(([k]) => k !== '__metadata__')
      .reduce((s, [, v]) => s + (v as { shape: number[] }).shape.reduce((a, b) => a * b, 1), 0);
    expect(JSON.parse(r.stdout).parameters).toEqual({ before: elements, after: elements });
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

  test("another model's trajectory, a ratio of 1 and an occupied --out are refused with one line, nothing written", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ebt-prune-'));
    const file = trajectory(dir);
    // the same trajectory with three layers: a model of another shape
    const lines = fs.readFileSync(file, 'utf8').trim().split('\n');
    const third = lines.filter((l) => /^\d+,\d+,(head|ffn),1,/.test(l)).map((l) => l.replace(/,1,(\d+),/, ',2,$1,'));
    fs.writeFileSync(path.join(dir, 'three.csv'), [...lines, ...third].join('\n') + '\n');
    const out = path.join(dir, 'out');
    const oneLine = (r: { stderr: string }) =>
      r.stderr
        .trim()
        .split('\n')
        .filter((l) => l.startsWith('ebt:') && !l.startsWith('ebt: tfjs backend'));
    const other = runCli(['prune', '--model', vit, '--trajectory', path.join(dir, 'three.csv'), '--at', '1', '--out', out, '--backend', 'cpu']);
    expect(other.status).toBe(2);
    expect(oneLine(other)).toEqual([
      `ebt: '${path.join(dir, 'three.csv')}' at step 5 does not fit the model in '${vit}': the masks cover 3 / 3 layers but the model has 2.`,
    ]);
    const all = runCli(['prune', '--model', vit, '--trajectory', file, '--at', '1', '--ratio-heads', '1', '--out', out]);
    expect(all.status).toBe(2);
    expect(oneLine(all)).toEqual(['ebt: --ratio-heads must lie in [0, 1): 1 would prune every unit (got 1).']);
    expect(fs.existsSync(out)).toBe(false);
    fs.mkdirSync(out);
    fs.writeFileSync(path.join(out, 'notes.txt'), 'mine');
    const occupied = runCli(['prune', '--model', vit, '--trajectory', file, '--at', '1', '--out', out]);
    expect(occupied.status).toBe(2);
    expect(oneLine(occupied)).toEqual([`ebt: --out '${out}' is not empty; give --overwrite to write the pruned model over it, or another folder.`]);
    expect(fs.readdirSync(out)).toEqual(['notes.txt']);
    const help = runCli(['prune', '--help']);
    expect(help.stdout).toMatch(/share of heads pruned by the mask \(default:\s+1\/3\)/);
  });
});

describe('ebt detect', () => {
  test('both criteria on a trajectory file; the draw point is where the masks settle', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ebt-detect-'));
    const two = trajectory(dir);
    // step 0 (all ones: ties pruned by index) and step 5 give different head masks: a queue of 2 never agrees
    const never = runCli(['detect', '--trajectory', two, '--criterion', 'mask-distance', '--queue', '2', '--epsilon', '0']);
    expect(never.status).toBe(0);
    expect(JSON.parse(never.stdout)).toMatchObject({ criterion: 'mask-distance', drawnAt: null, points: 2 });
    const file = trajectory(dir, [
      [0, 0],
      [5, 0],
      [10, 1],
      [15, 1],
    ]);
    // the masks settle at step 5: the first queue of 2 equal masks is (5, 10)
    const md = runCli(['detect', '--trajectory', file, '--criterion', 'mask-distance', '--queue', '2', '--epsilon', '0']);
    expect(JSON.parse(md.stdout)).toMatchObject({ criterion: 'mask-distance', drawnAt: { step: 10, epoch: 1 }, points: 4 });
    // ...and stay so to the end: the head masks from step 5 at every tolerance, the FFN masks (equal throughout) from 0
    expect(JSON.parse(md.stdout).settling).toEqual([0.1, 0.05, 0.02, 0].map((tolerance) => ({ tolerance, heads: 5, ffn: 0, both: 5 })));
    // the head masks at step 0 and 5 prune one head per layer each (index ties at 0, head 1 later): the same
    // nuclear norm; the FFN masks are equal. So the first window of 11 steps (the points at 0, 5, 10) is flat:
    // mode all (blind to the swap) draws at 10; the calibrated default sees the head mask move since step 0 and
    // draws at 15, the first window whose masks start from step 5's
    const flags = ['--smooth', '1', '--window', '11', '--every', '5'];
    const all = runCli(['detect', '--trajectory', file, '--criterion', 'nuclear-stationarity', '--mode', 'all', ...flags]);
    expect(all.status).toBe(0);
    expect(JSON.parse(all.stdout)).toMatchObject({ criterion: 'nuclear-stationarity', drawnAt: { step: 10, epoch: 1 } });
    const ns = runCli(['detect', '--trajectory', file, '--criterion', 'nuclear-stationarity', ...flags]);
    expect(JSON.parse(ns.stdout)).toMatchObject({ criterion: 'nuclear-stationarity', drawnAt: { step: 15, epoch: 1 } });
    expect(JSON.parse(ns.stdout).details.tests[0].motion).toEqual({ head: 0.5, ffn: 0, since: 0 });
    const bad = runCli(['detect', '--trajectory', file, '--criterion', 'nuclear-stationarity', '--tests', 'dejong,foo']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--tests must be one of tost, dejong, mk, adf, kpss \(got 'foo'\)/);
    const window = runCli(['detect', '--trajectory', file, '--criterion', 'nuclear-stationarity', '--window', '2']);
    expect(window.status).toBe(2);
    expect(window.stderr).toMatch(/window \(--window\) must be at least 3 steps \(got 2\)/);
  });

  test('a grid: each setting of a file on each trajectory, beside the settling steps; a bad line is named', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ebt-grid-'));
    const settles = trajectory(dir, [
      [0, 0],
      [5, 0],
      [10, 1],
      [15, 1],
    ]);
    const gz = path.join(dir, 'trajectory.csv.gz');
    fs.writeFileSync(gz, zlib.gzipSync(fs.readFileSync(settles)));
    const grid = path.join(dir, 'grid.txt');
    fs.writeFileSync(
      grid,
      [
        '# the permutation case of the test above',
        '--criterion mask-distance --queue 2 --epsilon 0',
        '',
        '--criterion nuclear-stationarity --mode all --smooth 1 --window 11 --every 5  # blind to the swap',
        '--criterion nuclear-stationarity --smooth 1 --window 11 --every 5',
        '--criterion nuclear-stationarity --windows smoke --every 100',
      ].join('\n'),
    );
    const r = runCli(['detect', '--grid', grid, '--trajectory', settles, gz]);
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.trajectories.map((t: { points: number; steps: number }) => [t.points, t.steps])).toEqual([
      [4, 15],
      [4, 15],
    ]);
    expect(out.trajectories[0].settling[0]).toEqual({ tolerance: 0.1, heads: 5, ffn: 0, both: 5 });
    expect(out.settings.map((s: { line: string }) => s.line)).toEqual([
      '--criterion mask-distance --queue 2 --epsilon 0',
      '--criterion nuclear-stationarity --mode all --smooth 1 --window 11 --every 5',
      '--criterion nuclear-stationarity --smooth 1 --window 11 --every 5',
      '--criterion nuclear-stationarity --windows smoke --every 100',
    ]);
    // the same draws as the single runs of the test above, on the CSV and on its gzipped copy alike; the smoke
    // preset's 30-step window is never spanned by 15 steps
    const draws = out.settings.map((s: { draws: Array<{ drawnAt: { step: number } | null; after: number | null }> }) =>
      s.draws.map((d) => [d.drawnAt?.step ?? null, d.after]),
    );
    expect(draws).toEqual([
      [
        [10, 5],
        [10, 5],
      ],
      [
        [10, 5],
        [10, 5],
      ],
      [
        [15, 10],
        [15, 10],
      ],
      [
        [null, null],
        [null, null],
      ],
    ]);
    expect(out.settings[3].options).toMatchObject({ smooth: 10, window: 30, every: 100, flatTol: 1e-3 });
    const table = runCli(['detect', '--grid', grid, '--trajectory', settles, '--table']).stdout.trim().split('\n');
    expect(table).toHaveLength(2 + 1 + 4);
    expect(table[2]).toBe('| masks within 0.1 from (heads / FFN / both) | 5 / 0 / 5 |');
    expect(table[5]).toBe('| `--criterion nuclear-stationarity --smooth 1 --window 11 --every 5` | 15 (+10) |');

    const bad = (lines: string[], message: string | RegExp) => {
      fs.writeFileSync(grid, lines.join('\n'));
      const b = runCli(['detect', '--grid', grid, '--trajectory', settles]);
      expect([b.status, b.stdout]).toEqual([2, '']);
      expect(b.stderr).toMatch(message);
    };
    bad(['--criterion mask-distance', '--criterion nuclear-stationarity --tolerance x'], `--grid '${grid}', line 2: --tolerance must be a number (got 'x').`);
    bad(['--criterion mask-distance --bogus 1'], /line 1: unknown option '--bogus'/);
    bad(['--queue 3'], /line 1: --criterion is required/);
    bad(['--criterion nuclear-stationarity --mode strict'], /line 1: --mode must be one of calibrated, all, seed \(got 'strict'\)/);
    bad(['--criterion nuclear-stationarity --window 2'], /line 1: nuclear-stationarity: window \(--window\) must be at least 3 steps/);
    bad(['# nothing'], /holds no setting/);
    const two = runCli(['detect', '--criterion', 'mask-distance', '--trajectory', settles, gz]);
    expect(two.status).toBe(2);
    expect(two.stderr).toMatch(/--trajectory: one file without --grid \(got 2\)/);
  });
});
