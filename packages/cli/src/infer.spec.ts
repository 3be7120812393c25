import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCli } from '../test/run-cli';

const fixtures = path.join(__dirname, '..', '..', 'models', 'test', 'fixtures');
const maxAbsDiff = (a: number[][], b: number[][]) => Math.max(...a.flat().map((v, i) => Math.abs(v - b.flat()[i])));

describe('ebt infer', () => {
  test.each([
    ['hf-tiny-vit', 'cpu'],
    ['hf-tiny-vit', 'wasm'],
    ['hf-tiny-bert', 'cpu'],
    ['hf-tiny-bert', 'wasm'],
    ['hf-tiny-roberta', 'cpu'],
    ['hf-tiny-roberta', 'wasm'],
  ])("reproduces %s's PyTorch logits on %s", (name, backend) => {
    const dir = path.join(fixtures, name);
    const ref = JSON.parse(fs.readFileSync(path.join(dir, 'reference.json'), 'utf8'));
    const input = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ebt-infer-')), 'input.json');
    fs.writeFileSync(input, JSON.stringify(ref.input));
    const r = runCli(['infer', '--model', dir, '--input', input, '--backend', backend]);
    expect(r.stderr).toContain(`backend '${backend}'`);
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(maxAbsDiff(out.logits, ref.expected.logits)).toBeLessThan(ref.tolerance.abs);
  });

  test('a QA model prints start and end logits matching PyTorch where attention_mask is 1', () => {
    const dir = path.join(fixtures, 'hf-tiny-bert-qa');
    const ref = JSON.parse(fs.readFileSync(path.join(dir, 'reference.json'), 'utf8'));
    const r = runCli(['infer', '--model', dir, '--input', path.join(dir, 'reference.json'), '--backend', 'wasm']);
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    const mask = (ref.input.attention_mask as number[][]).flat();
    for (const key of ['start_logits', 'end_logits']) {
      const got = (out[key] as number[][]).flat();
      const want = (ref.expected[key] as number[][]).flat();
      expect(Math.max(...got.map((v, i) => (mask[i] ? Math.abs(v - want[i]) : 0)))).toBeLessThan(ref.tolerance.abs);
    }
  });

  test.each(['cpu', 'wasm'])(
    "a masked-LM model prints vocabulary logits [batch, tokens, vocab] matching PyTorch's where attention_mask is 1 (%s)",
    (backend) => {
      const dir = path.join(fixtures, 'hf-tiny-bert-mlm');
      const ref = JSON.parse(fs.readFileSync(path.join(dir, 'reference.json'), 'utf8'));
      const r = runCli(['infer', '--model', dir, '--input', path.join(dir, 'reference.json'), '--backend', backend]);
      expect(r.status).toBe(0);
      const logits = JSON.parse(r.stdout).logits as number[][][];
      const want = ref.expected.logits as number[][][];
      expect([logits.length, logits[0].length, logits[0][0].length]).toEqual([3, 12, 120]);
      const mask = ref.input.attention_mask as number[][];
      let worst = 0;
      logits.forEach((row, b) => row.forEach((v, t) => mask[b][t] && v.forEach((x, k) => (worst = Math.max(worst, Math.abs(x - want[b][t][k]))))));
      expect(worst).toBeLessThan(ref.tolerance.abs);
    },
  );

  test('bad input exits 2 naming the field', () => {
    const bert = path.join(fixtures, 'hf-tiny-bert');
    const cases: Array<[string, RegExp]> = [
      ['{"input_ids": [[1, 2], [3]]}', /'input_ids' is ragged/],
      ['{"input_ids": [[1, 2.5]]}', /not an integer/],
      ['{"pixel_values": [[[[0]]]]}', /needs 'input_ids'/],
      ['{"input_ids": [[1, 2]], "attention_mask": [[1]]}', /'attention_mask' has shape \[1,1\]/],
      ['not json', /not valid JSON/],
      ['{"input_ids": [[1, 120]]}', /'input_ids' holds 120 at flat index 1; token ids lie below the vocabulary size 120/],
      ['{"input_ids": [[1, 2]], "attention_mask": [[1, 2]]}', /'attention_mask' holds 2 at flat index 1; a mask holds 0 or 1/],
      ['{"input_ids": [[1, 2]], "token_type_ids": [[0, 2]]}', /'token_type_ids' holds 2 at flat index 1; segment ids lie below type_vocab_size 2/],
      [JSON.stringify({ input_ids: [new Array(65).fill(3)] }), /65 tokens exceed the model's 64 positions/],
    ];
    for (const [input, message] of cases) {
      const r = runCli(['infer', '--model', bert, '--input', '-', '--backend', 'cpu'], input);
      expect({ input, status: r.status }).toEqual({ input, status: 2 });
      expect(r.stderr).toMatch(message);
    }
    const missing = runCli(['infer', '--model', '/no/such/model', '--input', '-', '--backend', 'cpu'], '{"input_ids": [[1]]}');
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/--model: model folder '\/no\/such\/model' does not exist/);
  });
});
