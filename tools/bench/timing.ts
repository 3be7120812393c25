/** Timing the benchmarks share: wall-clock ms of one call, and the median of interleaved rounds. */

export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** ms of one call of `f`, awaited. */
export async function elapsedMs(f: () => unknown): Promise<number> {
  const t0 = process.hrtime.bigint();
  await f();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

/** ms of each function, timed in interleaved rounds (so drift and GC fall on all alike), median over rounds. */
export async function timeInRounds(fns: Array<() => unknown | Promise<unknown>>, rounds: number): Promise<number[]> {
  const samples: number[][] = fns.map(() => []);
  for (const f of fns) await f(); // warm-up: kernels compile, buffers settle
  for (let r = 0; r < rounds; r++) for (let i = 0; i < fns.length; i++) samples[i].push(await elapsedMs(fns[i]));
  return samples.map(median);
}
