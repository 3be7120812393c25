#!/usr/bin/env node
/**
 * Builds workspace packages to JavaScript: every .ts file of src/ but the specs, file by file, to dist/ as
 * CommonJS with source maps (esbuild; the layout of src/ is kept, so `require.resolve('./cell')` and paths
 * relative to a module's folder work as they do in the sources). Other files of src/ (render-worker.mjs) are
 * copied. Packages whose package.json has `"ebt": { "browser": true }` (the pure ones) also get dist/index.mjs,
 * an ES module bundle of the package alone (its dependencies stay imports), for browsers and bundlers.
 *
 *   node tools/build/build.mjs                  every package under packages/
 *   node tools/build/build.mjs packages/errors  the named ones
 *   ... --types                                 also declarations (tsc --emitDeclarationOnly) for the browser-ready packages
 *   ... --types-only                            only the declarations, into the dist/ that is there: the JavaScript is
 *                                               left as it is, so processes running from it meanwhile are not disturbed
 *
 * Type checking is `npm run typecheck`'s job; this only emits. `npm ci` runs it (the root package's prepare).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const args = process.argv.slice(2);
const typesOnly = args.includes('--types-only');
const types = typesOnly || args.includes('--types');
const named = args.filter((a) => !a.startsWith('--'));
const packages = named.length
  ? named.map((p) => path.resolve(p))
  : fs.readdirSync(path.join(root, 'packages')).map((p) => path.join(root, 'packages', p)).filter((p) => fs.existsSync(path.join(p, 'package.json')));

const walk = (dir) => fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));

async function build(pkg) {
  const src = path.join(pkg, 'src');
  const dist = path.join(pkg, 'dist');
  const manifest = JSON.parse(fs.readFileSync(path.join(pkg, 'package.json'), 'utf8'));
  if (typesOnly) {
    if (manifest.ebt?.browser) declarations(pkg);
    return;
  }
  fs.rmSync(dist, { recursive: true, force: true });
  const files = walk(src);
  const sources = files.filter((f) => f.endsWith('.ts') && !f.endsWith('.spec.ts') && !f.endsWith('.d.ts'));
  await esbuild.build({
    entryPoints: sources,
    outdir: dist,
    outbase: src,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    sourcemap: true,
    logLevel: 'warning',
  });
  for (const f of files.filter((f) => !f.endsWith('.ts'))) {
    const to = path.join(dist, path.relative(src, f));
    fs.mkdirSync(path.dirname(to), { recursive: true });
    fs.copyFileSync(f, to);
  }
  if (manifest.ebt?.browser) {
    await esbuild.build({
      entryPoints: [path.join(src, 'index.ts')],
      outfile: path.join(dist, 'index.mjs'),
      bundle: true,
      format: 'esm',
      platform: 'neutral',
      target: 'es2022',
      sourcemap: true,
      external: Object.keys(manifest.dependencies ?? {}),
      logLevel: 'warning',
    });
    if (types) declarations(pkg);
  }
}

/** dist/*.d.ts from the package's sources (its specs and tests left out). */
function declarations(pkg) {
  const config = path.join(pkg, 'tsconfig.build.json');
  fs.writeFileSync(
    config,
    JSON.stringify({
      extends: './tsconfig.json',
      compilerOptions: { noEmit: false, declaration: true, emitDeclarationOnly: true, declarationMap: true, outDir: 'dist', rootDir: 'src', types: ['node'], paths: {} },
      include: ['src/**/*.ts'],
      exclude: ['src/**/*.spec.ts'],
    }),
  );
  try {
    const r = spawnSync(process.execPath, [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', config], { stdio: 'inherit' });
    if (r.status !== 0) throw new Error(`tsc failed for ${path.relative(root, pkg)}`);
  } finally {
    fs.rmSync(config, { force: true });
  }
}

/** Packages before those that depend on them: declarations read their dependencies' built ones. */
function dependencyOrder(list) {
  const deps = (p) => Object.keys(JSON.parse(fs.readFileSync(path.join(p, 'package.json'), 'utf8')).dependencies ?? {});
  const byName = new Map(list.map((p) => [JSON.parse(fs.readFileSync(path.join(p, 'package.json'), 'utf8')).name, p]));
  const done = new Set();
  const out = [];
  const visit = (p) => {
    if (done.has(p)) return;
    done.add(p);
    for (const d of deps(p)) if (byName.has(d)) visit(byName.get(d));
    out.push(p);
  };
  list.forEach(visit);
  return out;
}

for (const pkg of dependencyOrder(packages)) await build(pkg);
