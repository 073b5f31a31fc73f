/**
 * The history-size measurement's own process (bench/store-history.ts forks it with tsx and
 * --expose-gc, so that its RSS is the store's alone): opens a SQLite store through `openStore`
 * (src/store/index.ts), appends `count` room messages of a realistic size through the store's
 * batching (one event-loop turn of appends per transaction), and reports the file sizes before
 * and after closing (closing checkpoints the WAL into the database file). A fresh child then
 * measures what holding such a store costs a process: RSS after full GCs before opening it, and
 * after opening it and reading the newest 50 messages of every room (what joining shows).
 *   parent → { type: 'run', path, count, timeLimitMs }   child → { type: 'done', … } and exits
 *   parent → { type: 'open', path }                      child → { type: 'opened', … } and exits
 */
import { randomBytes } from 'node:crypto';
import { statSync } from 'node:fs';
import { storageSchema } from '../src/config/storage-schema.js';
import { createRootLogger } from '../src/log.js';
import { openStore } from '../src/store/index.js';

interface Run {
  readonly type: 'run';
  readonly path: string;
  readonly count: number;
  readonly timeLimitMs: number;
}
interface Open {
  readonly type: 'open';
  readonly path: string;
}

/** Appends issued per event-loop turn (the store commits each turn's writes together). */
const PER_TURN = 1000;
const ROOMS = 20;
const WORDS = 'the meeting moved to four, bring the slides and the numbers from last week please'.split(' ');

function fullGc(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  for (let i = 0; gc && i < 3; i++) gc();
}

const size = (f: string): number => {
  try {
    return statSync(f).size;
  } catch {
    return 0;
  }
};
const files = (path: string): { db: number; wal: number; shm: number } => ({
  db: size(path),
  wal: size(`${path}-wal`),
  shm: size(`${path}-shm`),
});

/** A chat line as Message/CPIM (RFC 3862): 40–160 characters of text, a realistic IRC line. */
function cpim(i: number, room: string, from: string, time: number): Uint8Array {
  const n = 6 + (i % 24);
  const text = Array.from({ length: n }, (_, k) => WORDS[(i + k) % WORDS.length]).join(' ');
  const body = Buffer.from(text, 'utf8');
  return Buffer.from(
    `From: <${from}>\r\nTo: <${room}>\r\nDateTime: ${new Date(time).toISOString()}\r\n\r\n` +
      `Content-Type: text/plain;charset=utf-8\r\nContent-Length: ${body.length}\r\n\r\n${text}`,
  );
}

async function open(path: string) {
  const log = createRootLogger({ level: 'warn', destination: process.stderr });
  const store = await openStore(storageSchema.parse({ backend: 'sqlite', path }), { log });
  if (store === null) throw new Error('openStore gave no store for backend sqlite');
  return store;
}

async function measureOpen(m: Open): Promise<Record<string, unknown>> {
  fullGc();
  const before = process.memoryUsage();
  const store = await open(m.path);
  let read = 0;
  for (let r = 0; r < ROOMS; r++)
    read += (await store.readHistory(`im:room${r}@gw.test`, { limit: 50 })).length;
  fullGc();
  const after = process.memoryUsage();
  await store.close();
  return { type: 'opened', before, after, read };
}

async function run(m: Run): Promise<Record<string, unknown>> {
  const store = await open(m.path);
  const t0 = Date.now();
  let written = 0;
  let payloadBytes = 0;
  while (written < m.count && Date.now() - t0 < m.timeLimitMs) {
    const k = Math.min(PER_TURN, m.count - written);
    const writes: Promise<number>[] = [];
    for (let j = 0; j < k; j++) {
      const i = written + j;
      const room = `im:room${i % ROOMS}@gw.test`;
      const source = `im:user${i % 97}@irc.test`;
      const time = t0 + i;
      const payload = cpim(i, room, source, time);
      payloadBytes += payload.length;
      writes.push(
        store.appendHistory({
          id: randomBytes(16).toString('base64url'),
          conversation: room,
          time,
          source,
          destination: room,
          contentType: 'message/cpim',
          payload,
        }),
      );
    }
    await Promise.all(writes);
    written += k;
  }
  const seconds = (Date.now() - t0) / 1000;
  const whileOpen = files(m.path);
  await store.close();
  const closed = files(m.path);
  return { type: 'done', written, seconds, payloadBytes, whileOpen, closed };
}

process.on('message', (m: Run | Open) => {
  (m.type === 'run' ? run(m) : measureOpen(m))
    .then((r) => process.send?.(r, () => process.exit(0)))
    .catch((e: unknown) => {
      process.send?.(
        { type: 'error', message: e instanceof Error ? (e.stack ?? e.message) : String(e) },
        () => process.exit(1),
      );
    });
});
process.on('disconnect', () => process.exit(0));
