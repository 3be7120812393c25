/**
 * SQuAD v1.1 (Rajpurkar et al. 2016): the official JSON layout and BERT's feature construction, as the
 * original run_squad.py does it - the context split on white space into words, each word split into word
 * pieces, the question first, context windows of maxLength tokens every docStride tokens, and the answer's
 * start/end token positions ([CLS], 0, when a window does not hold the whole answer).
 */
import * as fs from 'node:fs';
import { DataError } from './errors';

export interface SquadExample {
  id: string;
  question: string;
  context: string;
  /** every gold answer (train has one, dev several) */
  answers: Array<{ text: string; start: number }>;
  /** the context's white-space words and, for each character, the word it belongs to */
  words: string[];
}

export interface SquadFeature {
  example: number;
  inputIds: number[];
  tokenTypeIds: number[];
  /** feature token index -> context word index, for context tokens only */
  tokenToWord: Map<number, number>;
  /** whether this window is the one where the token has the most context on both sides */
  maxContext: Set<number>;
  startPosition: number;
  endPosition: number;
}

export interface SquadTokenizer {
  /** the word pieces of one word or of the question, without special tokens */
  tokenize(text: string): number[];
  cls: number;
  sep: number;
  pad: number;
}

export interface SquadFeatureOptions {
  maxLength?: number;
  docStride?: number;
  maxQueryLength?: number;
}

const isSpace = (c: string) => c === ' ' || c === '\t' || c === '\r' || c === '\n' || c.charCodeAt(0) === 0x202f;

function splitWords(context: string): { words: string[]; charToWord: number[] } {
  const words: string[] = [];
  const charToWord: number[] = [];
  let prevSpace = true;
  for (const c of context) {
    if (isSpace(c)) prevSpace = true;
    else {
      if (prevSpace) words.push(c);
      else words[words.length - 1] += c;
      prevSpace = false;
    }
    for (let k = 0; k < c.length; k++) charToWord.push(words.length - 1);
  }
  return { words, charToWord };
}

/** Reads a SQuAD v1.1 file, checking every answer against its context. */
export function readSquad(file: string): SquadExample[] {
  let json: any;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new DataError(code ? `Cannot read '${file}' (${code}).` : `'${file}' is not valid JSON: ${(e as Error).message}.`);
  }
  if (!json || !Array.isArray(json.data)) throw new DataError(`'${file}' has no 'data' array (the SQuAD layout is {"data": [{"paragraphs": [...]}]}).`);
  const examples: SquadExample[] = [];
  json.data.forEach((article: any, a: number) => {
    if (!Array.isArray(article?.paragraphs)) throw new DataError(`'${file}': data[${a}] has no 'paragraphs' array.`);
    article.paragraphs.forEach((p: any, pi: number) => {
      const where = `data[${a}].paragraphs[${pi}]`;
      if (typeof p?.context !== 'string' || !Array.isArray(p.qas)) throw new DataError(`'${file}': ${where} needs a 'context' string and a 'qas' array.`);
      const { words } = splitWords(p.context);
      p.qas.forEach((qa: any, q: number) => {
        const id = typeof qa?.id === 'string' ? qa.id : `${where}.qas[${q}]`;
        examples.push(squadExample(file, { id, question: qa?.question, context: p.context, answers: qa?.answers }, words));
      });
    });
  });
  return examples;
}

/**
 * One question as SQuAD states it (the JSON's qas entry, or a row of the hub's parquet), checked: a question,
 * at least one answer, and each answer's text found in the context at its answer_start. `words`: the
 * context's, when the caller has split it already (the questions of a JSON paragraph share it).
 */
export function squadExample(
  file: string,
  qa: { id: string; question: unknown; context: string; answers: unknown },
  words = splitWords(qa.context).words,
): SquadExample {
  if (typeof qa.question !== 'string' || !Array.isArray(qa.answers) || qa.answers.length === 0)
    throw new DataError(`'${file}': question '${qa.id}' needs a 'question' string and at least one answer.`);
  const answers = (qa.answers as Array<{ text?: unknown; answer_start?: unknown } | null>).map((answer) => {
    const { text, answer_start: start } = answer ?? {};
    if (typeof text !== 'string' || !Number.isInteger(start))
      throw new DataError(`'${file}': an answer of question '${qa.id}' needs 'text' and an integer 'answer_start'.`);
    if (qa.context.slice(start as number, (start as number) + text.length) !== text)
      throw new DataError(`'${file}': the answer '${text}' of question '${qa.id}' is not in its context at character ${start}.`);
    return { text, start: start as number };
  });
  return { id: qa.id, question: qa.question, context: qa.context, answers, words };
}

