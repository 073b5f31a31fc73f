/**
 * The PostgreSQL backend of the store (issue 15: "the same store test suite runs against both";
 * docs/storage-postgres.md) against Debian's PostgreSQL 15, started by the test on loopback in a
 * temporary data directory (test/support/postgres.ts). What only PostgreSQL does is tested here:
 * a batch in one transaction, an operation whose data the server refuses failing alone, the
 * server going away mid-run, a newer schema, two gateways migrating one database at once, a
 * connection refused at start, and the pg_dump backup restored.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it, onTestFinished } from 'vitest';
import { defaultConfig } from '../../src/config/load.js';
import { createRootLogger } from '../../src/log.js';
import { openStore, StoreError, type NewHistoryRecord, type Store } from '../../src/store/index.js';
import { storeSuite } from '../../src/store/store.suite.js';
import type { PostgresStore } from '../../src/store/postgres/store.js';
import { freePort } from '../support/net.js';
import { postgresBinDir, postgresTestsRun, startPostgres, usePostgres } from '../support/postgres.js';

const log = createRootLogger({ level: 'silent' });
const ROOM = 'im:dev@gw.test';

function storage(
  url: string,
  postgres: Partial<ReturnType<typeof defaultConfig>['storage']['postgres']> = {},
) {
  const base = defaultConfig().storage;
  return { ...base, backend: 'postgres' as const, url, postgres: { ...base.postgres, ...postgres } };
}

function post(id: string, body = id, conversation = ROOM): NewHistoryRecord {
  return {
    id,
    conversation,
    time: Date.now(),
    source: 'im:alice@gw.test',
    destination: conversation,
    contentType: 'message/cpim',
    payload: Buffer.from(body),
  };
}

/** A /proc file's text, or '' for a process that is gone. */
function readFileSyncSafe(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => new Error('resolved, expected a rejection'),
    (err: unknown) => err,
  );
}

