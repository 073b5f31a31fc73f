/**
 * A small string table an owner keeps across restarts (issue 15: puppet nicks, mail threads,
 * message ids): the entries live in memory, for synchronous reads on hot paths, and every change
 * is written through to one namespace of the store's mappings table (src/store/types.ts), where
 * the store batches it with the other writes of the same event-loop turn.
 *
 * Bounded (docs/architecture.md part 8, src/policy/BOUNDS.md): at most `max` entries, the least
 * recently set or read going first; an entry that goes is deleted from the store too, so the
 * namespace never holds more than `max` rows and loading it at start is a bounded read. Each row
 * is JSON `{"v": value, "t": last use in ms}`; the time restores the LRU order after a restart
 * (a read does not rewrite the row: its order survives only within the run).
 *
 * With no store (`storage.backend: none`) it is a plain bounded map that forgets at exit.
 */
import type { Logger } from '../log.js';
import type { Store } from './types.js';

export interface KeptMapOptions {
  /** Most entries kept (in memory and in the store). */
  readonly max: number;
  readonly log?: Logger | undefined;
  readonly now?: () => number;
  /**
   * Several maps may share a namespace, each owning the keys that start with its prefix (its
   * callers write the prefix into every key); `load` reads only those rows.
   */
  readonly keyPrefix?: string;
}

interface Row {
  readonly v: string;
  readonly t: number;
}

function parseRow(text: string): Row | null {
  try {
    const r = JSON.parse(text) as Partial<Row>;
    return typeof r.v === 'string' && typeof r.t === 'number' ? { v: r.v, t: r.t } : null;
  } catch {
    return null;
  }
}

export class KeptMap {
  /** key → value, least recently used first (a Map keeps insertion order). */
  private readonly entries = new Map<string, string>();
  private readonly now: () => number;
  private failedWrites = 0;

  constructor(
    private readonly store: Store | null,
    readonly namespace: string,
    private readonly options: KeptMapOptions,
  ) {
    if (!(options.max >= 1)) throw new RangeError(`${namespace}: max must be at least 1`);
    this.now = options.now ?? Date.now;
  }

  /** Entries held now. */
  get size(): number {
    return this.entries.size;
  }

  /** Writes the store refused since start (each logged at warn). */
  get writeFailures(): number {
    return this.failedWrites;
  }

  /**
   * Reads the namespace (at start, before the owner serves anyone): the newest `max` rows by
   * their time; unreadable rows and the surplus are deleted. `rows`: the namespace already read
   * (maps sharing it read it once).
   */
  async load(rows?: readonly (readonly [string, string])[]): Promise<void> {
    if (this.store === null) return;
    const all = rows ?? (await this.store.listMappings(this.namespace));
    const prefix = this.options.keyPrefix ?? '';
    const good: [string, Row][] = [];
    for (const [key, text] of all) {
      if (!key.startsWith(prefix)) continue;
      const row = parseRow(text);
      if (row === null) this.forgetRow(key);
      else good.push([key, row]);
    }
    good.sort((a, b) => a[1].t - b[1].t);
    const surplus = good.length - this.options.max;
    for (let i = 0; i < good.length; i++) {
      const [key, row] = good[i]!;
      if (i < surplus) this.forgetRow(key);
      else this.entries.set(key, row.v);
    }
  }

  get(key: string): string | undefined {
    const v = this.entries.get(key);
    if (v !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, v);
    }
    return v;
  }

  /** Peeks without making the entry the most recently used. */
  has(key: string): boolean {
    return this.entries.has(key);
  }

  /**
   * Sets `key` and writes it through; resolves once the store committed it (rejects with the
   * store's error, already logged). Callers that need not wait may ignore the promise.
   */
  set(key: string, value: string): Promise<void> {
    this.entries.delete(key);
    this.entries.set(key, value);
    if (this.entries.size > this.options.max) this.makeRoom();
    if (this.store === null) return Promise.resolve();
    const row = JSON.stringify({ v: value, t: this.now() } satisfies Row);
    return this.watch(this.store.setMapping(this.namespace, key, row), key);
  }

  /**
   * Over `max`: the least recently set sixteenth goes in one pass. One entry per set would walk the
   * Map from a front full of deleted holes each time (they stay until it rehashes): 6 µs per set
   * at 10,000 entries, on per-message paths (policy/bounded-cache.ts makeRoom, the same reason).
   */
  private makeRoom(): void {
    const target = this.options.max - (this.options.max >> 4);
    for (const key of this.entries.keys()) {
      if (this.entries.size <= target) break;
      this.entries.delete(key);
      this.forgetRow(key);
    }
  }

  delete(key: string): void {
    if (this.entries.delete(key)) this.forgetRow(key);
  }

  private forgetRow(key: string): void {
    if (this.store === null) return;
    this.watch(this.store.deleteMapping(this.namespace, key), key).catch(() => undefined);
  }

  /** A write the store could not commit is logged with its reason (docs/architecture.md part 8). */
  private watch(p: Promise<void>, key: string): Promise<void> {
    return p.catch((err: unknown) => {
      this.failedWrites++;
      this.options.log?.warn(
        { err, namespace: this.namespace, key },
        'store write failed; this entry may be forgotten at restart',
      );
      throw err;
    });
  }
}
