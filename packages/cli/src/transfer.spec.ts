/**
 * Issue 30's chains at smoke sizes: a pretrained model ebt makes itself, saved as a Hugging Face folder that
 * loads back with the run's own numbers, then fine-tuned on a transfer task by name.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@ebt/backend';
import { loadFashionMnist, loadTextCorpus, parseClassSubset, selectClasses, takeFirst } from '@ebt/data';
import { loadPretrained, readConfig, TextTokenizer } from '@ebt/models';
import { BERT_PRESETS, mlmForward, mlmSource, packSequences } from '@ebt/pretrain';
import { evaluate, imageSource, readMetrics } from '@ebt/training';
import { runCli } from '../test/run-cli';

const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';
const withFashion = fs.existsSync(FASHION_MNIST_DIR) || process.env.EBT_REQUIRE_FASHION_MNIST ? describe : describe.skip;
const tmp = (name: string) => fs.mkdtempSync(path.join(os.tmpdir(), `ebt-${name}-`));

/** The last test row of a run's metrics.csv: what the run scored with the model it ended with. */
const lastTest = (run: string) =>
  readMetrics(path.join(run, 'metrics.csv'))
    .filter((r) => r.split === 'test')
    .at(-1)!;

withFashion('a small ViT pretrained on Fashion-MNIST classes 0-4, fine-tuned on 5-9', () => {
  test('--save-model writes a folder that scores as the run did; finetune vit --model takes it with a new head', async () => {
    const dir = tmp('transfer-vit');
    const [run, model] = [path.join(dir, 'run'), path.join(dir, 'M')];
    const data = 'fashion-mnist:classes=0-4';
    // slimming on (the coefficients must be folded into the saved weights) and the model kept dense
    const pre = runCli([
      'pretrain',
      'small-vit',
      '--data',
      data,
      '--preset',
      'smoke',
      '--epochs',
      '1',
      '--continue',
      'dense',
      '--no-sweep',
      '--save-model',
      model,
      '--out',
      run,
      '--backend',
      'wasm',
      '--json',
    ]);
    expect(pre.status).toBe(0);
    const config = readConfig(model) as Record<string, unknown>;
    expect(config.ebt_classes).toEqual([0, 1, 2, 3, 4]);
    const preprocessor = JSON.parse(fs.readFileSync(path.join(model, 'preprocessor_config.json'), 'utf8'));
    expect([preprocessor.image_mean, preprocessor.image_std, preprocessor.size]).toEqual([[0], [1], { height: 28, width: 28 }]);
    // the saved folder on the run's own test images: the run's final test loss and accuracy
    await initBackend({ backend: 'wasm', log: null });
    const full = loadFashionMnist(FASHION_MNIST_DIR);
    const test = takeFirst(selectClasses(full.test, parseClassSubset(data), data, false), 500);
    const { model: saved } = loadPretrained(model, { log: null });
    const got = await evaluate({ forward: (x) => (saved as any).forward(x as tf.Tensor4D, false).logits, test: imageSource(test) }, 32);
    const want = lastTest(run);
    expect(got.score).toBeCloseTo(want.score, 10);
    expect(Math.abs(got.loss - want.loss)).toBeLessThan(1e-4);
    saved.dispose();

    const ft = runCli([
      'finetune',
      'vit',
      '--model',
      model,
      '--data',
      'fashion-mnist:classes=5-9',
      '--limit',
      '600',
      '--epochs',
      '1',
      '--lr',
      '1e-3',
      '--out',
      path.join(dir, 'ft'),
      '--backend',
      'wasm',
    ]);
    expect(ft.status).toBe(0);
    expect(ft.stderr).toContain('was trained on other classes than --data');
    const labels = lastTest(path.join(dir, 'ft'));
    expect(labels.score).toBeGreaterThan(0.3); // five new classes: chance is 0.2
  }, 900_000);
});

