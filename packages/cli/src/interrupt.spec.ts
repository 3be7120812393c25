import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const bin = path.join(__dirname, '..', 'bin', 'ebt.js');

test('Ctrl-C during training saves a checkpoint and exits 130; --resume then finishes the run', async () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'ebt-sigint-'));
  const args = [bin, 'pretrain', 'small-vit', '--preset', 'smoke', '--backend', 'wasm', '--out', out, '--no-sweep', '--epochs', '2'];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr += d;
    // interrupt once training is under way (the first epoch line is printed after epoch 1)
    if (/epoch 1\/2/.test(stderr) && !child.killed) child.kill('SIGINT');
  });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  expect(code).toBe(130);
  expect(stderr).toMatch(/Interrupted; the run was saved to '.*last\.safetensors' and continues with --resume/);
  expect(fs.existsSync(path.join(out, 'checkpoints', 'last.safetensors'))).toBe(true);
  expect(fs.readdirSync(out, { recursive: true }).filter((f) => String(f).endsWith('.tmp'))).toEqual([]);
  const resumed = spawn(process.execPath, [...args, '--resume', '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  resumed.stdout.on('data', (d) => (stdout += d));
  expect(await new Promise<number | null>((resolve) => resumed.on('close', resolve))).toBe(0);
  expect(JSON.parse(stdout)).toMatchObject({ epochs: 2, steps: 126 });
}, 600_000);
