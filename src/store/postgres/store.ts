/**
 * The PostgreSQL backend of the store (issue 15; docs/storage-postgres.md): a bounded pg.Pool,
 * every operation queued in the shared write batcher (../batch.ts) and run in the transaction of
 * its event-loop turn, one transaction at a time, so the batching is the SQLite backend's: writes
 * of one turn commit together, a read sees every write submitted before it, and a caller that
 * awaits a write has it committed.
 *
 * PostgreSQL aborts the whole transaction on any error, where SQLite undoes only the statement.
 * So when an operation's own data is at fault (failures.ts, isStatementError) the batch is run
 * again with a savepoint around each operation: that one fails alone, the others commit.
 */
import type pg from 'pg';
import type { Logger } from '../../log.js';
import { closedStore, loggedFailure } from '../failure-log.js';
import { WriteBatcher, type Outcome } from '../batch.js';
import type {
  HistoryQuery,
  HistoryRecord,
  NewHistoryRecord,
  NewOfflineRecord,
  OfflineRecord,
  QueueRecord,
  Store,
  StoreCheck,
} from '../types.js';
import { dumpDatabase } from './backup.js';
import { commitFailure, isStatementError } from './failures.js';
import { LATEST_VERSION, schemaVersion, TABLES } from './migrations.js';
import { historyRecord, offlineRecord, queueRecord, type Row } from './rows.js';
import { Q } from './statements.js';

type Op = (client: pg.PoolClient) => Promise<unknown>;

/** Above every seq a bigserial hands out that a JavaScript number holds exactly. */
const NO_UPPER = Number.MAX_SAFE_INTEGER;
/** Conversations visited per transaction when pruning by count. */
const CONVERSATIONS_PER_STEP = 256;

/** A copy: the write runs after the caller's turn, and the caller may reuse its buffer. */
function blob(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes);
}

export class PostgresStore implements Store {
  readonly backend = 'postgres';
  private readonly batcher: WriteBatcher<Op>;
  private closing: Promise<void> | null = null;

  constructor(
    private readonly pool: pg.Pool,
    /** storage.url, kept for pg_dump (backup.ts); never logged. */
    private readonly url: string,
    readonly location: string,
    private readonly maxWrites: number,
    log?: Logger,
    /** At most one warn line per this interval for failed commits (`limits.warnIntervalMs`). */
    warnIntervalMs = 10_000,
    /** `storage.commitIntervalMs`: least time between two commits (batch.ts). */
    commitIntervalMs = 0,
  ) {
    this.batcher = new WriteBatcher<Op>({
      maxWrites,
      minIntervalMs: commitIntervalMs,
      commit: (ops) => this.commit(ops),
      failure: loggedFailure(location, commitFailure, log, warnIntervalMs),
      closed: () => closedStore(location),
    });
  }

  /** Transactions run so far (tests: many writes in one turn are one transaction). */
  get transactions(): number {
    return this.batcher.transactions;
  }

  private async commit(ops: readonly Op[]): Promise<Outcome[]> {
    try {
      return await this.transaction(ops, false);
    } catch (err) {
      if (!isStatementError(err)) throw err;
      return this.transaction(ops, true);
    }
  }

