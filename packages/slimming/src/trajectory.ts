/**
 * The coefficient trajectory in the long format of docs/run-folder.md: one row per
 * (step, epoch, kind, layer, index, value), kind 'head' or 'ffn'. Rows are held in growing typed columns
 * and written (atomically) as Arrow IPC or CSV, chosen by the file's extension.
 */
import { writeFileAtomic } from '@ebt/files';
import { TrajectoryPoint } from './points';
import { UsageError } from '@ebt/errors';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { createHash } from 'node:crypto';
import { StringDecoder } from 'node:string_decoder';
import * as aq from 'arquero';
import * as fl from '@uwdata/flechette';

import { CoefficientSnapshot } from './slimming';

export type CoefficientKind = 'head' | 'ffn';

export interface TrajectoryRow {
  step: number;
  epoch: number;
  kind: CoefficientKind;
  layer: number;
  index: number;
  value: number;
}

class Column<T extends Int32Array | Float32Array | Uint8Array> {
  data: T;
  constructor(private readonly make: (n: number) => T) {
    this.data = make(1024);
  }
  ensure(n: number): void {
    if (n <= this.data.length) return;
    const next = this.make(Math.max(n, this.data.length * 2));
    next.set(this.data as never);
    this.data = next;
  }
}

export class Trajectory {
  private n = 0;
  private readonly step = new Column((k) => new Int32Array(k));
  private readonly epoch = new Column((k) => new Int32Array(k));
  private readonly kind = new Column((k) => new Uint8Array(k)); // 0 head, 1 ffn
  private readonly layer = new Column((k) => new Int32Array(k));
  private readonly index = new Column((k) => new Int32Array(k));
  private readonly value = new Column((k) => new Float32Array(k));

  get length(): number {
    return this.n;
  }

  /** Appends every coefficient of a snapshot at (step, epoch). */
  record(step: number, epoch: number, snapshot: CoefficientSnapshot): void {
    const add = (rows: Float32Array[], kind: number) =>
      rows.forEach((row, layer) => {
        for (let i = 0; i < row.length; i++) this.push(step, epoch, kind, layer, i, row[i]);
      });
    add(snapshot.heads, 0);
    add(snapshot.ffn, 1);
  }

  push(step: number, epoch: number, kind: number, layer: number, index: number, value: number): void {
    const n = this.n + 1;
    for (const c of [this.step, this.epoch, this.kind, this.layer, this.index, this.value]) c.ensure(n);
    this.step.data[this.n] = step;
    this.epoch.data[this.n] = epoch;
    this.kind.data[this.n] = kind;
    this.layer.data[this.n] = layer;
    this.index.data[this.n] = index;
    this.value.data[this.n] = value;
    this.n = n;
  }

  /** `push` with the value checked as the readers check one: a NaN or an infinity is damage, never a point to replay. */
  pushChecked(file: string, step: number, epoch: number, kind: number, layer: number, index: number, value: number): void {
    if (!Number.isFinite(value))
      throw new TrajectoryError(`'${file}': step ${step}, ${kind ? 'ffn' : 'head'} layer ${layer} index ${index}: value is ${value}, not a finite number.`);
    this.push(step, epoch, kind, layer, index, value);
  }

  /**
   * The rows in the order ebt writes them - by step, then kind (heads, FFN), layer and index - whatever order the
   * file had (pandas' sort_values gives one coefficient's whole history at a time), then checked: at every step,
   * each kind's layers 0..L-1 and each layer's indices 0..n-1 exactly once (shapes may change between steps: a
   * run pruned at its draw), and the epoch one per step. A missing or repeated coefficient is named, never read as NaN.
   */
  checked(file: string): this {
    if (!this.inOrder()) this.sortRows();
    const key = (k: number) => `step ${this.step.data[k]}, kind ${this.kind.data[k] ? 'ffn' : 'head'}, layer ${this.layer.data[k]}`;
    for (let k = 0; k < this.n; k++) {
      const first = k === 0 || this.step.data[k] !== this.step.data[k - 1];
      const newLayer = first || this.kind.data[k] !== this.kind.data[k - 1] || this.layer.data[k] !== this.layer.data[k - 1];
      const expectedLayer = first || this.kind.data[k] !== this.kind.data[k - 1] ? 0 : this.layer.data[k - 1] + 1;
      const expectedIndex = newLayer ? 0 : this.index.data[k - 1] + 1;
      if (!first && this.epoch.data[k] !== this.epoch.data[k - 1])
        throw new TrajectoryError(`'${file}': step ${this.step.data[k]} is recorded in epochs ${this.epoch.data[k - 1]} and ${this.epoch.data[k]}.`);
      if (newLayer && this.layer.data[k] !== expectedLayer)
        throw new TrajectoryError(`'${file}': ${key(k)}: layer ${expectedLayer} of this kind is missing at this step.`);
      if (this.index.data[k] < expectedIndex) throw new TrajectoryError(`'${file}': ${key(k)}: index ${this.index.data[k]} is recorded twice.`);
      if (this.index.data[k] > expectedIndex)
        throw new TrajectoryError(`'${file}': ${key(k)}: index ${expectedIndex} is missing (the next recorded is ${this.index.data[k]}).`);
    }
    return this;
  }

