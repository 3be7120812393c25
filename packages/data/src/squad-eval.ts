/**
 * SQuAD v1.1 decoding and metrics. Decoding: the n-best start and end logits of every window, spans within
 * the context and `maxAnswerLength`, starting where the window has the most context; the best span of all
 * windows, mapped back to the context's words. Metrics: Exact Match and F1 exactly as the official
 * evaluate-v1.1.py normalises answers (lower case, no punctuation, no articles, single spaces; F1 over
 * tokens; the best over the gold answers).
 */
import { SquadExample, SquadFeature } from './squad';

// string.punctuation of Python
const PUNCTUATION = new Set('!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~');

export function normalizeAnswer(s: string): string {
  const lower = s.toLowerCase();
  const noPunc = Array.from(lower)
    .filter((c) => !PUNCTUATION.has(c))
    .join('');
  const noArticles = noPunc.replace(/\b(a|an|the)\b/g, ' ');
  return noArticles.split(/\s+/).filter(Boolean).join(' ');
}

export function exactMatch(prediction: string, truth: string): number {
  return normalizeAnswer(prediction) === normalizeAnswer(truth) ? 1 : 0;
}

export function f1Score(prediction: string, truth: string): number {
  const p = normalizeAnswer(prediction).split(' ').filter(Boolean);
  const t = normalizeAnswer(truth).split(' ').filter(Boolean);
  const counts = new Map<string, number>();
  for (const w of t) counts.set(w, (counts.get(w) ?? 0) + 1);
  let same = 0;
  for (const w of p) {
    const c = counts.get(w) ?? 0;
    if (c > 0) {
      same++;
      counts.set(w, c - 1);
    }
  }
  if (same === 0) return 0;
  const precision = same / p.length;
  const recall = same / t.length;
  return (2 * precision * recall) / (precision + recall);
}

/** EM and F1 in percent over the examples, each the best over its gold answers. */
export function squadMetrics(examples: SquadExample[], predictions: Map<string, string>): { exactMatch: number; f1: number; count: number } {
  let em = 0;
  let f1 = 0;
  for (const ex of examples) {
    const pred = predictions.get(ex.id) ?? '';
    em += Math.max(...ex.answers.map((a) => exactMatch(pred, a.text)));
    f1 += Math.max(...ex.answers.map((a) => f1Score(pred, a.text)));
  }
  const n = Math.max(1, examples.length);
  return { exactMatch: (100 * em) / n, f1: (100 * f1) / n, count: examples.length };
}

function topIndices(logits: ArrayLike<number>, n: number): number[] {
  return Array.from({ length: logits.length }, (_, i) => i)
    .sort((a, b) => logits[b] - logits[a] || a - b)
    .slice(0, n);
}

/** The best answer text of every example from its windows' start/end logits. */
export function decodeAnswers(
  examples: SquadExample[],
  features: SquadFeature[],
  logits: Array<{ start: ArrayLike<number>; end: ArrayLike<number> }>,
  o: { nBest?: number; maxAnswerLength?: number } = {},
): Map<string, string> {
  const nBest = o.nBest ?? 20;
  const maxLen = o.maxAnswerLength ?? 30;
  const best = new Map<number, { score: number; startWord: number; endWord: number }>();
  features.forEach((f, k) => {
    const { start, end } = logits[k];
    for (const s of topIndices(start, nBest)) {
      for (const e of topIndices(end, nBest)) {
        if (!f.tokenToWord.has(s) || !f.tokenToWord.has(e) || !f.maxContext.has(s) || e < s || e - s + 1 > maxLen) continue;
        const score = start[s] + end[e];
        const current = best.get(f.example);
        if (!current || score > current.score) best.set(f.example, { score, startWord: f.tokenToWord.get(s)!, endWord: f.tokenToWord.get(e)! });
      }
    }
  });
  const out = new Map<string, string>();
  examples.forEach((ex, i) => {
    const b = best.get(i);
    out.set(ex.id, b ? ex.words.slice(b.startWord, b.endWord + 1).join(' ') : '');
  });
  return out;
}
