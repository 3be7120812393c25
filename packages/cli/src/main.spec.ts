import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { adf, dejong, kpss, mannKendall } from '@ebt/ts-stationarity';
import { runCli } from '../test/run-cli';

// statsmodels' reference numbers, as ts-stationarity's own tests read them
const cases = JSON.parse(
  fs.readFileSync(path.join(path.dirname(require.resolve('@ebt/ts-stationarity/package.json')), 'test', 'fixtures', 'stationarity-cases.json'), 'utf8'),
);

const walk = (cases as any).cases.find((c: any) => c.name === 'random_walk_150');

describe('ebt', () => {
  test('--help lists the commands', () => {
    const r = runCli(['--help']);
    expect(r.status).toBe(0);
    for (const c of ['stationarity', 'pretrain', 'finetune', 'prune', 'infer', 'backend', 'bench']) expect(r.stdout).toContain(c);
  });

  test('every subcommand has --help', () => {
    for (const args of [
      ['stationarity'],
      ['stationarity', 'adf'],
      ['stationarity', 'kpss'],
      ['stationarity', 'mann-kendall'],
      ['stationarity', 'dejong'],
      ['backend'],
      ['bench', 'stationarity'],
      ['infer'],
      ['pretrain'],
      ['pretrain', 'small-vit'],
      ['pretrain', 'bert'],
      ['study', 'bert-mlm'],
      ['finetune', 'bert'],
      ['finetune', 'vit'],
      ['prune'],
      ['bench', 'train-step'],
      ['bench', 'pruned'],
      ['export', 'onnx'],
    ]) {
      const r = runCli([...args, '--help']);
      expect({ args, status: r.status }).toEqual({ args, status: 0 });
      expect(r.stdout).toMatch(/Usage: ebt/);
    }
  });

  test('stationarity gives the library numbers, which reproduce statsmodels (JSON file and stdin lines)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ebt-cli-'));
    const file = path.join(dir, 'walk.json');
    fs.writeFileSync(file, JSON.stringify(walk.series));
    const a = runCli(['stationarity', 'adf', '--input', file, '--regression', 'ct', '--autolag', 'BIC']);
    expect(a.status).toBe(0);
    const ref = walk.adf.find((e: any) => e.args.regression === 'ct' && e.args.autolag === 'BIC');
    const out = JSON.parse(a.stdout);
    expect(out).toEqual(JSON.parse(JSON.stringify(adf(walk.series, { regression: 'ct', autolag: 'BIC' }))));
    expect(out.statistic).toBeCloseTo(ref.statistic, 8);
    expect(out.usedlag).toBe(ref.usedlag);

    const lines = walk.series.join('\n');
    const k = JSON.parse(runCli(['stationarity', 'kpss', '--input', '-', '--regression', 'ct', '--nlags', 'legacy'], lines).stdout);
    expect(k).toEqual(JSON.parse(JSON.stringify(kpss(walk.series, { regression: 'ct', nlags: 'legacy' }))));
    const m = JSON.parse(runCli(['stationarity', 'mann-kendall', '--input', '-'], lines).stdout);
    expect(m).toEqual(JSON.parse(JSON.stringify(mannKendall(walk.series))));
    const d = JSON.parse(runCli(['stationarity', 'dejong', '--input', '-', '--lags', '3', '--use-t', '--correction'], lines).stdout);
    expect(d).toEqual(JSON.parse(JSON.stringify(dejong(walk.series, { lags: 3, useT: true, correction: true }))));
  });

  test('bad input exits 2 with one line on stderr', () => {
    // a run.json whose epochs is a string: every command that reads a run folder names the field
    const badRun = fs.mkdtempSync(path.join(os.tmpdir(), 'ebt-badrun-'));
    fs.writeFileSync(path.join(badRun, 'run.json'), JSON.stringify({ format: 1, options: { command: 'pretrain small-vit', seed: 0, epochs: 'three' } }));
    const badField = new RegExp(`'${badRun}/run\\.json': field 'options\\.epochs': expected number, received string \\(got "three"\\)`);
    // a run of a kind this ebt does not know, and one whose kind's own field is wrong
    const otherKind = fs.mkdtempSync(path.join(os.tmpdir(), 'ebt-badrun-'));
    const viaRun = (dir: string, options: Record<string, unknown>) =>
      fs.writeFileSync(
        path.join(dir, 'run.json'),
        JSON.stringify({ format: 2, options, backend: { name: 'cpu', tf: 'cpu' }, versions: { node: 'v20', tfjs: '4' }, started: 'x', resumed: false }),
      );
    const common = {
      seed: 0,
      epochs: 1,
      batchSize: 8,
      lr: 1e-3,
      optimizer: 'adamw',
      weightDecay: 0,
      schedule: 'linear',
      lambdaHeads: 0,
      lambdaFfn: 0,
      recordEvery: 10,
      criterion: 'mask-distance',
      continueWith: 'dense',
      rewind: 'none',
      maskDistance: {},
      nuclearStationarity: {},
    };
    viaRun(otherKind, { command: 'train gpt', ...common });
    const badKindField = fs.mkdtempSync(path.join(os.tmpdir(), 'ebt-badrun-'));
    viaRun(badKindField, { command: 'finetune vit', ...common, model: '/m', data: 'mnist', normalisation: { mean: [0.5], std: [0.5] }, limit: null });
    const cases: Array<[string[], string | undefined, RegExp]> = [
      [['sweep', badRun], undefined, badField],
      [
        ['sweep', otherKind],
        undefined,
        /is a 'train gpt' run, which this ebt cannot retrain \(it knows 'pretrain small-vit', 'pretrain bert', 'finetune bert', 'finetune vit'\)/,
      ],
      [['sweep', badKindField], undefined, /run\.json': field 'options\.imageSize': expected number, received undefined \(it is missing\)/],
      [['report', badRun], undefined, badField],
      [['stationarity', 'adf', '--input', '/no/such/file'], undefined, /Cannot read input file '\/no\/such\/file'/],
      [['stationarity', 'adf', '--input', '-'], '1\n2\nabc\n', /line 3: 'abc' is not a number/],
      [['stationarity', 'adf', '--input', '-', '--regression', 'q'], '[1,2,3]', /--regression must be one of n, c, ct, ctt/],
      [['stationarity', 'kpss', '--input', '-'], '[3,3,3,3,3]', /constant/],
      [['stationarity', 'dejong', '--input', '-'], '[1, 2, NaN]', /not valid JSON/],
      [['stationarity', 'adff'], undefined, /unknown command 'adff'/],
      [['backend', '--backend', 'tensorflow'], undefined, /tfjs-node not installed/],
      [['pretrain', 'small-vit', '--preset', 'huge'], undefined, /Unknown preset 'huge'/],
      [['bench', 'pruned', '--runtime', 'tensorrt'], undefined, /--runtime must be one of tfjs, onnx/],
      [['bench', 'pruned', '--rounds', '0'], undefined, /--rounds must be at least 1 \(got 0\)/],
      [['bench', 'train-step', '--shape', 'gpt2'], undefined, /--shape must be one of vit-tiny, bert-base, vit-base/],
      [['bench', 'train-step', '--batch', '0'], undefined, /--batch must be at least 1 \(got 0\)/],
      [['bench', 'train-step', '--rounds', 'x'], undefined, /--rounds/],
      [['pretrain', 'small-vit', '--epochs', 'two'], undefined, /--epochs must be a non-negative integer/],
      [
        ['pretrain', 'small-vit', '--data', 'cifar10:/no/such/dir', '--backend', 'cpu', '--out', os.tmpdir() + '/ebt-bad-data'],
        undefined,
        /CIFAR-10 folder '\/no\/such\/dir' lacks data_batch_1\.bin/,
      ],
    ];
    for (const [args, input, message] of cases) {
      const r = runCli(args, input);
      expect({ args, status: r.status }).toEqual({ args, status: 2 });
      expect(r.stderr).toMatch(message);
      expect(
        r.stderr
          .trim()
          .split('\n')
          .filter((l) => l.startsWith('ebt:')),
      ).toHaveLength(1);
    }
  });

  test('a bad environment variable exits 2 naming it and its value, before anything is written', () => {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ebt-env-')), 'run');
    const cases: Array<[Record<string, string>, RegExp]> = [
      ...['0', '-2', 'abc', '1.5', '99999'].map(
        (v) =>
          [
            { EBT_NATIVE_THREADS: v },
            new RegExp(`^ebt: EBT_NATIVE_THREADS is '${v.replace('.', '\\.')}': it must be a whole number of threads from 1 to 1024`),
          ] as [Record<string, string>, RegExp],
      ),
      [{ EBT_NATIVE_POOL_MB: 'lots' }, /^ebt: EBT_NATIVE_POOL_MB is 'lots': it must be a number of megabytes/],
      [
        { EBT_BACKEND: 'cuda' },
        /^ebt: EBT_BACKEND is 'cuda': it must name a backend \(tensorflow-gpu, webgpu, tensorflow, native, wasm, cpu\) or be unset\.$/m,
      ],
    ];
    for (const [env, message] of cases) {
      const r = runCli(['pretrain', 'small-vit', '--preset', 'smoke', '--out', out], undefined, env);
      expect({ env, status: r.status }).toEqual({ env, status: 2 });
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(fs.existsSync(out)).toBe(false);
    }
    // a good value passes through: the native kernels at two threads
    const r = runCli(['backend', '--json'], undefined, { EBT_NATIVE_THREADS: '2', EBT_BACKEND: 'native' });
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: "ebt: tfjs backend 'native' (requested)\n" });
  });

  // Mesa's Vulkan driver (lavapipe), which Dawn refuses loudly: installed by .ci/run (EBT_REQUIRE_VULKAN)
  const lavapipe = ['/usr/share/vulkan/icd.d/lvp_icd.x86_64.json', '/usr/share/vulkan/icd.d/lvp_icd.aarch64.json'].some((f) => fs.existsSync(f));
  if (!lavapipe && process.env.EBT_REQUIRE_VULKAN) throw new Error('EBT_REQUIRE_VULKAN is set but Mesa lavapipe (mesa-vulkan-drivers) is not installed');
  (lavapipe ? test : test.skip)('beside a Vulkan driver Dawn refuses, bad input is still one line: Dawn is asked in a child process', () => {
    const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'ebt-cache-')); // no cached answer: the probe runs
    const env = { XDG_CACHE_HOME: cache, EBT_WEBGPU_ADAPTER: '' };
    const model = fs.mkdtempSync(path.join(os.tmpdir(), 'ebt-badmodel-'));
    fs.writeFileSync(path.join(model, 'config.json'), JSON.stringify({ model_type: 'bert', hidden_size: 'wide' }));
    const input = path.join(model, 'input.json');
    fs.writeFileSync(input, JSON.stringify({ input_ids: [[101, 102]] }));
    const lines = (r: { stderr: string }) => r.stderr.trim().split('\n');
    const malformed = runCli(['infer', '--model', model, '--input', input], undefined, env);
    expect({ status: malformed.status, lines: lines(malformed) }).toEqual({
      status: 2,
      lines: [`ebt: ${model}/config.json: hidden_size must be a positive integer (got "wide").`],
    });
    const flag = runCli(['pretrain', 'small-vit', '--epochs', 'two'], undefined, env);
    expect({ status: flag.status, lines: lines(flag) }).toEqual({ status: 2, lines: ["ebt: --epochs must be a non-negative integer (got 'two')."] });
    // the automatic choice probes Dawn: one line on stderr; what Dawn and the driver printed is in --json
    const probe = runCli(['backend', '--json'], undefined, env);
    expect({ status: probe.status, lines: lines(probe) }).toEqual({
      status: 0,
      lines: [expect.stringMatching(/^ebt: tfjs backend '\w+' \(.*Dawn \(webgpu\): /)],
    });
    const { dawnProbe } = JSON.parse(probe.stdout);
    expect(dawnProbe.reason).toMatch(/^Dawn found (no GPU adapter|only software adapters)/);
    expect(dawnProbe.diagnostics.join('\n')).toMatch(/Vulkan|XDG_RUNTIME_DIR/);
    expect(JSON.parse(runCli(['backend', '--json'], undefined, env).stdout).dawnProbe.cached).toBe(true); // per machine and driver set
  });

  test('webgpu asked for where no adapter will do exits 2 with one line saying why', () => {
    // no adapter named: a hardware one is needed, and this machine's tests have none (llvmpipe is software)
    const r = runCli(['backend'], undefined, { EBT_BACKEND: 'webgpu', EBT_WEBGPU_ADAPTER: '' });
    expect(r.status).toBe(2);
    expect(
      r.stderr
        .trim()
        .split('\n')
        .filter((l) => l.startsWith('ebt:')),
    ).toEqual([expect.stringMatching(/^ebt: Backend 'webgpu' was requested but cannot start: Dawn \(webgpu\): /)]);
    const named = runCli(['backend', '--backend', 'webgpu'], undefined, { EBT_WEBGPU_ADAPTER: 'no-such-gpu', EGL_PLATFORM: 'surfaceless' });
    expect(named.status).toBe(2);
    expect(named.stderr).toMatch(/^ebt: .*no WebGPU adapter matches EBT_WEBGPU_ADAPTER='no-such-gpu' \(found: /m);
  });

  test('backend --json says which backend runs', () => {
    const r = runCli(['backend', '--json'], undefined, { EBT_BACKEND: 'cpu' });
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ name: 'cpu', tfBackend: 'cpu' });
  });
});

