import { describe, expect, it } from 'vitest';
import { ManualClock } from './clock.js';
import { KeyedRateLimiter } from './rate-limiter.js';
import { TokenBucket, refillMs } from './token-bucket.js';

describe('TokenBucket', () => {
  it('allows the burst at once, then the rate', () => {
    const clock = new ManualClock();
    const b = new TokenBucket({ ratePerSecond: 2, burst: 3 }, clock.read);
    expect([b.take(), b.take(), b.take(), b.take()]).toEqual([true, true, true, false]);
    expect(b.wait()).toBe(500);
    clock.advance(499);
    expect(b.take()).toBe(false);
    clock.advance(1);
    expect(b.take()).toBe(true);
    // A long quiet spell refills to the burst, no further.
    clock.advance(60_000);
    let n = 0;
    while (b.take()) n++;
    expect(n).toBe(3);
  });

  it('refuses a zero rate or a burst under one', () => {
    expect(() => new TokenBucket({ ratePerSecond: 0, burst: 1 })).toThrow(RangeError);
    expect(() => new TokenBucket({ ratePerSecond: 1, burst: 0 })).toThrow(RangeError);
  });
});

describe('KeyedRateLimiter', () => {
  it('limits each key on its own', () => {
    const clock = new ManualClock();
    const r = new KeyedRateLimiter({ ratePerSecond: 1, burst: 2, maxKeys: 10, clock: clock.read });
    expect([r.take('a'), r.take('a'), r.take('a')]).toEqual([true, true, false]);
    expect(r.take('b')).toBe(true);
    expect(r.retryAfterMs('a')).toBe(1000);
    expect(r.retryAfterMs('never-seen')).toBe(0);
    clock.advance(1000);
    expect([r.take('a'), r.take('a')]).toEqual([true, false]);
  });

  it('a flood of distinct keys stays within maxKeys and does not free an active flooder', () => {
    const clock = new ManualClock();
    const r = new KeyedRateLimiter({ ratePerSecond: 1, burst: 10, maxKeys: 100, clock: clock.read });
    for (let i = 0; i < 10; i++) expect(r.take('flooder')).toBe(true);
    for (let i = 0; i < 50_000; i++) {
      r.take('k' + i);
      if (i % 1000 === 0) clock.advance(1);
      // The flooder's empty bucket is passed over by eviction: new keys never reset it.
      if (i % 50 === 0) expect(r.take('flooder')).toBe(false);
      expect(r.size).toBeLessThanOrEqual(100);
    }
    expect(r.size).toBeGreaterThan(80);
    expect(r.take('flooder')).toBe(false);
  });

  it('forgets a key once its bucket would be full again', () => {
    const clock = new ManualClock();
    const spec = { ratePerSecond: 10, burst: 5 };
    const r = new KeyedRateLimiter({ ...spec, maxKeys: 10, clock: clock.read });
    for (let i = 0; i < 5; i++) r.take('x');
    expect(r.take('x')).toBe(false);
    clock.advance(refillMs(spec));
    r.take('y');
    r.prune();
    expect(r.size).toBe(1);
    let n = 0;
    while (r.take('x')) n++;
    expect(n).toBe(5);
  });
});
