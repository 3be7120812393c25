import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseSafetensors, readSafetensors, SafetensorsError, serializeSafetensors } from './index';
import { fixtures, tempDir } from '../test/helpers';

/** Builds a file from a header object and a data buffer, as a broken writer might. */
function build(header: unknown, data: Uint8Array, headerLength?: bigint): Uint8Array {
  const json = Buffer.from(typeof header === 'string' ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, headerLength ?? BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

const f32 = (n: number) => ({ dtype: 'F32', shape: [n], data_offsets: [0, 4 * n] });

describe('safetensors reader', () => {
  test('reads the fixture with the Hugging Face names and shapes', () => {
    const { tensors, metadata } = readSafetensors(path.join(fixtures, 'hf-tiny-bert', 'model.safetensors'));
    expect(metadata).toEqual({ format: 'pt' });
    expect(tensors.get('bert.embeddings.word_embeddings.weight')!.shape).toEqual([120, 32]);
    expect(tensors.get('classifier.weight')!.data).toHaveLength(64);
  });

  test('decodes F16 and BF16 to float32', () => {
    // 1.5 in F16 = 0x3E00, -2 = 0xC000; in BF16 1.5 = 0x3FC0, -2 = 0xC000
    const data = Uint8Array.from([0x00, 0x3e, 0x00, 0xc0, 0xc0, 0x3f, 0x00, 0xc0]);
    const header = { a: { dtype: 'F16', shape: [2], data_offsets: [0, 4] }, b: { dtype: 'BF16', shape: [2], data_offsets: [4, 8] } };
    const { tensors } = parseSafetensors(build(header, data));
    expect(Array.from(tensors.get('a')!.data)).toEqual([1.5, -2]);
    expect(Array.from(tensors.get('b')!.data)).toEqual([1.5, -2]);
  });

  test('lists integer buffers (I64 position_ids) without decoding them, and reads the weights around them', () => {
    const data = new Uint8Array(4 + 16);
    new DataView(data.buffer).setFloat32(0, 2.5, true);
    const header = { w: f32(1), 'bert.embeddings.position_ids': { dtype: 'I64', shape: [1, 2], data_offsets: [4, 20] } };
    const { tensors, buffers } = parseSafetensors(build(header, data));
    expect([...tensors.keys()]).toEqual(['w']);
    expect(tensors.get('w')!.data[0]).toBe(2.5);
    expect(buffers).toEqual([{ name: 'bert.embeddings.position_ids', dtype: 'I64', shape: [1, 2] }]);
  });

  test('serialize then parse is the identity', () => {
    const t = new Map([['w', { shape: [2, 3], data: Float32Array.from([1, -2, 3.5, 1e-30, -0, 7]) }]]);
    const back = parseSafetensors(serializeSafetensors(t)).tensors.get('w')!;
    expect(back.shape).toEqual([2, 3]);
    expect(Buffer.from(back.data.buffer)).toEqual(Buffer.from(t.get('w')!.data.buffer));
  });

  const corrupt: Array<[string, () => Uint8Array, RegExp]> = [
    ['shorter than the length prefix', () => Uint8Array.from([1, 2, 3]), /fewer than the 8-byte header length/],
    ['truncated data', () => build({ w: f32(4) }, new Uint8Array(8)), /outside the 8 data bytes/],
    ['header length past the end', () => build({ w: f32(1) }, new Uint8Array(4), 10_000n), /runs past the end of the file/],
    ['huge header length', () => build({ w: f32(1) }, new Uint8Array(4), 1n << 40n), /exceeds the 100000000-byte limit/],
    ['header that is not JSON', () => build('{"w": ', new Uint8Array(0)), /JSON header does not parse/],
    ['header that is an array', () => build([1, 2], new Uint8Array(0)), /not an object/],
    [
      'unsupported dtype',
      () => build({ w: { dtype: 'C64', shape: [1], data_offsets: [0, 8] } }, new Uint8Array(8)),
      /dtype "C64"; weights must be F32, F16 or BF16/,
    ],
    ['an I64 buffer of the wrong size', () => build({ ids: { dtype: 'I64', shape: [2], data_offsets: [0, 8] } }, new Uint8Array(8)), /needs 16 bytes/],
    [
      'shape and byte length disagree',
      () => build({ w: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, new Uint8Array(8)),
      /needs 12 bytes but data_offsets give 8/,
    ],
    ['overlapping offsets', () => build({ a: f32(2), b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] } }, new Uint8Array(12)), /overlaps/],
    [
      'a hole between tensors',
      () => build({ a: f32(1), b: { dtype: 'F32', shape: [1], data_offsets: [8, 12] } }, new Uint8Array(12)),
      /gap of 4 bytes before tensor 'b'/,
    ],
    ['trailing bytes no tensor covers', () => build({ a: f32(1) }, new Uint8Array(8)), /cover 4 of the 8 data bytes/],
    [
      'a duplicate name',
      () => build('{"a": {"dtype":"F32","shape":[1],"data_offsets":[0,4]}, "a": {"dtype":"F32","shape":[1],"data_offsets":[0,4]}}', new Uint8Array(4)),
      /'a' appears twice/,
    ],
    ['negative or fractional offsets', () => build({ a: { dtype: 'F32', shape: [1], data_offsets: [-4, 0] } }, new Uint8Array(4)), /data_offsets \[-4,0\]/],
    ['begin after end', () => build({ a: { dtype: 'F32', shape: [0], data_offsets: [4, 0] } }, new Uint8Array(4)), /outside/],
  ];
  test.each(corrupt)('refuses %s with a clear error naming the file', (_, make, message) => {
    const dir = tempDir();
    const file = path.join(dir, 'model.safetensors');
    fs.writeFileSync(file, make());
    expect(() => readSafetensors(file)).toThrow(SafetensorsError);
    expect(() => readSafetensors(file)).toThrow(message);
    expect(() => readSafetensors(file)).toThrow(file);
  });

  test('refuses pickle checkpoints without parsing them, saying to convert', () => {
    const dir = tempDir();
    const bin = path.join(dir, 'pytorch_model.bin');
    fs.writeFileSync(bin, Uint8Array.from([0x80, 0x02, 0x7d, 0x71, 0x00]));
    expect(() => readSafetensors(bin)).toThrow(/PyTorch pickle checkpoint.*Convert it to model\.safetensors/);
    const zipped = path.join(dir, 'weights');
    fs.writeFileSync(zipped, Uint8Array.from([0x50, 0x4b, 0x03, 0x04, 0, 0, 0, 0, 0, 0, 0, 0]));
    expect(() => readSafetensors(zipped)).toThrow(/pickle/);
  });
});
