import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startMockHub, MockHub } from '../test/mock-hub';
import { fixtures, shardedTinyBert, tinyCifar10Repo, tinyFashionMnistRepo, tinyGlueRepo, tinySquadRepo } from '../test/tiny-repo';
import { loadFashionMnistParquet } from '@ebt/data';
import { HubError, repoFolder, resolveFashionMnist, resolveModel, snapshot } from './index';

const bin = path.join(__dirname, '..', '..', 'cli', 'bin', 'ebt.js');
const quiet = { log: null };

describe('the hub client against a loopback hub', () => {
  let hub: MockHub;
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'ebt-hf-home-'));
  const saved = { ...process.env };
  beforeAll(async () => {
    hub = await startMockHub({
      'tiny-org/tiny-bert': { files: shardedTinyBert() },
      'nyu-mll/glue': { type: 'dataset', files: tinyGlueRepo() },
      'uoft-cs/cifar10': { type: 'dataset', files: tinyCifar10Repo() },
      'rajpurkar/squad': { type: 'dataset', files: tinySquadRepo() },
      'zalando-datasets/fashion_mnist': { type: 'dataset', files: tinyFashionMnistRepo() },
    });
    Object.assign(process.env, { HF_HOME: home, HF_ENDPOINT: hub.url });
    delete process.env.HF_HUB_OFFLINE;
    delete process.env.HF_HUB_CACHE;
  });
  afterAll(async () => {
    process.env = saved;
    await hub.close();
    fs.rmSync(home, { recursive: true, force: true });
  });

  test('a sharded checkpoint lands in the standard cache layout: blobs, one snapshot per commit, refs/main', async () => {
    const dir = await resolveModel('tiny-org/tiny-bert', quiet);
    const folder = path.join(home, 'hub', 'models--tiny-org--tiny-bert');
    expect(repoFolder('tiny-org/tiny-bert')).toBe(folder);
    const commit = fs.readFileSync(path.join(folder, 'refs', 'main'), 'utf8');
    expect(dir).toBe(path.join(folder, 'snapshots', commit));
    expect(fs.readdirSync(dir).sort()).toEqual(
      [
        'config.json',
        'model-00001-of-00002.safetensors',
        'model-00002-of-00002.safetensors',
        'model.safetensors.index.json',
        'tokenizer_config.json',
        'vocab.txt',
      ].sort(),
    );
    // each snapshot file is a relative link to its blob, named by the file's sha256 (its LFS oid)
    const link = fs.readlinkSync(path.join(dir, 'config.json'));
    expect(link).toMatch(/^\.\.\/\.\.\/blobs\/[0-9a-f]{64}$/);
    expect(fs.readdirSync(path.join(folder, 'blobs'))).toHaveLength(6);
  });

  test('files already in the cache (as Python leaves them) are used without downloading', async () => {
    hub.requests.length = 0;
    await resolveModel('tiny-org/tiny-bert', quiet);
    expect(hub.requests.filter((r) => r.includes('/resolve/') || r.includes('/blobs/'))).toEqual([]);
  });

  test('a missing repository and a missing file are named', async () => {
    await expect(resolveModel('tiny-org/no-such-model', quiet)).rejects.toThrow(
      new HubError(`The hub at ${hub.url} has no 'tiny-org/no-such-model' (HTTP 404); check the name, or HF_ENDPOINT.`),
    );
    await expect(snapshot({ repo: 'tiny-org/tiny-bert', files: ['pytorch_model.bin'], log: null })).rejects.toThrow(
      `'tiny-org/tiny-bert' has no file 'pytorch_model.bin' on the hub at ${hub.url}.`,
    );
  });

  test('a connection dropped mid-file leaves no blob and no snapshot entry; the next call completes it', async () => {
    const other = await startMockHub({ 'tiny-org/other': { files: { 'config.json': '{}', 'big.bin': new Uint8Array(200_000).fill(7) } } });
    process.env.HF_ENDPOINT = other.url;
    try {
      other.dropOnce('big.bin');
      await expect(snapshot({ repo: 'tiny-org/other', files: ['config.json', 'big.bin'], log: null })).rejects.toThrow(
        /Downloading 'big.bin' of 'tiny-org\/other' failed/,
      );
      const folder = repoFolder('tiny-org/other');
      const commit = fs.readFileSync(path.join(folder, 'refs', 'main'), 'utf8');
      expect(fs.existsSync(path.join(folder, 'snapshots', commit, 'big.bin'))).toBe(false);
      // only config.json's blob is complete; the cut one is at most an .incomplete file
      expect(fs.readdirSync(path.join(folder, 'blobs')).filter((f) => !f.endsWith('.incomplete'))).toHaveLength(1);
      const done = await snapshot({ repo: 'tiny-org/other', files: ['config.json', 'big.bin'], log: null });
      expect(fs.readFileSync(path.join(done.dir, 'big.bin'))).toEqual(Buffer.alloc(200_000, 7));
    } finally {
      process.env.HF_ENDPOINT = hub.url;
      await other.close();
    }
  });

  /** `ebt ARGS --backend wasm --out OUT --json` in a child process, with HF_HOME=home and env (asynchronous: the hub answers from this process) */
  const ebt = (args: string[], home: string, out: string, env: Record<string, string>) =>
    new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [bin, ...args, '--backend', 'wasm', '--out', out, '--json'], { env: { ...process.env, HF_HOME: home, ...env } });
      let [stdout, stderr] = ['', ''];
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      child.on('close', (status) => resolve({ status, stdout, stderr }));
    });
  const offline = { HF_ENDPOINT: 'http://127.0.0.1:9', HF_HUB_OFFLINE: '1' };

  test("Fashion-MNIST's parquet (without Debian's package) comes into the cache by split, and reads as 28x28 grey images", async () => {
    const files = await resolveFashionMnist(quiet);
    expect(files.train.map((f) => path.basename(f))).toEqual(['train-00000-of-00001.parquet']);
    expect(files.train[0].startsWith(path.join(home, 'hub', 'datasets--zalando-datasets--fashion_mnist', 'snapshots'))).toBe(true);
    const { train, test } = await loadFashionMnistParquet(files);
    expect([train.labels.length, test.labels.length, train.shape]).toEqual([12, 6, [1, 28, 28]]);
    expect(Array.from(test.labels.subarray(0, 3))).toEqual([0, 1, 2]);
    expect(test.images[5]).toBeCloseTo(((5 + 13 * 100) % 256) / 255, 6);
  });

  test('--data cifar10 fetches uoft-cs/cifar10 into the cache and trains on it, then again offline', async () => {
    const fresh = fs.mkdtempSync(path.join(os.tmpdir(), 'ebt-hf-home-'));
    const args = ['finetune', 'vit', '--model', path.join(fixtures, 'hf-tiny-vit'), '--data', 'cifar10', '--epochs', '1', '--batch-size', '10'];
    const train = (out: string, env: Record<string, string>) => ebt(args, fresh, out, env);
    const online = await train(path.join(fresh, 'run-online'), { HF_ENDPOINT: hub.url });
    expect(online.stderr).not.toMatch(/failed/);
    expect(online.status).toBe(0);
    expect(online.stderr).toMatch(/downloading uoft-cs\/cifar10\/plain_text\/train-00000-of-00001\.parquet/);
    // 20 training images in batches of 10: 2 steps; the test split's 10 images evaluated
    const metrics = fs
      .readFileSync(path.join(fresh, 'run-online', 'metrics.csv'), 'utf8')
      .trim()
      .split('\n');
    expect(metrics.filter((l) => l.includes(',train,')).map((l) => l.split(',')[0])).toEqual(['2']);
    expect(fs.existsSync(path.join(fresh, 'hub', 'datasets--uoft-cs--cifar10', 'refs', 'main'))).toBe(true);
    expect((await train(path.join(fresh, 'run-offline'), offline)).status).toBe(0);
    const column = (dir: string, k: number) =>
      fs
        .readFileSync(path.join(fresh, dir, 'metrics.csv'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => l.split(',')[k]);
    expect(column('run-offline', 3)).toEqual(column('run-online', 3)); // the same losses from the cached files
  }, 120_000);

  test('--data squad fetches rajpurkar/squad (answers as a struct of lists) and fine-tunes a hub BERT for QA on it, then again offline', async () => {
    const fresh = fs.mkdtempSync(path.join(os.tmpdir(), 'ebt-hf-home-'));
    // --task squad is implied by --data squad; the QA head of tiny-org/tiny-bert (a classifier) is initialised
    const args = ['finetune', 'bert', '--model', 'tiny-org/tiny-bert', '--data', 'squad', '--epochs', '1', '--batch-size', '5', '--max-length', '64'];
    const online = await ebt(args, fresh, path.join(fresh, 'run-online'), { HF_ENDPOINT: hub.url });
    expect(online.stderr).not.toMatch(/failed/);
    expect(online.status).toBe(0);
    expect(online.stderr).toMatch(/downloading rajpurkar\/squad\/plain_text\/train-00000-of-00001\.parquet/);
    const run = JSON.parse(fs.readFileSync(path.join(fresh, 'run-online', 'run.json'), 'utf8'));
    const json = (file: string) => JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', '..', 'datasets', 'squad-tiny', file), 'utf8'));
    const questions = (file: string) => json(file).data.flatMap((a: any) => a.paragraphs.flatMap((p: any) => p.qas.map((q: any) => q.id)));
    expect(run.options).toMatchObject({ task: 'squad', data: 'squad', trainExamples: questions('train-v1.1.json').length });
    const predictions = JSON.parse(fs.readFileSync(path.join(fresh, 'run-online', 'predictions.json'), 'utf8'));
    expect(Object.keys(predictions).sort()).toEqual(questions('dev-v1.1.json').sort());
    expect((await ebt(args, fresh, path.join(fresh, 'run-offline'), offline)).status).toBe(0);
    const evaluation = (dir: string) => fs.readFileSync(path.join(fresh, dir, 'squad-eval.json'), 'utf8');
    expect(evaluation('run-offline')).toBe(evaluation('run-online')); // the same run from the cached files
  }, 120_000);

  test('ebt infer --model org/name prints the reference logits from the hub, then offline from the cache', async () => {
    const ref = JSON.parse(fs.readFileSync(path.join(fixtures, 'hf-tiny-bert', 'reference.json'), 'utf8'));
    const input = path.join(home, 'input.json');
    fs.writeFileSync(input, JSON.stringify(ref.input));
    const fresh = fs.mkdtempSync(path.join(os.tmpdir(), 'ebt-hf-home-'));
    // asynchronous: the hub answers from this process, so a synchronous spawn would wait for itself
    const cli = (args: string[], env: Record<string, string>) =>
      new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, [bin, ...args], { env: { ...process.env, HF_HOME: fresh, ...env } });
        let [stdout, stderr] = ['', ''];
        child.stdout.on('data', (d) => (stdout += d));
        child.stderr.on('data', (d) => (stderr += d));
        child.on('close', (status) => resolve({ status, stdout, stderr }));
      });
    const run = (env: Record<string, string>) => cli(['infer', '--model', 'tiny-org/tiny-bert', '--input', input, '--backend', 'cpu'], env);
    const maxDiff = (out: { logits: number[][] }) => Math.max(...out.logits.flat().map((v, i) => Math.abs(v - ref.expected.logits.flat()[i])));
    const online = await run({ HF_ENDPOINT: hub.url });
    expect(online.status).toBe(0);
    expect(online.stderr).toMatch(/downloading tiny-org\/tiny-bert\/model-00001-of-00002\.safetensors/);
    expect(online.stderr).toMatch(/skipped 1 integer buffers, as transformers does: bert\.embeddings\.position_ids \(I64\)/);
    expect(maxDiff(JSON.parse(online.stdout))).toBeLessThan(ref.tolerance.abs);
    expect(fs.existsSync(path.join(fresh, 'hub', 'models--tiny-org--tiny-bert', 'refs', 'main'))).toBe(true);
    // no hub at all: HF_ENDPOINT points at a closed port, and HF_HUB_OFFLINE=1 reads the cache
    const offline = await run({ HF_ENDPOINT: 'http://127.0.0.1:9', HF_HUB_OFFLINE: '1' });
    expect(offline.status).toBe(0);
    expect(maxDiff(JSON.parse(offline.stdout))).toBeLessThan(ref.tolerance.abs);
    const missing = await cli(['infer', '--model', 'tiny-org/not-cached', '--input', input], { HF_HUB_OFFLINE: '1' });
    expect(missing.status).toBe(2);

    // fine-tuning from the hub alone: the sharded model with its vocab.txt-only tokenizer, on --data glue:sst2
    const train = (out: string, env: Record<string, string>) =>
      cli(['finetune', 'bert', '--model', 'tiny-org/tiny-bert', '--data', 'glue:sst2', '--epochs', '1', '--backend', 'wasm', '--out', out, '--json'], env);
    const first = await train(path.join(fresh, 'run-online'), { HF_ENDPOINT: hub.url });
    expect(first.stderr).not.toMatch(/failed/);
    expect(first.status).toBe(0);
    const evaluation = JSON.parse(fs.readFileSync(path.join(fresh, 'run-online', 'glue-eval.json'), 'utf8'));
    expect(Object.keys(evaluation.metrics)).toEqual(['validation']);
    expect(JSON.parse(fs.readFileSync(path.join(fresh, 'run-online', 'run.json'), 'utf8')).options).toMatchObject({
      data: 'glue:sst2',
      glueTask: 'sst2',
      textColumn: 'sentence',
    });
    expect(fs.existsSync(path.join(fresh, 'hub', 'datasets--nyu-mll--glue', 'refs', 'main'))).toBe(true);
    const again = await train(path.join(fresh, 'run-offline'), { HF_ENDPOINT: 'http://127.0.0.1:9', HF_HUB_OFFLINE: '1' });
    expect(again.status).toBe(0);
    expect(JSON.parse(fs.readFileSync(path.join(fresh, 'run-offline', 'glue-eval.json'), 'utf8'))).toEqual(evaluation);
    expect(missing.stderr).toMatch(/HF_HUB_OFFLINE is set and the cache \(.*\) has no 'tiny-org\/not-cached'/);
  }, 240_000);
});
