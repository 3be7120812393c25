import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { buildScratchBert, scratchSize, SPECIAL_TOKENS, trainWordPiece } from './scratch-bert';
import { loadPretrained } from './pretrained';
import { TextTokenizer } from './tokenizer';

const texts = Array.from({ length: 300 }, (_, i) =>
  i % 2 ? `Free money now!!! Click here to claim your prize number ${i}` : `Re: the meeting on Tuesday moved to room ${i}, see you there`,
);

describe('a BERT from scratch', () => {
  test('scratch:SIZE names a miniature; anything else is not scratch, a bad size is named', () => {
    expect(scratchSize('scratch:bert-mini')).toBe('bert-mini');
    expect(scratchSize('bert-base-uncased')).toBeUndefined();
    expect(() => scratchSize('scratch:bert-huge')).toThrow(
      "--model scratch:bert-huge: the size must be one of bert-tiny, bert-mini, bert-small, bert-medium (got 'bert-huge').",
    );
  });

  test('the trained WordPiece vocabulary: special tokens first, whole frequent words, the same on every call, cut to size', () => {
    const vocab = trainWordPiece(texts, { vocabSize: 200 });
    expect(vocab.slice(0, 5)).toEqual(SPECIAL_TOKENS);
    expect(vocab).toHaveLength(200);
    expect(new Set(vocab).size).toBe(200);
    for (const word of ['money', 'click', 'meeting', 'tuesday']) expect(vocab).toContain(word); // lower-cased
    expect(vocab).toContain('##e'); // continuation pieces
    expect(trainWordPiece(texts, { vocabSize: 200 })).toEqual(vocab);
    expect(() => trainWordPiece(texts, { vocabSize: 3 })).toThrow('the vocabulary size must be an integer above 5 (got 3).');
  });

  test('the folder loads as a Hugging Face BERT: config, seeded weights, a tokenizer that splits as WordPiece does', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ebt-scratch-'));
    await buildScratchBert(dir, { size: 'bert-tiny', texts, numLabels: 2, seed: 3, vocabSize: 300, maxPositions: 64 });
    expect(fs.readdirSync(dir).sort()).toEqual(['config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json', 'vocab.txt']);
    const config = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8'));
    expect(config).toMatchObject({
      model_type: 'bert',
      num_hidden_layers: 2,
      hidden_size: 128,
      num_attention_heads: 2,
      intermediate_size: 512,
      vocab_size: 300,
      pad_token_id: 0,
    });
    const { model } = loadPretrained(dir);
    expect(model.architecture).toBe('BertForSequenceClassification');
    model.dispose();
    const tokenizer = await TextTokenizer.fromPretrained(dir);
    const vocab = fs.readFileSync(path.join(dir, 'vocab.txt'), 'utf8').trim().split('\n');
    const ids = tokenizer.encode(['Free MONEY, click here!']).inputIds[0];
    const tokens = ids.map((i) => vocab[i]);
    expect(tokens[0]).toBe('[CLS]');
    expect(tokens[tokens.length - 1]).toBe('[SEP]');
    expect(tokens.slice(1, 4)).toEqual(['free', 'money', ',']);
    // a second build with the same seed writes the same weights; another seed others
    const again = fs.mkdtempSync(path.join(os.tmpdir(), 'ebt-scratch-'));
    await buildScratchBert(again, { size: 'bert-tiny', texts, numLabels: 2, seed: 3, vocabSize: 300, maxPositions: 64 });
    expect(fs.readFileSync(path.join(again, 'model.safetensors')).equals(fs.readFileSync(path.join(dir, 'model.safetensors')))).toBe(true);
    const other = fs.mkdtempSync(path.join(os.tmpdir(), 'ebt-scratch-'));
    await buildScratchBert(other, { size: 'bert-tiny', texts, numLabels: 2, seed: 4, vocabSize: 300, maxPositions: 64 });
    expect(fs.readFileSync(path.join(other, 'model.safetensors')).equals(fs.readFileSync(path.join(dir, 'model.safetensors')))).toBe(false);
    expect(tf.memory().numTensors).toBeLessThan(50);
  });
});
