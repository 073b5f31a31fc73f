/**
 * A bounded timing loop for in-process micro benchmarks: warm up, then run `fn` in batches
 * until `ms` have passed or `maxIterations` ran, and report the rate. Results are kept in a
 * sink so the optimiser cannot drop the work.
 */
export interface Rate {
  readonly iterations: number;
  readonly elapsedNs: number;
  /** Iterations per second. */
  readonly perSecond: number;
}

let sink: unknown = null;

/** Something the last measured call returned (defeats dead-code elimination). */
export function lastResult(): unknown {
  return sink;
}

export function measureRate(fn: () => unknown, ms: number, maxIterations = 50_000_000): Rate {
  // Warm-up: a tenth of the time, so the optimising compiler has seen the function.
  const warmEnd = process.hrtime.bigint() + BigInt(Math.round(ms * 1e5));
  while (process.hrtime.bigint() < warmEnd) sink = fn();
  let batch = 1;
  let iterations = 0;
  const start = process.hrtime.bigint();
  const budget = BigInt(Math.round(ms * 1e6));
  let elapsed = 0n;
  while (elapsed < budget && iterations < maxIterations) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < batch; i++) sink = fn();
    iterations += batch;
    const now = process.hrtime.bigint();
    elapsed = now - start;
    // Batches of about a millisecond keep the clock out of the figure.
    if (now - t0 < 1_000_000n && batch < 1 << 20) batch *= 2;
  }
  const elapsedNs = Number(elapsed);
  return { iterations, elapsedNs, perSecond: (iterations * 1e9) / elapsedNs };
}

/**
 * Measures `measured` and `baseline` in alternating rounds (each `ms / rounds` long) and keeps
 * each one's best round: on a shared machine the best round is the one least disturbed by
 * other processes, and alternating keeps heap state and CPU frequency alike for both.
 */
export function bestOfPairs(
  measured: () => unknown,
  baseline: () => unknown,
  ms: number,
  rounds = 3,
): { measured: number; baseline: number } {
  let a = 0;
  let b = 0;
  for (let r = 0; r < rounds; r++) {
    a = Math.max(a, measureRate(measured, ms / rounds).perSecond);
    b = Math.max(b, measureRate(baseline, ms / rounds).perSecond);
  }
  return { measured: a, baseline: b };
}
