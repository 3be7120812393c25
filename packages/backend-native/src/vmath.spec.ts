import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadAddon, NativeAddon } from './addon';

// GELU, its derivative and softmax of the addon (native/vmath.h: vectorised exp and normal CDF) against
// PyTorch in float64 (test/make-gelu.py): within 1e-6 relative everywhere, the lower tail of GELU included.
const loaded = loadAddon();
const describeNative = 'addon' in loaded ? describe : describe.skip;

interface Reference {
  x: number[];
  gelu: number[];
  gelu_grad: number[];
  gelu_grad_scale: number[];
  softmax_logits: number[][];
  softmax: number[][];
}
const ref = JSON.parse(fs.readFileSync(path.join(__dirname, '../test/gelu-float64.json'), 'utf8')) as Reference;

/** The largest |actual - expected| / scale over entries whose reference is a normal float32 (above 1.2e-38). */
function worstRelative(actual: Float32Array, expected: number[], scale: number[] = expected): number {
  let worst = 0;
  expected.forEach((e, i) => {
    if (Math.abs(scale[i]) < 1.2e-38) return;
    worst = Math.max(worst, Math.abs(actual[i] - e) / Math.abs(scale[i]));
  });
  return worst;
}

describeNative('vectorised maths against PyTorch float64', () => {
  const addon = (loaded as { addon: NativeAddon }).addon;
  // repeated so that the kernels run their parallel, vectorised path (and the tail of a vector)
  const copies = 9;
  const x = Float32Array.from({ length: ref.x.length * copies }, (_, i) => ref.x[i % ref.x.length]);
  const tile = (v: Float32Array) => v.subarray(0, ref.x.length);

  test('GELU = x Phi(x) within 1e-6 relative from x = -13 (GELU 1e-38) to 10', () => {
    const y = new Float32Array(x.length);
    addon.gelu(x, y);
    expect(worstRelative(tile(y), ref.gelu)).toBeLessThan(1e-6);
    // every copy is the same: no part of the split computes differently
    for (let c = 1; c < copies; c++) expect(y.subarray(c * ref.x.length, (c + 1) * ref.x.length)).toEqual(tile(y));
    // where 1 + erf(x / sqrt 2) in float32 is 0 the tail is still there
    const i = ref.x.findIndex((v) => v >= -10);
    expect(y[i]).toBeLessThan(0);
  });

  test("GELU' = Phi + x phi within 1e-6 of its terms' size, and dy scales it", () => {
    const dy = new Float32Array(x.length).fill(1);
    const dx = new Float32Array(x.length);
    addon.geluGrad(dy, x, dx);
    expect(worstRelative(tile(dx), ref.gelu_grad, ref.gelu_grad_scale)).toBeLessThan(1e-6);
    const half = new Float32Array(x.length);
    addon.geluGrad(dy.fill(-0.5), x, half);
    expect(half.filter((v, i) => v !== -0.5 * dx[i]).length).toBe(0);
  });

  test('NaN and infinities pass through GELU as x Phi(x) does', () => {
    const y = new Float32Array(3);
    addon.gelu(Float32Array.from([NaN, Infinity, -Infinity]), y);
    expect(Number.isNaN(y[0])).toBe(true);
    expect(y[1]).toBe(Infinity);
  });

  // x - max(x) rounds in float32 (by up to 2^-24 |x - max|), which no float32 softmax avoids: that much more is allowed
  test('softmax within 1e-6 relative (+ the rounding of x - max) for probabilities above 1e-37, logits up to 30 sigma', () => {
    const cols = ref.softmax_logits[0].length;
    const rows = ref.softmax_logits.length;
    const logits = Float32Array.from(ref.softmax_logits.flat());
    const out = new Float32Array(logits.length);
    addon.softmax(logits, out, rows, cols);
    const expected = ref.softmax.flat();
    const scale = expected.map((p, i) => {
      const row = ref.softmax_logits[Math.floor(i / cols)];
      const shift = Math.abs(row[i % cols] - Math.max(...row));
      return p < 1e-37 ? 0 : p * (1 + shift * 2 ** -24 * 1e6);
    });
    expect(worstRelative(out, expected, scale)).toBeLessThan(1e-6);
    ref.softmax.flat().forEach((p, i) => {
      if (p < 1e-37) expect(out[i]).toBeLessThan(1e-36);
    });
  });
});
