import { EigenvalueDecomposition, Matrix, SingularValueDecomposition } from 'ml-matrix';

/**
 * Nuclear norm ||M||_* = the sum of M's singular values (ml-matrix). Rows may differ in length (a pruned
 * model's layers); they are padded with zeros, which leaves the singular values unchanged. A wide matrix
 * (12 layers x 3,072 neurons) goes through the eigenvalues of the small Gram matrix M M^T, whose square
 * roots are the singular values: a 12x12 problem instead of an SVD of 12x3,072.
 */
export function nuclearNorm(rows: ArrayLike<number>[]): number {
  const r = rows.length;
  if (r === 0) return 0;
  const width = Math.max(...rows.map((row) => row.length));
  if (width === 0) return 0;
  if (width >= 4 * r) {
    const gram = new Matrix(r, r);
    for (let i = 0; i < r; i++) {
      for (let j = i; j < r; j++) {
        const a = rows[i];
        const b = rows[j];
        const n = Math.min(a.length, b.length);
        let s = 0;
        for (let k = 0; k < n; k++) s += a[k] * b[k];
        gram.set(i, j, s);
        gram.set(j, i, s);
      }
    }
    const eig = new EigenvalueDecomposition(gram, { assumeSymmetric: true });
    return eig.realEigenvalues.reduce((s, v) => s + Math.sqrt(Math.max(0, v)), 0);
  }
  const m = new Matrix(r, width);
  rows.forEach((row, i) => {
    for (let j = 0; j < row.length; j++) m.set(i, j, row[j]);
  });
  const svd = new SingularValueDecomposition(m, { computeLeftSingularVectors: false, computeRightSingularVectors: false, autoTranspose: true });
  return svd.diagonal.reduce((s, v) => s + v, 0);
}
