/**
 * The time source of the policy primitives. Injectable so tests can step time instead of
 * sleeping; the default is monotonic (performance.now), so a wall-clock step never refills or
 * drains a bucket, nor ages a cache entry, all at once.
 */
export type Clock = () => number;

export const monotonicClock: Clock = () => performance.now();

/** A clock a test moves by hand. */
export class ManualClock {
  constructor(public now = 0) {}
  readonly read: Clock = () => this.now;
  advance(ms: number): void {
    this.now += ms;
  }
}
