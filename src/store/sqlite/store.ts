/**
 * The SQLite backend of the store (issue 15; docs/storage.md): every operation is plain data
 * (operations.ts) queued in the write batcher (../batch.ts) and run in the transaction of its
 * event-loop turn, by an executor (executor.ts): the writer thread for a file (writer-thread.ts:
 * SQLite's work off the event loop), or inline for `:memory:` and `cpim-gateway db`. The batcher
 * keeps each transaction to `storage.batchMaxWrites` operations (history pruning is cut into such
 * transactions too), and sends the next batch when the last one was answered.
 */
import type Database from 'better-sqlite3';
import type { Logger } from '../../log.js';
import { closedStore, loggedFailure } from '../failure-log.js';
import { WriteBatcher, type Outcome } from '../batch.js';
import { StoreError, type StoreFailure } from '../errors.js';
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
import { commitFailure } from './failures.js';
import { Checkpointer } from './checkpointer.js';
import type { EngineResult } from './engine.js';
import type { SqliteExecutor } from './executor.js';
import type { OfflineRow, PruneStep, SqliteOp } from './operations.js';

/** Octets that crossed from the writer thread arrive as a Uint8Array; callers get a Buffer. */
function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function offlineRecord(row: OfflineRow): OfflineRecord {
  return { ...row, payload: asBuffer(row.payload), headers: JSON.parse(row.headers) as [string, string][] };
}

/** A copy: the write runs after the caller's turn, and the caller may reuse its buffer. */
function blob(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes);
}

export class SqliteStore implements Store {
  readonly backend = 'sqlite';
  private readonly batcher: WriteBatcher<SqliteOp>;
  private closing: Promise<void> | null = null;
  /** Checkpoints the WAL off the event loop (checkpointer.ts); null for an in-memory database. */
  private readonly checkpointer: Checkpointer | null;

  constructor(
    private readonly executor: SqliteExecutor,
    readonly location: string,
    private readonly maxWrites: number,
    /** The file (null for `:memory:`), for the checkpointer's own connection. */
    file: string | null,
    log?: Logger,
    /** At most one warn line per this interval for failed commits (`limits.warnIntervalMs`). */
    warnIntervalMs = 10_000,
    /** `storage.commitIntervalMs`: least time between two commits (batch.ts). */
    commitIntervalMs = 0,
  ) {
    this.checkpointer = file === null ? null : new Checkpointer(file);
    this.batcher = new WriteBatcher<SqliteOp>({
      maxWrites,
      minIntervalMs: commitIntervalMs,
      commit: (ops) => {
        const done = executor.commit(ops);
        return done instanceof Promise ? done.then((o) => this.outcomes(o)) : this.outcomes(done);
      },
      failure: loggedFailure(location, commitFailure, log, warnIntervalMs),
      closed: () => closedStore(location),
    });
  }

  /** The connection when it is on this thread (inline); tests read pragmas through it. */
  get connection(): Database.Database {
    const db = this.executor.connection;
    if (db === null) throw new Error(`the store ${this.location} runs on its writer thread`);
    return db;
  }

  /** Transactions run so far (tests: many writes in one turn are one transaction). */
  get transactions(): number {
    return this.batcher.transactions;
  }

  private outcomes(done: EngineResult): Outcome[] {
    const outcomes: Outcome[] = new Array<Outcome>(done.values.length);
    for (let i = 0; i < outcomes.length; i++) outcomes[i] = { ok: true, value: done.values[i] };
    const f = done.failed;
    for (let i = 0; i < f.length; i += 3) {
      const error = new StoreError(f[i + 1] as StoreFailure, this.location, f[i + 2] as string);
      outcomes[f[i] as number] = { ok: false, error };
    }
    return outcomes;
  }

  private run<R>(op: SqliteOp, now = false): Promise<R> {
    return this.batcher.submit<R>(op, now);
  }

  // --- History ---

  appendHistory(r: NewHistoryRecord): Promise<number> {
    return this.run({
      op: 'appendHistory',
      id: r.id,
      conversation: r.conversation,
      time: r.time,
      source: r.source,
      destination: r.destination,
      contentType: r.contentType,
      payload: blob(r.payload),
    });
  }