test('bad run flags exit 2 naming the flag, before anything is written', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ebt-flags-'));
  const file = path.join(root, 'a-file');
  fs.writeFileSync(file, '');
  const cases: Array<[string[], RegExp]> = [
    [['--smooth', '0'], /smooth \(--smooth\) must be a positive integer \(got 0\)/],
    [['--window', '0'], /window \(--window\) must be a positive integer \(got 0\)/],
    [['--every', '0'], /every \(--every\) must be a positive integer \(got 0\)/],
    [['--queue', '1'], /queue \(--queue\) must be an integer of at least 2 \(got 1\)/],
    [['--epsilon', '-1'], /epsilon \(--epsilon\) must lie in \[0, 1\] \(got -1\)/],
    [['--epsilon', '2'], /epsilon \(--epsilon\) must lie in \[0, 1\] \(got 2\)/],
    [['--lambda-heads', '-1'], /lambdaHeads \(--lambda-heads\) must be a non-negative number \(got -1\)/],
    [['--windows', 'long'], /--windows must be one of seed, short, smoke \(got 'long'\)/],
  ];
  for (const [flags, message] of cases) {
    const out = path.join(root, flags.join('').replace(/[^a-z0-9]/gi, ''));
    const r = runCli(['pretrain', 'small-vit', '--preset', 'smoke', '--backend', 'cpu', '--out', out, ...flags]);
    expect({ flags, status: r.status }).toEqual({ flags, status: 2 });
    expect(r.stderr).toMatch(message);
    expect(fs.existsSync(out)).toBe(false);
  }
  const onFile = runCli(['pretrain', 'small-vit', '--preset', 'smoke', '--backend', 'cpu', '--out', file]);
  expect(onFile.status).toBe(2);
  expect(onFile.stderr).toMatch(/--out: '.*a-file' is a file, not a folder/);
}, 600_000);
