import * as fs from 'node:fs';
import * as path from 'node:path';
import { ConfigError, ImagePreprocessor, TextTokenizer } from './index';
import { wordPieceTokenizerJson } from './wordpiece';
import { fixtures, tempDir } from '../test/helpers';

const dir = path.join(fixtures, 'tiny-tokenizer');
/** ids worked out by hand from tiny-tokenizer/vocab.txt (line number - 1) */
const vocab = fs.readFileSync(path.join(dir, 'vocab.txt'), 'utf8').trim().split('\n');
const id = (token: string) => vocab.indexOf(token);

describe('TextTokenizer (AutoTokenizer from a local folder)', () => {
  test('lower-cases, splits words into WordPieces, adds [CLS]/[SEP] and pads to the longest', async () => {
    const tok = await TextTokenizer.fromPretrained(dir);
    const enc = tok.encode(['The cat sat.', 'Dogs jumped quickly!']);
    expect(enc.inputIds).toEqual([
      [id('[CLS]'), id('the'), id('cat'), id('sat'), id('.'), id('[SEP]'), 0, 0, 0],
      [id('[CLS]'), id('dog'), id('##s'), id('jump'), id('##ed'), id('quick'), id('##ly'), id('!'), id('[SEP]')],
    ]);
    expect(enc.attentionMask).toEqual([
      [1, 1, 1, 1, 1, 1, 0, 0, 0],
      [1, 1, 1, 1, 1, 1, 1, 1, 1],
    ]);
    expect(tok.decode(enc.inputIds[1])).toBe('dogs jumped quickly!');
  });

  test('sentence pairs get token type 1 on the second segment, and truncation to maxLength', async () => {
    const tok = await TextTokenizer.fromPretrained(dir);
    const enc = tok.encode(['what is it?'], { pairs: ['the cat'], maxLength: 12, padding: 'max_length' });
    expect(enc.inputIds[0]).toEqual([id('[CLS]'), id('what'), id('is'), id('it'), id('?'), id('[SEP]'), id('the'), id('cat'), id('[SEP]'), 0, 0, 0]);
    expect(enc.tokenTypeIds[0]).toEqual([0, 0, 0, 0, 0, 0, 1, 1, 1, 0, 0, 0]);
    const short = tok.encode(['the cat sat on the mat'], { maxLength: 5 });
    expect(short.inputIds[0]).toEqual([id('[CLS]'), id('the'), id('cat'), id('sat'), id('[SEP]')]);
  });

  test("vocab.txt becomes the tokenizer.json Python's BertTokenizerFast saved for it, field for field", () => {
    const config = JSON.parse(fs.readFileSync(path.join(dir, 'tokenizer_config.json'), 'utf8'));
    const python = JSON.parse(fs.readFileSync(path.join(dir, 'tokenizer.json'), 'utf8'));
    expect(wordPieceTokenizerJson(fs.readFileSync(path.join(dir, 'vocab.txt'), 'utf8'), config)).toEqual(python);
  });

  test('a folder with only vocab.txt and tokenizer_config.json encodes as the fast tokenizer does', async () => {
    const slow = tempDir();
    for (const f of ['vocab.txt', 'tokenizer_config.json']) fs.copyFileSync(path.join(dir, f), path.join(slow, f));
    const texts = ['The cat sat.', 'Dogs jumped quickly!', 'what is it?'];
    const [a, b] = [await TextTokenizer.fromPretrained(slow), await TextTokenizer.fromPretrained(dir)];
    expect(a.encode(texts, { pairs: ['the cat', 'a dog', 'x'] })).toEqual(b.encode(texts, { pairs: ['the cat', 'a dog', 'x'] }));
    expect(a.modelMaxLength).toBe(b.modelMaxLength);
  });

  test('a folder without tokenizer.json is a clear error', async () => {
    await expect(TextTokenizer.fromPretrained(tempDir())).rejects.toThrow(ConfigError);
    await expect(TextTokenizer.fromPretrained(tempDir())).rejects.toThrow(/lacks tokenizer\.json and tokenizer_config\.json/);
  });
});

describe('ImagePreprocessor (AutoImageProcessor from preprocessor_config.json)', () => {
  test('rescales and normalises as the config says, giving NCHW', async () => {
    const d = tempDir();
    fs.writeFileSync(
      path.join(d, 'preprocessor_config.json'),
      JSON.stringify({
        image_processor_type: 'ViTImageProcessor',
        do_resize: false,
        do_rescale: true,
        rescale_factor: 1 / 255,
        do_normalize: true,
        image_mean: [0.5, 0.5, 0.5],
        image_std: [0.5, 0.5, 0.5],
      }),
    );
    const proc = (await ImagePreprocessor.fromPretrained(d))!;
    // a 2x1 RGB image: pixel 0 = (0, 255, 51), pixel 1 = (102, 153, 204)
    const out = await proc.process([{ pixels: Uint8Array.from([0, 255, 51, 102, 153, 204]), width: 2, height: 1, channels: 3 }]);
    expect(out.shape).toEqual([1, 3, 1, 2]);
    const expected = [0, 102, 255, 153, 51, 204].map((v) => (v / 255 - 0.5) / 0.5); // channel-major
    Array.from(out.data).forEach((v, i) => expect(v).toBeCloseTo(expected[i], 6));
  });

  test('no preprocessor_config.json: null', async () => {
    expect(await ImagePreprocessor.fromPretrained(tempDir())).toBeNull();
  });
});

test('vocabSize matches vocab.txt', async () => {
  expect((await TextTokenizer.fromPretrained(dir)).vocabSize).toBe(vocab.length);
});
