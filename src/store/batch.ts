/**
 * The write batcher (issue 15: "Writes are batched per event-loop turn in one transaction, so the
 * store does not become the bottleneck"; docs/storage.md, "Batching"). Operations submitted in one
 * event-loop turn are committed together: the first one schedules a flush with setImmediate,
 * which runs after the turn's other callbacks have submitted theirs. At most `maxWrites`
 * operations go in one transaction; the rest go in the next, flushed straight after.
 *
 * Group commit (`minIntervalMs`, `storage.commitIntervalMs`): a commit starts at least that long
 * after the last one started. After a quiet spell that changes nothing (the flush is still at the
 * end of the turn); under load, the writes of several turns share a transaction instead of each
 * turn paying its own. Measured (docs/performance.md, "Store"): IRC lines arrive two or three per
 * turn, and a transaction costs SQLite about 50 µs before its first row.
 *
 * Each operation's promise settles only after its transaction committed (or failed): a caller that
 * awaits a write and then answers `ok` never answers `ok` for something not stored. When the
 * commit fails, every operation of that batch rejects with the StoreError the backend made of it.
 * Reads go through the same queue, so a read sees every write submitted before it.
 *
 * Backend-neutral: the backend's `commit` runs the operations (synchronously for SQLite, over a
 * connection for PostgreSQL); one commit at a time.
 */
import { StoreError } from './errors.js';

/** What one operation of a committed batch came to. */
export type Outcome =
  { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: unknown };

export interface BatcherOptions<Op> {
  /** Operations per transaction (`storage.batchMaxWrites`). */
  readonly maxWrites: number;
  /**
   * Least time between the starts of two commits (`storage.commitIntervalMs`; 0: none). A write
   * that comes after a quiet spell is committed at the end of its turn; under load, what comes
   * within the interval waits for the next commit and joins it (group commit).
   */
  readonly minIntervalMs?: number;
  /**
   * Runs `ops` in one transaction and commits it. Throws (or rejects) when the transaction as a
   * whole failed; an operation that failed alone (the rest committed) is an `ok: false` outcome.
   */
  readonly commit: (ops: readonly Op[]) => Outcome[] | Promise<Outcome[]>;
  /** The StoreError a failed commit rejects every operation of the batch with. */
  readonly failure: (err: unknown, count: number) => StoreError;
  /** The StoreError an operation submitted after `close` rejects with. */
  readonly closed: () => StoreError;
}

interface Pending<Op> {
  readonly op: Op;
  readonly resolve: (value: unknown) => void;
  readonly reject: (err: unknown) => void;
}

export class WriteBatcher<Op> {
  private queue: Pending<Op>[] = [];
  private scheduled = false;
  private running: Promise<void> | null = null;
  private closing = false;
  /** When the last commit started (performance.now()), for `minIntervalMs`. */
  private lastStart = -Infinity;
  /** The pending flush when it waits for `minIntervalMs`, so that `flush` can run it at once. */
  private timer: NodeJS.Timeout | null = null;
  /** An operation submitted with `now` waits: the next transaction skips `minIntervalMs`. */
  private urgent = false;
  /** Transactions committed (or attempted) so far: one per flushed batch. */
  transactions = 0;
  /** Operations run so far (with `transactions`: how full the batches are). */
  operations = 0;

  constructor(private readonly options: BatcherOptions<Op>) {}

  /** Operations waiting for their transaction. */
  get pending(): number {
    return this.queue.length;
  }

  /**
   * Queues `op` for the next transaction. `now`: that transaction starts at once, in this call,
   * when none is running (SQLite commits it before `submit` returns), else as soon as the running
   * one is done; it is never held back by `minIntervalMs` nor by the rest of the turn: for writes
   * whose delay widens a window, such as removing a line already sent from an outbound queue (a
   * crash before that commit sends the line again; under load the rest of a turn is long).
   */
  submit<R>(op: Op, now = false): Promise<R> {
    if (this.closing) return Promise.reject(this.options.closed());
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ op, resolve: resolve as (v: unknown) => void, reject });
      if (!now) return this.schedule();
      this.urgent = true;
      if (this.running !== null) return; // its `finally` schedules the rest, urgently
      if (this.timer !== null) clearTimeout(this.timer);
      this.timer = null;
      this.start();
    });
  }

  /** Resolves when every operation submitted so far has settled. */
  async flush(): Promise<void> {
    while (this.queue.length > 0 || this.running !== null || this.scheduled) {
      if (this.timer !== null) {
        // Waiting for storage.commitIntervalMs: a flush commits now.
        clearTimeout(this.timer);
        this.timer = null;
        this.start();
      }
      if (this.running !== null) await this.running;
      else await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  /** Refuses new operations, then waits for those submitted. Idempotent. */
  async close(): Promise<void> {
    this.closing = true;
    await this.flush();
  }

  private schedule(): void {
    if (this.scheduled || this.running !== null) return;
    this.scheduled = true;
    const wait = this.urgent ? 0 : this.lastStart + (this.options.minIntervalMs ?? 0) - performance.now();
    // `scheduled` is cleared by a start that came first (an urgent submit): then nothing to do.
    if (wait <= 0) setImmediate(() => this.scheduled && this.start());
    else
      this.timer = setTimeout(() => {
        this.timer = null;
        this.start();
      }, wait);
  }

  private start(): void {
    // One commit at a time; the running one's `finally` schedules what is left.
    if (this.running !== null) return;
    this.scheduled = false;
    this.urgent = false;
    this.lastStart = performance.now();
    this.running = this.runBatch().finally(() => {
      this.running = null;
      if (this.queue.length > 0) this.schedule();
    });
  }

  private async runBatch(): Promise<void> {
    const batch = this.queue.splice(0, this.options.maxWrites);
    if (batch.length === 0) return;
    this.transactions++;
    this.operations += batch.length;
    let outcomes: Outcome[];
    try {
      outcomes = await this.options.commit(batch.map((p) => p.op));
    } catch (err) {
      const error = err instanceof StoreError ? err : this.options.failure(err, batch.length);
      for (const p of batch) p.reject(error);
      return;
    }
    batch.forEach((p, i) => {
      const outcome = outcomes[i];
      if (outcome === undefined) p.reject(this.options.failure(new Error('no outcome'), batch.length));
      else if (outcome.ok) p.resolve(outcome.value);
      else p.reject(outcome.error);
    });
  }
}
