import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const fixtures = path.join(__dirname, 'fixtures');
/** cpu and wasm; EBT_TEST_BACKEND runs the suite on that backend alone (the test-native target). */
export const BACKENDS: readonly string[] = process.env.EBT_TEST_BACKEND ? [process.env.EBT_TEST_BACKEND] : ['cpu', 'wasm'];

export function reference(name: string): any {
  return JSON.parse(fs.readFileSync(path.join(fixtures, name, 'reference.json'), 'utf8'));
}

export function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'ebt-models-'));
}

/** Largest |a - b| over two nested arrays, only where `keep(i)` (flat index) is true. */
export function maxAbsDiff(a: unknown, b: unknown, keep: (i: number) => boolean = () => true): number {
  const fa = (a as any[]).flat(Infinity) as number[];
  const fb = (b as any[]).flat(Infinity) as number[];
  if (fa.length !== fb.length) throw new Error(`sizes differ: ${fa.length} vs ${fb.length}`);
  let m = 0;
  fa.forEach((v, i) => {
    if (keep(i)) m = Math.max(m, Math.abs(v - fb[i]));
  });
  return m;
}
