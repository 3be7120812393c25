/** Learning-rate schedules: linear warm-up, then linear decay to zero (HF's get_linear_schedule_with_warmup), cosine decay to minLr, or constant. */
export interface ScheduleOptions {
  lr: number;
  totalSteps: number;
  warmupSteps?: number;
  decay?: 'linear' | 'cosine' | 'constant';
  /** floor of the cosine decay (default 0) */
  minLr?: number;
}

/** The learning rate used for update number `step` (0-based). */
export function learningRate(step: number, o: ScheduleOptions): number {
  const warmup = o.warmupSteps ?? 0;
  if (step < warmup) return (o.lr * step) / Math.max(1, warmup);
  const decay = o.decay ?? 'linear';
  if (decay === 'constant') return o.lr;
  const progress = Math.min(1, (step - warmup) / Math.max(1, o.totalSteps - warmup));
  if (decay === 'linear') return o.lr * Math.max(0, 1 - progress);
  const min = o.minLr ?? 0;
  return min + (o.lr - min) * 0.5 * (1 + Math.cos(Math.PI * progress));
}
