/**
 * The writer thread's entry (docs/storage.md, "The writer thread"; writer-thread.ts starts it):
 * opens its own connection to the file the main thread already checked and migrated, then runs
 * what it is sent, one message at a time, and answers each with the same id. SQLite's work (the
 * B-tree inserts, the WAL writes) happens here, on the other core, while the event loop goes on
 * serving sockets; the event loop only packs batches and settles their promises.
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { configureWriter, SqliteEngine } from './engine.js';
import { unpackBatch } from './wire.js';
import type { ThreadRequest, ThreadReply, ThreadStart } from './thread-messages.js';

const port = parentPort!;
const start = workerData as ThreadStart;

function failureOf(err: unknown): { code: string; message: string } {
  const code = (err as { code?: unknown } | undefined)?.code;
  return {
    code: typeof code === 'string' ? code : '',
    message: err instanceof Error ? err.message : String(err),
  };
}

let engine: SqliteEngine | undefined;
try {
  const db = new Database(start.path, { fileMustExist: true, timeout: start.busyTimeoutMs });
  configureWriter(db);
  engine = new SqliteEngine(db, start.location);
  port.postMessage({ id: 0, ok: true } satisfies ThreadReply);
} catch (err) {
  port.postMessage({ id: 0, ok: false, error: failureOf(err) } satisfies ThreadReply);
}

async function serve(e: SqliteEngine, m: ThreadRequest): Promise<unknown> {
  switch (m.kind) {
    case 'commit':
      return e.commit(unpackBatch(m.batch));
    case 'check':
      return e.check();
    case 'backup':
      return e.backup(m.target);
    case 'close':
      e.close();
      return undefined;
  }
}

port.on('message', (m: ThreadRequest) => {
  if (engine === undefined) return;
  serve(engine, m).then(
    (value) => {
      port.postMessage({ id: m.id, ok: true, value } satisfies ThreadReply);
      if (m.kind === 'close') port.close();
    },
    (err: unknown) => port.postMessage({ id: m.id, ok: false, error: failureOf(err) } satisfies ThreadReply),
  );
});
