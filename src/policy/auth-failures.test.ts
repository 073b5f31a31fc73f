import { describe, expect, it } from 'vitest';
import { AuthFailureTracker } from './auth-failures.js';
import { ManualClock } from './clock.js';

function tracker(clock: ManualClock, maxKeys = 1000) {
  return new AuthFailureTracker({
    baseDelayMs: 100,
    maxDelayMs: 1000,
    forgetAfterMs: 60_000,
    maxKeys,
    clock: clock.read,
  });
}

describe('AuthFailureTracker', () => {
  it('doubles the delay per failure up to the cap', () => {
    const clock = new ManualClock();
    const t = tracker(clock);
    const delays = Array.from({ length: 7 }, () => t.failed('192.0.2.9'));
    expect(delays).toEqual([100, 200, 400, 800, 1000, 1000, 1000]);
    expect(t.delayMs('192.0.2.9')).toBe(1000);
    clock.advance(400);
    expect(t.delayMs('192.0.2.9')).toBe(600);
    clock.advance(600);
    expect(t.delayMs('192.0.2.9')).toBe(0);
  });

  it('tracks the account across addresses and the address across accounts', () => {
    const clock = new ManualClock();
    const t = tracker(clock);
    t.failed('192.0.2.1', 'alice');
    t.failed('192.0.2.2', 'alice');
    // A third address guessing alice waits for alice's backoff.
    expect(t.delayMs('192.0.2.3', 'alice')).toBe(200);
    expect(t.delayMs('192.0.2.3', 'bob')).toBe(0);
    // One address trying many accounts waits for the address's backoff.
    t.failed('198.51.100.1', 'u1');
    t.failed('198.51.100.1', 'u2');
    t.failed('198.51.100.1', 'u3');
    expect(t.delayMs('198.51.100.1', 'u4')).toBe(400);
    // The /64 is one address.
    t.failed('2001:db8::1');
    expect(t.delayMs('2001:db8::2')).toBe(100);
  });

  it('a success clears the address and the account', () => {
    const clock = new ManualClock();
    const t = tracker(clock);
    t.failed('192.0.2.1', 'alice');
    t.failed('192.0.2.1', 'alice');
    clock.advance(200);
    t.succeeded('192.0.2.1', 'alice');
    expect(t.failures('192.0.2.1', 'alice')).toBe(0);
    expect(t.failed('192.0.2.1', 'alice')).toBe(100);
  });

  it('forgets failures after forgetAfterMs and stays within maxKeys under a scan', () => {
    const clock = new ManualClock();
    const t = tracker(clock, 500);
    t.failed('192.0.2.1');
    clock.advance(60_000);
    expect(t.failures('192.0.2.1')).toBe(0);
    for (let i = 0; i < 20_000; i++) {
      t.failed(`10.0.${(i >> 8) & 255}.${i & 255}`, 'user' + i);
      expect(t.size).toBeLessThanOrEqual(500);
    }
  });
});
