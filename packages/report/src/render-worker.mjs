// Renders vega-lite specs to SVG in a plain ESM Node process: vega's Node build uses top-level await, which
// neither CommonJS nor jest's module system can load, so the report spawns this file instead.
// stdin: {"name": vegaLiteSpec, ...}   stdout: {"name": "<svg ...>", ...}
import * as vega from 'vega';
import * as vl from 'vega-lite';

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const specs = JSON.parse(Buffer.concat(chunks).toString('utf8'));
const out = {};
for (const [name, spec] of Object.entries(specs)) {
  const view = new vega.View(vega.parse(vl.compile(spec).spec), { renderer: 'none' });
  out[name] = await view.toSVG();
  view.finalize();
}
process.stdout.write(JSON.stringify(out));
