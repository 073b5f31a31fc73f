/**
 * The store (issue 15; docs/storage.md): `openStore` picks the backend `storage.backend` names.
 * The gateway opens it first (src/gateway.ts) and hands it to the router and the adapters.
 */
import type { StorageConfig } from '../config/storage-schema.js';
import type { Logger } from '../log.js';
import { StoreError } from './errors.js';
import { openSqliteStore } from './sqlite/open.js';
import type { Store } from './types.js';

export type * from './types.js';
export { StoreError, type StoreFailure } from './errors.js';
export { directConversation } from './conversation.js';
export { startRetention, type Retention } from './retention.js';

export interface OpenStoreOptions {
  readonly log: Logger;
}

/** The configured store, open and migrated; null for backend `none` (nothing is kept). */
export async function openStore(config: StorageConfig, options: OpenStoreOptions): Promise<Store | null> {
  switch (config.backend) {
    case 'none':
      return null;
    case 'sqlite': {
      const store = openSqliteStore(config, { log: options.log });
      options.log.info({ store: store.location, backend: 'sqlite' }, 'store open');
      return Promise.resolve(store);
    }
    case 'postgres':
      // The PostgreSQL backend lives in ./postgres/ (its own helper wires it here).
      throw new StoreError(
        'failed',
        config.url ?? '(no storage.url)',
        'the postgres store backend is not in this build: set storage.backend to sqlite',
      );
  }
}
