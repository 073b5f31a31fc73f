import { describe, expect, it } from 'vitest';
import { ManualClock } from './clock.js';
import { LogThrottle } from './log-throttle.js';
import { isRateLimited, RATE_LIMITED } from './rate-answer.js';

describe('LogThrottle', () => {
  it('lets one line through per interval and counts the rest', () => {
    const clock = new ManualClock(5);
    const t = new LogThrottle(1000, clock.read);
    expect(t.allow()).toBe(0);
    for (let i = 0; i < 99; i++) expect(t.allow()).toBe(-1);
    clock.advance(1000);
    expect(t.allow()).toBe(99);
    expect(t.allow()).toBe(-1);
  });
});

describe('isRateLimited', () => {
  it('tells a rate refusal from other quota answers', () => {
    const rate = {
      status: 'error',
      headers: [
        ['Error-Type', 'quota'],
        ['Error-Description', `${RATE_LIMITED}: x`],
      ] as const,
    };
    const size = {
      status: 'error',
      headers: [
        ['Error-Type', 'quota'],
        ['Error-Description', 'too big'],
      ] as const,
    };
    const other = {
      status: 'error',
      headers: [
        ['Error-Type', 'loop'],
        ['Error-Description', RATE_LIMITED],
      ] as const,
    };
    expect(isRateLimited(rate)).toBe(true);
    expect(isRateLimited(size)).toBe(false);
    expect(isRateLimited(other)).toBe(false);
    expect(isRateLimited({ status: 'ok', headers: [] })).toBe(false);
  });
});
