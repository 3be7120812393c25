import { Matrix, SingularValueDecomposition } from 'ml-matrix';

/**
 * Nuclear norm ||M||_* = the sum of M's singular values, by ml-matrix's SVD. Rows may differ in length (a
 * pruned model's layers); they are padded with zeros, which leaves the singular values unchanged.
 */
export function nuclearNorm(rows: ArrayLike<number>[]): number {
  if (rows.length === 0) return 0;
  const width = Math.max(...rows.map((r) => r.length));
  if (width === 0) return 0;
  const m = new Matrix(rows.length, width);
  rows.forEach((r, i) => {
    for (let j = 0; j < r.length; j++) m.set(i, j, r[j]);
  });
  const svd = new SingularValueDecomposition(m, { computeLeftSingularVectors: false, computeRightSingularVectors: false, autoTranspose: true });
  return svd.diagonal.reduce((s, v) => s + v, 0);
}
