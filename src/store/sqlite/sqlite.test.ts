/**
 * The SQLite backend: the store suite (../store.suite.ts) on a file and in memory, then what only
 * SQLite has: migrations and a newer schema, a damaged or locked file, the folder created, a full
 * database, the online backup (issue 15, "Failure behaviour"; docs/storage.md).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { storageSchema } from '../../config/storage-schema.js';
import { createRootLogger } from '../../log.js';
import { StoreError } from '../errors.js';
import { storeSuite } from '../store.suite.js';
import type { Store } from '../types.js';
import { LATEST_VERSION } from './migrations.js';
import { openSqliteStore, startSqliteStore } from './open.js';
import type { SqliteStore } from './store.js';

const dir = mkdtempSync(join(tmpdir(), 'cpim-sqlite-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const tempPath = (): string => join(dir, `s${++files}`, 'gateway.sqlite');
const config = (path: string, over: Record<string, unknown> = {}) =>
  storageSchema.parse({ backend: 'sqlite', path, ...over });

/** A full disk, as SQLite sees one: the database may not grow past the pages it has. */
async function fillUp(store: Store): Promise<() => Promise<void>> {
  const db = (store as SqliteStore).connection;
  const pages = db.pragma('page_count', { simple: true }) as number;
  db.pragma(`max_page_count = ${pages}`);
  return () => {
    db.pragma('max_page_count = 1073741823');
    return Promise.resolve();
  };
}

const hooks = {
  breakWrites: fillUp,
  transactions: (store: Store) => (store as SqliteStore).transactions,
};

storeSuite('sqlite file', {
  open: () => Promise.resolve(openSqliteStore(config(tempPath()))),
  reopen: (closed) => Promise.resolve(openSqliteStore(config(closed.location))),
  ...hooks,
});

/**
 * The writer thread's commits fail while another connection holds the write lock (a second
 * gateway, a `sqlite3` shell left in a transaction): SQLite answers SQLITE_BUSY after
 * busyTimeoutMs, which the thread reports and the store turns into a StoreError.
 */
async function holdWriteLock(store: Store): Promise<() => Promise<void>> {
  const other = new Database(store.location);
  other.exec('BEGIN IMMEDIATE');
  return () => {
    other.exec('COMMIT');
    other.close();
    return Promise.resolve();
  };
}

const threaded = (path: string) => startSqliteStore(config(path, { writerThread: true, busyTimeoutMs: 100 }));

storeSuite('sqlite file, writer thread', {
  open: () => threaded(tempPath()),
  reopen: (closed) => threaded(closed.location),
  breakWrites: holdWriteLock,
  transactions: hooks.transactions,
});

storeSuite('sqlite :memory:', {
  open: () => Promise.resolve(openSqliteStore(config(':memory:'))),
  ...hooks,
});

/** The StoreError `open` threw. */
function openError(path: string, over: Record<string, unknown> = {}): StoreError {
  try {
    openSqliteStore(config(path, over)).connection.close();
  } catch (err) {
    expect(err).toBeInstanceOf(StoreError);
    return err as StoreError;
  }
  throw new Error(`${path} opened`);
}

