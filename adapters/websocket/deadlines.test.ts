/** DeadlineSweep (issue 18): many sessions' deadlines on one timer, in order, cancellable. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DeadlineSweep } from './deadlines.js';
import type { Session } from './session.js';

const session = (name: string): Session => ({ token: name }) as unknown as Session;

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('DeadlineSweep', () => {
  it('runs each deadline once it is due, earliest first, on one timer', () => {
    const ran: string[] = [];
    const sweep = new DeadlineSweep((s) => ran.push(s.token));
    sweep.add(session('c'), 300);
    sweep.add(session('a'), 100);
    sweep.add(session('b'), 200);
    sweep.add(session('a2'), 100);
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(99);
    expect(ran).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(ran).toEqual(['a', 'a2']);
    vi.advanceTimersByTime(200);
    expect(ran).toEqual(['a', 'a2', 'b', 'c']);
    expect(sweep.size).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('cancels deadlines anywhere in the heap, and stop drops them all', () => {
    const ran: string[] = [];
    const sweep = new DeadlineSweep((s) => ran.push(s.token));
    const ds = Array.from({ length: 50 }, (_, i) => sweep.add(session(`s${i}`), ((i * 37) % 50) * 10 + 10));
    for (let i = 0; i < 50; i += 3) ds[i]!.cancel();
    ds[0]!.cancel(); // twice: nothing
    vi.advanceTimersByTime(1000);
    const expected = ds
      .map((d, i) => ({ name: `s${i}`, at: d.at, kept: i % 3 !== 0 }))
      .filter((x) => x.kept)
      .sort((x, y) => x.at - y.at)
      .map((x) => x.name);
    expect(ran).toEqual(expected);
    sweep.add(session('late'), 10);
    sweep.stop();
    vi.advanceTimersByTime(100);
    expect(ran).not.toContain('late');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('re-arms past the longest timer Node takes, and runs a deadline already past at once', () => {
    const ran: string[] = [];
    const sweep = new DeadlineSweep((s) => ran.push(s.token));
    sweep.add(session('far'), 2 ** 31 + 5000);
    sweep.add(session('past'), -5);
    vi.advanceTimersByTime(0);
    expect(ran).toEqual(['past']);
    vi.advanceTimersByTime(2 ** 31 - 1);
    expect(ran).toEqual(['past']);
    vi.advanceTimersByTime(6000);
    expect(ran).toEqual(['past', 'far']);
  });
});
