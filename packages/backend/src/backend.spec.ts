import * as tf from '@tensorflow/tfjs';
import { loadAddon } from '@ebt/backend-native';
import { BackendError, initBackend, parseBackendName, readAll } from './index';

describe('initBackend', () => {
  const lines: string[] = [];
  const log = (line: string) => lines.push(line);

  test('wasm initialises from the installed package, with SIMD, and logs its choice once', async () => {
    const choice = await initBackend({ backend: 'wasm', log });
    expect(choice.name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(tf.env().getBool('WASM_HAS_SIMD_SUPPORT')).toBe(true);
    await initBackend({ backend: 'wasm', log });
    expect(lines.filter((l) => l.includes("'wasm'"))).toHaveLength(1);
    const y = tf.tidy(() => tf.matMul(tf.tensor2d([[1, 2]]), tf.tensor2d([[3], [4]])).dataSync()[0]);
    expect(y).toBe(11);
  });

  test('cpu initialises', async () => {
    const choice = await initBackend({ backend: 'cpu', log });
    expect(choice.name).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
  });

  test('asking again for a backend started earlier makes it current again', async () => {
    await initBackend({ backend: 'wasm', log });
    await initBackend({ backend: 'cpu', log });
    expect(tf.getBackend()).toBe('cpu');
    await initBackend({ backend: 'wasm', log });
    expect(tf.getBackend()).toBe('wasm');
  });

  test('EBT_BACKEND is honoured', async () => {
    process.env.EBT_BACKEND = 'CPU';
    try {
      expect((await initBackend({ log })).name).toBe('cpu');
    } finally {
      delete process.env.EBT_BACKEND;
    }
  });

  test('the automatic choice skips the native backends that are not installed, saying why', async () => {
    const choice = await initBackend({ log });
    const hasNode = (() => {
      try {
        require.resolve('@tensorflow/tfjs-node/package.json');
        return true;
      } catch {
        return false;
      }
    })();
    const native = 'addon' in loadAddon();
    // tfjs-node(-gpu) first when installed; else the native addon when built; else wasm, saying why
    const expected = hasNode ? ['tensorflow-gpu', 'tensorflow'] : [native ? 'native' : 'wasm'];
    expect(expected).toContain(choice.name);
    if (!hasNode) expect(choice.reason).toMatch(/@tensorflow\/tfjs-node not installed/);
    // no GPU here: webgpu is passed over, saying why (no Vulkan loader, or only software adapters)
    if (!hasNode) expect(choice.reason).toMatch(/Dawn \(webgpu\): (no Vulkan loader|Dawn found)/);
    if (!hasNode && !native) expect(choice.reason).toMatch(/native addon/);
  });

  test('asking for tensorflow without tfjs-node is a clear error', async () => {
    await expect(initBackend({ backend: 'tensorflow', log })).rejects.toThrow(
      /Backend 'tensorflow' was requested but cannot start: @tensorflow\/tfjs-node not installed/,
    );
  });

  test('an unknown name is refused with the list of names', () => {
    expect(() => parseBackendName('metal')).toThrow(BackendError);
    expect(() => parseBackendName('metal')).toThrow(/tensorflow-gpu, webgpu, tensorflow, native, wasm, cpu/);
  });
});

describe('kernels added to wasm', () => {
  const gatherGrad = () =>
    tf.tidy(() => {
      const table = tf.tensor2d([
        [1, 2, 3],
        [4, 5, 6],
        [7, 8, 9],
        [10, 11, 12],
      ]);
      const ids = tf.tensor2d(
        [
          [3, 0, 3],
          [1, 1, 3],
        ],
        undefined,
        'int32',
      );
      const upstream = tf.tensor3d([
        [
          [1, 0, 0],
          [0, 1, 0],
          [0, 0, 1],
        ],
        [
          [2, 2, 2],
          [1, 1, 1],
          [5, 6, 7],
        ],
      ]);
      return tf
        .grad((t: tf.Tensor) => tf.gather(t, ids).mul(upstream).sum())(table)
        .arraySync();
    });

  test('the gradient of gather (UnsortedSegmentSum) on wasm equals the cpu backend and the hand sum', async () => {
    await initBackend({ backend: 'cpu', log: null });
    const cpu = gatherGrad();
    await initBackend({ backend: 'wasm', log: null });
    const wasm = gatherGrad();
    // row 0 <- upstream[0][1]; row 1 <- [2,2,2] + [1,1,1]; row 3 <- [1,0,0] + [0,0,1] + [5,6,7]
    expect(wasm).toEqual([
      [0, 1, 0],
      [3, 3, 3],
      [0, 0, 0],
      [6, 6, 8],
    ]);
    expect(wasm).toEqual(cpu);
  });
});

describe('readAll', () => {
  test('reads float and integer tensors back in order, as copies, in one group or several', async () => {
    await initBackend({ backend: 'cpu', log: null });
    const ts = [tf.tensor1d([1.5, -2]), tf.tensor2d([[1, 2, 3]], [1, 3], 'int32'), tf.scalar(7), tf.tensor1d([0.25, 0.5, 0.75, 1])];
    const want = [[1.5, -2], [1, 2, 3], [7], [0.25, 0.5, 0.75, 1]];
    for (const joinLimit of [undefined, 4, 1]) {
      const got = await readAll(ts, joinLimit);
      expect(got.map((a) => Array.from(a))).toEqual(want);
      expect(got.map((a) => a.constructor.name)).toEqual(want.map(() => 'Float32Array')); // by name: jest's realm has its own typed-array classes
    }
    const [first] = await readAll(ts);
    first[0] = 99; // a copy: the tensor keeps its value
    expect(ts[0].dataSync()[0]).toBe(1.5);
    expect(await readAll([])).toEqual([]);
    tf.dispose(ts);
  });
});
