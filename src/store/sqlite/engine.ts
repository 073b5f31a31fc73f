/**
 * The SQLite engine (issue 15; docs/storage.md, "The writer thread"): one better-sqlite3
 * connection and its prepared statements, running a batch of operations (operations.ts) in one
 * transaction. It runs where the connection lives: on the writer thread (engine-worker.ts) for a
 * file, inline on the event loop for `:memory:` and for `cpim-gateway db` commands.
 */
import type Database from 'better-sqlite3';
import type { StoreCheck } from '../types.js';
import { checkDatabase } from './check.js';
import { FALLBACK_PAGES } from './checkpointer.js';
import { commitFailure, isStatementError } from './failures.js';
import { runOperation, type SqliteOp } from './operations.js';
import { appendRun, HistoryRows, insertRows } from './history-rows.js';
import { prepareStatements, type Statements } from './statements.js';

/**
 * What a batch came to: each operation's value in order, and the few that failed alone, flat
 * (index, StoreError kind, line, …). Arrays of primitives, not an object per operation: the
 * result crosses back from the writer thread, and postMessage clones objects slowly (wire.ts).
 */
export interface EngineResult {
  readonly values: unknown[];
  readonly failed: (number | string)[];
}

/**
 * The per-connection settings every writer connection gets, on whichever thread opens it.
 * NORMAL syncs at checkpoints, not at each commit: a commit survives the process being killed
 * (the WAL is in the OS's hands), not a power cut in the last moment.
 */
export function configureWriter(db: Database.Database): void {
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  // The checkpointer thread (checkpointer.ts) keeps the WAL short; this is its backstop.
  if (!db.memory) db.pragma(`wal_autocheckpoint = ${FALLBACK_PAGES}`);
}

export class SqliteEngine {
  private readonly s: Statements;
  /** History rows several per statement (history-rows.ts). */
  private readonly rows: HistoryRows;

  constructor(
    readonly db: Database.Database,
    private readonly location: string,
  ) {
    this.s = prepareStatements(db);
    this.rows = new HistoryRows(db, this.s.historySeqOf);
  }

  /**
   * Runs `ops` in one IMMEDIATE transaction. An operation whose statement failed alone (SQLite
   * undid that statement only) is a failed outcome and the rest commit; anything else (a full
   * disk, a damaged page, a lock) throws and nothing of the batch is committed.
   */
  commit(ops: readonly SqliteOp[]): EngineResult {
    const values: unknown[] = new Array(ops.length);
    const failed: (number | string)[] = [];
    this.db
      .transaction(() => {
        for (let i = 0; i < ops.length;) {
          // A run of history rows goes in one statement; should SQLite refuse it, the same rows
          // go one statement each, so only a refused row fails.
          const run = appendRun(ops, i);
          if (run > 1) {
            try {
              insertRows(this.rows, ops, i, run, values);
              i += run;
              continue;
            } catch (err) {
              if (!isStatementError(err)) throw err;
            }
          }
          for (const end = i + Math.max(run, 1); i < end; i++) this.runOne(ops, i, values, failed);
        }
      })
      .immediate();
    return { values, failed };
  }

  /** Runs ops[i] alone; a statement error fails it alone (SQLite undid that statement only). */
  private runOne(ops: readonly SqliteOp[], i: number, values: unknown[], failed: (number | string)[]): void {
    try {
      values[i] = runOperation(this.s, ops[i]!);
    } catch (err) {
      if (!isStatementError(err)) throw err;
      const error = commitFailure(err, this.location, 1);
      failed.push(i, error.failure, error.message);
    }
  }

  check(): StoreCheck {
    return checkDatabase(this.db);
  }

  /** better-sqlite3's online backup: copies pages a few at a time between turns of the loop. */
  async backup(target: string): Promise<void> {
    await this.db.backup(target);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
