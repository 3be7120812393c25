import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Trajectory } from '@ebt/slimming';
import { finetuneBert, finetuneVit } from './index';

const repo = path.join(__dirname, '..', '..', '..');
const fixtures = path.join(repo, 'packages', 'models', 'test', 'fixtures');
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'ebt-finetune-'));

/** hf-tiny-bert (or another text fixture) with the test tokenizer beside it: a complete Hugging Face text-model folder. */
function tinyBertFolder(model = 'hf-tiny-bert'): string {
  const dir = tmp();
  for (const f of ['config.json', 'model.safetensors']) fs.copyFileSync(path.join(fixtures, model, f), path.join(dir, f));
  for (const f of fs.readdirSync(path.join(fixtures, 'tiny-tokenizer'))) fs.copyFileSync(path.join(fixtures, 'tiny-tokenizer', f), path.join(dir, f));
  return dir;
}

describe('finetune bert', () => {
  test('learns the shipped sst2-tiny task on wasm and writes the run folder', async () => {
    const out = tmp();
    const { result } = await finetuneBert({
      model: tinyBertFolder(),
      data: path.join(repo, 'datasets', 'sst2-tiny'),
      epochs: 12,
      batchSize: 16,
      lr: 3e-3,
      maxLength: 32,
      backend: 'wasm',
      out,
      progress: false,
    });
    expect(result.finalTest!.score).toBeGreaterThan(0.8); // chance is 0.5
    const run = JSON.parse(fs.readFileSync(path.join(out, 'run.json'), 'utf8'));
    expect(run.options).toMatchObject({ command: 'finetune bert', optimizer: 'adamw', schedule: 'linear', clipNorm: 1, maxLength: 32, numLabels: 2 });
    const snaps = Trajectory.read(path.join(out, 'trajectory.arrow')).snapshots();
    expect(snaps[snaps.length - 1].step).toBe(72);
    expect(snaps[0].snapshot.heads.map((h) => h.length)).toEqual([4, 4]);
    expect(snaps[0].snapshot.ffn.map((h) => h.length)).toEqual([64, 64]);
    // its tickets retrain through the fine-tuning cell runner and are scored by accuracy
    const { localExecutor, sweep } = require('@ebt/experiment') as typeof import('@ebt/experiment');
    const { BERT } = require('./index') as typeof import('./index');
    const s = await sweep(out, {
      kind: BERT.module,
      initDir: tinyBertFolder(),
      at: [6],
      ratios: [{ heads: 0.5, ffn: 0.5 }],
      retrainEpochs: 6,
      executor: localExecutor(),
      backend: 'wasm',
    });
    expect(s.rows.map((r) => [r.kind, r.source, r.at, r.metric])).toEqual([
      ['dense', null, null, 'accuracy'],
      ['ticket', 'epoch', 6, 'accuracy'],
    ]);
    expect(s.rows[0].accuracy).toBeGreaterThan(0.7); // the dense checkpoint retrained without L1 learns it too
    expect(s.rows[1].parameters).toBeLessThan(s.rows[0].parameters);
  }, 120_000);

  test('a RoBERTa folder fine-tunes through the same command: its head, its positions, its ticket', async () => {
    const out = tmp();
    const { result } = await finetuneBert({
      model: tinyBertFolder('hf-tiny-roberta'),
      data: path.join(repo, 'datasets', 'sst2-tiny'),
      epochs: 12,
      batchSize: 16,
      lr: 3e-3,
      maxLength: 64, // RoBERTa's 66 positions less padding_idx + 1
      backend: 'wasm',
      out,
      progress: false,
    });
    expect(result.finalTest!.score).toBeGreaterThan(0.8);
    // a ticket drawn from its trajectory prunes and retrains through the cell runner
    const { localExecutor, sweep } = require('@ebt/experiment') as typeof import('@ebt/experiment');
    const { BERT } = require('./index') as typeof import('./index');
    const s = await sweep(out, {
      kind: BERT.module,
      initDir: tinyBertFolder('hf-tiny-roberta'),
      at: [6],
      ratios: [{ heads: 0.5, ffn: 0.5 }],
      retrainEpochs: 3,
      executor: localExecutor(),
      backend: 'wasm',
    });
    expect(s.rows.map((r) => r.kind)).toEqual(['dense', 'ticket']);
    expect(s.rows[1].parameters).toBeLessThan(s.rows[0].parameters);
    await expect(
      finetuneBert({
        model: tinyBertFolder('hf-tiny-roberta'),
        data: path.join(repo, 'datasets', 'sst2-tiny'),
        maxLength: 65,
        out: tmp(),
        progress: false,
        backend: 'wasm',
      }),
    ).rejects.toThrow('--max-length 65 exceeds the 64 positions of the model.');
  }, 120_000);

  test('without --model and --data it fine-tunes the embedded tiny BERT on datasets/sst2-tiny (nx run finetune:bert)', async () => {
    const out = tmp();
    const r = await finetuneBert({ epochs: 1, out, overwrite: true, progress: false, backend: 'wasm' });
    const run = JSON.parse(fs.readFileSync(path.join(r.outDir, 'run.json'), 'utf8'));
    expect(run.options.model).toBe(path.join(repo, 'packages', 'finetune', 'assets', 'tiny-bert'));
    expect(run.options.data).toBe(path.join(repo, 'datasets', 'sst2-tiny'));
    expect(run.options.maxLength).toBe(64); // the tiny model's positions, not the usual 128
    expect(r.result.steps).toBeGreaterThan(0);
  }, 60_000);

  test('--glue-task mnli reads label names, scores dev_matched and dev_mismatched, and agrees with the run', async () => {
    const data = tmp();
    const rows = fs
      .readFileSync(path.join(repo, 'datasets', 'sst2-tiny', 'train.tsv'), 'utf8')
      .trim()
      .split('\n')
      .slice(1);
    const names = ['entailment', 'neutral', 'contradiction'];
    const tsv = (from: number, n: number) =>
      [
        'premise\thypothesis\tlabel',
        ...rows.slice(from, from + n).map((r, i) => `${r.split('\t')[0]}\t${rows[(from + i + 7) % rows.length].split('\t')[0]}\t${names[(from + i) % 3]}`),
      ].join('\n') + '\n';
    fs.writeFileSync(path.join(data, 'train.tsv'), tsv(0, 48));
    fs.writeFileSync(path.join(data, 'dev_matched.tsv'), tsv(48, 20));
    fs.writeFileSync(path.join(data, 'dev_mismatched.tsv'), tsv(68, 16));
    const r = await finetuneBert({ model: tinyBertFolder(), data, glueTask: 'mnli', epochs: 1, out: tmp(), overwrite: true, progress: false, backend: 'wasm' });
    const evaluation = JSON.parse(fs.readFileSync(path.join(r.outDir, 'glue-eval.json'), 'utf8'));
    expect(Object.keys(evaluation.metrics)).toEqual(['validation_matched', 'validation_mismatched']);
    // the same model on the same set: the trainer's own evaluation of dev_matched gives the same accuracy
    expect(evaluation.metrics.validation_matched.accuracy).toBeCloseTo(r.result.finalTest!.score, 10);
    const run = JSON.parse(fs.readFileSync(path.join(r.outDir, 'run.json'), 'utf8'));
    expect(run.options).toMatchObject({ glueTask: 'mnli', textColumn: 'premise', pairColumn: 'hypothesis', numLabels: 3 });
    await expect(finetuneBert({ model: tinyBertFolder(), data, glueTask: 'mnl', out: tmp() })).rejects.toThrow(/--glue-task must be one of cola, sst2/);
  }, 60_000);

  test('--glue-task stsb trains a one-output regression head by MSE, scored by Pearson and Spearman, and its tickets retrain the same way', async () => {
    // a score a tiny model can learn: the SST-2 sentence as both sentences, scored 0 (negative) or 4 (positive), with a little jitter
    const tsv = (file: string) => {
      const rows = fs
        .readFileSync(path.join(repo, 'datasets', 'sst2-tiny', file), 'utf8')
        .trim()
        .split('\n')
        .slice(1);
      const lines = rows.map((r, i) => {
        const [sentence, label] = r.split('\t');
        return `${i}\t${sentence}\t${sentence}\t${(Number(label) * 4 + (i % 3) * 0.25).toFixed(2)}`;
      });
      return ['index\tsentence1\tsentence2\tlabel', ...lines].join('\n') + '\n';
    };
    const data = tmp();
    fs.writeFileSync(path.join(data, 'train.tsv'), tsv('train.tsv'));
    fs.writeFileSync(path.join(data, 'dev.tsv'), tsv('dev.tsv'));
    const r = await finetuneBert({
      model: tinyBertFolder(),
      data,
      glueTask: 'stsb',
      epochs: 12,
      batchSize: 16,
      lr: 3e-3,
      maxLength: 32,
      out: tmp(),
      progress: false,
      backend: 'wasm',
    });
    const run = JSON.parse(fs.readFileSync(path.join(r.outDir, 'run.json'), 'utf8'));
    expect(run.options).toMatchObject({ glueTask: 'stsb', numLabels: 1, problemType: 'regression', textColumn: 'sentence1', pairColumn: 'sentence2' });
    const evaluation = JSON.parse(fs.readFileSync(path.join(r.outDir, 'glue-eval.json'), 'utf8'));
    expect(Object.keys(evaluation.metrics.validation)).toEqual(['pearson', 'spearmanr']);
    expect(evaluation.metrics.validation.pearson).toBeGreaterThan(0.6); // an untrained head is near 0
    // metrics.csv's score column is the trainer's Pearson from summed tallies: the same r as scipy-checked pearson() on the predictions
    expect(r.result.finalTest!.score).toBeCloseTo(evaluation.metrics.validation.pearson, 5);
    const { localExecutor, sweep } = require('@ebt/experiment') as typeof import('@ebt/experiment');
    const { BERT } = require('./index') as typeof import('./index');
    const s = await sweep(r.outDir, {
      kind: BERT.module,
      initDir: tinyBertFolder(),
      at: [6],
      ratios: [{ heads: 0.5, ffn: 0.5 }],
      retrainEpochs: 12,
      executor: localExecutor(),
      backend: 'wasm',
    });
    expect(s.rows.map((row) => [row.kind, row.metric])).toEqual([
      ['dense', 'pearson'],
      ['ticket', 'pearson'],
    ]);
    expect(s.rows[0].pearson).toBeGreaterThan(0.6); // the dense checkpoint's architecture retrained from its init learns it too
    expect(s.rows[1].pearson).toEqual(expect.any(Number));
    const { writeReport } = require('@ebt/report') as typeof import('@ebt/report');
    const html = fs.readFileSync(writeReport(r.outDir).file, 'utf8');
    expect(html).toContain(`final test Pearson's r`);
    expect(html).toContain(r.result.finalTest!.score.toFixed(4));
  }, 120_000);

  test('missing flags and files are usage errors naming them', async () => {
    await expect(finetuneBert({ model: '', data: 'x' })).rejects.toThrow(/--model DIR is required with --data/);
    await expect(finetuneBert({ model: tinyBertFolder(), data: tmp() })).rejects.toThrow(/train\.tsv/);
    const noTokenizer = tmp();
    for (const f of ['config.json', 'model.safetensors']) fs.copyFileSync(path.join(fixtures, 'hf-tiny-bert', f), path.join(noTokenizer, f));
    await expect(finetuneBert({ model: noTokenizer, data: path.join(repo, 'datasets', 'sst2-tiny'), out: tmp() })).rejects.toThrow(/lacks tokenizer\.json/);
  });
});

