import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { Resvg } from '@resvg/resvg-js';

export type VegaLiteSpec = Record<string, unknown>;

/** vega-lite specs -> SVG strings, in one child process (see render-worker.mjs for why). */
export function renderSvgs(specs: Record<string, VegaLiteSpec>): Record<string, string> {
  const worker = path.join(__dirname, 'render-worker.mjs');
  const r = spawnSync(process.execPath, [worker], { input: JSON.stringify(specs), encoding: 'utf8', maxBuffer: 256 << 20 });
  if (r.status !== 0) throw new Error(`rendering the figures failed: ${r.stderr.trim().split('\n').slice(-3).join(' ')}`);
  return JSON.parse(r.stdout);
}

/** An SVG rasterised to PNG at twice its size, by resvg. */
export function svgToPng(svg: string): Buffer {
  return new Resvg(svg, { fitTo: { mode: 'zoom', value: 2 }, background: 'white', font: { loadSystemFonts: true } }).render().asPng();
}
