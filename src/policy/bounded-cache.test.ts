import { describe, expect, it } from 'vitest';
import { BoundedCache } from './bounded-cache.js';
import { ManualClock } from './clock.js';

describe('BoundedCache', () => {
  it('stays within maxEntries while churning through many more keys', () => {
    const evicted: number[] = [];
    const c = new BoundedCache<number, number>({ maxEntries: 100, onEvict: (k) => evicted.push(k) });
    for (let i = 0; i < 100_000; i++) {
      c.set(i, i * 2);
      expect(c.size).toBeLessThanOrEqual(100);
    }
    expect(c.size).toBe(100);
    expect(evicted).toHaveLength(100_000 - 100);
    // The survivors are the newest keys.
    expect([...c.keys()]).toEqual(Array.from({ length: 100 }, (_, i) => 99_900 + i));
    expect(c.get(99_999)).toBe(199_998);
    expect(c.get(0)).toBeUndefined();
  });

  it('evicts the least recently used, and a read counts as use', () => {
    const c = new BoundedCache<string, number>({ maxEntries: 3 });
    c.set('a', 1).set('b', 2).set('c', 3);
    expect(c.get('a')).toBe(1);
    c.set('d', 4);
    expect(c.has('b')).toBe(false);
    expect([...c.keys()]).toEqual(['c', 'a', 'd']);
    // peek does not refresh: 'c' is still the oldest.
    expect(c.peek('c')).toBe(3);
    c.set('e', 5);
    expect(c.has('c')).toBe(false);
  });

  it('drops an entry unused for maxAgeMs; reading restarts its age', () => {
    const clock = new ManualClock();
    const c = new BoundedCache<string, string>({ maxEntries: 10, maxAgeMs: 1000, clock: clock.read });
    c.set('kept', 'k').set('idle', 'i');
    clock.advance(600);
    expect(c.get('kept')).toBe('k');
    clock.advance(600);
    expect(c.get('idle')).toBeUndefined();
    expect(c.get('kept')).toBe('k');
    clock.advance(1000);
    expect(c.has('kept')).toBe(false);
    expect([...c.entries()]).toEqual([]);
  });

  it('prune() and a full set remove expired entries before evicting live ones', () => {
    const clock = new ManualClock();
    const evicted: string[] = [];
    const c = new BoundedCache<string, number>({
      maxEntries: 3,
      maxAgeMs: 100,
      clock: clock.read,
      onEvict: (k) => evicted.push(k),
    });
    c.set('old1', 1).set('old2', 2);
    clock.advance(150);
    c.set('new', 3);
    c.set('newer', 4);
    // Two expired entries went by age; nothing live was evicted.
    expect(evicted).toEqual(['old1', 'old2']);
    expect([...c.keys()]).toEqual(['new', 'newer']);
    clock.advance(150);
    c.prune();
    expect(c.size).toBe(0);
  });

  it('with an age bound, stays bounded by maxEntries under churn with time passing', () => {
    const clock = new ManualClock();
    const c = new BoundedCache<string, number>({ maxEntries: 50, maxAgeMs: 10, clock: clock.read });
    for (let i = 0; i < 20_000; i++) {
      c.set('k' + i, i);
      if (i % 7 === 0) clock.advance(1);
      expect(c.size).toBeLessThanOrEqual(50);
    }
  });

  it('refuses nonsense bounds', () => {
    expect(() => new BoundedCache({ maxEntries: 0 })).toThrow(RangeError);
    expect(() => new BoundedCache({ maxEntries: 1, maxAgeMs: 0 })).toThrow(RangeError);
  });

  it('a full cache drops its least recently used sixteenth in one pass (no walk over the Map per set)', () => {
    const c = new BoundedCache<number, number>({ maxEntries: 32 });
    for (let i = 0; i < 32; i++) c.set(i, i);
    c.get(0); // used: no longer among the oldest
    c.set(32, 32);
    expect(c.size).toBe(31);
    expect([c.has(0), c.has(1), c.has(2), c.has(3)]).toEqual([true, false, false, true]);
  });
});
