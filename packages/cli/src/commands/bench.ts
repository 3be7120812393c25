import { Command } from 'commander';
import * as path from 'node:path';
import { initBackend } from '@ebt/backend';
import { UsageError } from '@ebt/errors';
import { oneOf, parseInteger } from '../input';
import { printJson } from '../output';

// Benchmarks live in tools/bench at the workspace root; they are loaded on demand, never by the libraries.
const benchDir = path.resolve(__dirname, '../../../../tools/bench');

/** A benchmark module of tools/bench (TypeScript, which the built CLI runs through tsx). */
function benchModule(file: string): unknown {
  require('tsx/cjs');
  return require(path.join(benchDir, file));
}

export function benchCommand(): Command {
  const cmd = new Command('bench');
  cmd
    .command('stationarity')
    .description('Series per second of ADF(AIC) + KPSS(auto) + Mann-Kendall + DeJong, and statsmodels in the same run.')
    .option('--json', 'machine-readable output', false)
    .option('--no-reference', 'skip the statsmodels run')
    .action((o) => {
      const { benchStationarity } = benchModule('stationarity.ts') as typeof import('../../../../tools/bench/stationarity');
      const r = benchStationarity({ reference: o.reference });
      if (o.json) printJson(r);
      else {
        process.stdout.write(`ebt: ${r.seriesPerSecond.toFixed(0)} series/s (${r.series} series in ${r.seconds.toFixed(2)} s)\n`);
        process.stdout.write(
          r.reference
            ? `${r.reference.name}: ${r.reference.seriesPerSecond.toFixed(1)} series/s; ratio ${r.ratio!.toFixed(1)}\n`
            : 'no statsmodels on this machine: no reference\n',
        );
      }
    });
  cmd
    .command('train-step')
    .description(
      'ms per training step and TFLOP/s of a shape on the current backend, and PyTorch in the same run: on the CPU at its best thread count (1 or one per core), or on the same GPU (CUDA, fp32 with TF32 off and on) when the backend is webgpu.',
    )
    .option('--backend <name>', 'tfjs backend (default: EBT_BACKEND, else the first that starts)')
    .option(
      '--shape <name>',
      'vit-tiny (6 layers, dim 192, 65 tokens, batch 64, Adam; the CPU benchmark), bert-base (batch 32 x 128 tokens) or vit-base (ViT-B/16, batch 64 at 224x224); the last two with slimming coefficients',
      'vit-tiny',
    )
    .option('--batch <n>', "examples per step (default: the shape's)")
    .option('--steps <n>', 'timed steps after one warm-up step', '3')
    .option(
      '--rounds <n>',
      'parts the timed steps are split into, each followed by the bound timed again (default: one per step; bound ratio: the median part)',
    )
    .option('--json', 'machine-readable output', false)
    .option('--no-reference', 'skip the PyTorch run')
    .option('--load <n>', 'run n CPU-bound processes beside the benchmark (ebt and PyTorch alike): a shared machine', '0')
    .action(async (o) => {
      const bench = benchModule('train-step.ts') as typeof import('../../../../tools/bench/train-step');
      const shape = oneOf(o.shape, Object.keys(bench.SHAPES) as Array<keyof typeof bench.SHAPES>, '--shape');
      const steps = parseInteger(o.steps, '--steps');
      if (steps < 1) throw new UsageError(`--steps must be at least 1 (got ${steps}).`);
      const batch = o.batch === undefined ? undefined : parseInteger(o.batch, '--batch');
      if (batch !== undefined && batch < 1) throw new UsageError(`--batch must be at least 1 (got ${batch}).`);
      const rounds = o.rounds === undefined ? undefined : parseInteger(o.rounds, '--rounds');
      if (rounds !== undefined && rounds < 1) throw new UsageError(`--rounds must be at least 1 (got ${rounds}).`);
      const choice = await initBackend({ backend: o.backend, log: o.json ? null : undefined });
      const r = await bench.benchTrainStep({
        shape,
        steps,
        batch,
        reference: o.reference,
        adapter: choice.adapter,
        load: parseInteger(o.load, '--load'),
        rounds,
      });
      if (o.json) printJson(r);
      else process.stdout.write(formatTrainStep(r));
    });
  cmd
    .command('pruned')
    .description('Training step and forward pass of a ViT-Tiny-shaped model and the same model pruned two ways; speed-up against the FLOP ratio (efficiency).')
    .option('--backend <name>', 'tfjs backend (default: EBT_BACKEND, else the first that starts)')
    .option('--runtime <name>', "'tfjs' (the backend's training step and forward pass) or 'onnx' (the ONNX exports' forward pass in onnxruntime-node)", 'tfjs')
    .option('--rounds <n>', 'timed rounds after one warm-up (the median is reported)', '5')
    .option('--json', 'machine-readable output', false)
    .action(async (o) => {
      const runtime = oneOf(o.runtime, ['tfjs', 'onnx'] as const, '--runtime');
      const rounds = parseInteger(o.rounds, '--rounds');
      if (rounds < 1) throw new UsageError(`--rounds must be at least 1 (got ${rounds}).`);
      await initBackend({ backend: o.backend, log: o.json ? null : undefined });
      const { benchPruned } = benchModule('pruned.ts') as typeof import('../../../../tools/bench/pruned');
      const r = await benchPruned({ rounds, runtime });
      if (o.json) printJson(r);
      else {
        const ms = (t: { ms: number } | null) => (t ? `${t.ms.toFixed(0)} ms` : '-');
        process.stdout.write(
          `${r.backend}: dense train step ${r.dense.trainMs === null ? '-' : r.dense.trainMs.toFixed(0) + ' ms'}, forward ${r.dense.forwardMs.toFixed(0)} ms\n`,
        );
        if (r.dense.trainBreakdown) process.stdout.write(`  ${stepParts(r.dense.trainBreakdown)}\n`);
        for (const c of r.cases) {
          const train = c.train ? `train ${ms(c.train)} (speed-up ${c.train.speedup.toFixed(2)}, efficiency ${c.train.efficiency.toFixed(2)}); ` : '';
          process.stdout.write(
            `${c.name}: FLOPs x${c.flopRatio.toFixed(3)}; ${train}forward ${ms(c.forward)} (speed-up ${c.forward.speedup.toFixed(2)}, efficiency ${c.forward.efficiency.toFixed(2)})\n`,
          );
          if (c.trainBreakdown) process.stdout.write(`  ${stepParts(c.trainBreakdown)}; products alone: efficiency ${c.productsEfficiency!.toFixed(2)}\n`);
        }
      }
    });
  cmd
    .command('criteria')
    .description(
      'ms to observe one point of a BERT-base-sized trajectory with both criteria and every test (target < 5); --calibration: the rule on series with known answers.',
    )
    .option('--points <n>', 'timed points', '300')
    .option('--calibration', "instead: the nuclear-norm rule's settled rates on synthetic series with known answers, per window preset and mode")
    .option(
      '--online',
      "instead: the criteria's share of a training step, epoch by epoch, in the Fashion-MNIST study's run (every step recorded, both criteria at 0.3:0.3 and 0.8:0.8; target at most 10%, flat)",
    )
    .option('--epochs <n>', "with --online: epochs of the run (default: the preset's 5)")
    .option('--steps-per-epoch <n>', 'with --online: steps per epoch (default 938, 60,000 images in batches of 64)')
    .option('--backend <name>', 'with --online: tfjs backend of the training step (default: EBT_BACKEND, else the first that starts)')
    .option('--json', 'machine-readable output', false)
    .action(async (o) => {
      if (o.online) {
        const epochs = o.epochs === undefined ? undefined : parseInteger(o.epochs, '--epochs');
        const stepsPerEpoch = o.stepsPerEpoch === undefined ? undefined : parseInteger(o.stepsPerEpoch, '--steps-per-epoch');
        const { benchCriteriaCost } = benchModule('criteria-cost.ts') as typeof import('../../../../tools/bench/criteria-cost');
        const backend = await initBackend({ backend: o.backend, log: null });
        const r = await benchCriteriaCost({ backend: backend.name, epochs, stepsPerEpoch });
        if (o.json) return printJson(r);
        process.stdout.write(`training step (${r.backend}): ${r.stepMs.toFixed(1)} ms; watches ${r.watches.join(', ')}\n`);
        for (const e of r.epochs)
          process.stdout.write(
            `epoch ${e.epoch}: criteria ${e.perStepMs.toFixed(2)} ms per step, ${(100 * e.share).toFixed(1)}% of the step (epoch end: detections.json ${e.epochEnd.detectionsMs.toFixed(0)} ms, trajectory.arrow ${e.epochEnd.trajectoryMs.toFixed(0)} ms, checkpoint state ${e.epochEnd.checkpointMs.toFixed(0)} ms)\n`,
          );
        process.stdout.write(`last epoch / first: ${r.growth.toFixed(2)}; target ${100 * r.target}% ${r.meetsTarget ? 'met' : 'missed'}\n`);
        return;
      }
      const { benchCalibration, benchCriteria } = benchModule('criteria.ts') as typeof import('../../../../tools/bench/criteria');
      if (o.calibration) {
        const rows = benchCalibration();
        if (o.json) return printJson(rows);
        for (const row of rows) {
          const cells = row.results.map((x) => `${x.series} ${x.rate.toFixed(2)}${x.delay !== undefined ? ` (delay ${x.delay ?? 'none'})` : ''}`);
          process.stdout.write(`${row.windows} (${row.smooth}/${row.window}/${row.every}), mode ${row.mode}: ${cells.join(', ')}\n`);
        }
        return;
      }
      const r = benchCriteria({ points: parseInteger(o.points, '--points') });
      if (o.json) printJson(r);
      else process.stdout.write(`${r.msPerPoint.toFixed(2)} ms per point (target ${r.target})\n`);
    });
  return cmd;
}

