import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { squadParquet, squadRows } from '../test/squad-parquet';
import { DataError, readSquad, readSquadParquet } from './index';

const repo = path.join(__dirname, '..', '..', '..');
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'ebt-squad-parquet-'));

describe('readSquadParquet', () => {
  test("reads the hub's layout (answers as a struct of lists) to the same examples as the JSON, across shards", async () => {
    // squad-tiny's dev set, its first question given a second gold answer (the last word of the first), as real dev sets have
    const dir = tmp();
    const data = JSON.parse(fs.readFileSync(path.join(repo, 'datasets', 'squad-tiny', 'dev-v1.1.json'), 'utf8'));
    const qa = data.data[0].paragraphs[0].qas[0];
    const [first] = qa.answers;
    const last = first.text.split(' ').pop();
    qa.answers.push({ text: last, answer_start: first.answer_start + first.text.lastIndexOf(last) });
    const json = path.join(dir, 'dev-v1.1.json');
    fs.writeFileSync(json, JSON.stringify(data));
    const rows = squadRows(json);
    const files = [rows.slice(0, 2), rows.slice(2)].map((part, i) => {
      const file = path.join(dir, `validation-0000${i}-of-00002.parquet`);
      fs.writeFileSync(file, squadParquet(part));
      return file;
    });
    const fromJson = readSquad(json);
    expect(fromJson.some((e) => e.answers.length > 1)).toBe(true); // the dev set's several gold answers survive the lists
    expect(await readSquadParquet(files)).toEqual(fromJson);
  });

  test('an answer not in its context, a missing column and broken answers are named', async () => {
    const dir = tmp();
    const row = { id: 'q9', title: 't', context: 'the fox ran', question: 'who?', answers: { text: ['dog'], answer_start: [4] } };
    const file = path.join(dir, 'train.parquet');
    fs.writeFileSync(file, squadParquet([row]));
    await expect(readSquadParquet([file])).rejects.toThrow(new DataError(`'${file}': the answer 'dog' of question 'q9' is not in its context at character 4.`));
    fs.writeFileSync(file, squadParquet([{ ...row, answers: { text: ['fox', 'ran'], answer_start: [4] } }]));
    await expect(readSquadParquet([file])).rejects.toThrow(/row 0: 'answers' is not \{text: \[\.\.\.\], answer_start: \[\.\.\.\]\} of one length/);
    const glue = path.join(dir, 'glue.parquet');
    const { glueParquet } = await import('../test/glue-parquet');
    fs.writeFileSync(glue, glueParquet({ sentence: ['x'] }, [1]));
    await expect(readSquadParquet([glue])).rejects.toThrow(/no column 'id' \(it has sentence, label, idx\); is it SQuAD\?/);
  });
});