describe('sqlite: opening', () => {
  it('creates the folder and the schema, in WAL mode, and records the version', async () => {
    const path = tempPath();
    const store = openSqliteStore(config(path));
    expect(existsSync(path)).toBe(true);
    expect(store.location).toBe(path);
    expect(store.connection.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(store.connection.pragma('synchronous', { simple: true })).toBe(1); // NORMAL
    expect((await store.check()).schemaVersion).toBe(LATEST_VERSION);
    await store.close();
    // Opened again: nothing to apply, the version stays.
    const again = openSqliteStore(config(path));
    const rows = again.connection.prepare('SELECT version FROM schema_version').all();
    expect(rows).toEqual([{ version: LATEST_VERSION }]);
    await again.close();
  });

  it('refuses a database made by a newer gateway, in one line that says what to do', async () => {
    const path = tempPath();
    await openSqliteStore(config(path)).close();
    const db = new Database(path);
    db.prepare('INSERT INTO schema_version (version, applied) VALUES (?, ?)').run(LATEST_VERSION + 1, 0);
    db.close();
    const err = openError(path);
    expect(err.failure).toBe('newer-schema');
    expect(err.message).toBe(
      `the database ${path} has schema version ${LATEST_VERSION + 1}, newer than this gateway's ${LATEST_VERSION}: upgrade the gateway, or restore a backup made by this version`,
    );
  });

  it('refuses a file that is not a database, naming it', () => {
    const path = tempPath();
    openSqliteStore(config(path)).connection.close();
    writeFileSync(path, Buffer.alloc(8192, 0x5a));
    rmSync(`${path}-wal`, { force: true });
    const err = openError(path);
    expect(err.failure).toBe('corrupt');
    expect(err.message).toMatch(
      new RegExp(`^the database ${path} is damaged \\(.+\\): restore it from a backup`),
    );
    expect(err.message).not.toContain('\n');
  });

  it('refuses a database another process holds, once the busy timeout is over', () => {
    const path = tempPath();
    openSqliteStore(config(path)).connection.close();
    const holder = new Database(path);
    holder.exec('BEGIN EXCLUSIVE');
    try {
      const err = openError(path, { busyTimeoutMs: 50 });
      expect(err.failure).toBe('locked');
      expect(err.message).toContain(`the database ${path} is locked`);
      expect(err.message).toContain('is another gateway running on it?');
    } finally {
      holder.exec('ROLLBACK');
      holder.close();
    }
  });

  it('refuses a path it cannot create', () => {
    const file = join(dir, 'a-file');
    writeFileSync(file, 'x');
    const err = openError(join(file, 'gateway.sqlite'));
    expect(err.message).toContain(join(file, 'gateway.sqlite'));
  });
});

describe('sqlite: failures and administration', () => {
  it('a full database: the writes of the batch reject saying so, logged at warn, nothing half-written', async () => {
    const lines: string[] = [];
    const log = createRootLogger({
      level: 'info',
      destination: new Writable({
        write(chunk: Buffer, _e, cb) {
          lines.push(chunk.toString());
          cb();
        },
      }),
    });
    const store = openSqliteStore(config(tempPath()), { log });
    await store.setMapping('ns', 'before', 'v');
    const repair = await fillUp(store);
    const big = new Uint8Array(128 * 1024);
    const [a, b] = await Promise.allSettled([
      store.enqueue('q', 'x', big),
      store.setMapping('ns', 'small', 'v'),
    ]);
    expect(a.status).toBe('rejected');
    expect(b.status).toBe('rejected');
    const err = (a as PromiseRejectedResult).reason as StoreError;
    expect(err.failure).toBe('write-failed');
    expect(err.message).toBe(
      `the store ${store.location} did not commit 2 operations: the disk or the database is full; free some space`,
    );
    expect(await store.listMappings('ns')).toEqual([['before', 'v']]);
    const warn = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.level === 40);
    expect(warn).toMatchObject({ msg: 'store write failed', operations: 2, reason: err.message });
    await repair();
    await store.close();
  });

  it('a writer thread that dies fails what it had with write-failed, and the next write starts a new one', async () => {
    const store = await startSqliteStore(config(tempPath(), { writerThread: true }));
    await store.setMapping('ns', 'before', 'v');
    // A batch big enough to keep the thread busy, then the thread goes as a crash would take it
    // (SqliteStore.executor is the WriterThread; its worker is private).
    const big = new Uint8Array(64 * 1024).fill(1);
    const inFlight = Promise.allSettled(
      Array.from({ length: 400 }, (_, i) => store.enqueue('q', `m${i}`, big)),
    );
    await new Promise((resolve) => setImmediate(resolve));
    const thread = (store as unknown as { executor: { worker: { terminate(): Promise<number> } } }).executor;
    await thread.worker.terminate();
    const settled = await inFlight;
    expect(settled.every((r) => r.status === 'rejected')).toBe(true);
    const err = (settled[0] as PromiseRejectedResult).reason as StoreError;
    expect(err).toBeInstanceOf(StoreError);
    expect(err.failure).toBe('write-failed');
    expect(err.message).toContain("the store's writer thread stopped");
    await store.setMapping('ns', 'after', 'v');
    expect((await store.listMappings('ns')).map(([k]) => k)).toEqual(['after', 'before']);
    expect(await store.readQueue('q', 10)).toEqual([]);
    await store.close();
  });

  it('many writes in one turn go in transactions of at most storage.batchMaxWrites', async () => {
    const store = openSqliteStore(config(':memory:', { batchMaxWrites: 100 }));
    const before = store.transactions;
    await Promise.all(Array.from({ length: 250 }, (_, i) => store.setMapping('ns', `k${i}`, 'v')));
    expect(store.transactions - before).toBe(3);
    expect(await store.listMappings('ns')).toHaveLength(250);
    await store.close();
  });

  it('backs up a live store to a file that opens with everything in it', async () => {
    const store = openSqliteStore(config(tempPath()));
    await store.setMapping('ns', 'k', 'v');
    const pending = store.appendHistory({
      id: 'm1',
      conversation: 'room',
      time: 1,
      source: 'a',
      destination: 'room',
      contentType: 'text/plain',
      payload: new Uint8Array([1, 2, 3]),
    });
    const target = join(dir, 'backup.sqlite');
    await store.backup(target);
    await pending;
    await store.close();
    const copy = openSqliteStore(config(target));
    expect(await copy.getMapping('ns', 'k')).toBe('v');
    expect((await copy.readHistory('room', { limit: 5 })).map((r) => [...r.payload])).toEqual([[1, 2, 3]]);
    expect((await copy.check()).ok).toBe(true);
    await copy.close();
  });

  it('check finds damaged pages and says so', async () => {
    const path = tempPath();
    const store = openSqliteStore(config(path));
    await Promise.all(
      Array.from({ length: 400 }, (_, i) => store.setMapping('ns', `key-${i}`, 'v'.repeat(200))),
    );
    await store.close();
    // Damage a page in the middle (the header, page 1, stays good: the file still opens).
    const bytes = readFileSync(path);
    const pageSize = bytes.readUInt16BE(16);
    bytes.fill(0xa5, pageSize * 3, pageSize * 3 + 200);
    writeFileSync(path, bytes);
    const damaged = openSqliteStore(config(path));
    const c = await damaged.check();
    expect(c.ok).toBe(false);
    expect(c.problems.length).toBeGreaterThan(0);
    await damaged.close();
  });
});
