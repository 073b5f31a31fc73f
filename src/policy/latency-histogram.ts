/**
 * A fixed-bucket histogram of durations kept as plain integers (issue 14: delivery latency on the
 * message path must cost next to nothing). `observe` is a short scan of the bucket bounds and
 * two additions, with no label hashing and no allocation; the Prometheus form (cumulative `le`
 * buckets, `_sum`, `_count`, in seconds) is built only when scraped (src/ops/metrics.ts). Pure:
 * the caller measures the duration.
 */

/** Upper bounds in seconds: sub-millisecond in-process hops up to slow peers and mail relays. */
export const LATENCY_BUCKETS_S: readonly number[] = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
];

export class LatencyHistogram {
  private readonly boundsMs: readonly number[];
  /** Per bucket (not cumulative); the last slot is +Inf. */
  private readonly counts: number[];
  private sumMs = 0;
  private n = 0;

  constructor(readonly bucketsS: readonly number[] = LATENCY_BUCKETS_S) {
    this.boundsMs = bucketsS.map((b) => b * 1000);
    this.counts = new Array<number>(bucketsS.length + 1).fill(0);
  }

  /** One duration, in milliseconds. */
  observe(ms: number): void {
    const bounds = this.boundsMs;
    let i = 0;
    while (i < bounds.length && ms > bounds[i]!) i++;
    this.counts[i]!++;
    this.sumMs += ms;
    this.n++;
  }

  get count(): number {
    return this.n;
  }

  get sumSeconds(): number {
    return this.sumMs / 1000;
  }

  /** Cumulative counts per upper bound (seconds), ending with +Inf = count (Prometheus `le`). */
  cumulative(): { le: number; count: number }[] {
    const out: { le: number; count: number }[] = [];
    let acc = 0;
    for (let i = 0; i < this.counts.length; i++) {
      acc += this.counts[i]!;
      out.push({ le: i < this.bucketsS.length ? this.bucketsS[i]! : Infinity, count: acc });
    }
    return out;
  }
}
