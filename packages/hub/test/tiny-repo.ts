/**
 * The tiny BERT fixture (packages/models/test/fixtures/hf-tiny-bert, with PyTorch's logits in reference.json)
 * dressed as a real hub checkpoint: two safetensors shards with model.safetensors.index.json, the I64
 * `bert.embeddings.position_ids` buffer that transformers checkpoints carry, and a WordPiece tokenizer given
 * only as vocab.txt and tokenizer_config.json.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readGlueTsv } from '@ebt/data';
import { cifar10Parquet, cifarPng } from '@ebt/data/test/cifar10-parquet';
import { fashionMnistParquet, greyPng } from '@ebt/data/test/fashion-mnist-parquet';
import { glueParquet } from '@ebt/data/test/glue-parquet';
import { squadParquet, squadRows } from '@ebt/data/test/squad-parquet';

export const fixtures = path.join(__dirname, '..', '..', 'models', 'test', 'fixtures');
const datasets = path.join(__dirname, '..', '..', '..', 'datasets');

/** Raw safetensors bytes from a header of entries and their data, as a writer in Python lays them out. */
function safetensors(entries: Array<{ name: string; dtype: string; shape: number[]; bytes: Uint8Array }>): Uint8Array {
  const header: Record<string, unknown> = { __metadata__: { format: 'pt' } };
  let offset = 0;
  for (const e of entries) {
    header[e.name] = { dtype: e.dtype, shape: e.shape, data_offsets: [offset, offset + e.bytes.length] };
    offset += e.bytes.length;
  }
  const json = Buffer.from(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let at = 8 + json.length;
  for (const e of entries) {
    out.set(e.bytes, at);
    at += e.bytes.length;
  }
  return out;
}

/** Splits the fixture's model.safetensors (all F32) into two shards, the position_ids buffer in the second. */
export function shardedTinyBert(): Record<string, Uint8Array | string> {
  const bytes = fs.readFileSync(path.join(fixtures, 'hf-tiny-bert', 'model.safetensors'));
  const n = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.subarray(8, 8 + n).toString()) as Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
  const names = Object.keys(header).filter((k) => k !== '__metadata__');
  const entries = names.map((name) => ({
    name,
    ...header[name],
    bytes: bytes.subarray(8 + n + header[name].data_offsets[0], 8 + n + header[name].data_offsets[1]),
  }));
  const config = JSON.parse(fs.readFileSync(path.join(fixtures, 'hf-tiny-bert', 'config.json'), 'utf8'));
  const positions = new BigInt64Array(config.max_position_embeddings).map((_, i) => BigInt(i));
  const half = Math.ceil(entries.length / 2);
  const shards = [
    entries.slice(0, half),
    [...entries.slice(half), { name: 'bert.embeddings.position_ids', dtype: 'I64', shape: [1, positions.length], bytes: new Uint8Array(positions.buffer) }],
  ];
  const files = ['model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors'];
  const weightMap = Object.fromEntries(shards.flatMap((s, i) => s.map((e) => [e.name, files[i]])));
  const vocab = fs.readFileSync(path.join(fixtures, 'tiny-tokenizer', 'vocab.txt'), 'utf8');
  return {
    'config.json': fs.readFileSync(path.join(fixtures, 'hf-tiny-bert', 'config.json'), 'utf8'),
    'model.safetensors.index.json': JSON.stringify({ metadata: { total_size: entries.reduce((s, e) => s + e.bytes.length, 0) }, weight_map: weightMap }),
    [files[0]]: safetensors(shards[0]),
    [files[1]]: safetensors(shards[1]),
    'vocab.txt': vocab,
    'tokenizer_config.json': JSON.stringify({ do_lower_case: true, model_max_length: 512, tokenizer_class: 'BertTokenizer' }),
  };
}

/** datasets/sst2-tiny as the hub's nyu-mll/glue stores SST-2: `sst2/<split>-00000-of-00001.parquet` (sentence, INT64 label, idx). */
export function tinyGlueRepo(): Record<string, Uint8Array> {
  const split = (file: string) => {
    const d = readGlueTsv(path.join(datasets, 'sst2-tiny', file));
    return glueParquet({ sentence: d.texts }, Array.from(d.labels));
  };
  return { 'sst2/train-00000-of-00001.parquet': split('train.tsv'), 'sst2/validation-00000-of-00001.parquet': split('dev.tsv') };
}

/** datasets/squad-tiny as the hub's rajpurkar/squad stores SQuAD: `plain_text/{train,validation}-00000-of-00001.parquet`. */
export function tinySquadRepo(): Record<string, Uint8Array> {
  const split = (file: string) => squadParquet(squadRows(path.join(datasets, 'squad-tiny', file)));
  return { 'plain_text/train-00000-of-00001.parquet': split('train-v1.1.json'), 'plain_text/validation-00000-of-00001.parquet': split('dev-v1.1.json') };
}

/** uoft-cs/cifar10's layout: plain_text/{train,test}-00000-of-00001.parquet, seeded 32x32 images as PNG with labels 0-9. */
export function tinyCifar10Repo(): Record<string, Uint8Array> {
  let s = 7;
  const byte = () => (s = (s * 1103515245 + 12345) % 2 ** 31) % 256;
  const split = (n: number) =>
    cifar10Parquet(
      Array.from({ length: n }, () => cifarPng(Uint8Array.from({ length: 3072 }, byte))),
      Array.from({ length: n }, (_, i) => i % 10),
    );
  return { 'plain_text/train-00000-of-00001.parquet': split(20), 'plain_text/test-00000-of-00001.parquet': split(10) };
}

/** zalando-datasets/fashion_mnist as the hub lays it out: `fashion_mnist/{train,test}-00000-of-00001.parquet`, 12 and 6 grey images. */
export function tinyFashionMnistRepo(): Record<string, Uint8Array> {
  const split = (n: number, offset: number) =>
    fashionMnistParquet(
      Array.from({ length: n }, (_, k) => greyPng(Uint8Array.from({ length: 784 }, (_, i) => (i + 13 * (k + offset)) % 256))),
      Array.from({ length: n }, (_, k) => (k + offset) % 10),
    );
  return { 'fashion_mnist/train-00000-of-00001.parquet': split(12, 0), 'fashion_mnist/test-00000-of-00001.parquet': split(6, 100) };
}
