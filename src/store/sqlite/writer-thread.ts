/**
 * The writer thread, seen from the event loop (issue 15 benchmark; docs/storage.md, "The writer
 * thread"). SQLite is synchronous: run on the event loop, every history row cost the loop about
 * 10 µs of B-tree and WAL work, a room post with the store on ran at a quarter of the rate
 * without it. Here the connection lives on a worker thread (engine-worker.ts): the loop packs
 * each batch into one transferred buffer (wire.ts), posts it, and goes on; the batcher sends the
 * next batch when this one's answer came, so batches grow while the thread is busy.
 *
 * A thread that dies (it should not; a bug or an out-of-memory would) fails what it had in hand
 * (`write-failed`: the callers answer `resources`) and is started again for the next batch. The
 * thread keeps the process alive only while a request is outstanding.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { StoreCheck } from '../types.js';
import type { EngineResult } from './engine.js';
import type { SqliteExecutor } from './executor.js';
import type { SqliteOp } from './operations.js';
import type { ThreadReply, ThreadRequest, ThreadStart } from './thread-messages.js';
import { packBatch } from './wire.js';

type Request = ThreadRequest extends infer R ? (R extends unknown ? Omit<R, 'id'> : never) : never;

interface Waiting {
  readonly resolve: (value: unknown) => void;
  readonly reject: (err: unknown) => void;
}

/** An Error that carries SQLite's code, as better-sqlite3 throws them (failures.ts reads `code`). */
function codedError(error: { code: string; message: string }): Error {
  return Object.assign(new Error(error.message), { code: error.code });
}

/**
 * The worker: the compiled engine-worker.js beside this file, or, when running from the
 * TypeScript sources (tests, tsx), the .ts one through tsx's loader registered in the thread.
 */
function spawn(start: ThreadStart): Worker {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) return new Worker(new URL('./engine-worker.js', here), { workerData: start });
  // The ESM build of tsx's API (its CommonJS build resolves its own parts wrongly in an eval'd thread).
  const api = pathToFileURL(
    createRequire(here)
      .resolve('tsx/esm/api')
      .replace(/\.cjs$/, '.mjs'),
  ).href;
  const entry = new URL('./engine-worker.ts', here).href;
  const source = `import(${JSON.stringify(api)}).then((m) => { (m.register ?? m.default.register)(); return import(${JSON.stringify(entry)}); })`;
  return new Worker(source, { eval: true, workerData: start });
}

export class WriterThread implements SqliteExecutor {
  readonly connection = null;
  private worker: Worker | null = null;
  private opened: Promise<void> | null = null;
  private readonly waiting = new Map<number, Waiting>();
  private nextId = 1;
  private closed = false;

  private constructor(private readonly start: ThreadStart) {}

  /** Starts the thread; rejects (an Error with SQLite's `code`) when it cannot open the file. */
  static async open(start: ThreadStart): Promise<WriterThread> {
    const thread = new WriterThread(start);
    try {
      await thread.ensure();
    } catch (err) {
      await thread.close();
      throw err;
    }
    return thread;
  }

  commit(ops: readonly SqliteOp[]): Promise<EngineResult> {
    const batch = packBatch(ops);
    return this.request({ kind: 'commit', batch }, [batch.bytes]) as Promise<EngineResult>;
  }

  check(): Promise<StoreCheck> {
    return this.request({ kind: 'check' }) as Promise<StoreCheck>;
  }

  async backup(target: string): Promise<void> {
    await this.request({ kind: 'backup', target });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const worker = this.worker;
    if (worker === null) return;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    try {
      await this.send(worker, { kind: 'close' }, []);
    } catch {
      // Dead already, or the close failed: the thread goes either way.
    }
    void worker.terminate();
    await exited;
  }

  private ensure(): Promise<void> {
    if (this.opened !== null) return this.opened;
    const worker = spawn(this.start);
    this.worker = worker;
    worker.unref();
    this.opened = new Promise<void>((resolve, reject) => {
      this.waiting.set(0, { resolve: () => resolve(), reject });
      worker.ref();
    });
    worker.on('message', (reply: ThreadReply) => this.settle(reply));
    const gone = (why: string): void => {
      if (this.worker !== worker) return;
      this.worker = null;
      this.opened = null;
      const error = codedError({
        code: 'SQLITE_IOERR',
        message: `the store's writer thread stopped (${why})`,
      });
      for (const w of this.waiting.values()) w.reject(error);
      this.waiting.clear();
    };
    worker.on('error', (err) => gone(err.message));
    worker.on('exit', (code) => gone(`exit code ${code}`));
    return this.opened;
  }

  private settle(reply: ThreadReply): void {
    const w = this.waiting.get(reply.id);
    if (w === undefined) return;
    this.waiting.delete(reply.id);
    if (this.waiting.size === 0) this.worker?.unref();
    if (reply.ok) w.resolve(reply.value);
    else w.reject(codedError(reply.error));
  }

  private async request(message: Request, transfer: ArrayBuffer[] = []): Promise<unknown> {
    if (this.closed) throw codedError({ code: 'SQLITE_MISUSE', message: 'the store is closed' });
    await this.ensure();
    return this.send(this.worker!, message, transfer);
  }

  private send(worker: Worker, message: Request, transfer: ArrayBuffer[]): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      worker.ref();
      worker.postMessage({ ...message, id } as ThreadRequest, transfer);
    });
  }
}
