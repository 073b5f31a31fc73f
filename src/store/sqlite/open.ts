/**
 * Opening the SQLite store (issue 15; docs/storage.md): the folder is created when missing, the
 * connection set up (WAL, synchronous=NORMAL, a busy timeout, foreign keys), the write lock
 * taken once to prove no other process holds it, and the migrations applied. A damaged file, a
 * locked one and one made by a newer gateway stop here with one line that says what to do.
 * Then the connection either stays on the event loop (`openSqliteStore`: `:memory:`, the `db`
 * commands) or is handed to the writer thread (`startSqliteStore` with `storage.writerThread`:
 * this connection closes, the thread opens its own on the checked file).
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import type { StorageConfig } from '../../config/storage-schema.js';
import type { Logger } from '../../log.js';
import { StoreError } from '../errors.js';
import { openFailure } from './failures.js';
import { configureWriter, SqliteEngine } from './engine.js';
import { InlineExecutor } from './executor.js';
import { LATEST_VERSION, migrate, schemaVersion } from './migrations.js';
import { SqliteStore } from './store.js';
import { WriterThread } from './writer-thread.js';

export const MEMORY = ':memory:';

export interface SqliteOpenOptions {
  readonly log?: Logger;
  /** Apply pending migrations (default true); `db check` opens without changing anything. */
  readonly migrate?: boolean;
  /** At most one warn line per this interval for failed commits. */
  readonly warnIntervalMs?: number;
}

/** The message of a database newer than this program. */
export function newerSchema(path: string, version: number): StoreError {
  return new StoreError(
    'newer-schema',
    path,
    `the database ${path} has schema version ${version}, newer than this gateway's ${LATEST_VERSION}: upgrade the gateway, or restore a backup made by this version`,
  );
}

type OpenConfig = Pick<StorageConfig, 'path' | 'batchMaxWrites' | 'busyTimeoutMs' | 'commitIntervalMs'>;

/**
 * Opens (creating when missing) the database at `config.path`, brings its schema up to date, and
 * keeps the connection on this thread.
 */
export function openSqliteStore(config: OpenConfig, options: SqliteOpenOptions = {}): SqliteStore {
  const { db, location } = openChecked(config, options);
  return new SqliteStore(
    new InlineExecutor(new SqliteEngine(db, location)),
    location,
    config.batchMaxWrites,
    db.memory ? null : db.name,
    options.log,
    options.warnIntervalMs,
    config.commitIntervalMs,
  );
}

/**
 * As openSqliteStore, then, for a file and with `writerThread`, moves the writing to the writer
 * thread (writer-thread.ts); resolves once the thread has opened the file.
 */
export async function startSqliteStore(
  config: OpenConfig & Pick<StorageConfig, 'writerThread'>,
  options: SqliteOpenOptions = {},
): Promise<SqliteStore> {
  if (!config.writerThread || config.path === MEMORY || options.migrate === false)
    return openSqliteStore(config, options);
  const { db, location } = openChecked(config, options);
  db.close();
  let thread: WriterThread;
  try {
    thread = await WriterThread.open({ path: location, location, busyTimeoutMs: config.busyTimeoutMs });
  } catch (err) {
    throw openFailure(err, location);
  }
  return new SqliteStore(
    thread,
    location,
    config.batchMaxWrites,
    location,
    options.log,
    options.warnIntervalMs,
    config.commitIntervalMs,
  );
}

function openChecked(
  config: OpenConfig,
  options: SqliteOpenOptions,
): { db: Database.Database; location: string } {
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
    configureWriter(db);
    // Take the write lock once: a database another process holds fails here, at the start
    // (only when it will be written: `db check` and `db backup` only read).
    if (options.migrate !== false) db.exec('BEGIN IMMEDIATE; COMMIT');
    const version = schemaVersion(db);
    if (version > LATEST_VERSION) throw newerSchema(location, version);
    if (options.migrate !== false) {
      const applied = migrate(db, version);
      if (applied.length > 0)
        options.log?.info({ store: location, from: version, to: LATEST_VERSION }, 'store schema migrated');
    }
    return { db, location };
  } catch (err) {
    if (db?.open) db.close();
    throw openFailure(err, location);
  }
}
