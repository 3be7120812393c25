/**
 * SQuAD v1.1 as the hub's `rajpurkar/squad` stores it (`plain_text/{train,validation}-*.parquet`): a row per
 * question - id, title, context, question, and answers as a struct of two lists, {text: [...], answer_start:
 * [...]} (the `datasets` library's layout). Read with hyparquet, checked as the JSON is.
 */
import { DataError } from './errors';
import { readParquetRows } from './parquet-rows';
import { SquadExample, squadExample } from './squad';

export async function readSquadParquet(files: string[]): Promise<SquadExample[]> {
  const examples: SquadExample[] = [];
  for (const file of files) {
    for (const [i, row] of (await readParquetRows(file)).entries()) {
      for (const column of ['id', 'context', 'question', 'answers'])
        if (!(column in row)) throw new DataError(`'${file}': no column '${column}' (it has ${Object.keys(row).join(', ')}); is it SQuAD?`);
      const { text, answer_start } = (row.answers ?? {}) as { text?: unknown; answer_start?: unknown };
      if (!Array.isArray(text) || !Array.isArray(answer_start) || text.length !== answer_start.length)
        throw new DataError(`'${file}', row ${i}: 'answers' is not {text: [...], answer_start: [...]} of one length.`);
      if (typeof row.context !== 'string') throw new DataError(`'${file}', row ${i}: 'context' is not a string.`);
      const answers = text.map((t, k) => ({ text: t, answer_start: Number(answer_start[k]) }));
      examples.push(squadExample(file, { id: String(row.id), question: row.question, context: row.context, answers }));
    }
  }
  if (examples.length === 0) throw new DataError(`${files.join(', ')}: no questions.`);
  return examples;
}
