/**
 * History retention (issue 15: "retention by age and count per room, with config keys";
 * docs/storage.md, "Retention"): `pruneHistory` once at start and then every
 * `storage.history.pruneIntervalMs`, deleting what is older than `maxAgeMs` and what is beyond
 * `maxPerConversation` per room or direct conversation. The store cuts each run into
 * transactions of at most `storage.batchMaxWrites` rows, so a huge prune never stalls the loop.
 * The timer is unref'd: it never keeps a process alive.
 */
import type { StorageConfig } from '../config/storage-schema.js';
import type { Logger } from '../log.js';
import type { Store } from './types.js';

const MAX_TIMER_MS = 2 ** 31 - 1;

export interface Retention {
  /** The run in progress, if any (tests wait for the first one). */
  readonly running: Promise<number> | null;
  /** Runs a prune now (unless one runs); resolves with how many records went. */
  runNow(): Promise<number>;
  stop(): void;
}

export function startRetention(
  store: Store,
  history: StorageConfig['history'],
  log: Logger,
  now: () => number = Date.now,
): Retention {
  let running: Promise<number> | null = null;
  let stopped = false;
  const runNow = (): Promise<number> => {
    if (running !== null) return running;
    const run = store
      .pruneHistory({ olderThan: now() - history.maxAgeMs, keepPerConversation: history.maxPerConversation })
      .then(
        (n) => {
          if (n > 0) log.info({ deleted: n, store: store.location }, 'old history deleted');
          return n;
        },
        (err: unknown) => {
          // Nothing is lost by a prune that failed: it runs again at the next interval.
          if (!stopped) log.warn({ err, reason: (err as Error).message }, 'history prune failed');
          return 0;
        },
      )
      .finally(() => {
        running = null;
      });
    running = run;
    return run;
  };
  // Node's timers hold 32 bits: a longer interval would fire at once, again and again.
  const timer = setInterval(() => void runNow(), Math.min(history.pruneIntervalMs, MAX_TIMER_MS));
  timer.unref();
  void runNow();
  return {
    get running() {
      return running;
    },
    runNow,
    stop() {
      stopped = true;
      clearInterval(timer);
    },
  };
}