  private inOrder(): boolean {
    for (let k = 1; k < this.n; k++) if (this.compare(k - 1, k) > 0) return false;
    return true;
  }

  /** -1, 0 or 1: row a before, with, after row b in (step, kind, layer, index) order. */
  private compare(a: number, b: number): number {
    for (const c of [this.step, this.kind, this.layer, this.index]) if (c.data[a] !== c.data[b]) return c.data[a] < c.data[b] ? -1 : 1;
    return 0;
  }

  private sortRows(): void {
    const order = Uint32Array.from({ length: this.n }, (_, k) => k).sort((a, b) => this.compare(a, b) || a - b);
    for (const c of [this.step, this.epoch, this.kind, this.layer, this.index, this.value]) {
      const sorted = c.data.slice(0, this.n);
      for (let k = 0; k < this.n; k++) sorted[k] = c.data[order[k]];
      c.data.set(sorted);
    }
  }

  /**
   * Appends a table's rows, its columns by name (`column(name)`; others are left alone), each row checked as the
   * CSV reader checks a line: Arrow, Parquet.
   */
  pushColumns(file: string, names: string[], column: (name: string) => ArrayLike<unknown>, rows: number): this {
    const missing = COLUMNS.filter((c) => !names.includes(c));
    if (missing.length) throw new TrajectoryError(`'${file}' lacks the column(s) ${missing.join(', ')} (it needs ${HEADER}).`);
    const [step, epoch, kind, layer, index, value] = COLUMNS.map(column);
    for (let k = 0; k < rows; k++) pushRow(this, file, `row ${k + 1}`, kind[k], [step[k], epoch[k], layer[k], index[k], value[k]], (v) => String(v));
    return this;
  }

  /** Drops the rows recorded after `step` (used by --resume, which restarts from a checkpoint's step). */
  truncateAfter(step: number): void {
    let k = this.n;
    while (k > 0 && this.step.data[k - 1] > step) k--;
    this.n = k;
  }

  lastStep(): number | undefined {
    return this.n ? this.step.data[this.n - 1] : undefined;
  }

  rows(): TrajectoryRow[] {
    const out: TrajectoryRow[] = [];
    for (let k = 0; k < this.n; k++) {
      out.push({
        step: this.step.data[k],
        epoch: this.epoch.data[k],
        kind: this.kind.data[k] ? 'ffn' : 'head',
        layer: this.layer.data[k],
        index: this.index.data[k],
        value: this.value.data[k],
      });
    }
    return out;
  }

  /** Each recorded step's coefficients, as the criteria read them. */
  points(): TrajectoryPoint[] {
    return this.snapshots().map((p) => ({ step: p.step, epoch: p.epoch, heads: p.snapshot.heads, ffn: p.snapshot.ffn }));
  }

  /** Coefficients recorded at each step, rebuilt as snapshots. */
  snapshots(): Array<{ step: number; epoch: number; snapshot: CoefficientSnapshot }> {
    const out: Array<{ step: number; epoch: number; snapshot: CoefficientSnapshot }> = [];
    let k = 0;
    while (k < this.n) {
      const step = this.step.data[k];
      const epoch = this.epoch.data[k];
      const rows: [number[][], number[][]] = [[], []];
      for (; k < this.n && this.step.data[k] === step; k++) {
        const kind = rows[this.kind.data[k]];
        const l = this.layer.data[k];
        (kind[l] ??= [])[this.index.data[k]] = this.value.data[k];
      }
      out.push({ step, epoch, snapshot: { heads: rows[0].map((r) => Float32Array.from(r ?? [])), ffn: rows[1].map((r) => Float32Array.from(r ?? [])) } });
    }
    return out;
  }

