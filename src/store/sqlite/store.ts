/**
 * The SQLite backend of the store (issue 15; docs/storage.md): one better-sqlite3 connection,
 * every operation queued in the write batcher (../batch.ts) and run in the transaction of its
 * event-loop turn. better-sqlite3 is synchronous, so a transaction never interleaves with
 * another; the batcher keeps each one to `storage.batchMaxWrites` operations, so no turn of the
 * event loop runs long (history pruning is cut into such transactions too).
 */
import type Database from 'better-sqlite3';
import type { Logger } from '../../log.js';
import { LogThrottle } from '../../policy/index.js';
import { WriteBatcher, type Outcome } from '../batch.js';
import { StoreError } from '../errors.js';
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
import { commitFailure, isStatementError } from './failures.js';
import { checkDatabase } from './check.js';
import { Checkpointer, FALLBACK_PAGES } from './checkpointer.js';
import { prepareStatements, type Statements } from './statements.js';

type Op = () => unknown;

/** Above every seq SQLite hands out (a signed 64-bit rowid fits in a double up to 2^53). */
const NO_UPPER = Number.MAX_SAFE_INTEGER;
/** Conversations visited per transaction when pruning by count. */
const CONVERSATIONS_PER_STEP = 256;

interface OfflineRow {
  seq: number;
  id: string;
  inbox: string;
  sender: string;
  time: number;
  expires: number;
  headers: string;
  payload: Buffer;
}

function offlineRecord(row: OfflineRow): OfflineRecord {
  return { ...row, headers: JSON.parse(row.headers) as [string, string][] };
}

/** A copy: the write runs after the caller's turn, and the caller may reuse its buffer. */
function blob(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes);
}

export class SqliteStore implements Store {
  readonly backend = 'sqlite';
  private readonly batcher: WriteBatcher<Op>;
  private readonly s: Statements;
  private closing: Promise<void> | null = null;
  /** Checkpoints the WAL off the event loop (checkpointer.ts); null for an in-memory database. */
  private readonly checkpointer: Checkpointer | null;

  constructor(
    private readonly db: Database.Database,
    readonly location: string,
    private readonly maxWrites: number,
    log?: Logger,
    /** At most one warn line per this interval for failed commits (`limits.warnIntervalMs`). */
    warnIntervalMs = 10_000,
  ) {
    this.s = prepareStatements(db);
    if (db.memory) this.checkpointer = null;
    else {
      db.pragma(`wal_autocheckpoint = ${FALLBACK_PAGES}`);
      this.checkpointer = new Checkpointer(db.name);
    }
    const warnings = new LogThrottle(warnIntervalMs);
    this.batcher = new WriteBatcher<Op>({
      maxWrites,
      commit: (ops) => this.commit(ops),
      // Issue 15: nothing is dropped silently. The callers answer `resources`; the operator
      // reads why here (a full disk repeats per batch: one line per interval, with the count).
      failure: (err, count) => {
        const error = commitFailure(err, location, count);
        const suppressed = warnings.allow();
        if (suppressed >= 0)
          log?.warn(
            { store: location, operations: count, reason: error.message, suppressed },
            'store write failed',
          );
        return error;
      },
      closed: () => new StoreError('closed', location, `the store ${location} is closed`),
    });
  }

  /** The connection, for `cpim-gateway db` and tests that need SQLite itself (pragmas). */
  get connection(): Database.Database {
    return this.db;
  }

  /** Transactions run so far (tests: many writes in one turn are one transaction). */
  get transactions(): number {
    return this.batcher.transactions;
  }

  private commit(ops: readonly Op[]): Outcome[] {
    const outcomes: Outcome[] = [];
    this.db
      .transaction(() => {
        for (const op of ops) {
          try {
            outcomes.push({ ok: true, value: op() });
          } catch (err) {
            // SQLite undid that statement alone: the others still commit.
            if (!isStatementError(err)) throw err;
            outcomes.push({ ok: false, error: commitFailure(err, this.location, 1) });
          }
        }
      })
      .immediate();
    return outcomes;
  }

  private run<R>(op: () => R): Promise<R> {
    return this.batcher.submit<R>(op);
  }

  // --- History ---

  appendHistory(r: NewHistoryRecord): Promise<number> {
    const payload = blob(r.payload);
    return this.run(() => {
      const row = this.s.insertHistory.get(
        r.id,
        r.conversation,
        r.time,
        r.source,
        r.destination,
        r.contentType,
        payload,
      ) as { seq: number } | undefined;
      // The same message again (a resend after a restart): its first seq, stored once.
      return row?.seq ?? (this.s.historySeqOf.get(r.conversation, r.id) as { seq: number }).seq;
    });
  }

  readHistory(conversation: string, q: HistoryQuery): Promise<HistoryRecord[]> {
    const before = q.before ?? NO_UPPER;
    const after = q.after ?? -1;
    return this.run(() => {
      if (q.after !== undefined)
        return this.s.historyOldest.all(conversation, after, before, q.limit) as HistoryRecord[];
      return (this.s.historyNewest.all(conversation, before, after, q.limit) as HistoryRecord[]).reverse();
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
        const n = await this.run(() => this.s.deleteHistoryOlder.run(olderThan, chunk).changes);
        total += n;
        if (n < chunk) break;
      }
    }
    const keep = policy.keepPerConversation;
    if (keep !== undefined) {
      let from = '';
      for (;;) {
        const step = await this.run(() => this.pruneStep(from, keep, chunk));
        total += step.deleted;
        if (step.next === null) break;
        from = step.next;
      }
    }
    return total;
  }

