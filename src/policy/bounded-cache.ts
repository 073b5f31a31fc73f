/**
 * A map with a size bound and an idle-age bound, evicting the least recently used entries when
 * full (a sixteenth at a time, makeRoom) (docs/architecture.md part 8: every input has a limit; issue 12: no long-lived map grows without
 * bound). Reading an entry makes it the most recently used and restarts its age, so `maxAgeMs` is
 * the time an entry may go unused. Expired entries are dropped when met (get/has/set) and by
 * `prune()`, never by a timer: a cache nobody touches holds at most `maxEntries` entries anyway.
 *
 * O(1) per operation: a JavaScript Map keeps insertion order, so deleting and re-inserting a key
 * moves it to the end and the first key is the least recently used. A get allocates nothing.
 */
import { monotonicClock, type Clock } from './clock.js';

export interface BoundedCacheOptions<K, V> {
  /** Most entries held; inserting one more evicts the least recently used. */
  readonly maxEntries: number;
  /** An entry unused this long is gone; Infinity = no age bound (and no clock reads). */
  readonly maxAgeMs?: number;
  readonly clock?: Clock;
  /** Told about every entry that leaves by eviction or age (not by delete/clear). */
  readonly onEvict?: (key: K, value: V) => void;
}

interface Slot<V> {
  value: V;
  at: number;
}

export class BoundedCache<K, V> {
  readonly maxEntries: number;
  readonly maxAgeMs: number;
  private readonly map = new Map<K, Slot<V>>();
  private readonly clock: Clock;
  private readonly onEvict: ((key: K, value: V) => void) | undefined;
  private readonly aged: boolean;

  constructor(options: BoundedCacheOptions<K, V>) {
    if (!(options.maxEntries >= 1)) throw new RangeError('maxEntries must be at least 1');
    this.maxEntries = options.maxEntries;
    this.maxAgeMs = options.maxAgeMs ?? Infinity;
    if (!(this.maxAgeMs > 0)) throw new RangeError('maxAgeMs must be positive');
    this.aged = this.maxAgeMs !== Infinity;
    this.clock = options.clock ?? monotonicClock;
    this.onEvict = options.onEvict;
  }

  get size(): number {
    return this.map.size;
  }

  /**
   * The value, made most recently used; undefined when absent or expired. `now`: a clock reading
   * the caller already has (saves a second one on a hot path).
   */
  get(key: K, now?: number): V | undefined {
    const slot = this.map.get(key);
    if (slot === undefined) return undefined;
    if (this.aged) {
      now ??= this.clock();
      if (now - slot.at >= this.maxAgeMs) {
        this.map.delete(key);
        this.onEvict?.(key, slot.value);
        return undefined;
      }
      slot.at = now;
    }
    this.map.delete(key);
    this.map.set(key, slot);
    return slot.value;
  }

  /** The value without touching recency or age (undefined when absent or expired). */
  peek(key: K): V | undefined {
    const slot = this.map.get(key);
    if (slot === undefined) return undefined;
    if (this.aged && this.clock() - slot.at >= this.maxAgeMs) return undefined;
    return slot.value;
  }

  has(key: K): boolean {
    return this.peek(key) !== undefined;
  }

  set(key: K, value: V): this {
    const at = this.aged ? this.clock() : 0;
    const slot = this.map.get(key);
    if (slot !== undefined) {
      this.map.delete(key);
      slot.value = value;
      slot.at = at;
      this.map.set(key, slot);
      return this;
    }
    if (this.map.size >= this.maxEntries) this.makeRoom();
    this.map.set(key, { value, at });
    return this;
  }

  delete(key: K): boolean {
    return this.map.delete(key);
  }

  clear(): void {
    this.map.clear();
  }

  /** Drops expired entries (oldest first, so it stops at the first live one). */
  prune(): void {
    if (!this.aged) return;
    const now = this.clock();
    for (const [key, slot] of this.map) {
      if (now - slot.at < this.maxAgeMs) break;
      this.map.delete(key);
      this.onEvict?.(key, slot.value);
    }
  }

  /** Live entries, least recently used first. */
  *entries(): IterableIterator<[K, V]> {
    const now = this.aged ? this.clock() : 0;
    for (const [key, slot] of this.map)
      if (!this.aged || now - slot.at < this.maxAgeMs) yield [key, slot.value];
  }

  *values(): IterableIterator<V> {
    for (const [, v] of this.entries()) yield v;
  }

  *keys(): IterableIterator<K> {
    for (const [k] of this.entries()) yield k;
  }

  /**
   * A full cache drops its least recently used sixteenth in one pass (expired entries are the
   * oldest, so they go first; the pass also takes every expired one). Why not one entry per set:
   * a Map deleted at its front keeps the holes until it rehashes, and every walk from the front
   * (to find the oldest) steps over all of them, which made a full cache of 10,000 cost 6 µs per
   * set, 12 µs with an age bound (the per-line maps of the IRC and web paths, issue 17). One pass
   * per sixteenth of the entries costs about nothing per set.
   */
  private makeRoom(): void {
    const target = this.maxEntries - Math.max(1, this.maxEntries >> 4);
    const now = this.aged ? this.clock() : 0;
    for (const [key, slot] of this.map) {
      if (this.map.size <= target && (!this.aged || now - slot.at < this.maxAgeMs)) break;
      this.map.delete(key);
      this.onEvict?.(key, slot.value);
    }
  }
}
