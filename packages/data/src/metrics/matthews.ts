/**
 * Matthews correlation coefficient of integer labels, as scikit-learn's `matthews_corrcoef` (the multiclass
 * form from the confusion matrix, which is the usual one for two classes); 0 when a marginal is constant.
 */
export function matthewsCorrelation(predictions: ArrayLike<number>, labels: ArrayLike<number>): number {
  const n = checkPaired(predictions, labels);
  const classes = [...new Set([...Array.from(labels), ...Array.from(predictions)])];
  const index = new Map(classes.map((c, i) => [c, i]));
  const t = new Float64Array(classes.length); // true counts per class
  const p = new Float64Array(classes.length); // predicted counts per class
  let correct = 0;
  for (let i = 0; i < n; i++) {
    t[index.get(labels[i])!] += 1;
    p[index.get(predictions[i])!] += 1;
    if (labels[i] === predictions[i]) correct += 1;
  }
  let tp = 0;
  let pp = 0;
  let tt = 0;
  for (let k = 0; k < classes.length; k++) {
    tp += t[k] * p[k];
    pp += p[k] * p[k];
    tt += t[k] * t[k];
  }
  const denominator = Math.sqrt((n * n - pp) * (n * n - tt));
  return denominator === 0 ? 0 : (correct * n - tp) / denominator;
}

export function checkPaired(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new RangeError(`${a.length} predictions but ${b.length} labels.`);
  if (a.length === 0) throw new RangeError('no predictions to score.');
  return a.length;
}
