/** One self-contained HTML page: figures rendered to inline SVG (and PNG copies beside it), tables, nothing fetched. */
import { writeFileAtomic } from '@ebt/files';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as aq from 'arquero';

import { renderSvgs, svgToPng, VegaLiteSpec } from './render';

export const escape = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

export type Section = { table: string; data: aq.ColumnTable | null } | { figure: string; caption: string } | { html: string };

/**
 * A table as a reader wants it: an empty cell for nothing (never `null` or `undefined`), numbers to four
 * significant digits (never 0.3333333333333333), and a scroll bar rather than a page wider than the window.
 */
export function tableHtml(data: aq.ColumnTable): string {
  const names = data.columnNames();
  const head = names.map((n) => `<th>${escape(n)}</th>`).join('');
  const rows = (data.objects() as Array<Record<string, unknown>>).map((r) => `<tr>${names.map((n) => `<td>${escape(cellText(r[n]))}</td>`).join('')}</tr>`);
  return `<div class="table"><table><thead><tr>${head}</tr></thead><tbody>${rows.join('')}</tbody></table></div>`;
}

export function cellText(v: unknown): string {
  if (v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v))) return '';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(4)));
  return String(v);
}

/** Renders `specs`, writes OUT/figures/*.svg|png and OUT/index.html with the sections in order. */
export function writePage(outDir: string, title: string, specs: Record<string, VegaLiteSpec>, sections: Section[]): { file: string; figures: string[] } {
  const svgs = renderSvgs(specs);
  const figDir = path.join(outDir, 'figures');
  fs.mkdirSync(figDir, { recursive: true });
  for (const [name, svg] of Object.entries(svgs)) {
    writeFileAtomic(path.join(figDir, `${name}.svg`), svg);
    writeFileAtomic(path.join(figDir, `${name}.png`), svgToPng(svg));
  }
  const body = sections
    .map((s) => {
      if ('table' in s) return s.data ? `<section><h2>${escape(s.table)}</h2>${tableHtml(s.data)}</section>` : '';
      if ('figure' in s)
        return svgs[s.figure]
          ? `<figure id="${s.figure}">${svgs[s.figure]}<figcaption>${escape(s.caption)} (<a href="figures/${s.figure}.png">PNG</a>)</figcaption></figure>`
          : '';
      return s.html;
    })
    .filter(Boolean)
    .join('\n');
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escape(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
.table{overflow-x:auto}table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:.25em .6em;text-align:left}
figure{margin:1.5em 0}figcaption{color:#555;font-size:.9em}h2{border-bottom:1px solid #ddd}</style></head>
<body><h1>${escape(title)}</h1>
${body}
</body></html>
`;
  const file = path.join(outDir, 'index.html');
  writeFileAtomic(file, html);
  return { file, figures: Object.keys(svgs) };
}
