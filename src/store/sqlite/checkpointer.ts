/**
 * The WAL checkpointer (issue 15, benchmark: room history and the IRC path). In WAL mode every
 * commit appends pages to the -wal file; a checkpoint copies them back into the database file and
 * syncs it (synchronous=NORMAL syncs there, not at commits). SQLite's automatic checkpoint runs
 * inside the COMMIT that crosses 1000 pages, on the gateway's event loop: a CPU profile of the room
 * bench showed it as about a quarter of the store's cost per message, plus an fsync that stalls
 * every post of that turn. Here a second connection on a worker thread runs a PASSIVE checkpoint
 * every CHECK_MS instead, on the other core: PASSIVE never waits for the writer and never blocks
 * it (WAL lets a writer append while a checkpoint copies), so commits stay as they were.
 *
 * The writer keeps an automatic checkpoint as a backstop (FALLBACK_PAGES, well above what the
 * worker lets pile up), so a worker that died or lags only costs speed, never an unbounded WAL.
 * The worker's code is a plain CommonJS string (eval), so it runs the same from the TypeScript
 * sources (tests, tsx) and from the build.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** How often the worker checkpoints (ms). */
const CHECK_MS = 50;
/** The writer's own automatic checkpoint, as a backstop only (pages of 4 KiB: 40 MB). */
export const FALLBACK_PAGES = 10_000;

const SOURCE = `
const { workerData, parentPort } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path, { fileMustExist: true, timeout: 0 });
let timer = setInterval(() => {
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch { /* busy or closing: the next tick retries */ }
}, workerData.intervalMs);
parentPort.on('message', () => {
  clearInterval(timer);
  try { db.close(); } catch {}
  parentPort.postMessage('closed');
  parentPort.close();
});
`;

export class Checkpointer {
  private readonly worker: Worker;
  private stopping: Promise<void> | null = null;

  constructor(path: string) {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    this.worker = new Worker(SOURCE, { eval: true, workerData: { driver, path, intervalMs: CHECK_MS } });
    // Never keeps the process alive on its own; an error here only means the backstop takes over.
    this.worker.unref();
    this.worker.on('error', () => undefined);
  }

  /**
   * Closes the worker's connection first, so that the writer's close is the last one and does
   * the final checkpoint (the -wal file goes away with it).
   */
  stop(): Promise<void> {
    this.stopping ??= new Promise<void>((resolve) => {
      const done = (): void => resolve();
      this.worker.once('exit', done);
      this.worker.once('message', () => void this.worker.terminate().then(done, done));
      try {
        this.worker.postMessage('stop');
      } catch {
        done();
      }
    });
    return this.stopping;
  }
}