describe('finetune vit', () => {
  test('fine-tunes hf-tiny-vit on MNIST digits resized to 32x32 and tiled to 3 channels (wasm)', async () => {
    const out = tmp();
    const { result } = await finetuneVit({
      model: path.join(fixtures, 'hf-tiny-vit'),
      data: 'mnist',
      epochs: 3,
      batchSize: 16,
      lr: 3e-3,
      limit: 256,
      backend: 'wasm',
      out,
      progress: false,
    });
    expect(result.steps).toBe(48);
    // it learns: the test loss falls from the first epoch to the last, and training beats chance (0.1)
    const rows = fs
      .readFileSync(path.join(out, 'metrics.csv'), 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(','));
    const test = rows.filter((r) => r[2] === 'test').map((r) => Number(r[3]));
    expect(test).toHaveLength(3);
    expect(test[2]).toBeLessThan(test[0] - 0.05);
    expect(Number(rows.filter((r) => r[2] === 'train')[2][4])).toBeGreaterThan(0.18);
    const run = JSON.parse(fs.readFileSync(path.join(out, 'run.json'), 'utf8'));
    expect(run.options).toMatchObject({ command: 'finetune vit', imageSize: 32, normalisation: { mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] } });
    expect(fs.existsSync(path.join(out, 'checkpoints', 'last.safetensors'))).toBe(true);
    // a ViT run's tickets retrain through the fine-tuning cell runner too
    const { localExecutor, sweep } = require('@ebt/experiment') as typeof import('@ebt/experiment');
    const { VIT } = require('./index') as typeof import('./index');
    const s = await sweep(out, {
      kind: VIT.module,
      initDir: path.join(fixtures, 'hf-tiny-vit'),
      at: [1],
      ratios: [{ heads: 0.5, ffn: 0.5 }],
      retrainEpochs: 1,
      dense: false,
      executor: localExecutor(),
      backend: 'wasm',
    });
    expect(s.rows.map((r) => [r.kind, r.at, r.metric])).toEqual([['ticket', 1, 'accuracy']]);
    expect(s.rows[0].accuracy).toBeGreaterThan(0);
  }, 300_000);

  test('an unknown data spec is refused', async () => {
    await expect(finetuneVit({ model: path.join(fixtures, 'hf-tiny-vit'), data: 'imagenet' })).rejects.toThrow(
      /--data must be 'mnist', 'fashion-mnist', 'fashion-mnist:DIR', 'cifar10' or 'cifar10:DIR' \(got 'imagenet'\)/,
    );
  });
});

