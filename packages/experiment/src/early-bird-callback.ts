/**
 * Runs the early-bird criteria online, at every training step (docs/method.md section 3): after each step
 * the slimming coefficients go to each criterion as a point, so the criteria's windows are in steps whatever
 * the trajectory's recording interval. detections.json (written atomically at each epoch end and when a
 * ticket is drawn) holds every verdict and what each criterion computed. The criteria's state goes into every
 * checkpoint, so a resumed run continues exactly where the unbroken one would be.
 */
import { Criterion, CriterionName, Point, Verdict } from '@ebt/eb-criteria';
import { DetectionEntry, DrawnPoint, writeDetections } from './detections-file';
import { Callback, HookResult } from '@ebt/training';

export interface EarlyBirdOptions {
  criteria: Criterion[];
  outDir: string;
  /** called once when a criterion first draws its ticket, with the point (the coefficients) it drew at */
  onDraw?: (criterion: Criterion, verdict: Extract<Verdict, { drawn: true }>, point: Point) => HookResult;
}

export interface EarlyBirdCallback extends Callback {
  verdicts(): Record<string, Verdict>;
  write(): void;
  /**
   * Stop watching: the model was pruned at a draw, so later points have other shapes; a criterion that has
   * not drawn by then never drew on the dense run.
   */
  freeze(): void;
}

interface SavedState {
  totalSteps: number;
  frozen: boolean;
  criteria: Record<string, unknown>;
  draws: Record<string, DrawnPoint>;
}

export function earlyBirdCallback(o: EarlyBirdOptions): EarlyBirdCallback {
  const verdicts: Record<string, Verdict> = Object.fromEntries(o.criteria.map((c) => [c.name, { drawn: false }]));
  let totalSteps = 0;
  let started = false;
  let frozen = false;
  let draws: Record<string, DrawnPoint> = {};
  const write = () =>
    writeDetections(o.outDir, {
      totalSteps,
      criteria: o.criteria.map((c) => {
        const v = verdicts[c.name];
        return {
          criterion: c.name as CriterionName,
          drawnAt: v.drawn ? { step: v.step, epoch: v.epoch } : null,
          coefficientsAtDraw: draws[c.name] ?? null,
          details: c.details() as DetectionEntry['details'],
        };
      }),
    });
  /** Feeds a point to every criterion; returns those that drew at it. */
  const observe = (point: Point): [Criterion, Extract<Verdict, { drawn: true }>][] => {
    const drawnNow: [Criterion, Extract<Verdict, { drawn: true }>][] = [];
    if (frozen) return drawnNow;
    for (const c of o.criteria) {
      const before = verdicts[c.name];
      const v = c.observe(point);
      verdicts[c.name] = v;
      if (v.drawn && !before.drawn) {
        const plain = (rows: ArrayLike<number>[]) => rows.map((r) => Array.from(r));
        draws[c.name] = { step: point.step, epoch: point.epoch, heads: plain(point.heads), ffn: plain(point.ffn) };
      }
      if (v.drawn && !before.drawn) drawnNow.push([c, v]);
    }
    return drawnNow;
  };
  return {
    stateKey: 'earlyBird',
    verdicts: () => verdicts,
    write,
    freeze: () => {
      frozen = true;
    },
    onStart({ trajectory, totalSteps: total, saved }) {
      totalSteps = total;
      // a later phase of the same run (EB-train's pruned phase) reuses this callback as it is
      if (started) return;
      started = true;
      const s = saved as SavedState | undefined;
      if (s) {
        frozen = s.frozen;
        draws = s.draws;
        for (const c of o.criteria) {
          c.restoreState(s.criteria[c.name]);
          verdicts[c.name] = (c.details() as { verdict: Verdict }).verdict;
        }
      } else {
        // a fresh run: the trajectory holds the initial point (step 0)
        for (const p of trajectory.points()) observe(p);
      }
    },
    async onStep({ step, epoch, coefficients }) {
      if (!coefficients || frozen) return undefined;
      const snapshot = coefficients();
      const point = { step, epoch, heads: snapshot.heads, ffn: snapshot.ffn };
      let stop: 'stop' | undefined;
      for (const [c, v] of observe(point)) {
        write();
        if ((await o.onDraw?.(c, v, point)) === 'stop') stop = 'stop';
      }
      return stop;
    },
    saveState(): SavedState {
      return { totalSteps, frozen, draws, criteria: Object.fromEntries(o.criteria.map((c) => [c.name, c.saveState()])) };
    },
    onEpochEnd() {
      write();
    },
  };
}
