import * as fs from 'node:fs';
import * as path from 'node:path';
import { normalCdf, normalTwoSided, studentCdf, studentTwoSided } from './normal';

/** scipy's values (test/fixtures/make-distributions.py), the far tails included. */
const ref: { x: number[]; normal: number[]; t: { df: number; cdf: number[] }[] } = JSON.parse(
  fs.readFileSync(path.join(__dirname, '..', 'test', 'fixtures', 'distribution-cases.json'), 'utf8'),
);

const relative = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

describe('the distribution functions against scipy', () => {
  test('normal CDF: 1e-10 relative down to 1e-15, then 0 within 1e-16 absolute (the departure normal.ts states)', () => {
    ref.x.forEach((x, i) => {
      const want = ref.normal[i];
      const got = normalCdf(x);
      if (want > 1e-15) expect({ x, close: relative(got, want) < 1e-10 }).toEqual({ x, close: true });
      else expect({ x, close: got >= 0 && Math.abs(got - want) < 1e-16 }).toEqual({ x, close: true });
    });
    expect(normalTwoSided(-1.96)).toBeCloseTo(2 * ref.normal[ref.x.indexOf(-1.96)], 15);
    expect(normalTwoSided(1.96)).toBe(normalTwoSided(-1.96));
  });

  test('Student t CDF: 1e-7 relative at every dof, far tails included', () => {
    for (const { df, cdf } of ref.t)
      ref.x.forEach((x, i) => {
        expect({ df, x, close: relative(studentCdf(x, df), cdf[i]) < 1e-7 }).toEqual({ df, x, close: true });
      });
    const t9 = ref.t.find((t) => t.df === 9)!;
    expect(relative(studentTwoSided(3, 9), 2 * t9.cdf[ref.x.indexOf(-3)])).toBeLessThan(1e-7);
  });
});
