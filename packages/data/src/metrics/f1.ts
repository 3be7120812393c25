import { checkPaired } from './matthews';

/** Binary F1 of the positive class (label 1), as scikit-learn's `f1_score` with its defaults; 0 when there is no positive. */
export function binaryF1(predictions: ArrayLike<number>, labels: ArrayLike<number>, positive = 1): number {
  const n = checkPaired(predictions, labels);
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (let i = 0; i < n; i++) {
    const [pred, gold] = [predictions[i] === positive, labels[i] === positive];
    if (pred && gold) tp += 1;
    else if (pred) fp += 1;
    else if (gold) fn += 1;
  }
  return tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn);
}
