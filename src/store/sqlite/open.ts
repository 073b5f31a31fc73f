/**
 * Opening the SQLite store (issue 15; docs/storage.md): the folder is created when missing, the
 * connection set up (WAL, synchronous=NORMAL, a busy timeout, foreign keys), the write lock
 * taken once to prove no other process holds it, and the migrations applied. A damaged file, a
 * locked one and one made by a newer gateway stop here with one line that says what to do.
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import type { StorageConfig } from '../../config/storage-schema.js';
import type { Logger } from '../../log.js';
import { StoreError } from '../errors.js';
import { openFailure } from './failures.js';
import { LATEST_VERSION, migrate, schemaVersion } from './migrations.js';
import { SqliteStore } from './store.js';

export const MEMORY = ':memory:';

export interface SqliteOpenOptions {
  readonly log?: Logger;
  /** Apply pending migrations (default true); `db check` opens without changing anything. */
  readonly migrate?: boolean;
}

/** The message of a database newer than this program. */
export function newerSchema(path: string, version: number): StoreError {
  return new StoreError(
    'newer-schema',
    path,
    `the database ${path} has schema version ${version}, newer than this gateway's ${LATEST_VERSION}: upgrade the gateway, or restore a backup made by this version`,
  );
}

/** Opens (creating when missing) the database at `config.path` and brings its schema up to date. */
export function openSqliteStore(
  config: Pick<StorageConfig, 'path' | 'batchMaxWrites' | 'busyTimeoutMs'>,
  options: SqliteOpenOptions = {},
): SqliteStore {
  const path = config.path;
  const location = path === MEMORY ? MEMORY : resolve(path);
  let db: Database.Database | undefined;
  try {
    if (path !== MEMORY) mkdirSync(dirname(location), { recursive: true });
    // `timeout` is SQLite's busy_timeout: how long a statement waits for another process's lock.
    db = new Database(path, { timeout: config.busyTimeoutMs });
    // Write-ahead logging: readers (a `db backup` beside the running gateway) never block the
    // writer. NORMAL syncs at checkpoints, not at each commit: a commit survives the process
    // being killed (the WAL is in the OS's hands), not a power cut in the last moment.
    if (path !== MEMORY) db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    // Take the write lock once: a database another process holds fails here, at the start.
    db.exec('BEGIN IMMEDIATE; COMMIT');
    const version = schemaVersion(db);
    if (version > LATEST_VERSION) throw newerSchema(location, version);
    if (options.migrate !== false) {
      const applied = migrate(db, version);
      if (applied.length > 0)
        options.log?.info({ store: location, from: version, to: LATEST_VERSION }, 'store schema migrated');
    }
    return new SqliteStore(db, location, config.batchMaxWrites);
  } catch (err) {
    if (db?.open) db.close();
    throw openFailure(err, location);
  }
}