describe('finetune bert --task squad', () => {
  const { finetuneSquad } = require('./index') as typeof import('./index');
  const { writeReport } = require('@ebt/report') as typeof import('@ebt/report');

  /** hf-tiny-bert-qa with the test tokenizer: a complete QA model folder. */
  function tinyQaFolder(): string {
    const dir = tmp();
    for (const f of ['config.json', 'model.safetensors']) fs.copyFileSync(path.join(fixtures, 'hf-tiny-bert-qa', f), path.join(dir, f));
    for (const f of fs.readdirSync(path.join(fixtures, 'tiny-tokenizer'))) fs.copyFileSync(path.join(fixtures, 'tiny-tokenizer', f), path.join(dir, f));
    return dir;
  }

  test('a smoke fine-tune on the shipped squad-tiny runs with slimming and writes trajectory, detections, EM/F1 and a report', async () => {
    const out = tmp();
    const r = await finetuneSquad({
      model: tinyQaFolder(),
      data: path.join(repo, 'datasets', 'squad-tiny'),
      maxLength: 64,
      epochs: 30,
      batchSize: 5,
      lr: 3e-3,
      backend: 'wasm',
      out,
      progress: false,
      recordEvery: 2,
    });
    expect(r.result.steps).toBe(30);
    expect(r.f1).toBeGreaterThan(40); // five questions learnt by heart; an untrained model scores near 0
    const evaluation = JSON.parse(fs.readFileSync(path.join(out, 'squad-eval.json'), 'utf8'));
    expect(evaluation).toMatchObject({ count: 5 });
    expect(evaluation.f1).toBeCloseTo(r.f1, 10);
    const predictions = JSON.parse(fs.readFileSync(path.join(out, 'predictions.json'), 'utf8'));
    expect(Object.keys(predictions).sort()).toEqual(['q1', 'q2', 'q3', 'q4', 'q5']);
    expect(Trajectory.read(path.join(out, 'trajectory.arrow')).length).toBeGreaterThan(0);
    const detections = JSON.parse(fs.readFileSync(path.join(out, 'detections.json'), 'utf8'));
    expect(detections.criteria).toHaveLength(2);
    const run = JSON.parse(fs.readFileSync(path.join(out, 'run.json'), 'utf8'));
    expect(run.options).toMatchObject({ task: 'squad', docStride: 128, maxQueryLength: 64, maxAnswerLength: 30, nBest: 20 });
    // the sweep retrains tickets of this run too, scoring them with EM/F1
    const { localExecutor, sweep } = require('@ebt/experiment') as typeof import('@ebt/experiment');
    const { BERT } = require('./index') as typeof import('./index');
    const s = await sweep(out, {
      kind: BERT.module,
      initDir: run.options.model,
      at: [0],
      ratios: [{ heads: 0.5, ffn: 0.5 }],
      retrainEpochs: 5,
      executor: localExecutor({ workers: 2 }),
      backend: 'wasm',
    });
    expect(s.rows.map((r) => [r.kind, r.at, r.metric])).toEqual([
      ['dense', null, 'f1'],
      ['ticket', 0, 'f1'],
    ]);
    for (const r of s.rows) {
      expect(r.score).toBe(r.f1);
      expect(r.exact_match).toBeGreaterThanOrEqual(0);
      expect(r.exact_match).toBeLessThanOrEqual(r.f1!); // an exact match scores F1 100 too
      expect(r.accuracy).toBeUndefined();
    }
    const html = fs.readFileSync(writeReport(out).file, 'utf8');
    expect(html).toContain('SQuAD dev exact match / F1');
    expect(html).toContain('sweep-accuracy');
  }, 150_000);

  test('a malformed SQuAD file is a usage error naming the entry', async () => {
    const data = tmp();
    fs.writeFileSync(
      path.join(data, 'train-v1.1.json'),
      JSON.stringify({ data: [{ paragraphs: [{ context: 'the cat', qas: [{ id: 'x1', question: 'who?', answers: [{ text: 'dog', answer_start: 0 }] }] }] }] }),
    );
    fs.writeFileSync(path.join(data, 'dev-v1.1.json'), '{}');
    await expect(finetuneSquad({ model: tinyQaFolder(), data })).rejects.toThrow(/answer 'dog' of question 'x1' is not in its context/);
  });
});

test('a BERT run with dropout repeats exactly with the same seed (dropout masks are seeded)', async () => {
  const run = async () => {
    const out = tmp();
    await finetuneBert({
      model: tinyBertFolder(),
      data: path.join(repo, 'datasets', 'sst2-tiny'),
      epochs: 1,
      batchSize: 16,
      lr: 3e-3,
      maxLength: 32,
      backend: 'wasm',
      out,
      progress: false,
      recordEvery: 2,
      seed: 4,
    });
    return Trajectory.read(path.join(out, 'trajectory.arrow')).rows();
  };
  expect(await run()).toEqual(await run());
}, 60_000);
