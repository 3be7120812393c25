import { mannKendall, rolling } from './index';

describe('rolling', () => {
  test('gives each window exactly what a copy of that window gives', () => {
    const y = Array.from({ length: 40 }, (_, i) => Math.sin(i / 3) + i * 0.01);
    const out = [...rolling(y, (w) => mannKendall(w).S, { window: 10, step: 5 })];
    expect(out.map((o) => o.end)).toEqual([10, 15, 20, 25, 30, 35, 40]);
    for (const o of out) expect(o.result).toBe(mannKendall(y.slice(o.end - 10, o.end)).S);
  });

  test('windows are views on one buffer, not copies', () => {
    const y = new Float64Array(20).map((_, i) => i);
    const buffers = new Set<ArrayBufferLike>();
    for (const _ of rolling(y, (w) => buffers.add(w.buffer), { window: 5 })) void _;
    expect(buffers.size).toBe(1);
    expect([...buffers][0]).toBe(y.buffer);
  });
});
