/**
 * Router unit tests with a real store (issue 15): a Router over a SQLite `:memory:` store, its
 * log captured, both closed after the test; and `failingWrites`, the same real store whose
 * chosen writes reject as a full disk makes them (StoreError `write-failed`).
 */
import { afterEach } from 'vitest';
import { storageSchema } from '../../src/config/storage-schema.js';
import type { ImAddress } from '../../src/model/index.js';
import type { StoragePolicy } from '../../src/router/context.js';
import { Router, type RoomConfig } from '../../src/router/index.js';
import { openStore, StoreError, type Store } from '../../src/store/index.js';
import { captureLog, type CapturedLog } from './hub-tcp.js';

export interface StoreWorld {
  readonly router: Router;
  readonly store: Store;
  readonly logs: CapturedLog;
}

export interface StoreWorldOptions {
  readonly domain?: string;
  readonly offline?: Partial<StoragePolicy['offline']>;
  readonly history?: Partial<StoragePolicy['history']>;
  readonly rooms?: readonly RoomConfig[];
  readonly keepsOffline?: (inbox: ImAddress) => boolean;
  /** Wraps the opened store (failingWrites). */
  readonly wrap?: (store: Store) => Store;
}

/** `world(options)` builds a Router with a fresh `:memory:` store; everything closes after each test. */
export function useStoreWorlds(): (options?: StoreWorldOptions) => Promise<StoreWorld> {
  const open: { router: Router; store: Store }[] = [];
  afterEach(async () => {
    for (const w of open.splice(0)) {
      await w.router.settle();
      w.router.setStore(null);
      await w.store.close();
    }
  });
  return async (o = {}) => {
    const logs = captureLog('debug');
    const config = storageSchema.parse({ backend: 'sqlite', path: ':memory:' });
    const real = (await openStore(config, { log: logs.log }))!;
    const store = o.wrap ? o.wrap(real) : real;
    const router = new Router({
      domains: [o.domain ?? 'a.example'],
      rooms: o.rooms ?? [],
      storage: {
        offline: { ...config.offline, ...o.offline },
        history: { ...config.history, ...o.history },
      },
      ...(o.keepsOffline ? { keepsOffline: o.keepsOffline } : {}),
      log: logs.log,
    });
    router.setStore(store);
    open.push({ router, store: real });
    return { router, store, logs };
  };
}

/** The real store, with the named methods rejecting as a write the disk could not take. */
export function failingWrites(methods: readonly (keyof Store)[]): (store: Store) => Store {
  return (store) =>
    new Proxy(store, {
      get(target, name, receiver) {
        const value: unknown = Reflect.get(target, name, receiver);
        if (typeof value !== 'function') return value;
        if ((methods as readonly PropertyKey[]).includes(name))
          return () =>
            Promise.reject(
              new StoreError(
                'write-failed',
                target.location,
                `the write to ${target.location} failed: disk full`,
              ),
            );
        return (value as (...a: unknown[]) => unknown).bind(target);
      },
    });
}
