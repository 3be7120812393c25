/**
 * ebt's WGSL kernels against the cpu backend running the same maths as ordinary tfjs ops (the composites
 * @ebt/models and @ebt/training fall back to): forward values and gradients, on shapes that exercise the
 * row programs' strided loops (columns above and off the workgroup's 128) and the chunked parameter sums.
 * Run by the test-webgpu target on the adapter EBT_WEBGPU_ADAPTER names (CI: llvmpipe).
 */
import * as tf from '@tensorflow/tfjs';
import { FUSED_ADAM_STEP, FUSED_GELU, FUSED_LAYER_NORM } from '@ebt/backend-native';
import { registerWebGpuBackend } from './index';
import { geluProgram } from './programs';

const gelu = (x: tf.Tensor) => x.mul(0.5).mul(tf.erf(x.mul(Math.SQRT1_2)).add(1));
const layerNorm = (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor, eps: number) => {
  const { mean, variance } = tf.moments(x, -1, true);
  return x
    .sub(mean)
    .mul(tf.rsqrt(variance.add(eps)))
    .mul(g)
    .add(b);
};

/** Seeded values on the host, so that both backends get the same numbers. */
function values(n: number, seed: number, scale = 1): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return ((s / 2 ** 32) * 2 - 1) * scale;
  });
}

async function on<T>(backend: string, f: () => T): Promise<T> {
  await tf.setBackend(backend);
  return f();
}

const read = (ts: tf.Tensor[]) => Promise.all(ts.map(async (t) => Float32Array.from((await t.data()) as Float32Array)));

function worst(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]) / (1 + Math.abs(b[i])));
  return m;
}

beforeAll(async () => {
  const r = await registerWebGpuBackend();
  if (!r.ok) throw new Error(r.reason);
});

test.each([[[4, 7]], [[3, 65, 192]], [[130, 300]]])('GELU and its gradient on %j agree with the erf composite on cpu', async (shape) => {
  const n = shape.reduce((a, b) => a * b, 1);
  const [x, dy] = [values(n, 1, 4), values(n, 2)];
  const f = (fused: boolean) => () => {
    const run = (t: tf.Tensor) => (fused ? (tf.engine().runKernel(FUSED_GELU, { x: t }) as tf.Tensor) : gelu(t));
    const { value, grads } = tf.variableGrads(() => run(xv).mul(tf.tensor(dy, shape)).sum() as tf.Scalar, [xv]);
    const y = run(xv);
    return [y, grads[xv.name], value];
  };
  const xv = tf.variable(tf.tensor(x, shape), true, `gelu_x_${shape.join('x')}`);
  const cpu = await read(await on('cpu', f(false)));
  const gpu = await read(await on('webgpu', f(true)));
  expect(tf.getKernel(FUSED_GELU, 'webgpu')).toBeDefined();
  expect(worst(gpu[0], cpu[0])).toBeLessThan(1e-5);
  expect(worst(gpu[1], cpu[1])).toBeLessThan(1e-5);
  xv.dispose();
});

test.each([
  [[5, 32], 1e-12],
  [[2, 65, 192], 1e-6],
  [[300, 200], 1e-5],
])('LayerNorm on %j (eps %s): output and the gradients of x, gamma and beta agree with the moments composite on cpu', async (shape, eps) => {
  const cols = shape[shape.length - 1];
  const n = shape.reduce((a, b) => a * b, 1);
  const data = { x: values(n, 3, 3), g: values(cols, 4), b: values(cols, 5), dy: values(n, 6) };
  const make = () => [tf.variable(tf.tensor(data.x, shape).add(0.5)), tf.variable(tf.tensor(data.g, [cols])), tf.variable(tf.tensor(data.b, [cols]))];
  const f = (fused: boolean) => () => {
    const [x, g, b] = make();
    const run = () => (fused ? (tf.engine().runKernel(FUSED_LAYER_NORM, { x, gamma: g, beta: b }, { eps }) as tf.Tensor) : layerNorm(x, g, b, eps));
    const { grads } = tf.variableGrads(() => run().mul(tf.tensor(data.dy, shape)).sum() as tf.Scalar, [x, g, b] as tf.Variable[]);
    return [run(), grads[x.name], grads[g.name], grads[b.name]];
  };
  const cpu = await read(await on('cpu', f(false)));
  const gpu = await read(await on('webgpu', f(true)));
  ['y', 'dx', 'dgamma', 'dbeta'].forEach((name, i) => expect({ name, worst: worst(gpu[i], cpu[i]) < 1e-4 }).toEqual({ name, worst: true }));
});

