// Loads the statsmodels/scipy reference cases (see test/fixtures/README.md) and the comparison helpers.
import cases from './fixtures/stationarity-cases.json';

export interface ReferenceCase {
  name: string;
  series: number[];
  adf: Array<Record<string, any>>;
  kpss: Array<Record<string, any>>;
  mann_kendall: Record<string, any>;
  dejong: Array<Record<string, any>>;
}

export const referenceCases = (cases as unknown as { cases: ReferenceCase[] }).cases;

/** |actual - expected| <= rel * |expected| (or <= rel when expected is 0). */
export function expectRelative(actual: number, expected: number, rel: number, label: string): void {
  const scale = Math.max(Math.abs(expected), expected === 0 ? 1 : 0);
  const err = Math.abs(actual - expected);
  if (!(err <= rel * scale)) {
    throw new Error(`${label}: got ${actual}, expected ${expected} (relative error ${err / scale} > ${rel})`);
  }
}

/** p-values: within 1e-5 absolute, or 1e-5 relative for the tiny ones. */
export function expectPvalue(actual: number, expected: number, label: string): void {
  const err = Math.abs(actual - expected);
  if (!(err <= 1e-5 || err <= 1e-5 * Math.abs(expected))) {
    throw new Error(`${label}: p-value ${actual}, expected ${expected}`);
  }
}
