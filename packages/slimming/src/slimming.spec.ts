import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import * as tf from '@tensorflow/tfjs';
import * as aq from 'arquero';
import { tableFromIPC, Type } from '@uwdata/flechette';
import { initBackend } from '@ebt/backend';
import { parseConfig, ViTConfig, ViTForImageClassification } from '@ebt/models';
import { Slimming, Trajectory, TrajectoryError } from './index';

beforeAll(async () => {
  await initBackend({ backend: process.env.EBT_TEST_BACKEND ?? 'wasm', log: null });
});

const config = () =>
  parseConfig({
    model_type: 'vit',
    hidden_size: 16,
    num_hidden_layers: 2,
    num_attention_heads: 2,
    intermediate_size: 8,
    image_size: 8,
    patch_size: 4,
    num_channels: 1,
    num_labels: 3,
  }) as ViTConfig;
const x = () => tf.randomUniform([2, 1, 8, 8], 0, 1, 'float32', 5) as tf.Tensor4D;

describe('Slimming', () => {
  test('attaching (all ones) leaves the outputs exactly unchanged; detaching restores the hooks', () => {
    const model = new ViTForImageClassification(config(), { seed: 1 });
    const input = x();
    const before = tf.tidy(() => model.forward(input).logits.arraySync());
    const s = Slimming.attach(model);
    expect(s.heads.map((v) => v.shape)).toEqual([[2], [2]]);
    expect(s.ffn.map((v) => v.shape)).toEqual([[8], [8]]);
    expect(tf.tidy(() => model.forward(input).logits.arraySync())).toEqual(before);
    s.detach();
    expect(model.vit.encoder.layer[0].intermediate.slimming.coefficients).toBeNull();
  });

  test('the penalty is lambda_heads * sum|c_heads| + lambda_ffn * sum|c_ffn|, and its gradient is lambda * sign(c)', () => {
    const model = new ViTForImageClassification(config(), { seed: 1 });
    const s = Slimming.attach(model, { lambdaHeads: 0.5, lambdaFfn: 0.25 });
    s.heads[0].assign(tf.tensor1d([-2, 3]));
    s.ffn[1].assign(tf.tensor1d([1, -1, 0.5, 0, 2, 2, 2, 2]));
    // heads: |-2|+|3| + 2 (layer 1 ones) = 7; ffn: 8 (layer 0) + 10.5 = 18.5
    expect(s.penalty().dataSync()[0]).toBeCloseTo(0.5 * 7 + 0.25 * 18.5, 5);
    const { grads } = tf.variableGrads(() => s.penalty(), s.variables());
    expect(Array.from(grads[s.heads[0].name].dataSync())).toEqual([-0.5, 0.5]);
    expect(Array.from(grads[s.ffn[1].name].dataSync()).slice(0, 3)).toEqual([0.25, -0.25, 0.25]);
  });

  test('the task loss reaches the coefficients through the model', () => {
    const model = new ViTForImageClassification(config(), { seed: 2 });
    const s = Slimming.attach(model);
    const input = x();
    const { grads } = tf.variableGrads(() => model.forward(input).logits.square().sum() as tf.Scalar, s.variables());
    for (const v of s.variables()) expect(tf.tidy(() => grads[v.name].abs().sum().dataSync()[0])).toBeGreaterThan(0);
  });
});

