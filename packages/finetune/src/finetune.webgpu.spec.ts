/**
 * Fine-tuning BERT on webgpu: the text path, gradient clipping (a global norm over every parameter), the
 * GLUE scores and the saved model, against the same run on cpu. Run by the test-webgpu target on the adapter
 * EBT_WEBGPU_ADAPTER names (CI: llvmpipe).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { finetuneBert } from './index';

const repo = path.join(__dirname, '..', '..', '..');

async function run(backend: string) {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), `ebt-finetune-${backend}-`));
  const r = await finetuneBert({
    model: path.join(repo, 'packages', 'finetune', 'assets', 'tiny-bert'),
    data: path.join(repo, 'datasets', 'sst2-tiny'),
    glueTask: 'sst2',
    epochs: 1,
    backend,
    out,
    progress: false,
  });
  const metrics = fs.readFileSync(path.join(out, 'metrics.csv'), 'utf8').trim().split('\n').slice(1);
  return { r, metrics, eval: JSON.parse(fs.readFileSync(path.join(out, 'glue-eval.json'), 'utf8')) };
}

test('fine-tuning the shipped tiny BERT with clipping on webgpu gives the cpu run its losses and scores', async () => {
  const cpu = await run('cpu'); // cpu first: tfjs moves tensors to the webgpu backend, never back
  const gpu = await run('webgpu');
  expect(gpu.metrics).toHaveLength(cpu.metrics.length);
  gpu.metrics.forEach((line, i) => {
    const [g, c] = [line.split(','), cpu.metrics[i].split(',')];
    expect(g.slice(0, 3)).toEqual(c.slice(0, 3));
    expect(Math.abs(Number(g[3]) - Number(c[3]))).toBeLessThan(1e-4);
    expect(Number(g[4])).toBeCloseTo(Number(c[4]), 6);
  });
  expect(gpu.eval).toEqual(cpu.eval);
}, 600_000);
