/**
 * Fault injection: a smoke run killed with SIGKILL at seeded points (each an atomic write of some process of
 * the run: the dense phase, the draw, the pruned phase, a sweep worker, the report; before or after the
 * rename), then resumed with --resume until it finishes, must end with the same files as a run that was
 * never interrupted - timing aside - and leave no temporary file and no lock.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { contents, ebt, leftovers, pidsOf, seeded, survivors, writesOf } from './fault-injection';
import { bin } from './run-cli';

describe('runs killed at any write resume to the same result', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ebt-faults-'));
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
  const random = seeded(2026);

  const scenarios = [
    {
      name: 'EB-train with the sweep and the report',
      args: ['pretrain', 'small-vit', '--preset', 'smoke'],
      files: [
        'metrics.csv',
        'trajectory.arrow',
        'detections.json',
        'ticket/ticket.json',
        'ticket/model.safetensors',
        'init/model.safetensors',
        'sweep/results.csv',
        'report/index.html',
      ],
      // the draw: right after ticket.json (the checkpoint at the draw not yet written), and before it
      named: [
        (w: string[]) => `${w.findIndex((f) => f.endsWith('ticket/ticket.json')) + 1}`,
        (w: string[]) => `${w.findIndex((f) => f.endsWith('ticket/ticket.json')) + 1}:before`,
      ],
      random: 1,
    },
    {
      name: '--rewind init, ticket-train interrupted',
      args: ['pretrain', 'small-vit', '--preset', 'smoke', '--rewind', 'init', '--no-sweep'],
      files: ['metrics.csv', 'trajectory.arrow', 'detections.json', 'ticket/ticket.json', 'ticket-train/metrics.csv'],
      named: [(w: string[]) => `${w.findIndex((f) => f.includes('ticket-train/checkpoints')) + 1}`],
      random: 0,
    },
    {
      name: 'masked-LM pretraining (pretrain bert), killed building its scratch model and at the draw',
      args: ['pretrain', 'bert', '--preset', 'smoke'],
      files: [
        'metrics.csv',
        'trajectory.arrow',
        'detections.json',
        'scratch-model/model.safetensors',
        'ticket/ticket.json',
        'ticket/model.safetensors',
        'ticket/tokenizer.json',
      ],
      named: [
        (w: string[]) => `${w.findIndex((f) => f.endsWith('scratch-model/model.safetensors')) + 1}`,
        (w: string[]) => `${w.findIndex((f) => f.endsWith('ticket/ticket.json')) + 1}:before`,
      ],
      random: 0,
    },
  ];

  test('a sweep killed with SIGKILL takes its workers with it', async () => {
    const run = path.join(root, 'sweep-kill');
    expect(ebt([...scenarios[0].args, '--out', run, '--no-sweep']).status).toBe(0);
    const log = `${run}.log`;
    const main = spawn(process.execPath, [bin, 'sweep', run, '--at-fractions', '0,0.5', '--ratios', '0.3', '--retrain-epochs', '12'], {
      env: { ...process.env, EBT_WRITE_LOG: log },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    main.stderr.on('data', (d) => {
      stderr += d;
      if (/ebt: \S+ done/.test(stderr) && main.exitCode === null) main.kill('SIGKILL'); // a worker finished a cell and is on the next
    });
    await new Promise((resolve) => main.on('close', resolve));
    expect(stderr).toMatch(/ebt: \S+ done/);
    const workers = pidsOf(log).filter((pid) => pid !== main.pid);
    expect(workers.length).toBeGreaterThan(0);
    expect(await survivors(log)).toEqual([]);
    // a folder another live process holds (a pretrain still training): sweep and report refuse it, writing nothing
    const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
    try {
      const lock = path.join(run, '.ebt-lock');
      fs.writeFileSync(lock, JSON.stringify({ pid: holder.pid, host: os.hostname(), started: 'then' }));
      fs.rmSync(path.join(run, 'report'), { recursive: true, force: true });
      const results = path.join(run, 'sweep', 'results.csv');
      const before = fs.existsSync(results) ? fs.readFileSync(results, 'utf8') : null;
      for (const args of [
        ['sweep', run, '--at-fractions', '0.7'],
        ['report', run],
      ]) {
        const refused = ebt(args);
        expect({ args, status: refused.status, stderr: refused.stderr }).toEqual({
          args,
          status: 2,
          stderr: `ebt: '${run}' is in use by process ${holder.pid} on ${os.hostname()} (since then); wait for it, or stop it.\n`,
        });
      }
      expect(fs.existsSync(path.join(run, 'report'))).toBe(false);
      expect(fs.existsSync(results) ? fs.readFileSync(results, 'utf8') : null).toBe(before);
      fs.rmSync(lock);
    } finally {
      holder.kill();
    }
    // a detections.json cut short is named, with exit 2, not read as no draw
    const detections = path.join(run, 'detections.json');
    fs.writeFileSync(detections, fs.readFileSync(detections, 'utf8').slice(0, 100));
    const r = ebt(['sweep', run, '--at-draws']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`ebt: '${detections}' is not valid JSON`);
  }, 900_000);

  for (const s of scenarios) {
    test(
      s.name,
      async () => {
        const reference = path.join(root, `${s.name.length}-reference`);
        const log = `${reference}.log`;
        expect(ebt([...s.args, '--out', reference], { EBT_WRITE_LOG: log }).status).toBe(0);
        const writes = writesOf(log);
        const points = [
          ...s.named.map((f) => f(writes)),
          ...Array.from({ length: s.random }, () => `${1 + Math.floor(random.next() * writes.length)}${random.next() < 0.5 ? ':before' : ''}`),
        ];
        const expected = contents(reference, s.files);
        expect(Object.values(expected)).not.toContain('<missing>');
        for (const point of points) {
          const out = path.join(root, `${s.name.length}-killed-at-${point.replace(':', '-')}`);
          const killed = ebt([...s.args, '--out', out], { EBT_FAILPOINT_WRITE: point, EBT_WRITE_LOG: `${out}.log` });
          const victim = writes[Number(point.split(':')[0]) - 1];
          // the main process dies by the signal; a killed sweep worker makes it exit 1
          expect({ point, victim, died: killed.signal === 'SIGKILL' || killed.status === 1 }).toEqual({ point, victim, died: true });
          // no process of the killed run trains on (sweep workers die with their parent)
          expect({ point, survivors: await survivors(`${out}.log`) }).toEqual({ point, survivors: [] });
          // killed before run.json: there is no run to resume; the refusal says to start again, which takes the folder over
          const started = fs.existsSync(path.join(out, 'run.json'));
          if (!started)
            expect(ebt([...s.args, '--out', out, '--resume']).stderr).toMatch(
              /its start was cut short before run\.json was written; start it again without --resume\.\n$/,
            );
          const resumed = ebt([...s.args, '--out', out, ...(started ? ['--resume'] : [])]);
          expect({ point, victim, status: resumed.status, stderr: resumed.status === 0 ? '' : resumed.stderr }).toEqual({
            point,
            victim,
            status: 0,
            stderr: '',
          });
          expect({ point, victim, files: contents(out, s.files) }).toEqual({ point, victim, files: expected });
          expect(leftovers(out)).toEqual([]);
        }
      },
      600_000,
    );
  }
});