/** Runs `sql` on the database at `url` (as the superuser the fixture's server has). */
async function admin(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

describe.skipIf(!postgresTestsRun)('PostgreSQL store', () => {
  const db = usePostgres();

  // The backend-independent suite (src/store/store.suite.ts), each test on a new database.
  const urls = new WeakMap<Store, string>();
  const openFresh = async (url: string): Promise<Store> => {
    const store = (await openStore(storage(url), { log }))!;
    urls.set(store, url);
    return store;
  };
  storeSuite('postgres', {
    open: async () => openFresh(await db.database()),
    reopen: (closed) => openFresh(urls.get(closed)!),
    // As a full disk refuses writes: the database turns read-only and its sessions are ended,
    // so the pool's new connections refuse every write (SQLSTATE 25006) until it is put back.
    breakWrites: async (store) => {
      const url = new URL(urls.get(store)!);
      const name = url.pathname.slice(1);
      // From the maintenance database: the read-only one would refuse the ALTER that repairs it.
      url.pathname = '/postgres';
      const ends = `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${name}' AND pid <> pg_backend_pid()`;
      await admin(url.href, `ALTER DATABASE ${name} SET default_transaction_read_only = on; ${ends}`);
      return async () => {
        await admin(url.href, `ALTER DATABASE ${name} RESET default_transaction_read_only; ${ends}`);
      };
    },
    transactions: (store) => (store as PostgresStore).transactions,
  });
  const opened: Store[] = [];
  const folder = mkdtempSync(join(tmpdir(), 'cpim-pg-test-'));
  afterAll(async () => {
    await Promise.all(opened.map((s) => s.close().catch(() => undefined)));
    rmSync(folder, { recursive: true, force: true });
  });

  async function open(url: string, postgres = {}): Promise<PostgresStore> {
    const store = (await openStore(storage(url, postgres), { log })) as PostgresStore;
    opened.push(store);
    return store;
  }

  it('commits the writes of one event-loop turn in one transaction, octets unchanged', async () => {
    const store = await open(await db.database());
    const before = store.transactions;
    const octets = Buffer.from([0, 1, 2, 0xfe, 0xff, 0x0d, 0x0a]);
    const seqs = await Promise.all(
      Array.from({ length: 50 }, (_, i) => store.appendHistory({ ...post(`m${i}`), payload: octets })),
    );
    expect(store.transactions - before).toBe(1);
    expect(seqs).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    const back = await store.readHistory(ROOM, { limit: 100 });
    expect(back.map((r) => r.id)).toEqual(seqs.map((s) => `m${s - 1}`));
    expect(Buffer.from(back[0]!.payload).equals(octets)).toBe(true);
    expect(store.backend).toBe('postgres');
  });

  it('fails only the operation whose data the server refuses; the rest of the batch commits', async () => {
    const store = await open(await db.database());
    // PostgreSQL's text cannot hold NUL (SQLSTATE 22021): that one write alone is refused.
    const results = await Promise.allSettled([
      store.appendHistory(post('before')),
      store.appendHistory(post('bad\u0000id')),
      store.setMapping('irc:x:nick', 'alice', 'alice_'),
      store.appendHistory(post('after')),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    const refused = (results[1] as PromiseRejectedResult).reason as StoreError;
    expect(refused).toBeInstanceOf(StoreError);
    expect(refused.failure).toBe('write-failed');
    expect((await store.readHistory(ROOM, { limit: 10 })).map((r) => r.id)).toEqual(['before', 'after']);
    expect(await store.getMapping('irc:x:nick', 'alice')).toBe('alice_');
  });

  it('answers every write when the server goes away mid-run: committed ones are kept, the others reject', async () => {
    const server = await startPostgres();
    try {
      const store = await open(server.url('postgres'), { connectTimeoutMs: 2000 });
      // Each write's answer is taken as it comes (a rejection is never left unhandled).
      const answers: Promise<{ id: string; error?: unknown }>[] = [];
      const write = (id: string) =>
        answers.push(
          store.appendHistory(post(id)).then(
            () => ({ id }),
            (error: unknown) => ({ id, error }),
          ),
        );
      // A bounded stream: 40 turns of 25 appends. Once the first 10 turns are answered the
      // server is told to stop, and the stream goes on while it shuts down and after.
      let stopping: Promise<void> | undefined;
      for (let turn = 0; turn < 40; turn++) {
        for (let i = 0; i < 25; i++) write(`t${turn}-${i}`);
        if (turn === 10) {
          await answers[answers.length - 1];
          stopping = server.stop();
        }
        await new Promise((r) => setImmediate(r));
      }
      await stopping;
      const settled = await Promise.all(answers);
      const kept = settled.filter((a) => !('error' in a)).map((a) => a.id);
      const refused = settled.filter((a) => 'error' in a).map((a) => a.error);
      expect(kept.length).toBeGreaterThan(0);
      expect(refused.length).toBeGreaterThan(0);
      for (const err of refused) {
        expect(err).toBeInstanceOf(StoreError);
        expect((err as StoreError).message).toContain(`127.0.0.1:${server.port}`);
      }
      // Back again: the store reconnects, and every write that was answered is there.
      await server.start();
      const ids = new Set((await store.readHistory(ROOM, { limit: 2000 })).map((r) => r.id));
      expect(kept.filter((id) => !ids.has(id))).toEqual([]);
      expect(await store.appendHistory(post('afterwards'))).toBeGreaterThan(0);
      await store.close();
    } finally {
      await server.destroy();
    }
  });

  it('a commit that fails is logged at warn, once per limits.warnIntervalMs, with the count held back', async () => {
    const url = await db.database();
    const lines: Record<string, unknown>[] = [];
    const captured = createRootLogger({
      level: 'info',
      destination: new Writable({
        write(chunk: Buffer, _e, cb) {
          lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
          cb();
        },
      }),
    });
    const store = (await openStore(storage(url), { log: captured, warnIntervalMs: 60_000 })) as PostgresStore;
    opened.push(store);
    await store.setMapping('ns', 'before', 'v');
    // From a second connection: the table is gone, so every batch that writes to it fails as a
    // whole (42P01 is not the operation's own data: no savepoint retry, the batch rejects).
    await admin(url, 'DROP TABLE mappings');
    const first = await Promise.allSettled([
      store.setMapping('ns', 'a', 'v'),
      store.setMapping('ns', 'b', 'v'),
    ]);
    expect(first.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    const err = (first[0] as PromiseRejectedResult).reason as StoreError;
    expect(err).toBeInstanceOf(StoreError);
    expect(await rejection(store.setMapping('ns', 'c', 'v'))).toBeInstanceOf(StoreError);
    const warns = lines.filter((l) => l.msg === 'store write failed');
    // The second failed batch falls within the interval: held back, not a second line.
    expect(warns).toHaveLength(1);
    expect(warns[0]).toMatchObject({
      level: 40,
      store: store.location,
      operations: 2,
      reason: err.message,
      suppressed: 0,
    });

    // The interval is the configured one (openStore passes it on): at 1 ms, each batch says so.
    lines.length = 0;
    const eager = (await openStore(storage(url), { log: captured, warnIntervalMs: 1 })) as PostgresStore;
    opened.push(eager);
    for (const key of ['d', 'e']) {
      await rejection(eager.setMapping('ns', key, 'v'));
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(lines.filter((l) => l.msg === 'store write failed')).toHaveLength(2);
  });

  it('a server that stops answering: the batch fails after storage.postgres.queryTimeoutMs, then goes on', async () => {
    const server = await startPostgres();
    // The postmaster and its backends, frozen (SIGSTOP) as a hung machine would be.
    const processes = (): number[] => {
      const pids = [server.pid!];
      for (const entry of readdirSync('/proc')) {
        if (!/^\d+$/.test(entry)) continue;
        const stat = readFileSyncSafe(`/proc/${entry}/stat`);
        // Fields after the command's closing parenthesis: state, then the parent's pid.
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        if (ppid === server.pid) pids.push(Number(entry));
      }
      return pids;
    };
    let frozen: number[] = [];
    // Even when the test times out (a store that hangs), nothing stays frozen or running.
    onTestFinished(async () => {
      for (const pid of frozen) process.kill(pid, 'SIGCONT');
      await server.destroy();
    });
    const store = await open(server.url('postgres'), { queryTimeoutMs: 500, connectTimeoutMs: 500 });
    await store.appendHistory(post('before'));
    frozen = processes();
    for (const pid of frozen) process.kill(pid, 'SIGSTOP');
    const err = await rejection(store.appendHistory(post('while frozen')));
    expect(err).toBeInstanceOf(StoreError);
    expect((err as StoreError).message).toContain(`127.0.0.1:${server.port}`);
    for (const pid of frozen.splice(0)) process.kill(pid, 'SIGCONT');
    expect(await store.appendHistory(post('after'))).toBeGreaterThan(0);
    expect((await store.readHistory(ROOM, { limit: 10 })).map((r) => r.id)).toContain('before');
    await store.close();
  });

  it('refuses a database made by a newer gateway, naming it without the password', async () => {
    const url = await db.database();
    await (await open(url)).close();
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query('INSERT INTO schema_version (version, applied) VALUES (99, 0)');
    await client.end();
    const withPassword = url.replace('postgres@', 'postgres:hunter2@');
    const err = (await rejection(openStore(storage(withPassword), { log }))) as StoreError;
    expect(err).toBeInstanceOf(StoreError);
    expect(err.failure).toBe('newer-schema');
    expect(err.message).toContain('schema version 99');
    expect(err.message).toContain(url.replace('postgres://', ''));
    expect(err.message).not.toContain('hunter2');
  });

  it('migrates a new database once when two gateways open it at the same time', async () => {
    const url = await db.database();
    const [a, b] = await Promise.all([open(url), open(url)]);
    expect((await a.check()).schemaVersion).toBe(1);
    await a.appendHistory(post('from-a'));
    expect((await b.readHistory(ROOM, { limit: 5 })).map((r) => r.id)).toEqual(['from-a']);
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    const rows = (await c.query<{ n: string }>('SELECT COUNT(*) AS n FROM schema_version')).rows;
    await c.end();
    expect(Number(rows[0]!.n)).toBe(1);
  });

  it('stops the start with one line naming the server (no password) and what to do', async () => {
    const port = await freePort();
    const err = (await rejection(
      openStore(storage(`postgres://gw:hunter2@127.0.0.1:${port}/cpim`), { log }),
    )) as StoreError;
    expect(err).toBeInstanceOf(StoreError);
    expect(err.failure).toBe('cannot-open');
    expect(err.message).toContain(`postgres://gw@127.0.0.1:${port}/cpim`);
    expect(err.message).toContain('storage.url');
    expect(err.message).not.toContain('hunter2');
    expect(err.message).not.toContain('\n');

    const missing = db.server().url('no_such_database');
    const gone = (await rejection(openStore(storage(missing), { log }))) as StoreError;
    expect(gone.message).toMatch(/database does not exist.*create it/);
  });

  it('checks counts and version, and backs up with pg_dump into a dump that restores', async () => {
    const store = await open(await db.database());
    await store.appendHistory(post('kept', 'hello'));
    await store.putOffline({
      id: 'o1',
      inbox: 'im:bob@gw.test',
      sender: 'im:alice@gw.test',
      time: 1,
      expires: 2,
      headers: [['Sender', 'im:alice@gw.test']],
      payload: Buffer.from('x'),
    });
    await store.enqueue('irc:irc', 'q1', Buffer.from('PRIVMSG'));
    await store.setMapping('web:seen', 'alice', '1');
    expect(await store.check()).toEqual({
      ok: true,
      schemaVersion: 1,
      problems: [],
      counts: { history: 1, offline: 1, mappings: 1, queues: 1 },
    });

    const dump = join(folder, 'backup.sql');
    await store.backup(dump);
    expect(readFileSync(dump, 'utf8')).toContain('CREATE TABLE public.history');
    const restored = await db.database();
    execFileSync(join(postgresBinDir()!, 'psql'), ['-q', '-v', 'ON_ERROR_STOP=1', '-f', dump, restored], {
      stdio: 'pipe',
    });
    const copy = await open(restored);
    const [record] = await copy.readHistory(ROOM, { limit: 1 });
    expect(Buffer.from(record!.payload).toString()).toBe('hello');
    expect((await copy.check()).counts).toEqual({ history: 1, offline: 1, mappings: 1, queues: 1 });
    // The sequences came along: a new record gets the next seq, not 1 again.
    expect(await copy.appendHistory(post('next'))).toBe(record!.seq + 1);
  });
});
