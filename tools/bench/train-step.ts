/**
 * ms per training step and TFLOP/s of a shape (SHAPES: the CPU benchmark's ViT-Tiny, BERT-base, ViT-B/16)
 * on the current tfjs backend, and the same step in PyTorch (tools/bench/train_step_reference.py) in the
 * same run: on the CPU when python3 has torch, on the GPU (fp32 with TF32 off, and on) when the backend is
 * webgpu and python3 has torch with CUDA. Run: npx ebt bench train-step [--backend webgpu] [--shape bert-base] --json
 */
import { spawn, spawnSync } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { AdapterReport } from '@ebt/backend-webgpu';
import { BERT_DEFAULTS, modelFromConfig, modelTypeOf, numLabels, parseConfig, PretrainedModel, VIT_DEFAULTS, ViTConfig } from '@ebt/models';
import { countFlops, flopTokens } from '@ebt/pruning';
import { boundTimer, Product, ProductBound, recordProducts } from './product-bound';
import { StepBreakdown, stepBreakdown } from './step-breakdown';
import { Slimming } from '@ebt/slimming';
import { Adam, crossEntropy } from '@ebt/training';

/** A reference step's time, and how it ran. */
interface ReferenceStep {
  name: string;
  msPerStep: number;
}

export interface TrainStepBench {
  backend: string;
  /** the GPU adapter, on webgpu */
  adapter?: AdapterReport;
  shape: ShapeName;
  batch: number;
  /** tokens per example: a ViT's patches + [CLS], or BERT's sequence length */
  tokens: number;
  msPerStep: number;
  /** 3 x the forward pass's FLOPs (forward, and twice that backward) per step time */
  tflopsPerSecond: number;
  /** PyTorch on the same device: on a CPU at its best thread count (`threads`, of those `tried`); on CUDA fp32 with TF32 off */
  reference: (ReferenceStep & { threads?: number; tried?: Array<{ threads: number; msPerStep: number }>; tflopsPerSecond: number }) | null;
  /** msPerStep / reference.msPerStep */
  ratio: number | null;
  /** on CUDA: PyTorch's step with TF32 matrix products, and ebt's time against it */
  tf32: (ReferenceStep & { ratio: number }) | null;
  /** why there is no reference, when there is none */
  noReference?: string;
  steps: number;
  /**
   * the step's matrix products timed alone on this backend (product-bound.ts): what the step would take doing
   * only them; timed after each of `rounds` parts of the timed steps, and this is the median round's
   */
  bound: { ms: number; gflop: number; gflopsPerSecond: number; products: number; rounds: number; roundRatios: number[] };
  /** the median round's ms per step / its bound.ms */
  boundRatio: number;
  /**
   * One more step with every kernel call timed (step-breakdown.ts), and its products' time against the bound:
   * what keeps boundRatio above 1 - products slower in the step than alone (cold caches), the other kernels,
   * and tfjs's engine outside the kernels.
   */
  breakdown: StepBreakdown & { productsToBound: number };
  /** CPU-bound processes that ran beside it (--load) */
  load: number;
}

/**
 * The shapes the benchmark knows. vit-tiny is the CPU benchmark (no slimming, as measured since the start);
 * bert-base and vit-base are the seed's GPU experiments, with slimming coefficients on every head and FFN
 * neuron and their L1 penalty in the loss, as EB-train runs them.
 */
export const SHAPES = {
  'vit-tiny': { batch: 64, slimming: false, config: vitTinyConfig },
  'bert-base': { batch: 32, tokens: 128, slimming: true, config: () => parseConfig({ model_type: 'bert', ...BERT_DEFAULTS, num_labels: 2 }) },
  'vit-base': { batch: 64, slimming: true, config: () => parseConfig({ model_type: 'vit', ...VIT_DEFAULTS, num_labels: 10 }) },
} as const;
export type ShapeName = keyof typeof SHAPES;

