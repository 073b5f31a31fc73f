/**
 * The bound on presence stores of adapter users who left (issue 12, src/policy/BOUNDS.md;
 * docs/architecture.md part 8: every long-lived table has a limit). An adapter publishes a
 * user's PI into this router's store (draft §15.1, §15.8) and, when the user leaves, a `closed`
 * one; it does not withdraw it, so a watcher keeps seeing "offline" rather than
 * `target-not-found`. The web adapter accepts signed tokens naming anyone, so without a bound
 * churn alone would grow `stores` forever.
 *
 * A store is *idle* when its presentity is in an adapter's domain, every PI it holds says
 * closed (or it holds none, presence-open.ts) and nobody subscribes to it. At most `max` idle
 * stores are kept; past that the least recently changed one is dropped, which leaves the
 * presentity exactly as one never published (pitp-store.ts: no store, fetch and subscribe answer
 * `target-not-found`; the next publish creates it anew). A store that gets a subscriber or an
 * open PI stops being idle and is never dropped.
 *
 * O(1) per event: an insertion-ordered Map (first = least recently changed), and one look at the
 * store's PIs (an adapter publishes one mapping, adapter-host.ts), each PI read once per
 * published version (a change makes a new PI object, presence-store.ts).
 */
import type { PresenceInfo, PresenceStore } from './presence-store.js';
import { saysOpen } from './presence-open.js';

export interface IdleStoresOptions {
  /** Idle stores kept (config `limits.maxIdlePresentities`). */
  readonly max: number;
  /** May this store be idle at all: an adapter's presentity with no subscriber. */
  readonly candidate: (store: PresenceStore) => boolean;
  /** Drops the store from the router's table. */
  readonly drop: (store: PresenceStore) => void;
}

export class IdleStores {
  /** presentity URI → store, least recently changed first. */
  private readonly idle = new Map<string, PresenceStore>();
  /** Whether a PI says open, per published version (dies with the PI). */
  private readonly openByPi = new WeakMap<PresenceInfo, boolean>();

  private max: number;
  /** Hears the presentity of each store dropped (issue 15: its kept row goes too). */
  dropped: ((presentity: string) => void) | undefined;

  constructor(private readonly options: IdleStoresOptions) {
    if (!(options.max >= 1)) throw new RangeError('maxIdlePresentities must be at least 1');
    this.max = options.max;
  }

  /**
   * A reload's new `limits.maxIdlePresentities`: applies from the next update (a lower bound
   * drops the surplus one store per update, oldest first, never all at once).
   */
  setMax(max: number): void {
    if (!(max >= 1)) throw new RangeError('maxIdlePresentities must be at least 1');
    this.max = max;
  }

  /** Idle stores held now. */
  get size(): number {
    return this.idle.size;
  }

  /**
   * After anything that may change whether `presentity`'s store is idle: a store command, its
   * first subscriber, its last one leaving. `store` is the router's store now (undefined: gone).
   * An idle store becomes the most recently changed; past the bound the oldest goes.
   */
  update(presentity: string, store: PresenceStore | undefined): void {
    this.idle.delete(presentity);
    if (store === undefined || !this.options.candidate(store) || !this.allClosed(store)) return;
    this.idle.set(presentity, store);
    if (this.idle.size <= this.max) return;
    const oldest = this.idle.entries().next().value!;
    this.idle.delete(oldest[0]);
    this.options.drop(oldest[1]);
    this.dropped?.(oldest[0]);
  }

  private allClosed(store: PresenceStore): boolean {
    for (let i = 1; i <= store.count; i++) {
      const pi = store.at(i).pi;
      if (pi !== null && this.isOpen(pi)) return false;
    }
    return true;
  }

  private isOpen(pi: PresenceInfo): boolean {
    let open = this.openByPi.get(pi);
    if (open === undefined) this.openByPi.set(pi, (open = saysOpen(pi)));
    return open;
  }
}
