/**
 * EB-train of the smoke small-ViT on webgpu, from the first step to the end of the pruned model's training,
 * against the same run on the CPU (the native backend: the cpu backend's numbers with OpenBLAS products, and
 * quick): the draw, the ticket's masks, the pruned phase and the metrics. Run by the test-webgpu target on the
 * adapter EBT_WEBGPU_ADAPTER names (CI: Mesa's llvmpipe through OpenGL ES).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pretrainSmallVit } from './index';

/** One smoke epoch in batches of 100 (20 steps); mask distance acts, so the draw comes early and most steps train the ticket. */
async function run(backend: string) {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), `ebt-webgpu-${backend}-`));
  const r = await pretrainSmallVit({
    preset: 'smoke',
    epochs: 1,
    batchSize: 100,
    backend,
    out,
    progress: false,
    sweep: false,
    report: false,
    criterion: 'mask-distance',
  });
  const ticket = JSON.parse(fs.readFileSync(path.join(out, 'ticket', 'ticket.json'), 'utf8'));
  const metrics = fs.readFileSync(path.join(out, 'metrics.csv'), 'utf8').trim().split('\n').slice(1);
  const detections = JSON.parse(fs.readFileSync(path.join(out, 'detections.json'), 'utf8'));
  return { r, ticket, metrics, detections, run: JSON.parse(fs.readFileSync(path.join(out, 'run.json'), 'utf8')) };
}

describe('EB-train of the smoke small-ViT, webgpu against the CPU', () => {
  let cpu: Awaited<ReturnType<typeof run>>;
  let gpu: Awaited<ReturnType<typeof run>>;
  beforeAll(async () => {
    cpu = await run('native');
    gpu = await run('webgpu');
  }, 900_000);

  test('the run says it ran on webgpu, on the adapter asked for', () => {
    expect(gpu.run.backend.name).toBe('webgpu');
    expect(cpu.run.backend.name).toBe('native');
  });

  test('the ticket is drawn at the same step with the same masks, and the pruned model trains to the end', () => {
    expect(cpu.ticket.step).toBeLessThan(20);
    expect(gpu.ticket.step).toBe(cpu.ticket.step);
    expect(gpu.ticket.masks).toEqual(cpu.ticket.masks);
    expect(gpu.ticket.masks.heads.flat().some((keep: number) => !keep)).toBe(true); // something was pruned
    expect(gpu.r.result.steps).toBe(20);
    expect(gpu.r.result.state.phase).toBe(2);
    expect(fs.existsSync(path.join(gpu.r.outDir, 'ticket', 'model.safetensors'))).toBe(true);
  });

  test('both criteria reach the same verdicts, and the metrics agree to rounding', () => {
    const drawn = (d: { criteria: { criterion: string; drawnAt: unknown }[] }) => d.criteria.map((c) => [c.criterion, c.drawnAt]);
    expect(drawn(gpu.detections)).toEqual(drawn(cpu.detections));
    expect(gpu.metrics).toHaveLength(cpu.metrics.length);
    gpu.metrics.forEach((line, i) => {
      const [g, c] = [line.split(','), cpu.metrics[i].split(',')];
      expect(g.slice(0, 3)).toEqual(c.slice(0, 3)); // step, epoch, split
      expect(Math.abs(Number(g[3]) - Number(c[3]))).toBeLessThan(1e-3); // loss
      expect(Math.abs(Number(g[4]) - Number(c[4]))).toBeLessThan(0.01); // accuracy: at most a few examples apart
    });
  });
});