describe('a BERT pretrained by masked-LM on the Brown Corpus, fine-tuned on brown-genre', () => {
  test('pretrain bert --save-model: a BertForMaskedLM folder with its tokenizer that scores as the run did; infer prints [batch, tokens, vocab]; finetune bert --model takes it', async () => {
    const dir = tmp('transfer-bert');
    const [run, model] = [path.join(dir, 'run'), path.join(dir, 'B')];
    const pre = runCli([
      'pretrain',
      'bert',
      '--preset',
      'smoke',
      '--epochs',
      '1',
      '--continue',
      'dense',
      '--save-model',
      model,
      '--out',
      run,
      '--backend',
      'wasm',
      '--json',
    ]);
    expect(pre.status).toBe(0);
    expect(readConfig(model).architectures).toEqual(['BertForMaskedLM']);
    for (const f of ['vocab.txt', 'tokenizer.json', 'tokenizer_config.json']) expect(fs.existsSync(path.join(model, f))).toBe(true);
    const options = JSON.parse(fs.readFileSync(path.join(run, 'run.json'), 'utf8')).options;
    expect(options).toMatchObject({ command: 'pretrain bert', data: 'brown', scratch: 'bert-tiny', maxLength: 64, mlmProbability: 0.15 });
    expect(options.unigramAccuracy).toBeGreaterThan(0.01);

    // the saved folder on the run's held-out sequences, masked as evaluation masks them
    await initBackend({ backend: 'wasm', log: null });
    const tokenizer = await TextTokenizer.fromPretrained(model);
    const corpus = await loadTextCorpus('brown');
    const vocab = { ...tokenizer.specialIds, mask: tokenizer.maskId, size: options.vocabSize };
    const sequences = packSequences(corpus.test.slice(0, BERT_PRESETS.smoke.testTexts), (s) => tokenizer.tokenize(s), 64, vocab);
    expect(sequences).toHaveLength(options.testSequences);
    const { model: saved } = loadPretrained(model, { log: null });
    const got = await evaluate({ forward: mlmForward(saved), test: mlmSource(sequences, vocab) }, options.batchSize);
    const want = lastTest(run);
    expect(got.score).toBeCloseTo(want.score, 10);
    expect(Math.abs(got.loss - want.loss)).toBeLessThan(1e-4);
    saved.dispose();

    const input = path.join(dir, 'input.json');
    fs.writeFileSync(input, JSON.stringify({ input_ids: [[2, 10, 11, 4, 3]] }));
    const inferred = runCli(['infer', '--model', model, '--input', input, '--backend', 'wasm']);
    expect(inferred.status).toBe(0);
    const logits = JSON.parse(inferred.stdout).logits;
    expect([logits.length, logits[0].length, logits[0][0].length]).toEqual([1, 5, options.vocabSize]);

    const ft = runCli([
      'finetune',
      'bert',
      '--model',
      model,
      '--data',
      'brown-genre:200',
      '--epochs',
      '1',
      '--out',
      path.join(dir, 'ft'),
      '--backend',
      'wasm',
      '--json',
    ]);
    expect(ft.status).toBe(0);
    const ftOptions = JSON.parse(fs.readFileSync(path.join(dir, 'ft', 'run.json'), 'utf8')).options;
    expect(ftOptions).toMatchObject({ data: 'brown-genre:200', numLabels: 4, lr: 1e-4, trainExamples: 200, devExamples: 200 });
    // and on another task by name, from the same folder
    const spam = runCli([
      'finetune',
      'bert',
      '--model',
      model,
      '--data',
      'spam-assassin:20',
      '--epochs',
      '1',
      '--out',
      path.join(dir, 'spam'),
      '--backend',
      'wasm',
      '--json',
    ]);
    expect(spam.status).toBe(0);
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'spam', 'run.json'), 'utf8')).options).toMatchObject({ data: 'spam-assassin:20', numLabels: 2 });
  }, 1_200_000);
});

describe('bad input to the pretraining commands: exit 2, one line naming the flag and value, nothing written', () => {
  const vit = path.join(__dirname, '..', '..', 'models', 'test', 'fixtures', 'hf-tiny-vit');
  const aFile = path.join(tmp('file'), 'model');
  fs.writeFileSync(aFile, 'x');
  test.each([
    [['pretrain', 'small-vit', '--data', 'mnist:classes=3-12'], /--data mnist:classes=3-12: mnist-train has classes 0-9, not 10, 11, 12\./],
    [['pretrain', 'small-vit', '--data', 'mnist:per-class=0'], /per-class must be a positive integer \(got '0'\)/],
    [['pretrain', 'small-vit', '--save-model', aFile], /--save-model .*: it is a file, not a folder/],
    [['pretrain', 'bert', '--data', 'text:/nonexistent-corpus'], /--data text:\/nonexistent-corpus: '\/nonexistent-corpus' is not a folder/],
    [['pretrain', 'bert', '--data', 'imagenet'], /--data must be 'brown', 'spam-assassin' or 'text:DIR' \(got 'imagenet'\)/],
    [['pretrain', 'bert', '--model', vit], /pretrain bert continues a BERT, and this folder holds a 'vit' model/],
    [['pretrain', 'bert', '--vocab-size', '3'], /--vocab-size must be an integer from 6 to 100000 \(got 3\)/],
    [['finetune', 'vit', '--model', vit, '--data', 'fashion-mnist:classes=x'], /classes must be labels and ranges/],
  ])('%j', (args, message) => {
    const out = path.join(tmp('bad'), 'run');
    const r = runCli([...args, '--out', out]);
    expect({
      status: r.status,
      lines: r.stderr
        .trim()
        .split('\n')
        .filter((l) => !l.startsWith('ebt: tfjs backend')).length,
    }).toEqual({ status: 2, lines: 1 });
    expect(r.stderr).toMatch(message);
    expect(fs.existsSync(out)).toBe(false);
  });
});