/** The ViT-Tiny shape the benchmarks use: 6 layers, dim 192, 3 heads, MLP 384, 8x8 patches + [CLS], 10 classes. */
export function vitTinyConfig(): ViTConfig {
  return parseConfig({
    model_type: 'vit',
    hidden_size: 192,
    num_hidden_layers: 6,
    num_attention_heads: 3,
    intermediate_size: 384,
    image_size: 32,
    patch_size: 4,
    num_channels: 3,
    num_labels: 10,
  }) as ViTConfig;
}

/** One fixed batch for `model`: images for a ViT, token ids (all attended) for BERT; labels cycle through the classes. */
function fixedBatch(model: PretrainedModel, batch: number, tokens: number): { forward: (training: boolean) => tf.Tensor2D; tensors: tf.Tensor[] } {
  const classes = numLabels(model.config);
  const y = tf.tensor1d(
    Array.from({ length: batch }, (_, i) => i % classes),
    'int32',
  );
  const spec = modelTypeOf(model.config).input(model.config);
  if (model.task === 'image-classification' && spec.modality === 'image') {
    const x = tf.randomNormal([batch, spec.channels, spec.imageSize, spec.imageSize], 0, 1, 'float32', 1) as tf.Tensor4D;
    return { forward: (training) => model.forward(x, training).logits, tensors: [x, y] };
  }
  if (model.task !== 'text-classification' || spec.modality !== 'text') throw new Error(`bench: no batch for a ${model.architecture}`);
  const inputIds = tf.randomUniform([batch, tokens], 0, spec.vocabSize, 'int32', 1) as tf.Tensor2D;
  return { forward: (training) => model.forward({ inputIds }, training).logits, tensors: [inputIds, y] };
}

/**
 * One training step of `model` (Adam, one fixed batch), and its forward pass alone; each awaits its one read
 * (the loss, the logits), as training does - a GPU backend has no synchronous read. With `slimming`,
 * coefficients on every head and FFN neuron and their L1 penalty, as EB-train trains. dispose() frees the
 * batch, Adam's state and the coefficients, not the model.
 */
export function trainStep(
  model: PretrainedModel,
  batch = 64,
  options: { tokens?: number; slimming?: boolean } = {},
): { step: () => Promise<void>; forward: () => Promise<void>; dispose: () => void } {
  const slimming = options.slimming ? Slimming.attach(model) : undefined;
  const params = [
    ...model.namedParameters().map(([name, variable]) => ({ name, variable, decay: true })),
    ...(slimming?.variables() ?? []).map((variable, i) => ({ name: `slimming.${i}`, variable, decay: false })),
  ];
  const optimizer = new Adam(params, { kind: 'adam' });
  const { forward: logits, tensors } = fixedBatch(model, batch, options.tokens ?? 0);
  const y = tensors[tensors.length - 1] as tf.Tensor1D;
  const step = async () => {
    const { value, grads } = tf.variableGrads(
      () => {
        const loss = crossEntropy(logits(true), y);
        return (slimming ? loss.add(slimming.penalty()) : loss) as tf.Scalar;
      },
      params.map((p) => p.variable),
    );
    const named: Record<string, tf.Tensor> = {};
    params.forEach((p) => (named[p.name] = grads[p.variable.name]));
    optimizer.step(named, 1e-3);
    tf.dispose(Object.values(grads));
    await value.data();
    value.dispose();
  };
  const forward = async () => {
    const out = tf.tidy(() => logits(false));
    await out.data();
    out.dispose();
  };
  const dispose = () => {
    tf.dispose(tensors);
    optimizer.dispose();
    slimming?.detach();
  };
  return { step, forward, dispose };
}

