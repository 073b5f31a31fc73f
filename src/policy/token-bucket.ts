/**
 * A token bucket (the classic rate limit): up to `burst` actions at once, refilled at
 * `ratePerSecond`. The state is two numbers in a plain object so a keyed table can hold one per
 * sender and update it in place (no allocation per take).
 */
import { monotonicClock, type Clock } from './clock.js';

export interface RateSpec {
  /** Sustained rate: tokens added per second. */
  readonly ratePerSecond: number;
  /** Bucket size: how many may go at once after a quiet spell. */
  readonly burst: number;
}

export interface BucketState {
  tokens: number;
  /** Clock reading of the last refill. */
  at: number;
}

export function checkRate(spec: RateSpec): void {
  if (!(spec.ratePerSecond > 0)) throw new RangeError('ratePerSecond must be positive');
  if (!(spec.burst >= 1)) throw new RangeError('burst must be at least 1');
}

/** A full bucket, as a new key starts. */
export function fullBucket(spec: RateSpec, now: number): BucketState {
  return { tokens: spec.burst, at: now };
}

/** Refills `b` up to `now`, then takes one token; false (and nothing taken) when under one. */
export function takeToken(spec: RateSpec, b: BucketState, now: number): boolean {
  const elapsed = now - b.at;
  if (elapsed > 0) {
    const t = b.tokens + (elapsed * spec.ratePerSecond) / 1000;
    b.tokens = t > spec.burst ? spec.burst : t;
    b.at = now;
  }
  if (b.tokens < 1) return false;
  b.tokens -= 1;
  return true;
}

/** Milliseconds until `b` holds a whole token (0 = one is there now). */
export function msUntilToken(spec: RateSpec, b: BucketState, now: number): number {
  const t = Math.min(spec.burst, b.tokens + ((now - b.at) * spec.ratePerSecond) / 1000);
  return t >= 1 ? 0 : Math.ceil(((1 - t) * 1000) / spec.ratePerSecond);
}

/** Time for an empty bucket to fill: past it an idle bucket is the same as a new one. */
export function refillMs(spec: RateSpec): number {
  return Math.ceil((spec.burst * 1000) / spec.ratePerSecond);
}

/** One bucket with its own clock (a connection's frame rate, a link's line pacing). */
export class TokenBucket {
  private readonly state: BucketState;

  constructor(
    readonly spec: RateSpec,
    private readonly clock: Clock = monotonicClock,
  ) {
    checkRate(spec);
    this.state = fullBucket(spec, clock());
  }

  take(): boolean {
    return takeToken(this.spec, this.state, this.clock());
  }

  /** Milliseconds until a token is there. */
  wait(): number {
    return msUntilToken(this.spec, this.state, this.clock());
  }
}
