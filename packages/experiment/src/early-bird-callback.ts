/**
 * Runs the early-bird criteria online: every recorded point of the coefficient trajectory goes to each
 * criterion, and detections.json (written atomically at each epoch end and when a ticket is drawn) holds
 * every criterion's verdict and what it computed. After --resume the criteria replay the recorded points,
 * which gives the same answers as having watched them live.
 */
import * as path from 'node:path';
import { Criterion, Point, Verdict } from '@ebt/eb-criteria';
import { writeFileAtomic } from '@ebt/models';
import { Callback } from '@ebt/training';

export interface EarlyBirdOptions {
  criteria: Criterion[];
  outDir: string;
  /** called once when a criterion first draws its ticket */
  onDraw?: (criterion: Criterion, verdict: Extract<Verdict, { drawn: true }>) => void | 'stop';
}

export interface EarlyBirdCallback extends Callback {
  verdicts(): Record<string, Verdict>;
  write(): void;
}

export function earlyBirdCallback(o: EarlyBirdOptions): EarlyBirdCallback {
  const verdicts: Record<string, Verdict> = Object.fromEntries(o.criteria.map((c) => [c.name, { drawn: false }]));
  let totalSteps = 0;
  const file = path.join(o.outDir, 'detections.json');
  const write = () =>
    writeFileAtomic(
      file,
      JSON.stringify(
        {
          totalSteps,
          criteria: o.criteria.map((c) => {
            const v = verdicts[c.name];
            return { criterion: c.name, drawnAt: v.drawn ? { step: v.step, epoch: v.epoch } : null, details: c.details() };
          }),
        },
        null,
        1,
      ) + '\n',
    );
  const observe = (point: Point, live: boolean): 'stop' | undefined => {
    let stop: 'stop' | undefined;
    for (const c of o.criteria) {
      const before = verdicts[c.name];
      const v = c.observe(point);
      verdicts[c.name] = v;
      if (v.drawn && !before.drawn && live) {
        write();
        if (o.onDraw?.(c, v) === 'stop') stop = 'stop';
      }
    }
    return stop;
  };
  return {
    verdicts: () => verdicts,
    write,
    onStart({ trajectory, totalSteps: total }) {
      totalSteps = total;
      for (const p of trajectory.points()) observe(p, false);
    },
    onRecord({ step, epoch, snapshot }) {
      return observe({ step, epoch, heads: snapshot.heads, ffn: snapshot.ffn }, true);
    },
    onEpochEnd() {
      write();
    },
  };
}
