/**
 * Token buckets by key (a sender's address), with a bounded table (docs/architecture.md part 8). Used by
 * the router for the per-sender message rate every entry point shares (issue 12): hub clients,
 * peers and adapters' users all reach Router.handle, so one table limits them all.
 *
 * Hot path (docs/architecture.md part 11): a known key costs one Map lookup, one clock reading and a little
 * arithmetic, with no allocation and no reordering (an LRU touch per message would double the
 * cost). Bounded without losing meaning: a bucket idle for `refillMs` is full again, the same as
 * no bucket. When the table is full an eighth of it goes at once (O(1) amortized), oldest first
 * but passing over senders who are spending their bucket (idle ones are at least half full), so
 * a flood of new keys cannot free a flooder. Only when every tracked sender is busy does one
 * restart full (a small leniency, with more than `maxKeys` senders active together).
 */
import { monotonicClock, type Clock } from './clock.js';
import {
  checkRate,
  fullBucket,
  msUntilToken,
  refillMs,
  takeToken,
  type BucketState,
  type RateSpec,
} from './token-bucket.js';

export interface KeyedRateOptions extends RateSpec {
  /** Most keys tracked at once. */
  readonly maxKeys: number;
  readonly clock?: Clock;
}

export class KeyedRateLimiter {
  private readonly spec: RateSpec;
  private readonly buckets = new Map<string, BucketState>();
  private readonly clock: Clock;
  private readonly idleMs: number;
  private readonly maxKeys: number;

  constructor(options: KeyedRateOptions) {
    checkRate(options);
    if (!(options.maxKeys >= 1)) throw new RangeError('maxKeys must be at least 1');
    this.spec = { ratePerSecond: options.ratePerSecond, burst: options.burst };
    this.clock = options.clock ?? monotonicClock;
    this.idleMs = refillMs(this.spec);
    this.maxKeys = options.maxKeys;
  }

  /** Takes one token for `key`; false when its bucket is empty (the action is over the limit). */
  take(key: string): boolean {
    const now = this.clock();
    const b = this.buckets.get(key);
    if (b !== undefined) return takeToken(this.spec, b, now);
    if (this.buckets.size >= this.maxKeys) this.evict(now);
    const fresh = fullBucket(this.spec, now);
    fresh.tokens -= 1;
    this.buckets.set(key, fresh);
    return true;
  }

  /** Milliseconds until `key` may act again (0 = now). */
  retryAfterMs(key: string): number {
    const b = this.buckets.get(key);
    return b === undefined ? 0 : msUntilToken(this.spec, b, this.clock());
  }

  /** Drops buckets that are full again (they are the same as none). */
  prune(): void {
    const now = this.clock();
    for (const [k, b] of this.buckets) if (now - b.at >= this.idleMs) this.buckets.delete(k);
  }

  /** Keys tracked now (for tests and diagnostics). */
  get size(): number {
    return this.buckets.size;
  }

  private evict(now: number): void {
    let want = Math.max(1, this.maxKeys >> 3);
    let scan = this.buckets.size;
    for (const [k, b] of this.buckets) {
      if (want <= 0 || scan-- <= 0) break;
      this.buckets.delete(k);
      // A sender spending its bucket goes to the back of the line instead: a flood of new
      // keys never frees the flooder it hides (re-inserted keys come round again: `scan`).
      if (level(this.spec, b, now) < this.spec.burst / 2) this.buckets.set(k, b);
      else want--;
    }
    // Every sender is busy: the oldest goes anyway, the table stays bounded.
    if (this.buckets.size >= this.maxKeys) this.buckets.delete(this.buckets.keys().next().value!);
  }
}

/** Tokens `b` would hold at `now`. */
function level(spec: RateSpec, b: BucketState, now: number): number {
  return Math.min(spec.burst, b.tokens + ((now - b.at) * spec.ratePerSecond) / 1000);
}
