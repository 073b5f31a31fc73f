/**
 * History rows written several per statement (issue 18, "each of the above with the store on"):
 * a room post is one history row, and a batch under load holds tens to hundreds of them in a row.
 * One `INSERT … VALUES (…), (…), …` of n rows (a run of up to ROWS; one prepared statement per n,
 * made at its first use) costs SQLite one statement (one VDBE run, one `sqlite_sequence` update
 * for AUTOINCREMENT, one reset) instead of n; measured on its own (bench/store-insert-cpu.ts)
 * about 0.4–0.6 µs less per row of ~5–6 µs.
 *
 * The answers stay what one statement per row gave: each row's seq, and for an id already in the
 * conversation the first row's seq. When every row of the statement went in (`changes` = n)
 * their seqs are the n consecutive ones ending at `lastInsertRowid`: one writer, no triggers,
 * and SQLite inserts the VALUES rows in order. When some were already there, each row's seq is
 * read back by (conversation, id) (the uniqueness index), which is also right for the ones that
 * went in. A statement that fails (a row SQLite refuses) is undone by SQLite as a whole; the
 * caller then runs those rows one statement each, so only the bad row fails, as before.
 */
import type Database from 'better-sqlite3';
import type { SqliteOp } from './operations.js';

/** Rows per multi-row statement: 7 parameters each, well under SQLite's variable limit. */
export const ROWS = 32;

type Append = Extract<SqliteOp, { op: 'appendHistory' }>;

export class HistoryRows {
  /** The statement of n rows at [n], prepared at its first use (n = 2 … ROWS). */
  private readonly inserts: (Database.Statement | undefined)[] = [];

  constructor(
    private readonly db: Database.Database,
    readonly seqOf: Database.Statement,
  ) {}

  insert(n: number): Database.Statement {
    let s = this.inserts[n];
    if (s === undefined) {
      const values = new Array<string>(n).fill('(?, ?, ?, ?, ?, ?, ?)').join(', ');
      s = this.db.prepare(
        `INSERT INTO history (id, conversation, time, source, destination, content_type, payload)
         VALUES ${values} ON CONFLICT (conversation, id) DO NOTHING`,
      );
      this.inserts[n] = s;
    }
    return s;
  }
}

/** How many appendHistory operations follow from `from` (at most ROWS). */
export function appendRun(ops: readonly SqliteOp[], from: number): number {
  let n = 0;
  while (n < ROWS && from + n < ops.length && ops[from + n]!.op === 'appendHistory') n++;
  return n;
}

/** Parameter arrays reused from statement to statement, one per row count (better-sqlite3 binds, then lets go). */
const params: unknown[][] = [];

/**
 * Inserts ops[from … from + n) (all appendHistory, 2 ≤ n ≤ ROWS) in one statement and writes each
 * one's seq into `values` at its index. Throws what the statement threw (nothing of it is kept then).
 */
export function insertRows(
  h: HistoryRows,
  ops: readonly SqliteOp[],
  from: number,
  n: number,
  values: unknown[],
): void {
  const p = (params[n] ??= new Array<unknown>(n * 7));
  for (let i = 0; i < n; i++) {
    const o = ops[from + i] as Append;
    const at = i * 7;
    p[at] = o.id;
    p[at + 1] = o.conversation;
    p[at + 2] = o.time;
    p[at + 3] = o.source;
    p[at + 4] = o.destination;
    p[at + 5] = o.contentType;
    p[at + 6] = o.payload;
  }
  let r: Database.RunResult;
  try {
    r = h.insert(n).run(p);
  } finally {
    p.fill(undefined);
  }
  if (r.changes === n) {
    const first = Number(r.lastInsertRowid) - n + 1;
    for (let i = 0; i < n; i++) values[from + i] = first + i;
    return;
  }
  for (let i = 0; i < n; i++) {
    const o = ops[from + i] as Append;
    values[from + i] = (h.seqOf.get(o.conversation, o.id) as { seq: number }).seq;
  }
}