/** The benchmarked step of a shape: a fresh model of it, Adam, one fixed batch. */
export function shapeTrainStep(
  shape: ShapeName,
  batch?: number,
): { step: () => Promise<void>; dispose: () => void; model: PretrainedModel; batch: number; tokens: number } {
  const s = SHAPES[shape];
  const config = s.config();
  const model = modelFromConfig(config, 0);
  const tokens = flopTokens(config, 'tokens' in s ? s.tokens : 0);
  const b = batch ?? s.batch;
  const { step, dispose } = trainStep(model, b, { tokens, slimming: s.slimming });
  return {
    step,
    model,
    batch: b,
    tokens,
    dispose: () => {
      dispose();
      model.dispose();
    },
  };
}

/** Training FLOPs of one step: the forward pass's, three times (the backward pass costs twice the forward). */
export function stepFlops(model: PretrainedModel, batch: number, tokens: number): number {
  return 3 * batch * countFlops(model.config, flopTokens(model.config, tokens));
}

export interface BenchOptions {
  shape?: ShapeName;
  steps?: number;
  /** examples per step (default: the shape's) */
  batch?: number;
  reference?: boolean;
  adapter?: AdapterReport;
  /** CPU-bound processes to run beside the benchmark (default 0) */
  load?: number;
  /** parts the timed steps are split into, each followed by the bound timed again (default: one per step; at most `steps`) */
  rounds?: number;
}

/** `n` processes that spin on a core each until stopped: the other jobs of a shared machine. */
function startLoad(n: number): () => void {
  const children = Array.from({ length: n }, () => spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }));
  return () => children.forEach((c) => c.kill('SIGKILL'));
}

export async function benchTrainStep(options: BenchOptions = {}): Promise<TrainStepBench> {
  const stopLoad = startLoad(options.load ?? 0);
  try {
    return { ...(await timedTrainStep(options)), load: options.load ?? 0 };
  } finally {
    stopLoad();
  }
}

async function timedTrainStep(options: BenchOptions): Promise<Omit<TrainStepBench, 'load'>> {
  const shape = options.shape ?? 'vit-tiny';
  const steps = options.steps ?? 3;
  const { step, dispose, model, batch, tokens } = shapeTrainStep(shape, options.batch);
  const flops = stepFlops(model, batch, tokens);
  await step(); // warm-up: kernels compile, buffers settle
  const { msPerStep, boundRatio, bound } = await boundRounds(step, await recordProducts(step), steps, options.rounds ?? steps);
  const timed = await stepBreakdown(step);
  dispose();
  const tflops = (ms: number) => flops / (ms / 1000) / 1e12;
  const onGpu = options.adapter !== undefined;
  const found =
    options.reference === false
      ? { none: 'not asked for (--no-reference)' }
      : onGpu
        ? cudaReference(shape, batch, Math.max(3, steps))
        : cpuReference(shape, batch, Math.max(3, steps));
  const base = {
    backend: tf.getBackend(),
    ...(options.adapter ? { adapter: options.adapter } : {}),
    shape,
    batch,
    tokens,
    msPerStep,
    tflopsPerSecond: tflops(msPerStep),
    steps,
    bound,
    boundRatio,
    breakdown: { ...timed, productsToBound: timed.productsMs / bound.ms },
  };
  if ('none' in found) return { ...base, reference: null, ratio: null, tf32: null, noReference: found.none };
  const reference = { ...found.reference, tflopsPerSecond: tflops(found.reference.msPerStep) };
  const tf32 = found.tf32 ? { ...found.tf32, ratio: msPerStep / found.tf32.msPerStep } : null;
  return { ...base, reference, ratio: msPerStep / reference.msPerStep, tf32 };
}

/**
 * The timed steps in `rounds` parts, each followed by the products timed alone again and one untimed step
 * (so that no timed step starts on the bound's caches): on a machine whose speed drifts (a shared VM's sgemm
 * rate moved 60-136 GFLOP/s between runs, and by a third within one run), a step and a bound timed seconds
 * apart are comparable where one of each per run is not. boundRatio is the median round's (of an even count of
 * rounds, the higher middle one); msPerStep is over all timed steps.
 */
