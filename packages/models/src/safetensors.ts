/**
 * The safetensors format (https://github.com/huggingface/safetensors): an 8-byte little-endian header
 * length, a JSON header {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {...}}, then the
 * tensor bytes. Everything is validated before any tensor is allocated; F16 and BF16 are widened to float32.
 * Integer and boolean tensors are buffers, not weights (BERT's `position_ids` and `token_type_ids` are I64):
 * they are validated and listed in `buffers`, and their data is not read - transformers ignores them too.
 */
import { writeFileAtomic } from '@ebt/files';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SafetensorsError } from './errors';

export type SafetensorsDtype = 'F32' | 'F16' | 'BF16';
const DTYPE_BYTES: Record<SafetensorsDtype, number> = { F32: 4, F16: 2, BF16: 2 };
/** The dtypes of buffers: read past, never decoded. */
const BUFFER_DTYPE_BYTES: Record<string, number> = { I64: 8, U64: 8, I32: 4, U32: 4, I16: 2, U16: 2, I8: 1, U8: 1, BOOL: 1, F64: 8 };
/** The limit Hugging Face's own reader applies to the JSON header. */
export const MAX_HEADER_BYTES = 100_000_000;

export interface NamedTensor {
  shape: number[];
  data: Float32Array;
  /** dtype as stored in the file */
  dtype: SafetensorsDtype;
}

export interface SafetensorsFile {
  tensors: Map<string, NamedTensor>;
  metadata: Record<string, string>;
  /** the tensors of a non-float dtype, not decoded (see above) */
  buffers: Array<{ name: string; dtype: string; shape: number[] }>;
}

/** Reads and validates a .safetensors file; refuses pickle checkpoints with a message saying to convert. */
export function readSafetensors(file: string): SafetensorsFile {
  refusePickle(file);
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (e) {
    throw new SafetensorsError(`Cannot read '${file}' (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}).`);
  }
  return parseSafetensors(bytes, file);
}