  /**
   * Runs `ops` in one transaction on one pooled connection. With `isolate`, each runs inside a
   * savepoint and a statement error is that operation's outcome; without, any error aborts all.
   * A connection that failed otherwise is discarded, not returned to the pool.
   */
  private async transaction(ops: readonly Op[], isolate: boolean): Promise<Outcome[]> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    // The server may end the session between two queries of the transaction (a shutdown, a
    // failover): pg then emits the error on the client, which the pool does not watch while the
    // client is checked out. Keep it from crashing the process; the next query fails with it.
    const lost = (err: Error): void => {
      broken ??= err;
    };
    client.on('error', lost);
    try {
      await client.query('BEGIN');
      const outcomes: Outcome[] = [];
      try {
        for (const op of ops) {
          if (!isolate) {
            outcomes.push({ ok: true, value: await op(client) });
            continue;
          }
          await client.query('SAVEPOINT op');
          try {
            outcomes.push({ ok: true, value: await op(client) });
            await client.query('RELEASE SAVEPOINT op');
          } catch (err) {
            if (!isStatementError(err)) throw err;
            await client.query('ROLLBACK TO SAVEPOINT op');
            outcomes.push({ ok: false, error: commitFailure(err, this.location, 1) });
          }
        }
        await client.query('COMMIT');
      } catch (err) {
        if (isStatementError(err)) await client.query('ROLLBACK');
        else broken = err as Error;
        throw err;
      }
      return outcomes;
    } catch (err) {
      broken ??= isStatementError(err) ? undefined : (err as Error);
      throw err;
    } finally {
      client.off('error', lost);
      client.release(broken);
    }
  }

  private run<R>(op: (client: pg.PoolClient) => Promise<R>, now = false): Promise<R> {
    return this.batcher.submit<R>(op, now);
  }

  // --- History ---

  appendHistory(r: NewHistoryRecord): Promise<number> {
    const values = [r.id, r.conversation, r.time, r.source, r.destination, r.contentType, blob(r.payload)];
    return this.run(async (c) => {
      const res = await c.query<{ seq: string }>(Q.insertHistory(values));
      return Number(res.rows[0]!.seq);
    });
  }

  readHistory(conversation: string, q: HistoryQuery): Promise<HistoryRecord[]> {
    const before = q.before ?? NO_UPPER;
    const after = q.after ?? -1;
    return this.run(async (c) => {
      if (q.after !== undefined)
        return (await c.query<Row>(Q.historyOldest([conversation, after, before, q.limit]))).rows.map(
          historyRecord,
        );
      const newest = (await c.query<Row>(Q.historyNewest([conversation, before, after, q.limit]))).rows;
      return newest.map(historyRecord).reverse();
    });
  }

  async pruneHistory(policy: {
    readonly olderThan?: number;
    readonly keepPerConversation?: number;
  }): Promise<number> {
    let total = 0;
    const chunk = this.maxWrites;
    if (policy.olderThan !== undefined) {
      const olderThan = policy.olderThan;
      for (;;) {
        const n = await this.run(
          async (c) => (await c.query(Q.deleteHistoryOlder([olderThan, chunk]))).rowCount ?? 0,
        );
        total += n;
        if (n < chunk) break;
      }
    }
    const keep = policy.keepPerConversation;
    if (keep !== undefined) {
      let from = '';
      for (;;) {
        const step = await this.run((c) => this.pruneStep(c, from, keep, chunk));
        total += step.deleted;
        if (step.next === null) break;
        from = step.next;
      }
    }
    return total;
  }

  /**
   * One transaction of pruning by count (as the SQLite backend's): conversations after `from`,
   * until CONVERSATIONS_PER_STEP were visited or `chunk` rows deleted; `next` is where the next
   * step starts, null when all were visited.
   */
  private async pruneStep(
    c: pg.PoolClient,
    from: string,
    keep: number,
    chunk: number,
  ): Promise<{ deleted: number; next: string | null }> {
    let deleted = 0;
    let cursor = from;
    for (let i = 0; i < CONVERSATIONS_PER_STEP; i++) {
      const row = (await c.query<{ conversation: string }>(Q.nextConversation([cursor]))).rows[0];
      if (row === undefined) return { deleted, next: null };
      const cutoff = (await c.query<{ seq: string }>(Q.historyCutoff([row.conversation, keep]))).rows[0];
      if (cutoff !== undefined) {
        const res = await c.query(Q.deleteHistoryUpTo([row.conversation, cutoff.seq, chunk - deleted]));
        deleted += res.rowCount ?? 0;
        // Not finished with this one: the next step visits it again.
        if (deleted >= chunk) return { deleted, next: cursor };
      }
      cursor = row.conversation;
    }
    return { deleted, next: cursor };
  }

  // --- Offline delivery ---

  putOffline(r: NewOfflineRecord): Promise<number> {
    const values = [r.id, r.inbox, r.sender, r.time, r.expires, JSON.stringify(r.headers), blob(r.payload)];
    return this.run(async (c) =>
      Number((await c.query<{ seq: string }>(Q.insertOffline(values))).rows[0]!.seq),
    );
  }

  readOffline(inbox: string, limit: number): Promise<OfflineRecord[]> {
    return this.run(async (c) => (await c.query<Row>(Q.readOffline([inbox, limit]))).rows.map(offlineRecord));
  }

  countOffline(inbox: string): Promise<number> {
    return this.run(async (c) => Number((await c.query<{ n: string }>(Q.countOffline([inbox]))).rows[0]!.n));
  }

  deleteOffline(seqs: readonly number[]): Promise<void> {
    const list = seqs.map(String);
    return this.run(async (c) => {
      if (list.length > 0) await c.query(Q.deleteOffline([list]));
    });
  }

  readExpiredOffline(now: number, limit: number): Promise<OfflineRecord[]> {
    return this.run(async (c) => (await c.query<Row>(Q.readExpired([now, limit]))).rows.map(offlineRecord));
  }

  // --- Maps ---

  getMapping(namespace: string, key: string): Promise<string | undefined> {
    return this.run(
      async (c) => (await c.query<{ value: string }>(Q.getMapping([namespace, key]))).rows[0]?.value,
    );
  }

  setMapping(namespace: string, key: string, value: string): Promise<void> {
    return this.run(async (c) => {
      await c.query(Q.setMapping([namespace, key, value]));
    });
  }

  deleteMapping(namespace: string, key: string): Promise<void> {
    return this.run(async (c) => {
      await c.query(Q.deleteMapping([namespace, key]));
    });
  }

  listMappings(namespace: string): Promise<[string, string][]> {
    return this.run(async (c) =>
      (await c.query<{ key: string; value: string }>(Q.listMappings([namespace]))).rows.map(
        (r) => [r.key, r.value] as [string, string],
      ),
    );
  }

  // --- Outbound queues ---

  enqueue(queue: string, id: string, data: Uint8Array): Promise<boolean> {
    const values = [queue, id, Date.now(), blob(data)];
    return this.run(async (c) => (await c.query(Q.enqueue(values))).rowCount === 1);
  }

  readQueue(queue: string, limit: number): Promise<QueueRecord[]> {
    return this.run(async (c) => (await c.query<Row>(Q.readQueue([queue, limit]))).rows.map(queueRecord));
  }

  /** Not held for group commit (batch.ts `now`): until it commits, a crash sends the entries again. */
  dequeue(queue: string, ids: readonly string[]): Promise<void> {
    const list = [...ids];
    return this.run(async (c) => {
      if (list.length > 0) await c.query(Q.dequeue([queue, list]));
    }, true);
  }

  // --- Administration ---

  check(): Promise<StoreCheck> {
    return this.run(async (c) => {
      const problems: string[] = [];
      const version = await schemaVersion(c);
      if (version > LATEST_VERSION)
        problems.push(`schema version ${version} is newer than this gateway's ${LATEST_VERSION}`);
      const counts: Record<string, number> = {};
      for (const table of TABLES) {
        const exists = (await c.query<{ t: string | null }>('SELECT to_regclass($1)::text AS t', [table]))
          .rows[0];
        if (exists?.t == null) {
          problems.push(`table ${table} is missing`);
          continue;
        }
        // The table names are this file's constants, never input.
        counts[table] = Number(
          (await c.query<{ n: string }>(`SELECT COUNT(*) AS n FROM ${table}`)).rows[0]!.n,
        );
      }
      return { ok: problems.length === 0, schemaVersion: version, problems, counts };
    });
  }

  async backup(target: string): Promise<void> {
    await this.batcher.flush();
    await dumpDatabase(this.url, this.location, target);
  }

  close(): Promise<void> {
    this.closing ??= this.batcher.close().then(() => this.pool.end());
    return this.closing;
  }
}