test.each([
  ['adam', 0.01],
  ['adamw', 0.01],
  ['adamw', 0],
])('the Adam step (%s, weight decay %s) agrees with the composite of @ebt/training on cpu', async (kind, weightDecay) => {
  const n = 1000;
  const [p, g, m, v] = [values(n, 7), values(n, 8, 0.1), values(n, 9, 0.01), values(n, 10, 1e-4).map(Math.abs)];
  const h = { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, bc1: 1 - 0.9 ** 3, bc2: 1 - 0.999 ** 3, weightDecay, decoupled: kind === 'adamw' };
  const composite = () => {
    let grad = tf.tensor(g);
    const param = tf.tensor(p);
    if (weightDecay > 0 && kind === 'adam') grad = grad.add(param.mul(weightDecay));
    const nm = tf
      .tensor(m)
      .mul(h.beta1)
      .add(grad.mul(1 - h.beta1));
    const nv = tf
      .tensor(v)
      .mul(h.beta2)
      .add(grad.square().mul(1 - h.beta2));
    let next = param.sub(nm.div(nv.sqrt().div(Math.sqrt(h.bc2)).add(h.eps)).mul(h.lr / h.bc1));
    if (weightDecay > 0 && kind === 'adamw') next = next.sub(param.mul(h.lr * weightDecay));
    return [next, nm, nv];
  };
  const fused = () => tf.engine().runKernel(FUSED_ADAM_STEP, { param: tf.tensor(p), grad: tf.tensor(g), m: tf.tensor(m), v: tf.tensor(v) }, h) as tf.Tensor[];
  const cpu = await read(await on('cpu', composite));
  const gpu = await read(await on('webgpu', fused));
  ['param', 'm', 'v'].forEach((name, i) => expect({ name, worst: worst(gpu[i], cpu[i]) < 1e-6 }).toEqual({ name, worst: true }));
});

test('AddN of more tensors than a kernel may bind (45) runs, in chunks, and agrees with cpu', async () => {
  const parts = Array.from({ length: 45 }, (_, i) => values(33, 20 + i, 10 ** ((i % 7) - 3)));
  const sum = () => tf.addN(parts.map((p) => tf.tensor(p)));
  const cpu = await read([await on('cpu', sum)]);
  const gpu = await read([await on('webgpu', sum)]);
  // 45 terms of up to 1e3 added in float32: a few tens of ulps of the sum apart at most
  expect(worst(gpu[0], cpu[0])).toBeLessThan(1e-4);
});

// last in this file: the device stays failed after it
test('a GPU error (here a shader that does not compile) fails the next read instead of handing back zeros', async () => {
  await tf.setBackend('webgpu');
  const x = tf.ones([4]);
  const bad = { ...geluProgram(4), shaderKey: 'ebt_test_broken', getUserCode: () => 'fn main(index : i32) { result[index] = no_such_thing; }' };
  const out = (tf.backend() as unknown as { runWebGPUProgram: (...a: unknown[]) => tf.TensorInfo }).runWebGPUProgram(bad, [x], 'float32', []);
  const y = tf.engine().makeTensorFromTensorInfo(out);
  await expect(y.data()).rejects.toThrow(/The GPU reported an error, so no value read from it can be trusted: .*no_such_thing/);
});
