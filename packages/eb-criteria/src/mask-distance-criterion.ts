/**
 * The mask-distance criterion of You et al. (2020), "Drawing early-bird tickets", as their released
 * EarlyBird code applies it: keep the last `queue` masks; once the queue is full, the ticket is drawn when
 * the newest mask is within `epsilon` (normalised Hamming distance) of every older one in the queue.
 */
import { Criterion, MaskOptions, masksAt, Point, resolveMaskOptions, Verdict } from './criterion';
import { Mask, MaskKind } from './mask';
import { maskDistance } from './mask-distance';
import { CriterionFlag, KINDS_FLAG } from './criterion-flags';
import { CriterionOptionsError } from './errors';

export type { MaskKind };

export interface MaskDistanceOptions extends MaskOptions {
  queue?: number;
  epsilon?: number;
  /** which masks must satisfy the rule (default both; the seed's figures use heads only) */
  kinds?: MaskKind[];
}

/** You et al.'s released defaults: 5 masks, 0.1, both kinds. */
export const MASK_DISTANCE_DEFAULTS: Readonly<Required<Omit<MaskDistanceOptions, keyof MaskOptions>>> = { queue: 5, epsilon: 0.1, kinds: ['head', 'ffn'] };

/** What saveState returns and restoreState takes (a resumed run's criterion state). */
export interface MaskDistanceState {
  verdict: Verdict;
  history: Array<{ step: number; epoch: number; maxDistance: { head: number | null; ffn: number | null } }>;
  queue: Array<{ heads: number[][]; ffn: number[][] }>;
}

/** The criterion's name, in run.json, detections.json and on the command line. */
export const MASK_DISTANCE = 'mask-distance' as const;

export const MASK_DISTANCE_FLAGS: readonly CriterionFlag[] = [
  { key: 'queue', flag: '--queue', value: 'integer', help: 'masks kept', training: true },
  { key: 'epsilon', flag: '--epsilon', value: 'number', help: 'largest normalised Hamming distance', training: true },
  KINDS_FLAG,
];

export class MaskDistanceCriterion implements Criterion {
  readonly name = MASK_DISTANCE;
  private readonly masks: Required<MaskOptions>;
  private readonly queueSize: number;
  private readonly epsilon: number;
  private readonly kinds: MaskKind[];
  private readonly queue: Array<{ heads: Mask; ffn: Mask }> = [];
  private verdict: Verdict = { drawn: false };
  private readonly history: Array<{ step: number; epoch: number; maxDistance: { head: number | null; ffn: number | null } }> = [];

  constructor(options: MaskDistanceOptions = {}) {
    this.masks = resolveMaskOptions(options);
    this.queueSize = options.queue ?? MASK_DISTANCE_DEFAULTS.queue;
    this.epsilon = options.epsilon ?? MASK_DISTANCE_DEFAULTS.epsilon;
    this.kinds = options.kinds ?? [...MASK_DISTANCE_DEFAULTS.kinds];
    if (!Number.isInteger(this.queueSize) || this.queueSize < 2)
      throw new CriterionOptionsError(`mask-distance: queue (--queue) must be an integer of at least 2 (got ${this.queueSize}).`);
    // a normalised Hamming distance lies in [0, 1]: an epsilon outside it is a mistake, not a setting
    if (!(this.epsilon >= 0 && this.epsilon <= 1))
      throw new CriterionOptionsError(`mask-distance: epsilon (--epsilon) must lie in [0, 1] (got ${this.epsilon}).`);
  }

  observe(point: Point): Verdict {
    if (this.verdict.drawn) return this.verdict;
    this.queue.push(masksAt(point, this.masks));
    if (this.queue.length > this.queueSize) this.queue.shift();
    const max = { head: null as number | null, ffn: null as number | null };
    if (this.queue.length === this.queueSize) {
      const newest = this.queue[this.queue.length - 1];
      for (const kind of ['head', 'ffn'] as const) {
        const key = kind === 'head' ? 'heads' : 'ffn';
        max[kind] = Math.max(...this.queue.slice(0, -1).map((m) => maskDistance(newest[key], m[key])));
      }
      if (this.kinds.every((k) => (max[k] as number) <= this.epsilon)) this.verdict = { drawn: true, step: point.step, epoch: point.epoch };
    }
    this.history.push({ step: point.step, epoch: point.epoch, maxDistance: max });
    return this.verdict;
  }

  details(): Record<string, unknown> {
    return { options: { ...this.masks, queue: this.queueSize, epsilon: this.epsilon, kinds: this.kinds }, verdict: this.verdict, history: this.history };
  }

  saveState(): MaskDistanceState {
    const plain = (m: Mask) => m.map((row) => Array.from(row));
    return { verdict: this.verdict, history: this.history, queue: this.queue.map((q) => ({ heads: plain(q.heads), ffn: plain(q.ffn) })) };
  }

  restoreState(state: unknown): void {
    const s = state as MaskDistanceState;
    this.verdict = s.verdict;
    this.history.splice(0, this.history.length, ...s.history);
    this.queue.splice(
      0,
      this.queue.length,
      ...s.queue.map((q) => ({ heads: q.heads.map((r) => Uint8Array.from(r)), ffn: q.ffn.map((r) => Uint8Array.from(r)) })),
    );
  }
}
