/**
 * The Slurm executor against a real one-node cluster (tools/slurm/start.sh: munged, slurmctld, slurmd as
 * root). .ci/run installs Debian's slurm-wlm and munge and sets EBT_REQUIRE_SLURM=1, so there these tests
 * cannot be skipped; elsewhere they are skipped, saying why, when sbatch is not installed.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { bin, runCli } from './run-cli';

const tools = path.join(__dirname, '..', 'slurm');
const installed = (cmd: string) => (spawnSync(cmd, ['-V']).error as NodeJS.ErrnoException | undefined)?.code !== 'ENOENT';
const hasSlurm = installed('sbatch') && installed('slurmctld') && installed('munged');
if (!hasSlurm && process.env.EBT_REQUIRE_SLURM) throw new Error('EBT_REQUIRE_SLURM is set but Slurm (sbatch, slurmctld) is not installed');
if (!hasSlurm) process.stderr.write('slurm.spec: Slurm is not installed (apt-get install slurm-wlm munge); the Slurm executor tests are skipped\n');

const clusterDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ebt-slurm-'));
const env = { EBT_SLURM_DIR: clusterDir, SLURM_CONF: path.join(clusterDir, 'slurm.conf') };
const noTime = (csv: string) =>
  csv
    .trim()
    .split('\n')
    .map((l) =>
      l
        .split(',')
        .filter((_, i) => i !== csv.split('\n')[0].split(',').indexOf('seconds'))
        .join(','),
    );

(hasSlurm ? describe : describe.skip)('ebt sweep --executor slurm', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ebt-slurm-runs-'));
  const run = path.join(root, 'run');

  beforeAll(() => {
    execFileSync(path.join(tools, 'start.sh'), { env: { ...process.env, ...env }, stdio: 'pipe' });
    fs.mkdirSync(root, { recursive: true });
    // a smoke run to sweep: the local and the Slurm sweeps get copies of it
    const r = runCli(['pretrain', 'small-vit', '--preset', 'smoke', '--epochs', '2', '--continue', 'dense', '--no-sweep', '--out', run], undefined, env);
    if (r.status !== 0) throw new Error(r.stderr);
    // the local executor's rows, which every Slurm sweep below must reproduce
    fs.cpSync(run, local, { recursive: true });
    const l = runCli(['sweep', local, ...sweepArgs], undefined, env);
    if (l.status !== 0) throw new Error(l.stderr);
  }, 900_000);

  afterAll(() => {
    execFileSync(path.join(tools, 'stop.sh'), { env: { ...process.env, ...env }, stdio: 'pipe' });
  });

  const copy = (name: string) => {
    const dir = path.join(root, name);
    fs.cpSync(run, dir, { recursive: true });
    return dir;
  };
  const local = path.join(root, 'local');
  const sweepArgs = ['--at', '1,2', '--ratios', '0.3', '--retrain-epochs', '1'];
  // native results depend on the thread count: one local worker has every core, so each Slurm task gets them all too
  const slurmArgs = ['--executor', 'slurm', '--slurm-cpus-per-task', String(os.availableParallelism())];
  const localRows = () => noTime(fs.readFileSync(path.join(local, 'sweep', 'results.csv'), 'utf8'));

  test('a sweep through a job array gives the rows of the local executor; slurmctld saw one array', () => {
    const viaSlurm = copy('slurm');
    const r = runCli(['sweep', viaSlurm, ...sweepArgs, ...slurmArgs], undefined, env);
    expect(r.stderr).toMatch(/submitted 3 cells as Slurm job array (\d+)/);
    expect(r.status).toBe(0);
    const job = /job array (\d+)/.exec(r.stderr)![1];
    expect(noTime(fs.readFileSync(path.join(viaSlurm, 'sweep', 'results.csv'), 'utf8'))).toEqual(localRows());
    // the batch script is there to read and resubmit, and Slurm ran it as an array
    const script = fs.readFileSync(path.join(viaSlurm, 'slurm', 'retrain-cell-1.sbatch'), 'utf8');
    expect(script).toMatch(/"@.*retrain-cell-1\.cells\.json#\$\{SLURM_ARRAY_TASK_ID\}"/);
    expect(fs.readFileSync(path.join(clusterDir, 'log', 'slurmctld.log'), 'utf8')).toMatch(new RegExp(`JobId=${job}_\\d+|JobId=${job}_\\*`));
  }, 900_000);

  test('a task cancelled mid-run is resubmitted and completed, leaving nothing partial', async () => {
    const dir = copy('cancel');
    const child = spawn(process.execPath, [bin, 'sweep', dir, ...sweepArgs, ...slurmArgs], {
      env: { ...process.env, ...env },
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    // cancel the first task as soon as it runs
    let cancelled = false;
    for (let i = 0; i < 600 && !cancelled; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      const job = /job array (\d+)/.exec(stderr)?.[1];
      if (!job) continue;
      const q = spawnSync('squeue', ['-h', '-r', '-j', job, '-o', '%i %T'], { env: { ...process.env, ...env }, encoding: 'utf8' }).stdout;
      const runningTask = q.split('\n').find((l) => l.endsWith('RUNNING'));
      if (runningTask) {
        spawnSync('scancel', [runningTask.split(' ')[0]], { env: { ...process.env, ...env } });
        cancelled = true;
      }
    }
    expect(cancelled).toBe(true);
    expect(await exited).toBe(0);
    expect(stderr).toMatch(/cells left undone .*CANCELLED.*resubmitting them once/);
    expect(
      fs
        .readFileSync(path.join(dir, 'sweep', 'results.csv'), 'utf8')
        .trim()
        .split('\n'),
    ).toHaveLength(4);
    expect(fs.readdirSync(path.join(dir, 'sweep', 'cells')).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  }, 900_000);

  test('--no-wait returns with the job ids; the same command again waits for them and collects the rows', () => {
    const dir = copy('nowait');
    const submitted = runCli(['sweep', dir, ...sweepArgs, ...slurmArgs, '--no-wait'], undefined, env);
    expect(submitted.status).toBe(0);
    expect(submitted.stdout).toMatch(/submitted Slurm jobs \d+ and did not wait \(--no-wait\); run the same command again \(or add --collect\)/);
    const job = /submitted Slurm jobs (\d+)/.exec(submitted.stdout)![1];
    const again = runCli(['sweep', dir, ...sweepArgs, ...slurmArgs], undefined, env);
    expect(again.status).toBe(0);
    // nothing was submitted twice: the second call waited for the first call's job (or found it done)
    expect(again.stderr).not.toMatch(/submitted \d+ cells/);
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'slurm', 'jobs.json'), 'utf8')).map((s: { job: string }) => s.job)).toEqual([job]);
    expect(noTime(fs.readFileSync(path.join(dir, 'sweep', 'results.csv'), 'utf8'))).toEqual(localRows());
  }, 600_000);

  test('Ctrl-C while waiting leaves the jobs running and says how to collect them', async () => {
    const dir = copy('sigint');
    const child = spawn(process.execPath, [bin, 'sweep', dir, ...sweepArgs, ...slurmArgs], {
      env: { ...process.env, ...env },
    });
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
      if (/job array \d+/.test(stderr) && !child.killed) child.kill('SIGINT');
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    const job = /job array (\d+)/.exec(stderr)![1];
    expect(code).toBe(130);
    expect(stderr).toMatch(
      new RegExp(`Interrupted; Slurm jobs ${job} keep running \\(scancel ${job} stops them\\)\\. Run the same command again, or with --collect`),
    );
    const queued = spawnSync('squeue', ['-h', '-j', job], { env: { ...process.env, ...env }, encoding: 'utf8' }).stdout.trim();
    const finished = fs.existsSync(path.join(dir, 'sweep', 'cells')) ? fs.readdirSync(path.join(dir, 'sweep', 'cells')).length : 0;
    expect(queued.length > 0 || finished > 0).toBe(true); // still queued, or already ran: in no case cancelled
    expect(spawnSync('scancel', [job], { env: { ...process.env, ...env } }).status).toBe(0);
  }, 600_000);

  test('a study queues its cells behind the dense runs (afterok), whose tasks plan and run every cell', () => {
    const studyArgs = [
      'study',
      'small-vit',
      '--preset',
      'smoke',
      '--epochs',
      '2',
      '--seeds',
      '1',
      '--at-fractions',
      '0.5',
      '--ratios',
      '0.3',
      '--retrain-epochs',
      '1',
    ];
    const viaSlurm = path.join(root, 'study-slurm');
    const r = runCli([...studyArgs, '--out', viaSlurm, ...slurmArgs], undefined, env, 600_000);
    expect(r.status).toBe(0);
    const [dense, cells] = [
      /submitted 1 cells as Slurm job array (\d+)/.exec(r.stderr)![1],
      /next stage as Slurm job array (\d+), to start after (\d+)/.exec(r.stderr)!,
    ];
    expect(cells[2]).toBe(dense);
    expect(fs.readFileSync(path.join(viaSlurm, 'slurm', `study-slot-study-run-1.sbatch`), 'utf8')).toMatch(/study-slots\.json#\$\{SLURM_ARRAY_TASK_ID\}/);
    expect(fs.readFileSync(path.join(clusterDir, 'log', 'slurmctld.log'), 'utf8')).toMatch(new RegExp(`JobId=${cells[1]}_\\d+`));
    // every cell came from the second array: nothing was planned and submitted afterwards
    expect(JSON.parse(fs.readFileSync(path.join(viaSlurm, 'slurm', 'jobs.json'), 'utf8')).map((j: { job: string }) => j.job)).toEqual([dense, cells[1]]);
    // and the cells are the study's plan: the dense baseline, 50% of training, the two controls, each watched
    // criterion's draw step, then the baselines' draws (replayed on the trajectory)
    const detections = JSON.parse(fs.readFileSync(path.join(viaSlurm, 'seed-1', 'detections.json'), 'utf8'));
    const draws = detections.criteria.filter((c: { drawnAt: unknown }) => c.drawnAt).map((c: { drawnAt: { step: number } }) => c.drawnAt.step);
    const rows = noTime(fs.readFileSync(path.join(viaSlurm, 'study.csv'), 'utf8'));
    const [header, ...body] = rows;
    const at = (name: string) => header.split(',').indexOf(name);
    const kinds = body.map((l) => l.split(',')[at('kind')]);
    expect(kinds.slice(0, 4)).toEqual(['dense', 'grid', 'random', 'shuffle']);
    expect(kinds.slice(4).every((k) => k === 'draw')).toBe(true);
    const watched = body.filter((l) => l.split(',')[at('kind')] === 'draw' && !l.split(',')[at('criterion')].includes(':'));
    expect(watched.map((l) => Number(l.split(',')[at('step')]))).toEqual(draws);
    expect(body.every((l) => Number(l.split(',')[at('score')]) > 0)).toBe(true);
  }, 900_000);

  test("a bad partition and a missing sbatch are usage errors with Slurm's own message", () => {
    const dir = copy('bad');
    const bad = runCli(['sweep', dir, ...sweepArgs, '--executor', 'slurm', '--slurm-partition', 'nosuchpart'], undefined, env);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/sbatch refused the job \(sbatch: error: .*[Pp]artition.*\)/);
    const noSbatch = runCli(['sweep', dir, ...sweepArgs, ...slurmArgs], undefined, {
      ...env,
      PATH: fs.mkdtempSync(path.join(os.tmpdir(), 'ebt-empty-path-')),
    });
    expect(noSbatch.status).toBe(2);
    expect(noSbatch.stderr).toMatch(/sbatch is not on PATH/);
  }, 600_000);
});