/** BERT features of the examples (one or more windows each). */
export function squadFeatures(examples: SquadExample[], tok: SquadTokenizer, o: SquadFeatureOptions = {}): SquadFeature[] {
  const maxLength = o.maxLength ?? 384;
  const docStride = o.docStride ?? 128;
  const maxQuery = o.maxQueryLength ?? 64;
  const features: SquadFeature[] = [];
  examples.forEach((ex, e) => {
    const { words, charToWord } = splitWords(ex.context);
    const query = tok.tokenize(ex.question).slice(0, maxQuery);
    const pieceToWord: number[] = [];
    const wordToPiece: number[] = [];
    const pieces: number[] = [];
    words.forEach((w, i) => {
      wordToPiece.push(pieces.length);
      for (const p of tok.tokenize(w)) {
        pieces.push(p);
        pieceToWord.push(i);
      }
    });
    // the answer's piece span: from its first word's first piece to its last word's last piece, then
    // tightened to the answer's own pieces where they match (run_squad.py's _improve_answer_span)
    const answer = ex.answers[0];
    const startWord = charToWord[answer.start];
    const endWord = charToWord[answer.start + answer.text.length - 1];
    let pieceStart = wordToPiece[startWord];
    let pieceEnd = endWord + 1 < words.length ? wordToPiece[endWord + 1] - 1 : pieces.length - 1;
    const answerPieces = tok.tokenize(answer.text).join(' ');
    search: for (let s = pieceStart; s <= pieceEnd; s++) {
      for (let t = pieceEnd; t >= s; t--) {
        if (pieces.slice(s, t + 1).join(' ') === answerPieces) {
          pieceStart = s;
          pieceEnd = t;
          break search;
        }
      }
    }
    const maxDoc = maxLength - query.length - 3;
    if (maxDoc < 1) throw new RangeError(`maxLength ${maxLength} leaves no room for the context after a ${query.length}-token question.`);
    const spans: Array<{ start: number; length: number }> = [];
    for (let start = 0; start < pieces.length;) {
      const length = Math.min(pieces.length - start, maxDoc);
      spans.push({ start, length });
      if (start + length === pieces.length) break;
      start += Math.min(length, docStride);
    }
    if (spans.length === 0) spans.push({ start: 0, length: 0 });
    spans.forEach((span, si) => {
      const offset = query.length + 2;
      const inputIds = [tok.cls, ...query, tok.sep, ...pieces.slice(span.start, span.start + span.length), tok.sep];
      const tokenTypeIds = [...new Array(query.length + 2).fill(0), ...new Array(span.length + 1).fill(1)];
      const tokenToWord = new Map<number, number>();
      const maxContext = new Set<number>();
      for (let i = 0; i < span.length; i++) {
        tokenToWord.set(offset + i, pieceToWord[span.start + i]);
        if (isMaxContext(spans, si, span.start + i)) maxContext.add(offset + i);
      }
      const contains = pieceStart >= span.start && pieceEnd < span.start + span.length;
      features.push({
        example: e,
        inputIds,
        tokenTypeIds,
        tokenToWord,
        maxContext,
        startPosition: contains ? pieceStart - span.start + offset : 0,
        endPosition: contains ? pieceEnd - span.start + offset : 0,
      });
    });
  });
  return features;
}

/** run_squad.py's _check_is_max_context: the window where the piece has the most context (min of left and right, + 0.01 length). */
function isMaxContext(spans: Array<{ start: number; length: number }>, current: number, position: number): boolean {
  let best = -1;
  let bestScore = -Infinity;
  spans.forEach((s, i) => {
    const end = s.start + s.length - 1;
    if (position < s.start || position > end) return;
    const score = Math.min(position - s.start, end - position) + 0.01 * s.length;
    if (score > bestScore) {
      bestScore = score;
      best = i;
    }
  });
  return best === current;
}
