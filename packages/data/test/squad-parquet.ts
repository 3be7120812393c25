import * as fs from 'node:fs';
import { parquetWriteBuffer } from 'hyparquet-writer';

/** A question as the hub's rajpurkar/squad stores it: answers as a struct of two lists. */
export interface SquadRow {
  id: string;
  title: string;
  context: string;
  question: string;
  answers: { text: string[]; answer_start: number[] };
}

/** The rows of a SQuAD v1.1 JSON file, one per question, as the `datasets` library converts it. */
export function squadRows(jsonFile: string): SquadRow[] {
  const json = JSON.parse(fs.readFileSync(jsonFile, 'utf8'));
  return json.data.flatMap((article: any) =>
    article.paragraphs.flatMap((p: any) =>
      p.qas.map((qa: any) => ({
        id: qa.id,
        title: article.title,
        context: p.context,
        question: qa.question,
        answers: { text: qa.answers.map((a: any) => a.text), answer_start: qa.answers.map((a: any) => a.answer_start) },
      })),
    ),
  );
}

const text = (name: string) => ({ name, type: 'BYTE_ARRAY' as const, converted_type: 'UTF8' as const, repetition_type: 'OPTIONAL' as const });
const list = (name: string, element: object) => [
  { name, repetition_type: 'OPTIONAL' as const, converted_type: 'LIST' as const, num_children: 1 },
  { name: 'list', repetition_type: 'REPEATED' as const, num_children: 1 },
  { ...element, name: 'element' },
];

/** A SQuAD split as rajpurkar/squad's parquet (pyarrow's layout of struct<text: list<string>, answer_start: list<int32>>). */
export function squadParquet(rows: SquadRow[]): Uint8Array {
  const columns = ['id', 'title', 'context', 'question', 'answers'] as const;
  return new Uint8Array(
    parquetWriteBuffer({
      columnData: columns.map((name) => ({ name, data: rows.map((r) => r[name]) })),
      schema: [
        { name: 'schema', num_children: columns.length },
        ...columns.slice(0, 4).map(text),
        { name: 'answers', repetition_type: 'OPTIONAL', num_children: 2 },
        ...list('text', text('element')),
        ...list('answer_start', { type: 'INT32', repetition_type: 'OPTIONAL' }),
      ],
    }),
  );
}
