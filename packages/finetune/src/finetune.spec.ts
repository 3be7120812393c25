import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Trajectory } from '@ebt/slimming';
import { finetuneBert, finetuneVit } from './index';

const repo = path.join(__dirname, '..', '..', '..');
const fixtures = path.join(repo, 'packages', 'models', 'test', 'fixtures');
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'ebt-finetune-'));

/** hf-tiny-bert with the test tokenizer beside it: a complete Hugging Face text-model folder. */
function tinyBertFolder(): string {
  const dir = tmp();
  for (const f of ['config.json', 'model.safetensors']) fs.copyFileSync(path.join(fixtures, 'hf-tiny-bert', f), path.join(dir, f));
  for (const f of fs.readdirSync(path.join(fixtures, 'tiny-tokenizer'))) fs.copyFileSync(path.join(fixtures, 'tiny-tokenizer', f), path.join(dir, f));
  return dir;
}

describe('finetune bert', () => {
  test('learns the shipped sst2-tiny task on wasm and writes the run folder', async () => {
    const out = tmp();
    const { result } = await finetuneBert({ model: tinyBertFolder(), data: path.join(repo, 'datasets', 'sst2-tiny'), epochs: 12, batchSize: 16, lr: 3e-3, maxLength: 32, backend: 'wasm', out, progress: false });
    expect(result.finalTest!.accuracy).toBeGreaterThan(0.8); // chance is 0.5
    const run = JSON.parse(fs.readFileSync(path.join(out, 'run.json'), 'utf8'));
    expect(run.options).toMatchObject({ command: 'finetune bert', optimizer: 'adamw', schedule: 'linear', clipNorm: 1, maxLength: 32, numLabels: 2 });
    const snaps = Trajectory.read(path.join(out, 'trajectory.arrow')).snapshots();
    expect(snaps[snaps.length - 1].step).toBe(72);
    expect(snaps[0].snapshot.heads.map((h) => h.length)).toEqual([4, 4]);
    expect(snaps[0].snapshot.ffn.map((h) => h.length)).toEqual([64, 64]);
  }, 60_000);

  test('missing flags and files are usage errors naming them', async () => {
    await expect(finetuneBert({ model: '', data: 'x' })).rejects.toThrow(/--model DIR is required/);
    await expect(finetuneBert({ model: tinyBertFolder(), data: tmp() })).rejects.toThrow(/train\.tsv/);
    const noTokenizer = tmp();
    for (const f of ['config.json', 'model.safetensors']) fs.copyFileSync(path.join(fixtures, 'hf-tiny-bert', f), path.join(noTokenizer, f));
    await expect(finetuneBert({ model: noTokenizer, data: path.join(repo, 'datasets', 'sst2-tiny') })).rejects.toThrow(/lacks tokenizer\.json/);
  });
});

describe('finetune vit', () => {
  test('fine-tunes hf-tiny-vit on MNIST digits resized to 32x32 and tiled to 3 channels (cpu)', async () => {
    const out = tmp();
    const { result } = await finetuneVit({ model: path.join(fixtures, 'hf-tiny-vit'), data: 'mnist', epochs: 1, batchSize: 32, lr: 1e-3, limit: 256, backend: 'cpu', out, progress: false });
    expect(result.steps).toBe(8);
    const run = JSON.parse(fs.readFileSync(path.join(out, 'run.json'), 'utf8'));
    expect(run.options).toMatchObject({ command: 'finetune vit', imageSize: 32, normalisation: { mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] } });
    expect(fs.existsSync(path.join(out, 'checkpoints', 'last.safetensors'))).toBe(true);
  }, 60_000);

  test('an unknown data spec is refused', async () => {
    await expect(finetuneVit({ model: path.join(fixtures, 'hf-tiny-vit'), data: 'imagenet' })).rejects.toThrow(/--data must be 'mnist' or 'cifar10:DIR'/);
  });
});