describe('Trajectory', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ebt-traj-'));
  const snap = (v: number) => ({
    heads: [Float32Array.from([v, -v]), Float32Array.from([1, 2])],
    ffn: [Float32Array.from([v, 0, 3]), Float32Array.from([4, 5, v])],
  });

  test('records the long format and reads back the same rows from Arrow and CSV', () => {
    const t = new Trajectory();
    t.record(10, 0, snap(0.5));
    t.record(20, 1, snap(0.25));
    expect(t.length).toBe(20);
    expect(t.rows()[0]).toEqual({ step: 10, epoch: 0, kind: 'head', layer: 0, index: 0, value: 0.5 });
    expect(t.rows()[4]).toEqual({ step: 10, epoch: 0, kind: 'ffn', layer: 0, index: 0, value: 0.5 });
    for (const file of ['t.arrow', 't.csv'].map((f) => path.join(dir, f))) {
      t.write(file);
      expect(Trajectory.read(file).rows()).toEqual(t.rows());
    }
    expect(fs.readFileSync(path.join(dir, 't.csv'), 'utf8').split('\n')[0]).toBe('step,epoch,kind,layer,index,value');
    expect(Trajectory.read(path.join(dir, 't.arrow')).snapshots()[1]).toEqual({ step: 20, epoch: 1, snapshot: snap(0.25) });
    // gzipped, as results/ keeps them (gzip(1) or zlib: the same bytes)
    for (const f of ['t.arrow', 't.csv']) {
      fs.writeFileSync(path.join(dir, `${f}.gz`), zlib.gzipSync(fs.readFileSync(path.join(dir, f))));
      expect(Trajectory.read(path.join(dir, `${f}.gz`)).rows()).toEqual(t.rows());
    }
    fs.writeFileSync(path.join(dir, 'plain.arrow.gz'), fs.readFileSync(path.join(dir, 't.arrow')));
    expect(() => Trajectory.read(path.join(dir, 'plain.arrow.gz'))).toThrow(/plain\.arrow\.gz' is not gzip data/);
  });

  test('trajectory.arrow is an Arrow IPC file whose rows and types are those of the long format (kind as strings)', () => {
    const t = new Trajectory();
    t.record(10, 0, snap(0.5));
    t.record(20, 1, snap(0.25));
    const file = path.join(dir, 'typed.arrow');
    t.write(file);
    const bytes = fs.readFileSync(file);
    expect(bytes.subarray(0, 6).toString('latin1')).toBe('ARROW1'); // the file format, as pandas.read_feather wants
    expect(bytes.subarray(bytes.length - 6).toString('latin1')).toBe('ARROW1');
    const read = tableFromIPC(bytes);
    const types = Object.fromEntries(read.schema.fields.map((f) => [f.name, f.type.typeId]));
    expect(types).toEqual({ step: Type.Int, epoch: Type.Int, kind: Type.Dictionary, layer: Type.Int, index: Type.Int, value: Type.Float });
    // the rows as arquero's own writer encodes the same table (strings for kind, one object per row)
    const rows = t.rows();
    const reference = aq.fromArrow(aq.toArrowIPC(aq.from(rows))).objects();
    expect(aq.fromArrow(bytes).objects()).toEqual(reference);
    expect(read.getChild('kind')?.toArray()).toEqual(rows.map((r) => r.kind));

    // one coefficient changed in the file (0.25 -> 0.5: a flipped exponent bit) is caught by the checksum
    const quarter = Buffer.from(Float32Array.of(0.25).buffer);
    const at = bytes.indexOf(quarter);
    expect(at).toBeGreaterThan(0);
    const damaged = Buffer.from(bytes);
    Buffer.from(Float32Array.of(0.5).buffer).copy(damaged, at);
    fs.writeFileSync(path.join(dir, 'damaged.arrow'), damaged);
    expect(aq.fromArrow(damaged).objects()).not.toEqual(reference); // still a readable Arrow file
    expect(() => Trajectory.read(path.join(dir, 'damaged.arrow'))).toThrow(
      `'${path.join(dir, 'damaged.arrow')}' does not match the checksum ebt wrote into it: it was changed or damaged after it was written.`,
    );
  });

  test('truncateAfter drops the rows past a step (for --resume)', () => {
    const t = new Trajectory();
    for (const s of [10, 20, 30]) t.record(s, 0, snap(s));
    t.truncateAfter(20);
    expect(t.lastStep()).toBe(20);
    expect(t.length).toBe(20);
  });

  test('an Arrow file with a NaN, an infinity or a negative position is refused as the CSV reader refuses it', () => {
    const rows = (value: number, layer: number) => ({ step: [10], epoch: [0], kind: ['head'], layer: [layer], index: [0], value: [value] });
    const cases: Array<[ReturnType<typeof rows>, RegExp]> = [
      [rows(NaN, 0), /row 1: value is NaN, not a finite number/],
      [rows(Infinity, 0), /row 1: value is Infinity, not a finite number/],
      [rows(0.5, -1), /row 1: layer is -1, not a non-negative integer/],
    ];
    for (const [columns, message] of cases) {
      const file = path.join(dir, 'bad-value.arrow');
      fs.writeFileSync(file, aq.toArrowIPC(aq.table(columns)));
      expect(() => Trajectory.read(file)).toThrow(TrajectoryError);
      expect(() => Trajectory.read(file)).toThrow(message);
    }
  });

  test('a long CSV in any row and column order, extra columns aside, reads as the trajectory ebt writes', () => {
    const t = new Trajectory();
    for (const s of [10, 20, 30]) t.record(s, s === 30 ? 1 : 0, snap(s / 100));
    // pandas' df.sort_values(['kind', 'layer', 'index', 'step']): one coefficient's history at a time, columns shuffled, a loss column
    const rows = [...t.rows()].sort((a, b) => a.kind.localeCompare(b.kind) || a.layer - b.layer || a.index - b.index || a.step - b.step);
    const file = path.join(dir, 'pandas.csv');
    fs.writeFileSync(
      file,
      ['value,loss,kind,layer,index,step,epoch', ...rows.map((r) => `${r.value},0.1,${r.kind},${r.layer},${r.index},${r.step},${r.epoch}`)].join('\n'),
    );
    expect(Trajectory.read(file).rows()).toEqual(t.rows());
    expect(
      Trajectory.read(file)
        .points()
        .map((p) => p.step),
    ).toEqual([10, 20, 30]);
  });

  test('a missing or repeated coefficient is named (step, kind, layer, index), never read as NaN; a pruned shape after a step is fine', () => {
    const header = 'step,epoch,kind,layer,index,value';
    const file = path.join(dir, 'gaps.csv');
    const write = (lines: string[]) => fs.writeFileSync(file, [header, ...lines].join('\n'));
    const full = (step: number, heads = 2) => [
      ...Array.from({ length: heads }, (_, i) => `${step},0,head,0,${i},0.5`),
      `${step},0,ffn,0,0,0.1`,
      `${step},0,ffn,0,1,0.2`,
    ];
    write([...full(10), ...full(20).filter((l) => l !== '20,0,ffn,0,0,0.1')]);
    expect(() => Trajectory.read(file)).toThrow("gaps.csv': step 20, kind ffn, layer 0: index 0 is missing (the next recorded is 1).");
    write([...full(10), ...full(20), '20,0,head,0,1,0.7']);
    expect(() => Trajectory.read(file)).toThrow("gaps.csv': step 20, kind head, layer 0: index 1 is recorded twice.");
    write([...full(10), '20,0,head,1,0,0.5', '20,0,head,1,1,0.5']);
    expect(() => Trajectory.read(file)).toThrow("gaps.csv': step 20, kind head, layer 1: layer 0 of this kind is missing at this step.");
    write([...full(10), ...full(20).map((l) => l.replace('20,0,', '20,1,').replace(/^(20,1,ffn,0,1)/, '20,0,ffn,0,1'))]);
    expect(() => Trajectory.read(file)).toThrow("gaps.csv': step 20 is recorded in epochs 1 and 0.");
    // EB-train pruned a head at step 20: fewer heads from there on
    write([...full(10), ...full(20, 1)]);
    expect(
      Trajectory.read(file)
        .points()
        .map((p) => p.heads[0].length),
    ).toEqual([2, 1]);
  });

  test('bad files are refused naming the file and line', () => {
    const bad = path.join(dir, 'bad.csv');
    fs.writeFileSync(bad, 'step,epoch,kind,layer,index,value\n1,0,head,0,0,0.5\n2,0,neuron,0,0,1\n');
    expect(() => Trajectory.read(bad)).toThrow(TrajectoryError);
    expect(() => Trajectory.read(bad)).toThrow(/bad\.csv', line 3: kind is "neuron"/);
    fs.writeFileSync(bad, 'a,b\n');
    expect(() => Trajectory.read(bad)).toThrow(
      'line 1: the header lacks the column(s) step, epoch, kind, layer, index, value (it needs step,epoch,kind,layer,index,value).',
    );
    fs.writeFileSync(bad, 'step,epoch,kind,layer,index,value\n1,0,head,0,,0.5\n');
    expect(() => Trajectory.read(bad)).toThrow("bad.csv', line 2: index is '', not a non-negative integer.");
    expect(() => new Trajectory().write(path.join(dir, 'x.json'))).toThrow(/must end in \.arrow or \.csv/);
  });
});
