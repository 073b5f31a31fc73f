/**
 * Opening the PostgreSQL store (issue 15; docs/storage-postgres.md): a bounded pool for
 * `storage.url`, one connection made at once to prove the server answers (a server that is down,
 * a wrong password, a missing database stop the start with one line that names the server
 * without its password and says what to do), the schema checked and migrated under an advisory
 * lock (migrations.ts). A database made by a newer gateway is refused.
 */
import pg from 'pg';
import type { StorageConfig } from '../../config/storage-schema.js';
import type { Logger } from '../../log.js';
import { StoreError } from '../errors.js';
import { openFailure } from './failures.js';
import { redactUrl } from './location.js';
import { LATEST_VERSION, migrate, schemaVersion } from './migrations.js';
import { PostgresStore } from './store.js';

export interface PostgresOpenOptions {
  readonly log?: Logger;
  /** Apply pending migrations (default true); `db check` opens without changing anything. */
  readonly migrate?: boolean;
  /** At most one warn line per this interval for failed commits. */
  readonly warnIntervalMs?: number;
}

/** The message of a database newer than this program. */
export function newerSchema(location: string, version: number): StoreError {
  return new StoreError(
    'newer-schema',
    location,
    `the database ${location} has schema version ${version}, newer than this gateway's ${LATEST_VERSION}: upgrade the gateway, or restore a backup made by this version`,
  );
}

export async function openPostgresStore(
  config: Pick<StorageConfig, 'url' | 'batchMaxWrites' | 'commitIntervalMs' | 'postgres'>,
  options: PostgresOpenOptions = {},
): Promise<PostgresStore> {
  const url = config.url;
  if (url === undefined)
    throw new StoreError(
      'cannot-open',
      'postgres://(no storage.url)',
      'storage.backend is postgres but storage.url is not set: give the server as postgres://user:password@host:port/database',
    );
  const location = redactUrl(url);
  const pool = new pg.Pool({
    connectionString: url,
    max: config.postgres.maxConnections,
    connectionTimeoutMillis: config.postgres.connectTimeoutMs,
    // Client-side: a query the server never answers (a server gone silent) fails instead of
    // hanging its batch, and with it every sender waiting for `ok`.
    query_timeout: config.postgres.queryTimeoutMs,
    keepAlive: true,
    application_name: 'cpim-gateway',
  });
  // An idle pooled connection the server closed (a restart, a failover) emits here; without a
  // listener Node would crash. The next batch opens a new connection, or fails with `resources`.
  pool.on('error', (err) => {
    options.log?.warn({ store: location, reason: err.message }, 'store connection lost');
  });
  try {
    const client = await pool.connect();
    try {
      const check = (version: number): void => {
        if (version > LATEST_VERSION) throw newerSchema(location, version);
      };
      if (options.migrate === false) {
        check(await schemaVersion(client));
      } else {
        const { from, applied } = await migrate(client, check);
        if (applied.length > 0)
          options.log?.info({ store: location, from, to: LATEST_VERSION }, 'store schema migrated');
      }
    } finally {
      client.release();
    }
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw openFailure(err, location);
  }
  return new PostgresStore(
    pool,
    url,
    location,
    config.batchMaxWrites,
    options.log,
    options.warnIntervalMs,
    config.commitIntervalMs,
  );
}