export function parseSafetensors(bytes: Uint8Array, file = '<buffer>'): SafetensorsFile {
  const fail = (what: string): never => {
    throw new SafetensorsError(`'${file}' is not a valid safetensors file: ${what}.`);
  };
  if (bytes.length < 8) fail(`it has ${bytes.length} bytes, fewer than the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getBigUint64(0, true);
  if (headerLength > BigInt(MAX_HEADER_BYTES)) fail(`the header length ${headerLength} exceeds the ${MAX_HEADER_BYTES}-byte limit`);
  if (headerLength > BigInt(bytes.length - 8)) fail(`the header length ${headerLength} runs past the end of the file (${bytes.length} bytes)`);
  const hl = Number(headerLength);
  const headerText = Buffer.from(bytes.buffer, bytes.byteOffset + 8, hl).toString('utf8');
  let header: Record<string, any> = {};
  try {
    const parsed: unknown = JSON.parse(headerText);
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) fail('the JSON header is not an object');
    header = parsed as Record<string, any>;
  } catch (e) {
    if (e instanceof SafetensorsError) throw e;
    fail(`the JSON header does not parse (${(e as Error).message})`);
  }
  const duplicate = firstDuplicateKey(headerText);
  if (duplicate !== undefined) fail(`tensor '${duplicate}' appears twice in the header`);

  const dataStart = 8 + hl;
  const dataLength = bytes.length - dataStart;
  const metadata: Record<string, string> = header.__metadata__ ?? {};
  const entries: Array<{ name: string; dtype: SafetensorsDtype | string; shape: number[]; begin: number; end: number }> = [];
  for (const [name, info] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    if (info === null || typeof info !== 'object') fail(`tensor '${name}' has no description`);
    const { dtype, shape, data_offsets: offsets } = info as { dtype: unknown; shape: unknown; data_offsets: unknown };
    if (typeof dtype !== 'string' || !(dtype in DTYPE_BYTES || dtype in BUFFER_DTYPE_BYTES)) {
      fail(`tensor '${name}' has dtype ${JSON.stringify(dtype)}; weights must be F32, F16 or BF16 (integer buffers are skipped)`);
    }
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) fail(`tensor '${name}' has shape ${JSON.stringify(shape)}`);
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      fail(`tensor '${name}' has data_offsets ${JSON.stringify(offsets)}`);
    }
    const [begin, end] = offsets as number[];
    if (begin > end || end > dataLength) fail(`tensor '${name}' has data_offsets [${begin}, ${end}] outside the ${dataLength} data bytes`);
    const expected = (shape as number[]).reduce((a, b) => a * b, 1) * (DTYPE_BYTES[dtype as SafetensorsDtype] ?? BUFFER_DTYPE_BYTES[dtype as string]);
    if (end - begin !== expected) {
      fail(`tensor '${name}' (${dtype} ${JSON.stringify(shape)}) needs ${expected} bytes but data_offsets give ${end - begin}`);
    }
    entries.push({ name, dtype: dtype as string, shape: shape as number[], begin, end });
  }
  // The buffer must be exactly covered: no overlaps, no holes.
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let cursor = 0;
  for (const e of sorted) {
    if (e.begin < cursor) fail(`tensor '${e.name}' overlaps the previous tensor (offset ${e.begin} < ${cursor})`);
    if (e.begin > cursor) fail(`there is a gap of ${e.begin - cursor} bytes before tensor '${e.name}'`);
    cursor = e.end;
  }
  if (cursor !== dataLength) fail(`the tensors cover ${cursor} of the ${dataLength} data bytes`);

  const tensors = new Map<string, NamedTensor>();
  const buffers: SafetensorsFile['buffers'] = [];
  for (const e of entries) {
    if (!(e.dtype in DTYPE_BYTES)) buffers.push({ name: e.name, dtype: e.dtype, shape: e.shape });
    else {
      const dtype = e.dtype as SafetensorsDtype;
      tensors.set(e.name, { shape: e.shape, dtype, data: decode(bytes, dataStart + e.begin, dataStart + e.end, dtype) });
    }
  }
  return { tensors, metadata, buffers };
}

/** Writes float32 tensors (sorted by name, as the Python writer does) atomically. */
export function writeSafetensors(
  file: string,
  tensors: Map<string, { shape: number[]; data: Float32Array }>,
  metadata: Record<string, string> = { format: 'pt' },
): void {
  writeFileAtomic(file, serializeSafetensors(tensors, metadata));
}

export function serializeSafetensors(
  tensors: Map<string, { shape: number[]; data: Float32Array }>,
  metadata: Record<string, string> = { format: 'pt' },
): Uint8Array {
  const names = [...tensors.keys()].sort();
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const name of names) {
    const t = tensors.get(name)!;
    const size = t.shape.reduce((a, b) => a * b, 1);
    if (size !== t.data.length) throw new SafetensorsError(`tensor '${name}' has shape ${JSON.stringify(t.shape)} but ${t.data.length} values.`);
    header[name] = { dtype: 'F32', shape: t.shape, data_offsets: [offset, offset + 4 * size] };
    offset += 4 * size;
  }
  let json = JSON.stringify(header);
  // Pad the header with spaces to a multiple of 8 bytes so that the data is aligned.
  const jsonBytes = Buffer.byteLength(json);
  json += ' '.repeat((8 - ((8 + jsonBytes) % 8)) % 8);
  const headerBytes = Buffer.from(json, 'utf8');
  const out = new Uint8Array(8 + headerBytes.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let cursor = 8 + headerBytes.length;
  for (const name of names) {
    const t = tensors.get(name)!;
    for (let i = 0; i < t.data.length; i++) view.setFloat32(cursor + 4 * i, t.data[i], true);
    cursor += 4 * t.data.length;
  }
  return out;
}

function decode(bytes: Uint8Array, begin: number, end: number, dtype: SafetensorsDtype): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset + begin, end - begin);
  const n = (end - begin) / DTYPE_BYTES[dtype];
  const out = new Float32Array(n);
  if (dtype === 'F32') for (let i = 0; i < n; i++) out[i] = view.getFloat32(4 * i, true);
  else if (dtype === 'BF16') {
    const u = new Uint32Array(out.buffer);
    for (let i = 0; i < n; i++) u[i] = view.getUint16(2 * i, true) << 16;
  } else for (let i = 0; i < n; i++) out[i] = halfToFloat(view.getUint16(2 * i, true));
  return out;
}

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 0x1f) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/** JSON.parse keeps the last of two equal keys silently; this finds a repeated top-level key. */
function firstDuplicateKey(json: string): string | undefined {
  const seen = new Set<string>();
  let depth = 0;
  let i = 0;
  while (i < json.length) {
    const c = json[i];
    if (c === '"') {
      let j = i + 1;
      while (json[j] !== '"') j += json[j] === '\\' ? 2 : 1;
      let k = j + 1;
      while (k < json.length && /\s/.test(json[k])) k++;
      if (depth === 1 && json[k] === ':') {
        const key = JSON.parse(json.slice(i, j + 1)) as string;
        if (seen.has(key)) return key;
        seen.add(key);
      }
      i = j + 1;
      continue;
    }
    if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') depth--;
    i++;
  }
  return undefined;
}

/** PyTorch checkpoints are pickles, which can run code when loaded: never parse them. */
function refusePickle(file: string): void {
  const base = path.basename(file);
  let head = Buffer.alloc(0);
  try {
    const fd = fs.openSync(file, 'r');
    head = Buffer.alloc(4);
    fs.readSync(fd, head, 0, 4, 0);
    fs.closeSync(fd);
  } catch {
    return; // readSafetensors reports the unreadable file
  }
  const zip = head[0] === 0x50 && head[1] === 0x4b; // torch.save's zip container
  const pickle = head[0] === 0x80 && head[1] >= 2 && head[1] <= 5; // pickle protocol 2-5
  if (/\.(bin|pt|pth|ckpt|pkl)$/i.test(base) || zip || pickle) {
    throw new SafetensorsError(
      `'${file}' is a PyTorch pickle checkpoint, which ebt never loads (unpickling can run arbitrary code). Convert it to model.safetensors first, e.g. in Python: ` +
        `from safetensors.torch import save_file; import torch; save_file(torch.load('${base}'), 'model.safetensors').`,
    );
  }
}
