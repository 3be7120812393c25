/**
 * Runs the early-bird criteria online, at every training step (docs/method.md section 3): after each step
 * the slimming coefficients go to each criterion as a point, so the criteria's windows are in steps whatever
 * the trajectory's recording interval. detections.json (written atomically at each epoch end and when a
 * ticket is drawn) holds every verdict and what each criterion computed. The criteria's state goes into every
 * checkpoint, so a resumed run continues exactly where the unbroken one would be.
 */
import { Point, Verdict } from '@ebt/eb-criteria';
import { DetectionEntry, DrawnPoint, writeDetections } from './detections-file';
import { Callback, HookResult } from '@ebt/training';
import type { Watch } from './run-options';

export interface EarlyBirdOptions {
  /** each criterion at each ratio pair the run watches */
  watches: Watch[];
  outDir: string;
  /** called once when a watch first draws its ticket, with the point (the coefficients) it drew at */
  onDraw?: (watch: Watch, verdict: Extract<Verdict, { drawn: true }>, point: Point) => HookResult;
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

/** In a checkpoint; keyed by watch key (by criterion name in checkpoints of ebt before one criterion per ratio). */
interface SavedState {
  totalSteps: number;
  frozen: boolean;
  criteria: Record<string, unknown>;
  draws: Record<string, DrawnPoint>;
}

export function earlyBirdCallback(o: EarlyBirdOptions): EarlyBirdCallback {
  const verdicts: Record<string, Verdict> = Object.fromEntries(o.watches.map((w) => [w.key, { drawn: false }]));
  let totalSteps = 0;
  let started = false;
  let frozen = false;
  let draws: Record<string, DrawnPoint> = {};
  const write = () =>
    writeDetections(o.outDir, {
      totalSteps,
      criteria: o.watches.map((w) => {
        const v = verdicts[w.key];
        return {
          criterion: w.name,
          ratio: w.ratio,
          drawnAt: v.drawn ? { step: v.step, epoch: v.epoch } : null,
          coefficientsAtDraw: draws[w.key] ?? null,
          details: w.criterion.details() as DetectionEntry['details'],
        };
      }),
    });
  /** Feeds a point to every watch; returns those that drew at it. */
  const observe = (point: Point): [Watch, Extract<Verdict, { drawn: true }>][] => {
    const drawnNow: [Watch, Extract<Verdict, { drawn: true }>][] = [];
    if (frozen) return drawnNow;
    for (const w of o.watches) {
      const before = verdicts[w.key];
      const v = w.criterion.observe(point);
      verdicts[w.key] = v;
      if (v.drawn && !before.drawn) {
        const plain = (rows: ArrayLike<number>[]) => rows.map((r) => Array.from(r));
        draws[w.key] = { step: point.step, epoch: point.epoch, heads: plain(point.heads), ffn: plain(point.ffn) };
        drawnNow.push([w, v]);
      }
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
        // an older checkpoint watched one ratio pair and keyed by criterion name
        const saved = (w: Watch) => (w.key in s.criteria ? w.key : w.name);
        draws = Object.fromEntries(o.watches.filter((w) => s.draws[saved(w)]).map((w) => [w.key, s.draws[saved(w)]]));
        for (const w of o.watches) {
          w.criterion.restoreState(s.criteria[saved(w)]);
          verdicts[w.key] = (w.criterion.details() as { verdict: Verdict }).verdict;
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
      for (const [w, v] of observe(point)) {
        write();
        if ((await o.onDraw?.(w, v, point)) === 'stop') stop = 'stop';
      }
      return stop;
    },
    saveState(): SavedState {
      return { totalSteps, frozen, draws, criteria: Object.fromEntries(o.watches.map((w) => [w.key, w.criterion.saveState()])) };
    },
    onEpochEnd() {
      write();
    },
  };
}
