import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadPretrained, TextTokenizer } from '@ebt/models';
import { finetuneBert } from './index';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'ebt-spam-'));

describe('finetune bert --data spam-assassin --model scratch:SIZE', () => {
  const out = tmp();
  const options = { data: 'spam-assassin:60', model: 'scratch:bert-tiny', epochs: 6, batchSize: 16, maxLength: 64, out, progress: false };
  let first: Awaited<ReturnType<typeof finetuneBert>>;

  beforeAll(async () => {
    first = await finetuneBert(options);
  }, 300_000);

  test('builds its BERT from scratch in the run folder and learns ham from spam', () => {
    const dir = path.join(out, 'scratch-model');
    expect(fs.readdirSync(dir).sort()).toEqual(['config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json', 'vocab.txt']);
    const run = JSON.parse(fs.readFileSync(path.join(out, 'run.json'), 'utf8'));
    expect(run.options).toMatchObject({ command: 'finetune bert', data: 'spam-assassin:60', model: dir, scratch: 'bert-tiny', numLabels: 2, lr: 5e-4 });
    expect(run.options.warmupSteps).toBe(Math.round(0.06 * 6 * Math.ceil(run.options.trainExamples / 16)));
    expect(run.options.trainExamples + run.options.devExamples).toBe(300);
    // 5 groups x 60 messages: 180 ham, 120 spam; a model that learned nothing scores at most 0.6 (all ham)
    expect(first.result.finalTest!.score).toBeGreaterThan(0.8);
  });

  test('the model folder loads on its own: the tokenizer splits mail into its vocabulary, the weights as a BERT', async () => {
    const dir = path.join(out, 'scratch-model');
    const tokenizer = await TextTokenizer.fromPretrained(dir);
    const vocab = fs.readFileSync(path.join(dir, 'vocab.txt'), 'utf8').trim().split('\n');
    const ids = tokenizer.encode(['Subject: free money, click here']).inputIds[0];
    expect(ids.map((i) => vocab[i]).slice(0, 3)).toEqual(['[CLS]', 'subject', ':']);
    expect(ids.filter((i) => vocab[i] === '[UNK]')).toEqual([]);
    const { model } = loadPretrained(dir);
    expect(model.config).toMatchObject({ num_hidden_layers: 2, hidden_size: 128, vocab_size: vocab.length });
    model.dispose();
  });

  test('a resumed run keeps the model it built', async () => {
    const file = path.join(out, 'scratch-model', 'model.safetensors');
    const before = fs.statSync(file).mtimeMs;
    await finetuneBert({ ...options, resume: true });
    expect(fs.statSync(file).mtimeMs).toBe(before);
  }, 120_000);

  test('bad names are refused before anything is written', async () => {
    const bad = tmp();
    await expect(finetuneBert({ ...options, out: bad, model: 'scratch:bert-huge' })).rejects.toThrow('--model scratch:bert-huge: the size must be one of');
    await expect(finetuneBert({ ...options, out: bad, data: 'spam-assassin:x' })).rejects.toThrow(
      "--data spam-assassin:x: after 'spam-assassin:' give the number of examples to keep (a positive integer).",
    );
    expect(fs.readdirSync(bad)).toEqual([]);
  });
});
