/**
 * The user's view of the packages: packed, installed outside the workspace without the network, then used
 * from plain Node (CommonJS and ESM), type-checked by tsc as a consumer's code, run as the installed `ebt`
 * binary, and bundled into a web page that headless Chromium runs. The answers must equal the workspace's
 * own (statsmodels' p-value from the fixtures; the criterion's draw through the sources).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CRITERIA, replay } from '@ebt/eb-criteria';
import { Trajectory } from '@ebt/slimming';
import { adf } from '@ebt/ts-stationarity';
import { installOffline, pack, root } from './install';

const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => fs.existsSync(p));
const LIBRARIES = ['errors', 'ts-stationarity', 'eb-criteria'];

const fixture = JSON.parse(fs.readFileSync(path.join(root, 'packages', 'ts-stationarity', 'test', 'fixtures', 'stationarity-cases.json'), 'utf8')).cases[0];
const statsmodels = fixture.adf.find((c: { args: { regression: string; autolag: string } }) => c.args.regression === 'c' && c.args.autolag === 'AIC');

// a trajectory whose coefficients settle in order at step 40: mask distance (queue 3: the masks of 40, 60, 80 agree) draws at 80
const points = Array.from({ length: 10 }, (_, k) => {
  const step = 20 * k;
  const order = step < 40 ? [1, 2, 3, 4] : [4, 3, 2, 1];
  return { step, epoch: 0, heads: [order.map((v) => v + step / 1e4)], ffn: [[8, 7, 6, 5, 4, 3, 2, 1].map((v) => v - step / 1e4)] };
});
const usage = `
const points = ${JSON.stringify(points)};
const verdict = criteria.replay(criteria.CRITERIA['mask-distance'].create({ queue: 3 }), points);
const p = stationarity.adf(${JSON.stringify(fixture.series)}, { regression: 'c', autolag: 'AIC' }).pvalue;
`;

function node(dir: string, file: string, source: string): { status: number | null; stdout: string; stderr: string } {
  fs.writeFileSync(path.join(dir, file), source);
  const r = spawnSync(process.execPath, [file], { cwd: dir, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

let work: string;
let tarballs: Map<string, string>;

beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'ebt-pack-'));
  // declarations for the libraries (the JavaScript is built by the build targets this project depends on, and other
  // suites run from it meanwhile: --types-only leaves it in place)
  const types = spawnSync(
    process.execPath,
    [path.join(root, 'tools', 'build', 'build.mjs'), ...LIBRARIES.map((l) => path.join(root, 'packages', l)), '--types-only'],
    {
      encoding: 'utf8',
    },
  );
  if (types.status !== 0) throw new Error(types.stderr);
  fs.mkdirSync(path.join(work, 'packs'));
  tarballs = pack(LIBRARIES, path.join(work, 'packs'));
}, 120_000);

describe('the libraries, installed from their tarballs', () => {
  let dir: string;
  const expected = () => ({
    drawnAt: replay(CRITERIA['mask-distance'].create({ queue: 3 }), points),
    pvalue: adf(fixture.series, { regression: 'c', autolag: 'AIC' }).pvalue,
  });

  beforeAll(() => {
    dir = path.join(work, 'libraries');
    fs.mkdirSync(dir);
    installOffline(dir, tarballs);
  }, 180_000);

  test('they ship their JavaScript, declarations and README, no sources, specs or fixtures', () => {
    for (const name of LIBRARIES) {
      const files = spawnSync('tar', ['-tzf', tarballs.get(`@ebt/${name}`)!], { encoding: 'utf8' })
        .stdout.split('\n')
        .filter(Boolean);
      expect(files).toContain('package/dist/index.js');
      expect(files).toContain('package/dist/index.mjs');
      expect(files).toContain('package/dist/index.d.ts');
      expect(files).toContain('package/README.md');
      expect(files.filter((f) => /\.spec\.|\/src\/|\/test\/|fixtures/.test(f))).toEqual([]);
    }
  });

  test('what they pull in is small: jstat and ml-matrix with its few helpers, not a tree of micro-packages', () => {
    const installed = fs
      .readdirSync(path.join(dir, 'node_modules'))
      .flatMap((d) => (d.startsWith('@') ? fs.readdirSync(path.join(dir, 'node_modules', d)).map((n) => `${d}/${n}`) : [d]))
      .filter((d) => !d.startsWith('.') && !d.startsWith('@ebt/'));
    expect(installed).toEqual(expect.arrayContaining(['jstat', 'ml-matrix']));
    expect(installed.filter((d) => d.startsWith('@stdlib/'))).toEqual([]);
    expect(installed.length).toBeLessThanOrEqual(10);
  });

  test("plain Node, CommonJS: the ADF p-value is statsmodels', the draw the workspace's", () => {
    const r = node(
      dir,
      'use.cjs',
      `const criteria = require('@ebt/eb-criteria'); const stationarity = require('@ebt/ts-stationarity');${usage}console.log(JSON.stringify({ drawnAt: verdict, pvalue: p }));`,
    );
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout);
    expect(out.pvalue).toBeCloseTo(statsmodels.pvalue, 12);
    expect(out).toEqual(expected());
    expect(out.drawnAt).toMatchObject({ drawn: true, step: 80 });
  });

  test("README's recipe: its example, run verbatim where the tarballs are installed, prints what README says, statsmodels' p-value", () => {
    const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Using the packages outside the workspace'));
    const start = section.indexOf('```sh\n') + 6;
    const recipe = section.slice(start, section.indexOf('\n```', start));
    const lines = recipe.split('\n');
    // the packing and installing lines are what this suite does (packed and installed from the cache, offline)
    expect(lines[1]).toMatch(
      /^mkdir -p \/tmp\/ebt-packs && for p in errors ts-stationarity eb-criteria; do npm pack \.\/packages\/\$p --pack-destination \/tmp\/ebt-packs; done$/,
    );
    expect(lines[2]).toMatch(/^mkdir -p \/tmp\/my-project && cd \/tmp\/my-project && npm init -y > \/dev\/null && npm install \/tmp\/ebt-packs\/\*\.tgz$/);
    // as a terminal would show it, less the colour Node gives a logged number where FORCE_COLOR is set (Nx sets it)
    const r = spawnSync('bash', ['-c', lines[3]], { cwd: dir, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' } });
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
    const [, printed, reference] = section.match(/It prints ([\d.]+); statsmodels' `adfuller\(\.\.\., regression='ct'\)` gives ([\d.]+)/)!;
    expect(r.stdout.trim()).toBe(printed);
    expect(Number(printed)).toBeCloseTo(Number(reference), 12);
  });

  test('plain Node, ES modules: the same answers', () => {
    const r = node(
      dir,
      'use.mjs',
      `import * as criteria from '@ebt/eb-criteria'; import * as stationarity from '@ebt/ts-stationarity';${usage}console.log(JSON.stringify({ drawnAt: verdict, pvalue: p }));`,
    );
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual(expected());
  });

  test("tsc type-checks a consumer's code against the shipped declarations, and refuses a wrong call", () => {
    const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    const config = {
      compilerOptions: { strict: true, noEmit: true, module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', types: [], skipLibCheck: false },
    };
    fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({ ...config, include: ['consumer.ts'] }));
    fs.writeFileSync(
      path.join(dir, 'consumer.ts'),
      `import { adf, AdfResult } from '@ebt/ts-stationarity';\nimport { CRITERIA, Verdict, replay } from '@ebt/eb-criteria';\n` +
        `const r: AdfResult = adf([1, 2, 3, 2, 1, 2, 3, 2, 1, 2, 3, 2], { regression: 'c' });\nconst v: Verdict = replay(CRITERIA['nuclear-stationarity'].create({ window: 30 }), []);\nexport const out = [r.pvalue, v.drawn];\n`,
    );
    const ok = spawnSync(process.execPath, [tsc, '-p', dir], { encoding: 'utf8' });
    expect(ok.stdout + ok.stderr).toBe('');
    expect(ok.status).toBe(0);
    fs.appendFileSync(path.join(dir, 'consumer.ts'), `adf([1, 2, 3], { regression: 'quadratic' });\n`);
    const bad = spawnSync(process.execPath, [tsc, '-p', dir], { encoding: 'utf8' });
    expect(bad.status).not.toBe(0);
    expect(bad.stdout).toMatch(/'"quadratic"' is not assignable/);
  });

  (CHROMIUM ? test : test.skip)(
    'a web page bundling @ebt/eb-criteria (esbuild) shows the same draw in headless Chromium',
    async () => {
      const esbuild = await import('esbuild');
      fs.writeFileSync(
        path.join(dir, 'page.js'),
        `import * as criteria from '@ebt/eb-criteria'; import * as stationarity from '@ebt/ts-stationarity';${usage}document.body.textContent = JSON.stringify({ drawnAt: verdict, pvalue: p });`,
      );
      await esbuild.build({
        entryPoints: [path.join(dir, 'page.js')],
        bundle: true,
        outfile: path.join(dir, 'page.bundle.js'),
        platform: 'browser',
        format: 'iife',
        logLevel: 'silent',
      });
      fs.writeFileSync(path.join(dir, 'page.html'), '<!doctype html><body></body><script src="page.bundle.js"></script>');
      const r = spawnSync(CHROMIUM!, ['--headless', '--no-sandbox', '--disable-gpu', '--dump-dom', `file://${path.join(dir, 'page.html')}`], {
        encoding: 'utf8',
        timeout: 60_000,
      });
      const text = /<body>(.*)<\/body>/s.exec(r.stdout)?.[1] ?? '';
      expect(JSON.parse(text.replace(/&quot;/g, '"'))).toEqual(expected());
    },
    90_000,
  );
});

describe('the ebt command, installed from the tarballs of every package', () => {
  let dir: string;

  beforeAll(() => {
    dir = path.join(work, 'cli');
    fs.mkdirSync(dir);
    const all = fs.readdirSync(path.join(root, 'packages')).filter((p) => !LIBRARIES.includes(p));
    installOffline(dir, new Map([...tarballs, ...pack(all, path.join(work, 'packs'))]));
  }, 300_000);

  test('node_modules/.bin/ebt detect replays a trajectory to the same draw, from built JavaScript, outside the workspace', () => {
    const trajectory = new Trajectory();
    for (const p of points)
      trajectory.record(p.step, p.epoch, { heads: p.heads.map((h) => Float32Array.from(h)), ffn: p.ffn.map((f) => Float32Array.from(f)) });
    trajectory.write(path.join(dir, 'trajectory.arrow'));
    const bin = path.join(dir, 'node_modules', '.bin', 'ebt');
    const r = spawnSync(bin, ['detect', '--trajectory', 'trajectory.arrow', '--criterion', 'mask-distance', '--queue', '3'], { cwd: dir, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout).drawnAt).toEqual({ step: 80, epoch: 0 });
    expect(fs.existsSync(path.join(dir, 'node_modules', '@ebt', 'cli', 'src'))).toBe(false);
  });
});