export async function boundRounds(step: () => Promise<void>, products: Product[], steps: number, rounds: number) {
  const n = Math.max(1, Math.min(rounds, steps));
  const timer = boundTimer(products);
  let totalMs = 0;
  const samples: Array<{ msPerStep: number; bound: ProductBound }> = [];
  try {
    for (let r = 0; r < n; r++) {
      const count = Math.floor((steps * (r + 1)) / n) - Math.floor((steps * r) / n);
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < count; i++) await step();
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      totalMs += ms;
      samples.push({ msPerStep: ms / count, bound: await timer.time() });
      await step();
    }
  } finally {
    timer.dispose();
  }
  const ratios = samples.map((x) => x.msPerStep / x.bound.ms);
  const median = [...ratios.keys()].sort((i, j) => ratios[i] - ratios[j])[Math.floor(n / 2)]; // of an even count, the higher middle one
  const b = samples[median].bound;
  return {
    msPerStep: totalMs / steps,
    boundRatio: ratios[median],
    bound: { ms: b.ms, gflop: b.gflop, gflopsPerSecond: b.gflopsPerSecond, products: b.products.length, rounds: n, roundRatios: ratios },
  };
}

type Found =
  { none: string } | { reference: ReferenceStep & { threads?: number; tried?: Array<{ threads: number; msPerStep: number }> }; tf32?: ReferenceStep };

const SCRIPT = path.join(__dirname, 'train_step_reference.py');

/** The first python with torch (and, for a GPU, CUDA); Debian's PyTorch is /usr/bin/python3. */
function findPython(cuda: boolean): string | undefined {
  const check = cuda ? 'import torch; assert torch.cuda.is_available()' : 'import torch';
  return ['python3', '/usr/bin/python3'].find((python) => spawnSync(python, ['-c', check], { encoding: 'utf8' }).status === 0);
}

function runReference(python: string, args: string[], env: Record<string, string> = {}): ReferenceStep {
  const run = spawnSync(python, [SCRIPT, ...args], { encoding: 'utf8', env: { ...process.env, ...env } });
  if (run.status !== 0) throw new Error(`the PyTorch reference failed: ${run.stderr.trim().split('\n').pop()}`);
  return JSON.parse(run.stdout) as ReferenceStep;
}

/** PyTorch with CUDA on the same machine: fp32 with TF32 off (the reference), and with TF32 on. */
function cudaReference(shape: ShapeName, batch: number, steps: number): Found {
  const python = findPython(true);
  if (!python) return { none: 'no PyTorch with CUDA on this machine (python3 -c "import torch; assert torch.cuda.is_available()")' };
  const common = ['--shape', shape, '--batch', String(batch), '--steps', String(steps), '--device', 'cuda'];
  return { reference: runReference(python, [...common, '--tf32', '0']), tf32: runReference(python, [...common, '--tf32', '1']) };
}

/**
 * PyTorch's step on the CPU at its best thread count here: run with 1 thread and with one per core, keep the
 * faster (on a 2-core machine one thread is usually faster; elsewhere it need not be). `tried` lists both.
 */
function cpuReference(shape: ShapeName, batch: number, steps: number): Found {
  const python = findPython(false);
  if (!python) return { none: 'no PyTorch on this machine' };
  const counts = [...new Set([1, os.availableParallelism()])];
  const tried = counts.map((threads) => ({
    threads,
    ...runReference(python, ['--shape', shape, '--batch', String(batch), '--steps', String(steps), '--device', 'cpu'], { EBT_TORCH_THREADS: String(threads) }),
  }));
  const best = tried.reduce((a, b) => (b.msPerStep < a.msPerStep ? b : a));
  return {
    reference: { name: best.name, msPerStep: best.msPerStep, threads: best.threads, tried: tried.map(({ threads, msPerStep }) => ({ threads, msPerStep })) },
  };
}
