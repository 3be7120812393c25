/**
 * The CLI on the webgpu backend: `ebt backend` reports the adapter, and `ebt infer` reproduces PyTorch's
 * logits on it. Run by the test-webgpu target on the adapter EBT_WEBGPU_ADAPTER names (CI: llvmpipe).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCli } from '../test/run-cli';

const fixtures = path.join(__dirname, '..', '..', 'models', 'test', 'fixtures');
const maxAbsDiff = (a: number[][], b: number[][]) => Math.max(...a.flat().map((v, i) => Math.abs(v - b.flat()[i])));

test('ebt backend --backend webgpu --json names the adapter and its limits', () => {
  const r = runCli(['backend', '--backend', 'webgpu', '--json']);
  expect(r.status).toBe(0);
  const info = JSON.parse(r.stdout);
  expect(info).toMatchObject({ name: 'webgpu', tfBackend: 'webgpu', reason: 'requested' });
  const adapter = info.adapter;
  const named = process.env.EBT_WEBGPU_ADAPTER!.toLowerCase();
  expect([adapter.vendor, adapter.architecture, adapter.device, adapter.description].join(' ').toLowerCase()).toContain(named);
  expect(adapter.limits.maxStorageBufferBindingSize).toBeGreaterThanOrEqual(128 * 2 ** 20); // WebGPU's guaranteed minimum
  if (named === 'llvmpipe') expect(adapter).toMatchObject({ software: true, dawnBackend: 'opengles', featureLevel: 'compatibility' });
});

test.each(['hf-tiny-vit', 'hf-tiny-bert'])("ebt infer reproduces %s's PyTorch logits on webgpu", (name) => {
  const dir = path.join(fixtures, name);
  const ref = JSON.parse(fs.readFileSync(path.join(dir, 'reference.json'), 'utf8'));
  const input = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ebt-infer-')), 'input.json');
  fs.writeFileSync(input, JSON.stringify(ref.input));
  const r = runCli(['infer', '--model', dir, '--input', input, '--backend', 'webgpu']);
  expect(r.stderr).toContain("backend 'webgpu'");
  expect(r.status).toBe(0);
  expect(maxAbsDiff(JSON.parse(r.stdout).logits, ref.expected.logits)).toBeLessThan(ref.tolerance.abs);
});

test('ebt bench train-step on webgpu times the step and says what it achieved', () => {
  const r = runCli(['bench', 'train-step', '--backend', 'webgpu', '--batch', '2', '--steps', '1', '--no-reference', '--json'], undefined, {}, 300_000);
  expect(r.status).toBe(0);
  const bench = JSON.parse(r.stdout);
  expect(bench).toMatchObject({
    backend: 'webgpu',
    shape: 'vit-tiny',
    batch: 2,
    tokens: 65,
    steps: 1,
    reference: null,
    noReference: 'not asked for (--no-reference)',
  });
  expect(bench.adapter.device + bench.adapter.description).toMatch(new RegExp(process.env.EBT_WEBGPU_ADAPTER!, 'i'));
  expect(bench.msPerStep).toBeGreaterThan(0);
  // 3 forward passes of 2 examples of the ViT-Tiny shape, by hand: 6 layers x (QKV, scores and context,
  // output, FFN) + the patch projection + the head = 0.2507 GFLOP each
  const forward = 6 * (2 * 65 * 192 * 192 * 3 + 2 * 65 * 65 * 192 * 2 + 2 * 65 * 192 * 192 + 2 * 65 * 192 * 384 * 2) + 2 * 64 * 48 * 192 + 2 * 192 * 10;
  expect(bench.tflopsPerSecond * bench.msPerStep * 1e9).toBeCloseTo(3 * 2 * forward, -2);
});
