/**
 * The store (issue 15; docs/storage.md): `openStore` picks the backend `storage.backend` names.
 * The gateway opens it first (src/gateway.ts) and hands it to the router and the adapters.
 */
import type { StorageConfig } from '../config/storage-schema.js';
import type { Logger } from '../log.js';
import { openPostgresStore } from './postgres/open.js';
import { startSqliteStore } from './sqlite/open.js';
import type { Store } from './types.js';

export type * from './types.js';
export { StoreError, type StoreFailure } from './errors.js';
export { directConversation } from './conversation.js';
export { startRetention, type Retention } from './retention.js';

export interface OpenStoreOptions {
  readonly log: Logger;
  /**
   * Apply pending migrations (default true). `cpim-gateway db check` and `db backup` open the
   * store as it is (false), so looking changes nothing.
   */
  readonly migrate?: boolean;
  /** At most one warn line per this interval for writes that failed (`limits.warnIntervalMs`). */
  readonly warnIntervalMs?: number;
}

/** The configured store, open and migrated; null for backend `none` (nothing is kept). */
export async function openStore(config: StorageConfig, options: OpenStoreOptions): Promise<Store | null> {
  switch (config.backend) {
    case 'none':
      return null;
    case 'sqlite': {
      const store = await startSqliteStore(config, {
        log: options.log,
        ...(options.migrate === undefined ? {} : { migrate: options.migrate }),
        ...(options.warnIntervalMs === undefined ? {} : { warnIntervalMs: options.warnIntervalMs }),
      });
      options.log.info({ store: store.location, backend: 'sqlite' }, 'store open');
      return store;
    }
    case 'postgres': {
      // docs/storage-postgres.md: a server the operator runs, at storage.url.
      const store = await openPostgresStore(config, {
        log: options.log,
        ...(options.migrate === undefined ? {} : { migrate: options.migrate }),
        ...(options.warnIntervalMs === undefined ? {} : { warnIntervalMs: options.warnIntervalMs }),
      });
      options.log.info({ store: store.location, backend: 'postgres' }, 'store open');
      return store;
    }
  }
}