  /**
   * One transaction of pruning by count: conversations after `from` in key order, until
   * CONVERSATIONS_PER_STEP were visited or `chunk` rows deleted. `next` is where the next step
   * starts (just before a conversation left unfinished), null when all were visited.
   */
  private pruneStep(from: string, keep: number, chunk: number): { deleted: number; next: string | null } {
    let deleted = 0;
    let cursor = from;
    for (let i = 0; i < CONVERSATIONS_PER_STEP; i++) {
      const row = this.s.nextConversation.get(cursor) as { conversation: string } | undefined;
      if (row === undefined) return { deleted, next: null };
      const cutoff = this.s.historyCutoff.get(row.conversation, keep) as { seq: number } | undefined;
      if (cutoff !== undefined) {
        const n = this.s.deleteHistoryUpTo.run(row.conversation, cutoff.seq, chunk - deleted).changes;
        deleted += n;
        // Not finished with this one: the next step visits it again.
        if (deleted >= chunk) return { deleted, next: cursor };
      }
      cursor = row.conversation;
    }
    return { deleted, next: cursor };
  }

  // --- Offline delivery ---

  putOffline(r: NewOfflineRecord): Promise<number> {
    const payload = blob(r.payload);
    const headers = JSON.stringify(r.headers);
    return this.run(() => {
      const row = this.s.insertOffline.get(r.id, r.inbox, r.sender, r.time, r.expires, headers, payload) as
        { seq: number } | undefined;
      return row?.seq ?? (this.s.offlineSeqOf.get(r.inbox, r.id) as { seq: number }).seq;
    });
  }

  readOffline(inbox: string, limit: number): Promise<OfflineRecord[]> {
    return this.run(() => (this.s.readOffline.all(inbox, limit) as OfflineRow[]).map(offlineRecord));
  }

  countOffline(inbox: string): Promise<number> {
    return this.run(() => (this.s.countOffline.get(inbox) as { n: number }).n);
  }

  deleteOffline(seqs: readonly number[]): Promise<void> {
    const list = [...seqs];
    return this.run(() => {
      for (const seq of list) this.s.deleteOffline.run(seq);
    });
  }

  readExpiredOffline(now: number, limit: number): Promise<OfflineRecord[]> {
    return this.run(() => (this.s.readExpired.all(now, limit) as OfflineRow[]).map(offlineRecord));
  }

  // --- Maps ---

  getMapping(namespace: string, key: string): Promise<string | undefined> {
    return this.run(() => (this.s.getMapping.get(namespace, key) as { value: string } | undefined)?.value);
  }

  setMapping(namespace: string, key: string, value: string): Promise<void> {
    return this.run(() => {
      this.s.setMapping.run(namespace, key, value);
    });
  }

  deleteMapping(namespace: string, key: string): Promise<void> {
    return this.run(() => {
      this.s.deleteMapping.run(namespace, key);
    });
  }

  listMappings(namespace: string): Promise<[string, string][]> {
    return this.run(() =>
      (this.s.listMappings.all(namespace) as { key: string; value: string }[]).map(
        (r) => [r.key, r.value] as [string, string],
      ),
    );
  }

  // --- Outbound queues ---

  enqueue(queue: string, id: string, data: Uint8Array): Promise<boolean> {
    const bytes = blob(data);
    const time = Date.now();
    return this.run(() => this.s.enqueue.run(queue, id, time, bytes).changes === 1);
  }

  readQueue(queue: string, limit: number): Promise<QueueRecord[]> {
    return this.run(() => this.s.readQueue.all(queue, limit) as QueueRecord[]);
  }

  dequeue(queue: string, ids: readonly string[]): Promise<void> {
    const list = [...ids];
    return this.run(() => {
      for (const id of list) this.s.dequeue.run(queue, id);
    });
  }

  // --- Administration ---

  /**
   * Outside the batch's transaction (after what is queued): a damaged page can end a transaction
   * SQLite-side, and a check must report that, not fail on its own COMMIT. better-sqlite3 is
   * synchronous, so nothing runs in between.
   */
  async check(): Promise<StoreCheck> {
    await this.batcher.flush();
    if (!this.db.open) throw new StoreError('closed', this.location, `the store ${this.location} is closed`);
    return checkDatabase(this.db);
  }

  async backup(target: string): Promise<void> {
    await this.batcher.flush();
    try {
      // better-sqlite3's online backup: copies pages a few at a time between turns of the loop.
      await this.db.backup(target);
    } catch (err) {
      throw new StoreError(
        'failed',
        this.location,
        `cannot back up ${this.location} to ${target}: ${(err as Error).message}`,
        { cause: err },
      );
    }
  }

  close(): Promise<void> {
    this.closing ??= this.batcher.close().then(async () => {
      await this.checkpointer?.stop();
      if (this.db.open) this.db.close();
    });
    return this.closing;
  }
}
