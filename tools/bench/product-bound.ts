/**
 * The matrix-product bound of a training step: every product the step runs, as the backend's kernels see
 * them (recorded by wrapping every kernel of @ebt/backend-native's PRODUCT_KERNELS for one step), each timed alone on the same
 * backend at its best of a few repetitions. Their sum is what the step would take if it did nothing but its
 * products at the machine's sgemm rate on those very shapes; `step / bound` says how far the rest (element-
 * wise kernels, reductions, layout, dispatch) keeps the step from that.
 */
import * as tf from '@tensorflow/tfjs';
import { PRODUCT_KERNELS, ProductShape } from '@ebt/backend-native';

/** One product shape (batch x [m, k] @ [k, n] after the transposes), the kernel that ran it, and how often. */
export interface Product extends ProductShape {
  kernel: string;
  count: number;
}

export interface ProductBound {
  products: Product[];
  /** 2 x batch x m x k x n over all products of one step */
  gflop: number;
  /** the products' summed best times: the bound */
  ms: number;
  /** gflop / ms: the backend's sgemm rate on the step's own shapes */
  gflopsPerSecond: number;
}

/**
 * Runs `body` with each of the current backend's kernels named in `names` replaced by `wrap(config)`, and
 * the originals put back after it, however it ends.
 */
export async function withWrappedKernels<T>(names: string[], wrap: (config: tf.KernelConfig) => tf.KernelFunc, body: () => Promise<T>): Promise<T> {
  const backend = tf.getBackend();
  const originals = names.map((name) => tf.getKernel(name, backend)).filter((k): k is tf.KernelConfig => k !== undefined);
  for (const config of originals) {
    tf.unregisterKernel(config.kernelName, backend);
    tf.registerKernel({ ...config, kernelFunc: wrap(config) });
  }
  try {
    return await body();
  } finally {
    for (const config of originals) {
      tf.unregisterKernel(config.kernelName, backend);
      tf.registerKernel(config);
    }
  }
}

/** The products one call of `step` runs on the current backend (every kernel of PRODUCT_KERNELS it has). */
export async function recordProducts(step: () => Promise<void>): Promise<Product[]> {
  const seen = new Map<string, Product>();
  const record =
    (config: tf.KernelConfig): tf.KernelFunc =>
    (args) => {
      const shape = PRODUCT_KERNELS[config.kernelName](args.inputs as Record<string, tf.TensorInfo>, args.attrs ?? {});
      const key = [config.kernelName, shape.batch, shape.m, shape.k, shape.n, shape.transposeA, shape.transposeB].join(',');
      const p = seen.get(key) ?? { kernel: config.kernelName, ...shape, count: 0 };
      p.count++;
      seen.set(key, p);
      return config.kernelFunc(args);
    };
  await withWrappedKernels(Object.keys(PRODUCT_KERNELS), record, step);
  return [...seen.values()];
}

/**
 * Times the products alone, again and again, on inputs made once: random tensors made for every timing left
 * garbage (and evicted caches) that the next timed step paid for.
 */
export interface BoundTimer {
  /** each product timed alone (best of `repeats` after a warm-up), times its count, summed */
  time(repeats?: number): Promise<ProductBound>;
  dispose(): void;
}

export function boundTimer(products: Product[]): BoundTimer {
  const inputs = products.map((p) => {
    const aShape: [number, number, number] = p.transposeA ? [p.batch, p.k, p.m] : [p.batch, p.m, p.k];
    const bShape: [number, number, number] = p.transposeB ? [p.batch, p.n, p.k] : [p.batch, p.k, p.n];
    return [tf.randomNormal(aShape, 0, 1, 'float32', 1), tf.randomNormal(bShape, 0, 1, 'float32', 2)] as [tf.Tensor3D, tf.Tensor3D];
  });
  const time = async (repeats = 3): Promise<ProductBound> => {
    let ms = 0;
    let gflop = 0;
    for (const [i, p] of products.entries()) {
      const [a, b] = inputs[i];
      let best = Infinity;
      for (let r = 0; r <= repeats; r++) {
        const t0 = process.hrtime.bigint();
        const c = tf.matMul(a, b, p.transposeA, p.transposeB);
        await c.data();
        const t = Number(process.hrtime.bigint() - t0) / 1e6;
        c.dispose();
        if (r > 0) best = Math.min(best, t); // the first run warms caches and kernels
      }
      ms += best * p.count;
      gflop += (2 * p.batch * p.m * p.k * p.n * p.count) / 1e9;
    }
    return { products, gflop, ms, gflopsPerSecond: gflop / (ms / 1000) };
  };
  return { time, dispose: () => tf.dispose(inputs.flat()) };
}

/** Each product timed alone (best of `repeats` after a warm-up), times its count, summed. */
export async function productBound(products: Product[], repeats = 3): Promise<ProductBound> {
  const timer = boundTimer(products);
  try {
    return await timer.time(repeats);
  } finally {
    timer.dispose();
  }
}
