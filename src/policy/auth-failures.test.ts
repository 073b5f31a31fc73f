import { describe, expect, it } from 'vitest';
import { AuthFailureTracker, type AuthFailureOptions } from './auth-failures.js';
import { ManualClock } from './clock.js';

function tracker(clock: ManualClock, more: Partial<AuthFailureOptions> = {}) {
  return new AuthFailureTracker({
    baseDelayMs: 100,
    maxDelayMs: 1000,
    forgetAfterMs: 60_000,
    maxKeys: 1000,
    freeFailures: 3,
    accountFreeFailures: 10,
    clock: clock.read,
    ...more,
  });
}

const GUESSER = '203.0.113.66';
const HOME = '192.0.2.10';

describe('AuthFailureTracker', () => {
  it('lets a few typos through free, then doubles the wait per failure up to the cap', () => {
    const clock = new ManualClock();
    const t = tracker(clock);
    const delays = Array.from({ length: 10 }, () => t.failed(GUESSER, 'alice'));
    expect(delays).toEqual([0, 0, 0, 100, 200, 400, 800, 1000, 1000, 1000]);
    expect(t.delayMs(GUESSER, 'alice')).toBe(1000);
    // The address waits whatever account it names next.
    expect(t.delayMs(GUESSER, 'bob')).toBe(1000);
    expect(t.delayMs(GUESSER)).toBe(1000);
    clock.advance(400);
    expect(t.delayMs(GUESSER)).toBe(600);
    clock.advance(600);
    expect(t.delayMs(GUESSER)).toBe(0);
    // Still in the run of failures: the next one costs the cap again.
    expect(t.failed(GUESSER, 'alice')).toBe(1000);
  });

  it('a guesser at one address trying many accounts waits as one address; the /64 is one address', () => {
    const clock = new ManualClock();
    const t = tracker(clock);
    for (let i = 0; i < 5; i++) t.failed(GUESSER, `user${i}`);
    expect(t.delayMs(GUESSER, 'someone-else')).toBe(200);
    for (let i = 0; i < 4; i++) t.failed(`2001:db8:1:2::${i + 1}`, 'bob');
    expect(t.delayMs('2001:db8:1:2:ffff::9', 'carol')).toBe(100);
    expect(t.delayMs('2001:db8:1:3::1', 'carol')).toBe(0);
  });

  it('a distributed guesser against alice delays unknown addresses, never alice at a known one', () => {
    const clock = new ManualClock();
    const t = tracker(clock);
    // alice logged in from home before the attack.
    t.succeeded(HOME, 'alice');
    // One guess from each of 14 addresses: no address passes its own free allowance.
    for (let i = 1; i <= 14; i++) t.failed(`198.51.100.${i}`, 'alice');
    // The account key counted all 14: past the 10 free, 2^3 · base for an unknown address.
    expect(t.delayMs('198.51.100.200', 'alice')).toBe(800);
    // Other accounts at those addresses are not delayed.
    expect(t.delayMs('198.51.100.200', 'bob')).toBe(0);
    // alice from her known address is not delayed, and her success does not clear the attack.
    expect(t.delayMs(HOME, 'alice')).toBe(0);
    t.succeeded(HOME, 'alice');
    expect(t.delayMs('198.51.100.201', 'alice')).toBe(800);
    // A typo at home does not feed the account key either.
    t.failed(HOME, 'alice');
    expect(t.failures('198.51.100.202', 'alice')).toBe(14);
    // alice from a fresh address waits like the guesser; once it runs out she is checked and in.
    const FRESH = '192.0.2.77';
    expect(t.delayMs(FRESH, 'alice')).toBe(800);
    clock.advance(800);
    expect(t.delayMs(FRESH, 'alice')).toBe(0);
    t.succeeded(FRESH, 'alice');
    // From then on the fresh address is known: the guesser's next failure does not delay it.
    t.failed('198.51.100.15', 'alice');
    expect(t.delayMs('198.51.100.16', 'alice')).toBe(1000);
    expect(t.delayMs(FRESH, 'alice')).toBe(0);
  });

  it('a forged sign-in naming alice from the guesser cannot delay alice at her known address', () => {
    const clock = new ManualClock();
    const t = tracker(clock);
    t.succeeded(HOME, 'alice');
    for (let i = 0; i < 50; i++) t.failed(GUESSER, 'alice');
    expect(t.delayMs(GUESSER, 'alice')).toBe(1000);
    expect(t.delayMs(HOME, 'alice')).toBe(0);
  });

  it('a success clears the address and the pair but not the account-wide count', () => {
    const clock = new ManualClock();
    const t = tracker(clock, { accountFreeFailures: 4 });
    for (let i = 0; i < 5; i++) t.failed(GUESSER, 'alice');
    expect(t.delayMs(GUESSER, 'mallory')).toBe(200);
    clock.advance(200);
    // The guesser logs in to an account of its own from the same address ...
    t.succeeded(GUESSER, 'mallory');
    expect(t.delayMs(GUESSER, 'mallory')).toBe(0);
    // ... which washes neither its record for alice nor alice's account-wide record.
    expect(t.delayMs(GUESSER, 'alice')).toBe(0); // waited out, but:
    expect(t.failed(GUESSER, 'alice')).toBe(400);
    expect(t.delayMs('192.0.2.99', 'alice')).toBe(200); // 6 for alice, 4 free
    // alice's own success from HOME clears only HOME's records.
    t.succeeded(HOME, 'alice');
    expect(t.failures(HOME, 'alice')).toBe(0);
    expect(t.failures('192.0.2.99', 'alice')).toBe(6);
  });

  it('remembers at most knownAddressesPerAccount addresses, the least recent forgotten first', () => {
    const clock = new ManualClock();
    const t = tracker(clock, { knownAddressesPerAccount: 2, accountFreeFailures: 0 });
    t.succeeded('192.0.2.1', 'alice');
    t.succeeded('192.0.2.2', 'alice');
    t.succeeded('192.0.2.3', 'alice');
    t.failed(GUESSER, 'alice');
    expect(t.delayMs('192.0.2.1', 'alice')).toBe(100);
    expect(t.delayMs('192.0.2.2', 'alice')).toBe(0);
    expect(t.delayMs('192.0.2.3', 'alice')).toBe(0);
  });

  it('forgets failures forgetAfterMs after the last one', () => {
    const clock = new ManualClock();
    const t = tracker(clock, { freeFailures: 0 });
    t.failed(GUESSER, 'alice');
    expect(t.failures(GUESSER, 'alice')).toBe(1);
    clock.advance(60_000);
    expect(t.failures(GUESSER, 'alice')).toBe(0);
    expect(t.failed(GUESSER, 'alice')).toBe(100);
  });

  it('stays bounded under a scan of 100,000 addresses and accounts', () => {
    const clock = new ManualClock();
    const t = tracker(clock, { maxKeys: 500 });
    for (let i = 0; i < 100_000; i++) {
      t.failed(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, 'scan' + i);
      if (i % 1000 === 0) t.succeeded(`10.9.${(i >> 8) & 255}.${i & 255}`, 'scan' + i);
      if (i % 997 === 0) expect(t.size).toBeLessThanOrEqual(4 * 500);
    }
    expect(t.size).toBeLessThanOrEqual(4 * 500);
    // Still counting: a guesser after the scan backs off as before.
    const delays = Array.from({ length: 5 }, () => t.failed(GUESSER, 'alice'));
    expect(delays).toEqual([0, 0, 0, 100, 200]);
  });

  it('refuses a nonsensical configuration', () => {
    expect(
      () => new AuthFailureTracker({ baseDelayMs: 0, maxDelayMs: 1, forgetAfterMs: 1, maxKeys: 1 }),
    ).toThrow(RangeError);
    expect(
      () =>
        new AuthFailureTracker({
          baseDelayMs: 1,
          maxDelayMs: 1,
          forgetAfterMs: 1,
          maxKeys: 1,
          freeFailures: -1,
        }),
    ).toThrow(RangeError);
  });
});