  /**
   * The rows as Arrow IPC (file format), built on the columns' own memory: `kind` is a dictionary column whose
   * int8 indices are the kind codes themselves (0 head, 1 ffn), so no string is made per row. Writing costs a
   * copy of the rows, not a re-encoding (an epoch end's rewrite stays a small share of a step: docs/performance.md).
   */
  private toArrowIPC(): Uint8Array {
    const n = this.n;
    const utf8 = fl.utf8();
    const kindType = fl.dictionary(utf8, fl.int8());
    const codes = new (fl.batchType(kindType))({
      length: n,
      nullCount: 0,
      type: kindType,
      validity: new Uint8Array(0),
      values: new Int8Array(this.kind.data.buffer, 0, n),
    }) as unknown as { setDictionary(c: fl.Column<string>): void };
    codes.setDictionary(fl.columnFromArray(['head', 'ffn'], utf8));
    const column = (c: Column<Int32Array | Float32Array>) => fl.columnFromArray(c.data.subarray(0, n)); // typed: no copy, int32 / float32
    const table = fl.tableFromColumns({
      step: column(this.step),
      epoch: column(this.epoch),
      kind: new fl.Column([codes as never]),
      layer: column(this.layer),
      index: column(this.index),
      value: column(this.value),
    });
    table.schema.metadata = new Map([[CHECKSUM_KEY, this.digest()]]);
    return fl.tableToIPC(table, { format: 'file' }) as Uint8Array;
  }

  /**
   * sha256 of the rows as stored (each column's bytes in row order, kind as its codes): written into the Arrow
   * schema's metadata and checked on read, as checkpoints carry theirs, so a flipped bit never moves a mask.
   */
  private digest(): string {
    const hash = createHash('sha256');
    for (const c of [this.step, this.epoch, this.kind, this.layer, this.index, this.value])
      hash.update(new Uint8Array(c.data.buffer, c.data.byteOffset, this.n * c.data.BYTES_PER_ELEMENT));
    return hash.digest('hex');
  }

  /** Writes FILE atomically: Arrow IPC for .arrow/.feather, CSV for .csv. */
  write(file: string): void {
    const ext = path.extname(file).toLowerCase();
    fs.mkdirSync(path.dirname(file), { recursive: true });
    if (ext === '.csv') writeFileAtomic(file, toCsv(this));
    else if (ext === '.arrow' || ext === '.feather' || ext === '.ipc') writeFileAtomic(file, this.toArrowIPC());
    else throw new TrajectoryError(`Trajectory file '${file}' must end in .arrow or .csv.`);
  }

  /**
   * Reads trajectory.arrow or .csv; either gzipped (`.arrow.gz`, `.csv.gz`: how results/ keeps them). A plain CSV
   * is read in chunks, so its text is never held whole (a BERT-base run logged every 10 steps is ~1.5 GB of CSV).
   */
  static read(file: string): Trajectory {
    const gzipped = file.toLowerCase().endsWith('.gz');
    const ext = path.extname(gzipped ? file.slice(0, -3) : file).toLowerCase();
    const t = new Trajectory();
    if (ext === '.csv' && !gzipped) {
      parseCsv(fileChunks(file), file, t);
      return t.checked(file);
    }
    let bytes: Buffer;
    try {
      bytes = fs.readFileSync(file);
    } catch (e) {
      throw new TrajectoryError(`Cannot read trajectory '${file}' (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}).`);
    }
    if (gzipped) {
      try {
        bytes = zlib.gunzipSync(bytes);
      } catch (e) {
        throw new TrajectoryError(`'${file}' is not gzip data: ${(e as Error).message}.`);
      }
    }
    if (ext === '.csv') {
      parseCsv(bufferChunks(bytes), file, t);
      return t.checked(file);
    }
    let arrow: fl.Table;
    let table: aq.ColumnTable;
    try {
      arrow = fl.tableFromIPC(bytes);
      table = aq.fromArrow(arrow as never); // arquero declares an older flechette Table type
    } catch (e) {
      throw new TrajectoryError(`'${file}' is not an Arrow IPC file: ${(e as Error).message}.`);
    }
    t.pushColumns(file, table.columnNames(), (c) => table.array(c) as ArrayLike<unknown>, table.numRows());
    const checksum = arrow.schema.metadata?.get(CHECKSUM_KEY); // files of ebt before it had none; others' files have none
    if (checksum !== undefined && checksum !== t.digest())
      throw new TrajectoryError(`'${file}' does not match the checksum ebt wrote into it: it was changed or damaged after it was written.`);
    return t.checked(file);
  }
}

export class TrajectoryError extends UsageError {}

/** The Arrow schema metadata key of the rows' sha256. */
const CHECKSUM_KEY = 'ebt:sha256';

