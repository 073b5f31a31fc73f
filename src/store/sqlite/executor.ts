/**
 * Where the SQLite store's batches run (docs/storage.md, "The writer thread"): on the writer
 * thread (writer-thread.ts, the default for a file) or inline on the event loop (`:memory:`,
 * whose database only the opening thread can see; `cpim-gateway db` commands; `storage.writer:
 * inline`). SqliteStore sees only this interface.
 */
import type Database from 'better-sqlite3';
import type { StoreCheck } from '../types.js';
import type { EngineResult, SqliteEngine } from './engine.js';
import type { SqliteOp } from './operations.js';

export interface SqliteExecutor {
  /** Runs one batch in one transaction; throws (rejects) when the transaction failed as a whole. */
  commit(ops: readonly SqliteOp[]): EngineResult | Promise<EngineResult>;
  check(): Promise<StoreCheck>;
  backup(target: string): Promise<void>;
  close(): Promise<void>;
  /** The connection, when it lives on this thread (tests read pragmas through it). */
  readonly connection: Database.Database | null;
}

export class InlineExecutor implements SqliteExecutor {
  constructor(private readonly engine: SqliteEngine) {}

  get connection(): Database.Database {
    return this.engine.db;
  }

  commit(ops: readonly SqliteOp[]): EngineResult {
    return this.engine.commit(ops);
  }

  check(): Promise<StoreCheck> {
    return Promise.resolve(this.engine.check());
  }

  backup(target: string): Promise<void> {
    return this.engine.backup(target);
  }

  close(): Promise<void> {
    this.engine.close();
    return Promise.resolve();
  }
}