  async readHistory(conversation: string, q: HistoryQuery): Promise<HistoryRecord[]> {
    const rows = await this.run<HistoryRecord[]>({
      op: 'readHistory',
      conversation,
      before: q.before,
      after: q.after,
      limit: q.limit,
    });
    return rows.map((r) => ({ ...r, payload: asBuffer(r.payload) }));
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
        const n = await this.run<number>({ op: 'deleteHistoryOlder', olderThan, chunk });
        total += n;
        if (n < chunk) break;
      }
    }
    const keep = policy.keepPerConversation;
    if (keep !== undefined) {
      let from = '';
      for (;;) {
        const step = await this.run<PruneStep>({ op: 'pruneStep', from, keep, chunk });
        total += step.deleted;
        if (step.next === null) break;
        from = step.next;
      }
    }
    return total;
  }

  // --- Offline delivery ---

  putOffline(r: NewOfflineRecord): Promise<number> {
    return this.run({
      op: 'putOffline',
      id: r.id,
      inbox: r.inbox,
      sender: r.sender,
      time: r.time,
      expires: r.expires,
      headers: JSON.stringify(r.headers),
      payload: blob(r.payload),
    });
  }

  async readOffline(inbox: string, limit: number): Promise<OfflineRecord[]> {
    return (await this.run<OfflineRow[]>({ op: 'readOffline', inbox, limit })).map(offlineRecord);
  }

  countOffline(inbox: string): Promise<number> {
    return this.run({ op: 'countOffline', inbox });
  }

  deleteOffline(seqs: readonly number[]): Promise<void> {
    return this.run({ op: 'deleteOffline', seqs: [...seqs] });
  }

  async readExpiredOffline(now: number, limit: number): Promise<OfflineRecord[]> {
    return (await this.run<OfflineRow[]>({ op: 'readExpired', now, limit })).map(offlineRecord);
  }

  // --- Maps ---

  getMapping(namespace: string, key: string): Promise<string | undefined> {
    return this.run({ op: 'getMapping', namespace, key });
  }

  setMapping(namespace: string, key: string, value: string): Promise<void> {
    return this.run({ op: 'setMapping', namespace, key, value });
  }

  deleteMapping(namespace: string, key: string): Promise<void> {
    return this.run({ op: 'deleteMapping', namespace, key });
  }

  listMappings(namespace: string): Promise<[string, string][]> {
    return this.run({ op: 'listMappings', namespace });
  }

  // --- Outbound queues ---

  enqueue(queue: string, id: string, data: Uint8Array): Promise<boolean> {
    return this.run({ op: 'enqueue', queue, id, time: Date.now(), payload: blob(data) });
  }

  async readQueue(queue: string, limit: number): Promise<QueueRecord[]> {
    const rows = await this.run<QueueRecord[]>({ op: 'readQueue', queue, limit });
    return rows.map((r) => ({ ...r, data: asBuffer(r.data) }));
  }

  /** Not held for group commit (batch.ts `now`): until it commits, a crash sends the entries again. */
  dequeue(queue: string, ids: readonly string[]): Promise<void> {
    return this.run({ op: 'dequeue', queue, ids: [...ids] }, true);
  }

  // --- Administration ---

  /**
   * Outside the batch's transaction (after what is queued): a damaged page can end a transaction
   * SQLite-side, and a check must report that, not fail on its own COMMIT. The executor runs one
   * thing at a time, so nothing runs in between.
   */
  async check(): Promise<StoreCheck> {
    await this.batcher.flush();
    if (this.closing !== null)
      throw new StoreError('closed', this.location, `the store ${this.location} is closed`);
    return this.executor.check();
  }

  async backup(target: string): Promise<void> {
    await this.batcher.flush();
    try {
      await this.executor.backup(target);
    } catch (err) {
      throw new StoreError(
        'failed',
        this.location,
        `cannot back up ${this.location} to ${target}: ${(err as Error).message}`,
        { cause: err },
      );
    }
  }

  /**
   * The checkpointer's connection closes first, so that the writer's close is the last one and
   * does the final checkpoint (the -wal file goes away with it).
   */
  close(): Promise<void> {
    this.closing ??= this.batcher.close().then(async () => {
      await this.checkpointer?.stop();
      await this.executor.close();
    });
    return this.closing;
  }
}
