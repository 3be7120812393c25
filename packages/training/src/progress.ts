import type { Objective } from './objective';

/** Where training stands, for the status line: the epoch and batch, the epoch's running loss and score, the speed. */
export interface ProgressInfo {
  epoch: number;
  epochs: number;
  batch: number;
  batches: number;
  loss: number;
  score: number;
  metric: Objective['metric'];
  examplesPerSecond: number;
  etaSeconds: number;
}

/** One status line on stderr: rewritten in place on a terminal, printed once per epoch otherwise. */
export class Progress {
  private readonly tty = Boolean(process.stderr.isTTY);
  private lastDraw = 0;

  constructor(private readonly enabled: boolean) {}

  update(p: ProgressInfo): void {
    const { epoch, epochs, batch, batches, loss, score, metric, examplesPerSecond, etaSeconds } = p;
    if (!this.enabled || !this.tty) return;
    const now = Date.now();
    if (now - this.lastDraw < 200 && batch < batches) return;
    this.lastDraw = now;
    const width = 20;
    const done = Math.round((width * batch) / batches);
    const bar = '#'.repeat(done) + '.'.repeat(width - done);
    process.stderr.write(
      `\repoch ${epoch + 1}/${epochs} [${bar}] ${batch}/${batches} loss ${loss.toFixed(4)} ${formatScore(metric, score, 1)} ${examplesPerSecond.toFixed(0)}/s ETA ${formatSeconds(etaSeconds)}   `,
    );
  }

  line(text: string): void {
    if (!this.enabled) return;
    process.stderr.write((this.tty ? '\r\x1b[K' : '') + text + '\n');
  }
}

export function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '?';
  const m = Math.floor(s / 60);
  const h = Math.floor(m / 60);
  const pad = (n: number) => String(n).padStart(2, '0');
  return h ? `${h}:${pad(m % 60)}:${pad(Math.floor(s % 60))}` : `${m}:${pad(Math.floor(s % 60))}`;
}

/** `acc 93.21%`, or `pearson 0.8123` for a regression objective. */
export function formatScore(metric: Objective['metric'], score: number, digits = 2): string {
  return metric === 'accuracy' ? `acc ${(100 * score).toFixed(digits)}%` : `pearson ${score.toFixed(digits + 2)}`;
}