/** A timed step's three parts in one line. */
function stepParts(b: import('../../../../tools/bench/step-breakdown').StepBreakdown): string {
  return `step parts: products ${b.productsMs.toFixed(0)} ms, other kernels ${b.otherKernelsMs.toFixed(0)} ms, outside kernels ${b.outsideKernelsMs.toFixed(0)} ms (${b.kernelCalls} calls)`;
}

function formatBreakdown(b: import('../../../../tools/bench/step-breakdown').StepBreakdown, boundMs: number): string {
  const of = (ms: number) => `${ms.toFixed(0)} ms (${(ms / boundMs).toFixed(2)} x bound)`;
  return `one step of ${b.ms.toFixed(0)} ms, each of its ${b.kernelCalls} kernel calls timed: products ${of(b.productsMs)}, other kernels ${of(b.otherKernelsMs)}, outside kernels ${of(b.outsideKernelsMs)}`;
}

function formatTrainStep(r: import('../../../../tools/bench/train-step').TrainStepBench): string {
  const on = r.adapter ? ` on ${[r.adapter.vendor, r.adapter.device || r.adapter.description].filter(Boolean).join(' ')}` : '';
  const lines = [
    `ebt (${r.backend}${on}), ${r.shape}, batch ${r.batch} x ${r.tokens} tokens: ${r.msPerStep.toFixed(1)} ms/step, ${r.tflopsPerSecond.toFixed(2)} TFLOP/s`,
    `bound: the step's ${r.bound.products} product shapes (${r.bound.gflop.toFixed(1)} GFLOP) alone take ${r.bound.ms.toFixed(1)} ms (${r.bound.gflopsPerSecond.toFixed(0)} GFLOP/s); bound ratio ${r.boundRatio.toFixed(2)} (the median of ${r.bound.rounds} rounds)`,
    formatBreakdown(r.breakdown, r.bound.ms),
  ];
  if (!r.reference) lines.push(`no reference: ${r.noReference}`);
  else {
    const threads = r.reference.tried
      ? `, the faster of ${r.reference.tried.map((t) => `${t.threads} thread${t.threads > 1 ? 's' : ''} ${t.msPerStep.toFixed(0)} ms`).join(', ')}`
      : '';
    lines.push(
      `${r.reference.name}: ${r.reference.msPerStep.toFixed(1)} ms/step, ${r.reference.tflopsPerSecond.toFixed(2)} TFLOP/s${threads}; ratio ${r.ratio!.toFixed(2)}`,
    );
    if (r.tf32) lines.push(`${r.tf32.name}: ${r.tf32.msPerStep.toFixed(1)} ms/step; ratio ${r.tf32.ratio.toFixed(2)}`);
  }
  return lines.join('\n') + '\n';
}
