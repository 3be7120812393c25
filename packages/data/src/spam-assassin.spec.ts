import * as fs from 'node:fs';
import * as path from 'node:path';
import { inTestSplit, loadSpamAssassin, MAX_CHARS, messageText, rawSpamAssassin, SPAM_ASSASSIN_GROUPS } from './spam-assassin';

// Python's email package on the same messages: test/fixtures/make-spam-assassin.py
const reference = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'test', 'fixtures', 'spam-assassin-cases.json'), 'utf8'));
const collapse = (s: string) => s.replace(/\s+/g, ' ').trim();

describe('the SpamAssassin corpus', () => {
  const raw = rawSpamAssassin();

  test('has the groups and sizes of the corpus, each group labelled ham or spam', () => {
    const sizes: Record<string, number> = {};
    for (const m of raw) sizes[m.group] = (sizes[m.group] ?? 0) + 1;
    expect(sizes).toEqual(reference.groups);
    expect(Object.keys(SPAM_ASSASSIN_GROUPS).sort()).toEqual(Object.keys(reference.groups).sort());
    expect(
      Object.entries(SPAM_ASSASSIN_GROUPS)
        .filter(([, l]) => l === 1)
        .map(([g]) => g),
    ).toEqual(['spam-1', 'spam-2']);
  });

  test("a message's text is its subject and body, headers dropped, as Python's email package reads them", async () => {
    const byId = new Map(raw.map((m) => [`${m.group}/${m.id}`, m.text]));
    let withBody = 0;
    for (const c of reference.cases as Array<{ id: string; subject: string; plainWords: string[] }>) {
      const text = await messageText(byId.get(c.id)!);
      expect([c.id, text.startsWith(collapse(c.subject))]).toEqual([c.id, true]);
      expect(text).not.toMatch(/^(Return-Path|Received|Delivered-To):/m);
      expect(text.length).toBeLessThanOrEqual(MAX_CHARS);
      if (c.plainWords.length) {
        expect([c.id, text.includes(c.plainWords.join(' '))]).toEqual([c.id, true]);
        withBody++;
      }
    }
    expect(withBody).toBeGreaterThan(50);
  }, 60_000);

  test('an HTML-only message becomes text without tags', async () => {
    const html = 'From: a@b.c\nSubject: Win\nContent-Type: text/html\n\n<html><body><p>Click <b>here</b> now</p><script>x()</script></body></html>\n';
    expect(await messageText(html)).toBe('Win Click here now');
  });
});

describe('the split', () => {
  test('is by message text: fixed, about the test fraction of each class, no text on both sides', async () => {
    const a = await loadSpamAssassin({ limit: 120 });
    const b = await loadSpamAssassin({ limit: 120 });
    expect(b).toEqual(a);
    expect(a.train.labels.length + a.test.labels.length).toBe(600);
    for (const label of [0, 1]) {
      const n = (d: typeof a.test) => d.labels.filter((l) => l === label).length;
      const share = n(a.test) / (n(a.test) + n(a.train));
      expect(share).toBeGreaterThan(0.12);
      expect(share).toBeLessThan(0.28);
    }
    const train = new Set(a.train.texts);
    expect(a.test.texts.filter((t) => train.has(t))).toEqual([]);
    expect([a.train.numClasses, a.train.name, a.test.name]).toEqual([2, 'spam-assassin-train', 'spam-assassin-test']);
  }, 60_000);

  test("a text's side depends on the text and the split seed only", () => {
    const texts = Array.from({ length: 2000 }, (_, i) => `message ${i}`);
    const share = texts.filter((t) => inTestSplit(t, 0.2)).length / texts.length;
    expect(share).toBeGreaterThan(0.17);
    expect(share).toBeLessThan(0.23);
    expect(texts.map((t) => inTestSplit(t, 0.2, 1))).not.toEqual(texts.map((t) => inTestSplit(t, 0.2, 0)));
    expect(inTestSplit('message 7', 0.2)).toBe(inTestSplit('message 7', 0.2));
  });

  test('a bad test fraction is refused', async () => {
    await expect(loadSpamAssassin({ testFraction: 1.5 })).rejects.toThrow('the test fraction must lie in (0, 1) (got 1.5).');
  });
});
