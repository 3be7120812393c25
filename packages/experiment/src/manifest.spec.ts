import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ManifestError, ManifestOptions, MANIFEST_FORMAT, readManifest, writeManifest } from './index';

// prettier-ignore
const options: ManifestOptions = {
  command: 'finetune bert', task: 'glue', model: '/models/bert', data: '/data/sst2', seed: 3, epochs: 2, batchSize: 16, lr: 2e-5, maxLength: 64,
  optimizer: 'adamw', weightDecay: 0, warmupSteps: 0, schedule: 'linear', clipNorm: 1, lambdaHeads: 1e-4, lambdaFfn: 1e-4, recordEvery: 10,
  criterion: 'nuclear-stationarity', continueWith: 'pruned', rewind: 'none', maskDistance: {}, nuclearStationarity: { smooth: 20, window: 30, every: 10 },
  numLabels: 2, trainExamples: 100, devExamples: 20,
};

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'ebt-manifest-'));

function edit(dir: string, change: (json: Record<string, any>) => void): void {
  const file = path.join(dir, 'run.json');
  const json = JSON.parse(fs.readFileSync(file, 'utf8'));
  change(json);
  fs.writeFileSync(file, JSON.stringify(json));
}

describe('run manifest', () => {
  test('what is written is read back, typed, with the format version', () => {
    const dir = tmp();
    writeManifest(dir, options, { name: 'cpu' }, false);
    const m = readManifest(dir);
    expect(m.format).toBe(MANIFEST_FORMAT);
    expect(m.options).toEqual(options);
    expect(m.backend.name).toBe('cpu');
    expect(fs.readdirSync(dir)).toEqual(['run.json']); // no temp file left
  });

  test('a field of the wrong type is refused, naming the file, the field and the value', () => {
    const dir = tmp();
    writeManifest(dir, options, { name: 'cpu' }, false);
    edit(dir, (j) => (j.options.epochs = 'three'));
    expect(() => readManifest(dir)).toThrow(ManifestError);
    expect(() => readManifest(dir)).toThrow(`'${path.join(dir, 'run.json')}': field 'options.epochs': expected number, received string (got "three").`);
    edit(dir, (j) => (j.options.epochs = 2.5));
    expect(() => readManifest(dir)).toThrow(/field 'options\.epochs': .*int.* \(got 2\.5\)/);
    edit(dir, (j) => {
      j.options.epochs = 2;
      j.options.nuclearStationarity.window = 0;
    });
    expect(() => readManifest(dir)).toThrow(/field 'options\.nuclearStationarity\.window': .* \(got 0\)/);
    // the criteria's own checks are the manifest's: a nested option, a list, a choice
    const refused: Array<[(j: any) => void, string]> = [
      [(j) => (j.options.nuclearStationarity.thresholds = { adf: 2 }), "field 'options.nuclearStationarity.thresholds.adf': must lie in [0, 1] (got 2)."],
      [(j) => (j.options.maskDistance.queue = 1), "field 'options.maskDistance.queue': must be an integer of at least 2 (got 1)."],
      [(j) => (j.options.nuclearStationarity.tests = ['adf', 'arima']), "field 'options.nuclearStationarity.tests.1'"],
      [(j) => (j.options.nuclearStationarity.mode = 'fast'), "field 'options.nuclearStationarity.mode'"],
    ];
    for (const [change, message] of refused) {
      edit(dir, (j) => {
        j.options.nuclearStationarity = { smooth: 20, window: 30, every: 10 };
        j.options.maskDistance = {};
        change(j);
      });
      expect(() => readManifest(dir)).toThrow(message);
    }
  });

  test("a missing field, an empty command, another format and broken JSON are refused (an unknown command is the run kinds' to refuse)", () => {
    const dir = tmp();
    writeManifest(dir, options, { name: 'cpu' }, false);
    edit(dir, (j) => delete j.options.lr);
    expect(() => readManifest(dir)).toThrow(/field 'options\.lr': .*it is missing/);
    edit(dir, (j) => {
      j.options.lr = 1e-3;
      j.options.command = '';
    });
    expect(() => readManifest(dir)).toThrow(/field 'options\.command'.* \(got ""\)/);
    edit(dir, (j) => delete j.format);
    expect(() => readManifest(dir)).toThrow(`field 'format' is undefined; this ebt reads run.json format ${MANIFEST_FORMAT}`);
    fs.writeFileSync(path.join(dir, 'run.json'), '{"format": 1,');
    expect(() => readManifest(dir)).toThrow(/run\.json' is not valid JSON/);
    expect(() => readManifest(tmp())).toThrow(/is not a run folder \(it has no run\.json\)/);
  });

  test('a resumed run must keep its options: the differing ones are named', () => {
    const dir = tmp();
    writeManifest(dir, options, { name: 'cpu' }, false);
    expect(() => writeManifest(dir, { ...options, lr: 0.01, epochs: 5 }, { name: 'cpu' }, true)).toThrow(
      `--resume: the run in '${dir}' was started with other options (epochs 2 -> 5, lr 0.00002 -> 0.01); resume with its flags, or start anew with --overwrite.`,
    );
    expect(readManifest(dir).options).toEqual(options);
    expect(writeManifest(dir, options, { name: 'wasm' }, true).resumed).toBe(true); // another backend may resume it
  });

  test('options that break the schema are refused before run.json is written', () => {
    const dir = tmp();
    expect(() => writeManifest(dir, { ...options, lr: -1 }, { name: 'cpu' }, false)).toThrow();
    expect(fs.existsSync(path.join(dir, 'run.json'))).toBe(false);
  });
});
