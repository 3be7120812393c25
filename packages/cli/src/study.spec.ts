import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { masksAt, maskDistance, MASK_DEFAULTS } from '@ebt/eb-criteria';
import { Trajectory } from '@ebt/slimming';
import { runCli } from '../test/run-cli';

/** A smoke study of 2 seeds, pruned at 0% and 50% and at each draw, one ratio pair: a minute or so on native. */
describe('ebt study small-vit --preset smoke', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ebt-study-'));
  const args = [
    'study',
    'small-vit',
    '--preset',
    'smoke',
    '--seeds',
    '2',
    '--at-fractions',
    '0,0.5',
    '--ratios',
    '0.5:0.3',
    '--retrain-epochs',
    '1',
    '--out',
    dir,
    '--json',
  ];
  let first: ReturnType<typeof runCli>;
  let summary: any;

  beforeAll(() => {
    first = runCli(args, undefined, {}, 600_000);
    summary = JSON.parse(first.stdout);
  }, 600_000);

  test('prints the study contract: seeds, dense, criteria with a draw or null per seed, grid', () => {
    expect(first.status).toBe(0);
    expect(summary.seeds).toEqual([1, 2]);
    expect(Object.keys(summary.dense.accuracy)).toEqual(expect.arrayContaining(['mean', 'sd']));
    // one criterion per ratio pair: each watched at 0.5:0.3, the pair it is pruned at
    expect(Object.keys(summary.criteria).sort()).toEqual(['mask-distance@0.5:0.3', 'nuclear-stationarity@0.5:0.3']);
    for (const c of Object.values(summary.criteria) as any[]) {
      expect(c.ratio).toEqual({ heads: 0.5, ffn: 0.3 });
      expect(c.draws).toHaveLength(2);
      for (const d of c.draws) if (d) expect(Object.keys(d).sort()).toEqual(['fraction', 'seed', 'step']);
      expect(c.neverDrew).toBe(c.draws.filter((d: unknown) => d === null).length);
      expect(Object.keys(c.ticketAccuracy)).toEqual(expect.arrayContaining(['mean', 'sd']));
    }
    for (const g of summary.grid)
      expect(Object.keys(g).sort()).toEqual(['accuracy', 'criterion', 'fraction', 'kind', 'ratioFfn', 'ratioHeads', 'seed', 'step']);
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
      expect(grid.map((g: any) => g.step)).toEqual([0, expect.any(Number)]);
      // the recorded point nearest to 50% of the 189 steps (points every 10 steps)
      expect(grid[1].step).toBe(90);
      expect(summary.grid.filter((g: any) => g.kind === 'dense' && g.seed === seed)).toHaveLength(1);
    }
    const csv = fs.readFileSync(path.join(dir, 'study.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toBe('seed,kind,criterion,step,fraction,ratioHeads,ratioFfn,accuracy,parameters,flops,seconds');
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
        expect(entry.details.options).toMatchObject({ ratioHeads: 0.5, ratioFfn: 0.3 });
        const atDraw = entry.coefficientsAtDraw;
        const points = Trajectory.read(path.join(runDir, 'trajectory.arrow')).points();
        const a = masksAt({ ...atDraw }, watched);
        const b = masksAt(points[points.length - 1], watched);
        const maskFp = maskDistance(a.heads, b.heads) > 0.1 || maskDistance(a.ffn, b.ffn) > 0.1;
        const mine = summary.grid.find((g: any) => g.kind === 'draw' && g.criterion === name && g.seed === d.seed).accuracy;
        const latest = summary.grid.filter((g: any) => g.kind === 'grid' && g.seed === d.seed).sort((x: any, y: any) => y.step - x.step)[0].accuracy;
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

  test('the random-mask control: one cell per seed and ratio, against the latest grid ticket of the same seed', () => {
    const random = summary.grid.filter((g: any) => g.kind === 'random');
    expect(random.map((g: any) => [g.seed, g.ratioHeads, g.ratioFfn, g.step])).toEqual([
      [1, 0.5, 0.3, null],
      [2, 0.5, 0.3, null],
    ]);
    expect(fs.existsSync(path.join(dir, 'cells', 'seed1-random-r0.5_0.3-e1.json'))).toBe(true);
    expect(summary.controls).toHaveLength(1);
    const latest = (seed: number) =>
      summary.grid.filter((g: any) => g.kind === 'grid' && g.seed === seed).sort((x: any, y: any) => y.step - x.step)[0].accuracy;
    const diffs = random.map((g: any) => 100 * (g.accuracy - latest(g.seed)));
    expect(summary.controls[0].vsLatestGridPoints.n).toBe(2);
    expect(summary.controls[0].vsLatestGridPoints.mean).toBeCloseTo((diffs[0] + diffs[1]) / 2, 9);
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
      const diffs = drew.map((v: any) => 100 * (v.byRatio['0.5:0.3'].accuracy - v.byRatio['0.5:0.3'].latestGrid));
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
    expect(fs.readFileSync(path.join(dir, 'report', 'index.html'), 'utf8')).toContain('Share of training before the draw');
    const cells = fs.readdirSync(path.join(dir, 'cells'));
    const mtimes = cells.map((f) => fs.statSync(path.join(dir, 'cells', f)).mtimeMs);
    const again = runCli(args, undefined, {}, 120_000);
    expect(again.status).toBe(0);
    expect(JSON.parse(again.stdout)).toEqual(summary);
    expect(cells.map((f) => fs.statSync(path.join(dir, 'cells', f)).mtimeMs)).toEqual(mtimes);
  }, 120_000);

  test('bad study flags are refused before anything runs', () => {
    const bad = fs.mkdtempSync(path.join(os.tmpdir(), 'ebt-study-bad-'));
    for (const [flags, message] of [
      [['--at-fractions', '0,1.5'], /--at-fractions must lie in \[0, 1\] \(got 1\.5\)/],
      [['--ratios', '0.3:1'], /--ratios: '0\.3:1' is not a ratio/],
      [['--seed-list', '3,3'], /names a seed twice/],
    ] as const) {
      const r = runCli(['study', 'small-vit', '--preset', 'smoke', '--out', bad, ...flags]);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(message);
    }
    expect(fs.readdirSync(bad)).toEqual([]);
  });
});
