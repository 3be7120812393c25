/**
 * Transfer tasks by name: `--data SPEC:classes=LIST:per-class=N` keeps some classes of an image data set (a
 * list of labels and ranges, `0-4` or `0,2,7-9`; labels kept as they are) and, in training, only the first N
 * images of each kept class in file order. `fashion-mnist:classes=0-4` pretrains on five classes and
 * `fashion-mnist:classes=5-9:per-class=1200` fine-tunes on the other five with less data.
 */
import { UsageError } from '@ebt/errors';
import type { ImageDataset } from './dataset';

export interface ClassSubset {
  /** the spec without the subset options, for the loader */
  base: string;
  classes: number[] | null;
  perClass: number | null;
}

const OPTION = /^(classes|per-class)=(.*)$/;

/** Splits `SPEC:classes=...:per-class=...` into the loader's spec and the subset (checked: exit 2 naming --data). */
export function parseClassSubset(spec: string): ClassSubset {
  const parts = spec.split(':');
  const base = parts.filter((p) => !OPTION.test(p)).join(':');
  let classes: number[] | null = null;
  let perClass: number | null = null;
  for (const p of parts.filter((x) => OPTION.test(x))) {
    const [, key, value] = p.match(OPTION)!;
    if (key === 'classes') classes = parseClassList(value, spec);
    else {
      if (!/^\d+$/.test(value) || Number(value) === 0) throw new UsageError(`--data ${spec}: per-class must be a positive integer (got '${value}').`);
      perClass = Number(value);
    }
  }
  return { base, classes, perClass };
}

function parseClassList(value: string, spec: string): number[] {
  const out = new Set<number>();
  for (const item of value.split(',')) {
    const m = item.match(/^(\d+)(?:-(\d+))?$/);
    if (!m) throw new UsageError(`--data ${spec}: classes must be labels and ranges such as 0-4 or 0,2,7-9 (got '${value}').`);
    const [from, to] = [Number(m[1]), Number(m[2] ?? m[1])];
    if (to < from) throw new UsageError(`--data ${spec}: the range ${item} is empty.`);
    for (let c = from; c <= to; c++) out.add(c);
  }
  return [...out].sort((a, b) => a - b);
}

/**
 * config.json's record of the classes a model's head was trained on (written where a run trained on a subset):
 * fine-tuning it on other classes starts a new head, since the old one learned to answer only its own.
 */
export const CLASSES_KEY = 'ebt_classes';

/** Whether a checkpoint trained on `trained` classes (unset: all) needs a new head for `wanted` (null: all): when it asks for a class the head never saw. */
export function needsNewHead(trained: unknown, wanted: number[] | null): boolean {
  if (!Array.isArray(trained)) return false;
  const seen = new Set(trained.map(Number));
  return wanted === null || wanted.some((c) => !seen.has(c));
}

/** The images of the subset's classes (training: the first perClass of each). */
export function selectClasses(d: ImageDataset, subset: ClassSubset, spec: string, training: boolean): ImageDataset {
  if (!subset.classes && !subset.perClass) return d;
  const classes = subset.classes ?? Array.from({ length: d.numClasses }, (_, i) => i);
  const missing = classes.filter((c) => c >= d.numClasses);
  if (missing.length > 0) throw new UsageError(`--data ${spec}: ${d.name} has classes 0-${d.numClasses - 1}, not ${missing.join(', ')}.`);
  const wanted = new Set(classes);
  const taken = new Map<number, number>();
  const keep: number[] = [];
  d.labels.forEach((label, i) => {
    if (!wanted.has(label)) return;
    const k = taken.get(label) ?? 0;
    if (training && subset.perClass !== null && k >= subset.perClass) return;
    taken.set(label, k + 1);
    keep.push(i);
  });
  if (keep.length === 0) throw new UsageError(`--data ${spec}: no image of ${d.name} is in classes ${classes.join(', ')}.`);
  const size = d.shape.reduce((a, b) => a * b, 1);
  const images = new Float32Array(keep.length * size);
  keep.forEach((i, k) => images.set(d.images.subarray(i * size, (i + 1) * size), k * size));
  return { ...d, images, labels: Int32Array.from(keep, (i) => d.labels[i]) };
}