function kindCode(kind: unknown, file: string, where: string): number {
  if (kind === 'head') return 0;
  if (kind === 'ffn') return 1;
  throw new TrajectoryError(`'${file}', ${where}: kind is ${JSON.stringify(kind)}, not 'head' or 'ffn'.`);
}

const COLUMNS = ['step', 'epoch', 'kind', 'layer', 'index', 'value'];
const HEADER = COLUMNS.join(',');
/** the columns a row's numbers come from, in pushRow's order */
const NUMERIC_COLUMNS = ['step', 'epoch', 'layer', 'index', 'value'];

function toCsv(t: Trajectory): string {
  const lines = [HEADER];
  for (const r of t.rows()) lines.push(`${r.step},${r.epoch},${r.kind},${r.layer},${r.index},${r.value}`);
  return lines.join('\n') + '\n';
}

/** The bytes of a file, CHUNK at a time. */
function* fileChunks(file: string): Generator<Buffer> {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (e) {
    throw new TrajectoryError(`Cannot read trajectory '${file}' (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}).`);
  }
  try {
    const buffer = Buffer.alloc(CHUNK);
    for (let n; (n = fs.readSync(fd, buffer, 0, CHUNK, null)) > 0;) yield buffer.subarray(0, n);
  } finally {
    fs.closeSync(fd);
  }
}

function* bufferChunks(bytes: Buffer): Generator<Buffer> {
  for (let at = 0; at < bytes.length; at += CHUNK) yield bytes.subarray(at, at + CHUNK);
}

const CHUNK = 16 * 2 ** 20;

/** The lines of a stream of chunks (UTF-8 split anywhere), with their 1-based numbers. */
function* lines(chunks: Iterable<Buffer>): Generator<[string, number]> {
  const decoder = new StringDecoder('utf8');
  let rest = '';
  let n = 0;
  for (const chunk of chunks) {
    const parts = (rest + decoder.write(chunk)).split(/\r?\n/);
    rest = parts.pop()!;
    for (const line of parts) yield [line, ++n];
  }
  rest += decoder.end();
  if (rest !== '') yield [rest, ++n];
}

function parseCsv(chunks: Iterable<Buffer>, file: string, t: Trajectory): void {
  let names: string[] | null = null;
  let step = 0, epoch = 0, kind = 0, layer = 0, index = 0, value = 0; // prettier-ignore
  for (const [raw, n] of lines(chunks)) {
    if (names === null) {
      // the columns by name, in any order; other columns (a loss, a wall clock) are left alone
      names = raw.split(',').map((c) => c.trim());
      const columns = COLUMNS.map((c) => names!.indexOf(c));
      const missing = COLUMNS.filter((_, i) => columns[i] < 0);
      if (missing.length) throw new TrajectoryError(`'${file}', line 1: the header lacks the column(s) ${missing.join(', ')} (it needs ${HEADER}).`);
      [step, epoch, kind, layer, index, value] = columns;
      continue;
    }
    const line = raw.trim();
    if (line === '') continue;
    const f = line.split(',');
    if (f.length !== names.length) throw new TrajectoryError(`'${file}', line ${n}: expected ${names.length} fields, got ${f.length}.`);
    pushRow(t, file, `line ${n}`, f[kind].trim(), [f[step], f[epoch], f[layer], f[index], f[value]], (v) => `'${v}'`);
  }
  if (names === null) throw new TrajectoryError(`'${file}' is empty: a trajectory CSV starts with the header ${HEADER}.`);
}

/**
 * One row of either reader, checked alike before it is kept: a NaN, an infinity, an empty field or a negative or
 * fractional position is damage, never a point to replay. `fields` are step, epoch, layer, index and value as read;
 * `shown` writes the bad one into the error.
 */
function pushRow(t: Trajectory, file: string, where: string, kind: unknown, fields: unknown[], shown: (v: unknown) => string): void {
  const nums = fields.map((x) => (typeof x === 'string' && x.trim() === '' ? NaN : Number(x)));
  const bad = nums.findIndex((v, j) => !Number.isFinite(v) || (j < 4 && (v < 0 || !Number.isInteger(v))));
  if (bad >= 0)
    throw new TrajectoryError(
      `'${file}', ${where}: ${NUMERIC_COLUMNS[bad]} is ${shown(fields[bad])}, not a ${bad < 4 ? 'non-negative integer' : 'finite number'}.`,
    );
  t.push(nums[0], nums[1], kindCode(kind, file, where), nums[2], nums[3], nums[4]);
}
