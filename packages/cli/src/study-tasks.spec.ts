import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCli } from '../test/run-cli';

// The studies of the real tasks (docs/study.md), each reduced to a smoke run: the same commands, on slices.
const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';
const withFashion = fs.existsSync(FASHION_MNIST_DIR) || process.env.EBT_REQUIRE_FASHION_MNIST ? describe : describe.skip;

/** The contract every study keeps: seeds, each criterion's statistics, the controls, the endpoints, the figure. */
function expectStudy(summary: any, dir: string, pair: string): void {
  expect(summary.seeds).toEqual([1, 2]);
  expect(summary.notLearned).toEqual([]);
  for (const c of Object.values(summary.criteria) as any[]) {
    expect(Object.keys(c.statistics).sort()).toEqual(['computeSaved', 'drawFraction', 'drawStep', 'falsePositiveRate', 'vsLatestGridPoints', 'vsRandomPoints']);
    expect(c.statistics.vsLatestGridPoints.n).toBe(c.draws.filter(Boolean).length);
  }
  expect(summary.controls.map((c: any) => `${c.kind} ${c.ratioHeads}:${c.ratioFfn}`)).toEqual([`random ${pair}`, `shuffle ${pair}`]);
  for (const c of summary.controls) expect(c.score.n).toBe(2);
  expect(summary.endpoints.byRatio[pair].endpoints.map((e: any) => e.id)).toEqual(['E0a', 'E0b', 'E1', 'E2', 'E3']);
  expect(fs.existsSync(path.join(dir, 'report', 'figures', 'compute-vs-accuracy.svg'))).toBe(true);
}

withFashion('ebt study small-vit --data fashion-mnist, reduced to the smoke model', () => {
  test('runs end to end on the Fashion-MNIST images', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ebt-study-fashion-'));
    const r = runCli(
      [
        'study',
        'small-vit',
        '--data',
        'fashion-mnist',
        '--preset',
        'smoke',
        '--seeds',
        '2',
        '--at-fractions',
        '0,0.5',
        '--ratios',
        '0.5:0.5',
        '--retrain-epochs',
        '1',
        '--out',
        dir,
        '--json',
      ],
      undefined,
      {},
      600_000,
    );
    expect([r.status, r.stderr.slice(-400)]).toEqual([0, expect.any(String)]);
    const summary = JSON.parse(r.stdout);
    expectStudy(summary, dir, '0.5:0.5');
    const run = JSON.parse(fs.readFileSync(path.join(dir, 'seed-1', 'run.json'), 'utf8'));
    expect(run.options).toMatchObject({ data: 'fashion-mnist', preset: 'smoke', trainExamples: 2000 });
    // ten classes: the dense baseline, retrained one epoch of 2,000 images, is well above chance (10%; 33% here)
    expect(summary.dense.score.mean).toBeGreaterThan(0.2);
  }, 600_000);
});

describe('ebt study bert --data spam-assassin, reduced to a tiny BERT on a slice', () => {
  test('runs end to end: a BERT from scratch per seed, its cells retrained from that BERT', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ebt-study-spam-'));
    const args = ['study', 'bert', '--data', 'spam-assassin:40', '--model', 'scratch:bert-tiny', '--epochs', '4', '--max-length', '32', '--batch-size', '16'];
    const r = runCli(
      [...args, '--windows', 'smoke', '--seeds', '2', '--at-fractions', '0,0.5', '--ratios', '0.5:0.5', '--retrain-epochs', '1', '--out', dir, '--json'],
      undefined,
      {},
      600_000,
    );
    expect([r.status, r.stderr.slice(-400)]).toEqual([0, expect.any(String)]);
    const summary = JSON.parse(r.stdout);
    expectStudy(summary, dir, '0.5:0.5');
    for (const seed of [1, 2]) {
      const run = JSON.parse(fs.readFileSync(path.join(dir, `seed-${seed}`, 'run.json'), 'utf8'));
      expect(run.options).toMatchObject({
        command: 'finetune bert',
        data: 'spam-assassin:40',
        scratch: 'bert-tiny',
        model: path.join(dir, `seed-${seed}`, 'scratch-model'),
        seed,
      });
    }
    // each seed's BERT is its own (seeded initialisation), with the same vocabulary (the same training split)
    const file = (seed: number, f: string) => fs.readFileSync(path.join(dir, `seed-${seed}`, 'scratch-model', f));
    expect(file(1, 'vocab.txt').equals(file(2, 'vocab.txt'))).toBe(true);
    expect(file(1, 'model.safetensors').equals(file(2, 'model.safetensors'))).toBe(false);
  }, 600_000);
});
