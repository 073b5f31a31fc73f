/**
 * Token buckets by key (a sender's address), with a bounded table (design.md part 8). Used by
 * the router for the per-sender message rate every entry point shares (issue 12): hub clients,
 * peers and adapters' users all reach Router.handle, so one table limits them all.
 *
 * Bounded without losing meaning: a bucket idle for `refillMs` is full again, i.e. the same as
 * no bucket, so that is its age bound; when more than `maxKeys` senders are active at once the
 * least recently active one is forgotten (it restarts full, a small leniency only towards a
 * sender that has gone quiet the longest). O(1) per take; no allocation for a known sender.
 */
import { BoundedCache } from './bounded-cache.js';
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
  private readonly buckets: BoundedCache<string, BucketState>;
  private readonly clock: Clock;

  constructor(options: KeyedRateOptions) {
    checkRate(options);
    this.spec = { ratePerSecond: options.ratePerSecond, burst: options.burst };
    this.clock = options.clock ?? monotonicClock;
    this.buckets = new BoundedCache({
      maxEntries: options.maxKeys,
      maxAgeMs: refillMs(this.spec),
      clock: this.clock,
    });
  }

  /** Takes one token for `key`; false when its bucket is empty (the action is over the limit). */
  take(key: string): boolean {
    const now = this.clock();
    const b = this.buckets.get(key);
    if (b !== undefined) return takeToken(this.spec, b, now);
    const fresh = fullBucket(this.spec, now);
    fresh.tokens -= 1;
    this.buckets.set(key, fresh);
    return true;
  }

  /** Milliseconds until `key` may act again (0 = now). */
  retryAfterMs(key: string): number {
    const b = this.buckets.peek(key);
    return b === undefined ? 0 : msUntilToken(this.spec, b, this.clock());
  }

  /** Drops buckets that are full again (they are the same as none). */
  prune(): void {
    this.buckets.prune();
  }

  /** Keys tracked now (for tests and diagnostics). */
  get size(): number {
    return this.buckets.size;
  }
}
