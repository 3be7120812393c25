import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { masksAt, maskDistance, MASK_DEFAULTS } from '@ebt/eb-criteria';
import { Trajectory } from '@ebt/slimming';
import { runCli } from '../test/run-cli';

/**
 * A smoke study of a pretrained model, as issue 31 asks: a small ViT pretrained on MNIST digits 0-4 (`pretrain
 * small-vit --save-model`), then `study vit` of it on digits 5-9 - 2 seeds, the default grid, one ratio pair,
 * every step recorded. About a minute on native.
 */
describe('ebt study vit of a pretrained model (the smoke study)', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ebt-study-'));
  const model = path.join(root, 'pretrained');
  const dir = path.join(root, 'study');
  const args = [
    'study',
    'vit',
    '--model',
    model,
    '--data',
    'mnist:classes=5-9',
    '--limit',
    '3000',
    '--epochs',
    '1',
    '--batch-size',
    '16',
    '--lr',
    '1e-3',
    '--record-every',
    '1',
    '--windows',
    'smoke',
    '--seeds',
    '2',
    '--ratios',
    '0.5:0.3',
    '--out',
    dir,
    '--json',
  ];
  let first: ReturnType<typeof runCli>;
  let summary: any;

  beforeAll(() => {
    const pre = runCli(
      [
        'pretrain',
        'small-vit',
        '--data',
        'mnist:classes=0-4',
        '--preset',
        'smoke',
        '--epochs',
        '1',
        '--continue',
        'dense',
        '--no-sweep',
        '--save-model',
        model,
        '--out',
        path.join(root, 'pre'),
      ],
      undefined,
      {},
    );
    expect(pre.status).toBe(0);
    first = runCli(args, undefined, {}, 600_000);
    summary = JSON.parse(first.stdout);
  }, 1_200_000);

  test('prints the study contract: seeds, dense, criteria with a draw or null per seed, grid', () => {
    expect(first.status).toBe(0);
    expect(summary.seeds).toEqual([1, 2]);
    expect(Object.keys(summary.dense.score)).toEqual(expect.arrayContaining(['mean', 'sd']));
    // one criterion per ratio pair: each watched at 0.5:0.3, the pair it is pruned at; and the two baselines
    expect(Object.keys(summary.criteria).sort()).toEqual([
      'mask-distance:matched@0.5:0.3',
      'mask-distance@0.5:0.3',
      'nuclear-stationarity:seed@0.5:0.3',
      'nuclear-stationarity@0.5:0.3',
    ]);
    for (const c of Object.values(summary.criteria) as any[]) {
      expect(c.ratio).toEqual({ heads: 0.5, ffn: 0.3 });
      expect(c.draws).toHaveLength(2);
      for (const d of c.draws) if (d) expect(Object.keys(d).sort()).toEqual(['fraction', 'seed', 'step']);
      expect(c.neverDrew).toBe(c.draws.filter((d: unknown) => d === null).length);
      expect(Object.keys(c.ticketScore)).toEqual(expect.arrayContaining(['mean', 'sd']));
    }
    for (const g of summary.grid) expect(Object.keys(g).sort()).toEqual(['criterion', 'fraction', 'kind', 'ratioFfn', 'ratioHeads', 'score', 'seed', 'step']);
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'study.json'), 'utf8'))).toEqual(summary);
  });

  test('every draw has its cells at exactly the draw step, and the grid its fractions', () => {
    for (const c of Object.values(summary.criteria) as any[]) {
      const name = c.criterion;
      for (const d of c.draws.filter(Boolean)) {
        const cells = summary.grid.filter((g: any) => g.kind === 'draw' && g.criterion === name && g.seed === d.seed);
        expect(cells.map((g: any) => [g.step, g.ratioHeads, g.ratioFfn])).toEqual([[d.step, 0.5, 0.3]]);
      }
    }
    for (const seed of [1, 2]) {
      const grid = summary.grid.filter((g: any) => g.kind === 'grid' && g.seed === seed);
      const total = JSON.parse(fs.readFileSync(path.join(dir, `seed-${seed}`, 'detections.json'), 'utf8')).totalSteps;
      // the default grid, every step recorded: the step nearest each fraction, never step 0 (the tie-break mask)
      const fractions = [0.005, 0.01, 0.02, 0.04, 0.07, 0.1, 0.2, 0.44, 0.8];
      expect(grid.map((g: any) => g.step)).toEqual(fractions.map((f) => Math.max(1, Math.round(f * total))));
      expect(grid[0].step).toBeGreaterThan(0);
      expect(summary.grid.filter((g: any) => g.kind === 'dense' && g.seed === seed)).toHaveLength(1);
    }
    expect(summary.table.map((t: any) => t.tieBreak)).toEqual(Array(9).fill(false));
    const csv = fs.readFileSync(path.join(dir, 'study.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toBe('seed,kind,criterion,step,fraction,ratioHeads,ratioFfn,score,parameters,flops,seconds');
    expect(csv).toHaveLength(1 + summary.grid.length);
  });

  test('the false positives follow from the rows and the masks at the pair the criterion watched', () => {
    const watched = { ...MASK_DEFAULTS, ratioHeads: 0.5, ratioFfn: 0.3 };
    for (const c of Object.values(summary.criteria) as any[]) {
      const name = c.criterion;
      let expected = 0;
      for (const d of c.draws.filter(Boolean)) {
        const runDir = path.join(dir, `seed-${d.seed}`);
        const detections = JSON.parse(fs.readFileSync(path.join(runDir, 'detections.json'), 'utf8'));
        const entry = detections.criteria.find((x: any) => x.criterion === name && x.ratio.heads === 0.5 && x.ratio.ffn === 0.3);
        const points = Trajectory.read(path.join(runDir, 'trajectory.arrow')).points();
        // a criterion the run watched kept its coefficients at the draw; a baseline replayed the recorded points
        if (entry) expect(entry.details.options).toMatchObject({ ratioHeads: 0.5, ratioFfn: 0.3 });
        else expect(name).toMatch(/:(matched|seed)$/);
        const atDraw = entry ? entry.coefficientsAtDraw : points.find((p) => p.step === d.step);
        const a = masksAt({ ...atDraw }, watched);
        const b = masksAt(points[points.length - 1], watched);
        const maskFp = maskDistance(a.heads, b.heads) > 0.1 || maskDistance(a.ffn, b.ffn) > 0.1;
        const mine = summary.grid.find((g: any) => g.kind === 'draw' && g.criterion === name && g.seed === d.seed).score;
        const latest = summary.grid.filter((g: any) => g.kind === 'grid' && g.seed === d.seed).sort((x: any, y: any) => y.step - x.step)[0].score;
        const accuracyFp = 100 * (latest - mine) > 1;
        if (maskFp || accuracyFp) expected += 1;
      }
      expect(c.falsePositives).toBe(expected);
    }
  });

  test('wall-clock saving: the dense run up to the draw plus the ticket cell, against the whole dense run', () => {
    let checked = 0;
    for (const c of Object.values(summary.criteria) as any[]) {
      const name = c.criterion;
      for (const v of c.verdicts) {
        if (!v.draw) {
          expect(v.wallClock).toBeNull();
          continue;
        }
        const rows = fs
          .readFileSync(path.join(dir, `seed-${v.seed}`, 'metrics.csv'), 'utf8')
          .trim()
          .split('\n')
          .slice(1)
          .map((l) => l.split(','));
        const dense = Number(rows[rows.length - 1][6]);
        const train = rows.filter((r) => r[2] === 'train').map((r) => [Number(r[0]), Number(r[6])]);
        const after = train.find(([step]) => step >= v.draw.step)!;
        const before = [...train].reverse().find(([step]) => step < v.draw.step) ?? [0, 0];
        const toDraw = before[1] + ((v.draw.step - before[0]) / (after[0] - before[0])) * (after[1] - before[1]);
        const ticket = summary.grid.find((g: any) => g.kind === 'draw' && g.criterion === name && g.seed === v.seed);
        const csvRow = fs
          .readFileSync(path.join(dir, 'study.csv'), 'utf8')
          .trim()
          .split('\n')
          .map((l) => l.split(','))
          .find((r) => r[0] === String(v.seed) && r[1] === 'draw' && r[2] === name)!;
        const ticketSeconds = Number(csvRow[10]);
        expect(ticket).toBeDefined();
        expect(v.wallClock.denseSeconds).toBeCloseTo(dense, 3);
        expect(v.wallClock.toDrawSeconds).toBeCloseTo(toDraw, 3);
        const r = v.wallClock.byRatio['0.5:0.3'];
        expect(r.ticketSeconds).toBeCloseTo(ticketSeconds, 3);
        expect(r.secondsSaved).toBeCloseTo(dense - toDraw - ticketSeconds, 3);
        expect(r.fractionSaved).toBeCloseTo((dense - toDraw - ticketSeconds) / dense, 6);
        checked++;
      }
      const saved = c.verdicts.filter((v: any) => v.wallClock).map((v: any) => v.wallClock.byRatio['0.5:0.3'].secondsSaved);
      expect(c.secondsSaved['0.5:0.3'].n).toBe(saved.length);
      if (saved.length) expect(c.secondsSaved['0.5:0.3'].mean).toBeCloseTo(saved.reduce((a: number, b: number) => a + b, 0) / saved.length, 6);
    }
    // the smoke study draws at least once (mask distance on both seeds)
    expect(checked).toBeGreaterThan(0);
  });

  test('the controls: a random mask and the layerwise shuffle, one cell each per seed and ratio, against the latest grid ticket', () => {
    const latest = (seed: number) => summary.grid.filter((g: any) => g.kind === 'grid' && g.seed === seed).sort((x: any, y: any) => y.step - x.step)[0].score;
    expect(summary.controls.map((c: any) => c.kind)).toEqual(['random', 'shuffle']);
    for (const [i, kind] of ['random', 'shuffle'].entries()) {
      const cells = summary.grid.filter((g: any) => g.kind === kind);
      expect(cells.map((g: any) => [g.seed, g.ratioHeads, g.ratioFfn, g.step])).toEqual([
        [1, 0.5, 0.3, null],
        [2, 0.5, 0.3, null],
      ]);
      expect(fs.existsSync(path.join(dir, 'cells', `seed1-${kind}-r0.5_0.3-e1.json`))).toBe(true);
      const diffs = cells.map((g: any) => 100 * (g.score - latest(g.seed)));
      expect(summary.controls[i].vsLatestGridPoints.n).toBe(2);
      expect(summary.controls[i].vsLatestGridPoints.mean).toBeCloseTo((diffs[0] + diffs[1]) / 2, 9);
    }
    // the shuffle keeps the late mask's widths per layer: the same parameter count as the latest grid ticket
    const params = (kind: string, seed: number) => {
      const rows = fs
        .readFileSync(path.join(dir, 'study.csv'), 'utf8')
        .trim()
        .split('\n')
        .slice(1)
        .map((l) => l.split(','));
      const mine = rows.filter((r) => r[0] === String(seed) && r[1] === kind).sort((a, b) => Number(b[3]) - Number(a[3]))[0];
      return Number(mine[8]);
    };
    for (const seed of [1, 2]) expect(params('shuffle', seed)).toBe(params('grid', seed));
  });

  test('the endpoints E0-E4 at the ratio pair, from the rows: differences paired by seed, Holm-adjusted, a verdict', () => {
    const e = summary.endpoints.byRatio['0.5:0.3'];
    expect(e.endpoints.map((x: any) => x.id)).toEqual(['E0a', 'E0b', 'E1', 'E2', 'E3']);
    expect(e.criterion).toBe('nuclear-stationarity');
    expect(e.baseline).toBe('mask-distance:matched');
    const cell = (seed: number, f: (g: any) => boolean) => summary.grid.filter((g: any) => g.seed === seed && f(g));
    const late = (seed: number) => cell(seed, (g) => g.kind === 'grid').sort((x: any, y: any) => y.step - x.step)[0].score;
    const earliest = (seed: number) => cell(seed, (g) => g.kind === 'grid').sort((x: any, y: any) => x.step - y.step)[0].score;
    const random = (seed: number) => cell(seed, (g) => g.kind === 'random')[0].score;
    const mean = (f: (seed: number) => number) => (f(1) + f(2)) / 2;
    expect(e.endpoints[0].difference.mean).toBeCloseTo(
      mean((s) => 100 * (late(s) - random(s))),
      9,
    );
    expect(e.endpoints[1].difference.mean).toBeCloseTo(
      mean((s) => 100 * (late(s) - earliest(s))),
      9,
    );
    for (const x of e.endpoints) if (x.p !== null) expect(x.adjustedP).toBeGreaterThanOrEqual(x.p);
    expect(e.seesMasks).toBe(e.endpoints[0].holds && e.endpoints[1].holds);
    if (!e.seesMasks) {
      expect(e.verdict).toBe('this setting cannot tell masks apart: no verdict on the criteria (E0 fails)');
      expect(e.endpoints.slice(2).map((x: any) => x.holds)).toEqual([null, null, null]);
    }
    expect(Object.keys(e.howEarly)).toEqual(['earliestEquivalentFraction', 'drawMinusEarliestPercent']);
    expect(first.stdout).toContain('"endpoints"');
  });

  test("each criterion's statistics: false-positive counts as the verdicts, the paired difference over the seeds that drew", () => {
    for (const c of Object.values(summary.criteria) as any[]) {
      const st = c.statistics;
      const drew = c.verdicts.filter((v: any) => v.draw);
      expect(st.falsePositiveRate.any).toMatchObject({ count: c.falsePositives, of: drew.length });
      expect(st.falsePositiveRate.mask.count).toBe(drew.filter((v: any) => v.falsePositive.mask).length);
      if (drew.length) {
        const { lower, upper, estimate } = st.falsePositiveRate.mask.interval;
        expect([lower <= estimate, estimate <= upper, estimate]).toEqual([true, true, st.falsePositiveRate.mask.count / drew.length]);
      }
      const diffs = drew.map((v: any) => 100 * (v.byRatio['0.5:0.3'].score - v.byRatio['0.5:0.3'].latestGrid));
      expect(st.vsLatestGridPoints.n).toBe(diffs.length);
      if (diffs.length) expect(st.vsLatestGridPoints.mean).toBeCloseTo(diffs.reduce((a: number, b: number) => a + b, 0) / diffs.length, 9);
      if (diffs.length > 1) expect(st.vsLatestGridPoints.t.lower).toBeLessThanOrEqual(st.vsLatestGridPoints.mean);
      expect(st.drawStep.n).toBe(drew.length);
    }
    for (const t of summary.table) expect(t.vsLatestGridPoints.n).toBe(2);
  });

  test('the report page is written with the compute-vs-accuracy figure, and a second call redoes nothing and prints the same', () => {
    expect(fs.existsSync(path.join(dir, 'report', 'index.html'))).toBe(true);
    expect(fs.existsSync(path.join(dir, 'report', 'figures', 'compute-vs-accuracy.svg'))).toBe(true);
    const page = fs.readFileSync(path.join(dir, 'report', 'index.html'), 'utf8');
    expect(page).toContain('Share of training before the draw');
    // every cell of every table says something: no undefined, null or unrounded float (issue 33 item 5)
    const tables = page.match(/<table[\s\S]*?<\/table>/g)!.join('\n');
    expect(tables).not.toMatch(/undefined|>null<|NaN|\d\.\d{7,}/);
    // the endpoints come before the seed's table
    expect(page.indexOf('Endpoints, declared before the data')).toBeGreaterThan(0);
    expect(page.indexOf('Endpoints, declared before the data')).toBeLessThan(page.indexOf('by prune point and ratio'));
    // ebt report writes a study folder's page again, from its study.json
    fs.rmSync(path.join(dir, 'report'), { recursive: true });
    expect(runCli(['report', dir]).status).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'report', 'index.html'), 'utf8')).toBe(page);
    const cells = fs.readdirSync(path.join(dir, 'cells'));
    const mtimes = cells.map((f) => fs.statSync(path.join(dir, 'cells', f)).mtimeMs);
    const again = runCli(args, undefined, {});
    expect(again.status).toBe(0);
    expect(JSON.parse(again.stdout)).toEqual(summary);
    expect(cells.map((f) => fs.statSync(path.join(dir, 'cells', f)).mtimeMs)).toEqual(mtimes);
  }, 600_000);

  test('the folder refuses a study of other run options (its runs were trained with these), changing nothing', () => {
    const before = fs.readFileSync(path.join(dir, 'study.json'), 'utf8');
    const r = runCli(args.map((a) => (a === '1e-3' ? '5e-1' : a)));
    expect(r.status).toBe(2);
    expect(
      r.stderr
        .trim()
        .split('\n')
        .filter((l) => !l.startsWith('ebt: tfjs')),
    ).toEqual([`ebt: '${dir}' holds a study whose runs had lr 0.001, not 0.5; use another --out.`]);
    expect(fs.readFileSync(path.join(dir, 'study.json'), 'utf8')).toBe(before);
  });

  test('--pilot: the gate reads E0 at the largest ratio from the pilot study, keeps gate.json, and runs the full study only past 2 points', () => {
    // the smoke study above as the pilot of another study (seed 3): the pilot plans only the cells its gate reads -
    // per seed the dense baseline, the earliest and latest grid tickets and the random mask at the largest pair -
    // all among the smoke study's, so it resumes with nothing to redo
    const other = path.join(root, 'gated');
    fs.cpSync(dir, path.join(other, 'pilot'), { recursive: true });
    const args2 = args.map((a) => (a === dir ? other : a === '--seeds' ? '--seed-list' : a === '2' ? '3' : a));
    const r = runCli([...args2, '--pilot', '--pilot-seeds', '1,2'], undefined, {}, 600_000);
    expect(r.stderr.split('\n').filter((l) => /^ebt: (?!tfjs|seed|dense|study)/.test(l))).toEqual([]);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('ebt study: 8 prune-and-retrain cells, 8 already done');
    const pilot = JSON.parse(fs.readFileSync(path.join(other, 'pilot', 'study.json'), 'utf8'));
    expect(pilot.criteria).toEqual({});
    expect(pilot.grid.map((g: any) => g.kind).sort()).toEqual(['dense', 'dense', 'grid', 'grid', 'grid', 'grid', 'random', 'random']);
    const fractions = summary.grid.filter((g: any) => g.kind === 'grid' && g.seed === 1).map((g: any) => g.fraction);
    expect(pilot.grid.filter((g: any) => g.kind === 'grid' && g.seed === 1).map((g: any) => g.fraction)).toEqual([
      Math.min(...fractions),
      Math.max(...fractions),
    ]);
    const gate = JSON.parse(fs.readFileSync(path.join(other, 'pilot', 'gate.json'), 'utf8'));
    const e0 = summary.endpoints.byRatio['0.5:0.3'].endpoints;
    expect(gate).toEqual({
      seeds: [1, 2],
      ratio: '0.5:0.3',
      lateMinusRandom: e0[0].difference.mean,
      lateMinusEarliest: e0[1].difference.mean,
      thresholdPoints: 2,
      passed: Math.min(e0[0].difference.mean, e0[1].difference.mean) >= 2,
    });
    const out = JSON.parse(r.stdout);
    if (gate.passed) expect(out.seeds).toEqual([3]);
    else {
      expect(out).toEqual({ pilot: gate, proceeded: false });
      expect(fs.existsSync(path.join(other, 'seed-3'))).toBe(false);
    }
  }, 600_000);

  test('bad study flags are refused before anything runs', () => {
    const bad = fs.mkdtempSync(path.join(os.tmpdir(), 'ebt-study-bad-'));
    for (const [flags, message] of [
      [['--at-fractions', '0,1.5'], /--at-fractions must lie in \[0, 1\] \(got 1\.5\)/],
      [['--ratios', '0.3:1'], /--ratios: '0\.3:1' is not a ratio/],
      [['--seed-list', '3,3'], /names a seed twice/],
      [['--pilot', '--pilot-seeds', '2,101'], /--pilot-seeds must not name a seed of the study \(got 2\)/],
      [['--pilot-seeds', '101'], /--pilot-seeds needs --pilot/],
      [['--seeds', '3', '--seed-list', '1,2'], /--seeds and --seed-list name the seeds twice: give one\./],
      [['--at-fractions', ''], /--at-fractions must name at least one fraction \(got ''\)/],
      // the kind's inputs are checked before the study writes anything (issue 34 item 8)
      [['--data', 'imagenet'], /imagenet/],
      [['--data', 'fashion-mnist:/nonexistent'], /nonexistent/],
    ] as const) {
      const r = runCli(['study', 'small-vit', '--preset', 'smoke', '--out', bad, ...flags]);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(message);
    }
    expect(fs.readdirSync(bad)).toEqual([]);
  });
});
