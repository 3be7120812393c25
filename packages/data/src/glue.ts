/**
 * GLUE-style TSV (https://gluebenchmark.com/tasks): a header row, tab-separated fields, one example per
 * line. SST-2 is `sentence<TAB>label`; pair tasks (MRPC, RTE, ...) name two text columns.
 */
import * as fs from 'node:fs';
import { DataError } from './errors';

export interface TextDataset {
  texts: string[];
  pairs?: string[];
  /** class ids, or real-valued scores for a regression task (STS-B), whose numClasses is 1 as transformers' num_labels */
  labels: Int32Array | Float32Array;
  numClasses: number;
  name: string;
}

export interface TsvOptions {
  textColumn?: string;
  pairColumn?: string;
  labelColumn?: string;
  /** number of classes; default: the largest label + 1 (at least 2) */
  numClasses?: number;
  /** class names in id order: labels written as names (MNLI's `entailment`, ...) map to their ids */
  labelNames?: string[];
  /** real-valued labels (STS-B's similarity scores) instead of class ids */
  regression?: boolean;
}

export function readGlueTsv(file: string, options: TsvOptions = {}): TextDataset {
  const textColumn = options.textColumn ?? 'sentence';
  const labelColumn = options.labelColumn ?? 'label';
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new DataError(`Cannot read '${file}' (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}).`);
  }
  const lines = text.split(/\r?\n/);
  const header = lines[0].split('\t');
  const col = (name: string) => {
    const i = header.indexOf(name);
    if (i < 0) throw new DataError(`'${file}', line 1: no column '${name}' in the header (${header.join(', ')}).`);
    return i;
  };
  const ti = col(textColumn);
  const pi = options.pairColumn ? col(options.pairColumn) : -1;
  const li = col(labelColumn);
  const texts: string[] = [];
  const pairs: string[] = [];
  const labels: number[] = [];
  for (let n = 1; n < lines.length; n++) {
    if (lines[n].trim() === '') continue;
    const f = lines[n].split('\t');
    if (f.length !== header.length) throw new DataError(`'${file}', line ${n + 1}: ${f.length} fields, but the header has ${header.length}.`);
    const label = f[li].trim();
    if (options.regression) {
      if (label === '' || !Number.isFinite(Number(label))) throw new DataError(`'${file}', line ${n + 1}: label '${label}' is not a number.`);
      texts.push(f[ti]);
      if (pi >= 0) pairs.push(f[pi]);
      labels.push(Number(label));
      continue;
    }
    const named = options.labelNames?.indexOf(label) ?? -1;
    if (named < 0 && !/^\d+$/.test(label))
      throw new DataError(
        `'${file}', line ${n + 1}: label '${label}' is not a non-negative integer${options.labelNames ? ` nor one of ${options.labelNames.join(', ')}` : ''}.`,
      );
    texts.push(f[ti]);
    if (pi >= 0) pairs.push(f[pi]);
    labels.push(named >= 0 ? named : Number(label));
  }
  if (labels.length === 0) throw new DataError(`'${file}' has no examples after its header.`);
  if (options.regression) return { texts, pairs: pi >= 0 ? pairs : undefined, labels: Float32Array.from(labels), numClasses: 1, name: file };
  const numClasses = options.numClasses ?? options.labelNames?.length ?? Math.max(2, ...labels.map((l) => l + 1));
  const bad = labels.findIndex((l) => l >= numClasses);
  if (bad >= 0) throw new DataError(`'${file}': label ${labels[bad]} of example ${bad + 1} is not below ${numClasses} classes.`);
  return { texts, pairs: pi >= 0 ? pairs : undefined, labels: Int32Array.from(labels), numClasses, name: file };
}
