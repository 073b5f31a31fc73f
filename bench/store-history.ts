/**
 * History size (issue 15, "Benchmark": database bytes and RSS per million messages of history).
 * A child process (bench/store-history-child.ts) writes 200,000 room messages (quick: 20,000) of
 * a realistic size straight through the store into a SQLite file in a temporary folder. Then two
 * fresh children measure the RSS a process pays for holding a store open and reading the newest
 * 50 messages of each room (what a join shows): one on that file, one on an empty store (the
 * baseline). Bytes on disk are scaled linearly to one million messages (SQLite's B-trees grow
 * with the rows); so is the RSS difference, which SQLite's bounded page cache keeps small.
 */
import { fork } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nextMessage, stopByPid } from './lib/procs.js';
import { entry, type BenchContext, type Entry } from './lib/report.js';
import { tempStore } from './store-config.js';

const here = dirname(fileURLToPath(import.meta.url));

interface Usage {
  readonly rss: number;
  readonly heapUsed: number;
}
interface Sizes {
  readonly db: number;
  readonly wal: number;
  readonly shm: number;
}
interface Done {
  readonly written: number;
  readonly seconds: number;
  readonly payloadBytes: number;
  readonly whileOpen: Sizes;
  readonly closed: Sizes;
}
interface Opened {
  readonly before: Usage;
  readonly after: Usage;
  readonly read: number;
}

export function historyCount(quick: boolean): number {
  return quick ? 20_000 : 200_000;
}

/** Forks the child, sends it `request`, waits for `answer` (bounded), stops it by PID. */
async function inChild<T>(request: Record<string, unknown>, answer: string): Promise<T> {
  const child = fork(join(here, 'store-history-child.ts'), [], {
    execArgv: ['--import', 'tsx', '--expose-gc'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  try {
    const done = nextMessage<T>(child, answer, 600_000);
    child.send(request);
    return await done;
  } finally {
    await stopByPid(child, 1000);
  }
}

const mb = (b: number): number => b / 1e6;

export async function measureHistorySize(ctx: BenchContext): Promise<Entry[]> {
  const count = historyCount(ctx.quick);
  const full = tempStore();
  const empty = tempStore();
  try {
    ctx.progress(`store: history size, ${count} room messages through the store`);
    const r = await inChild<Done>(
      { type: 'run', path: full.storage.path, count, timeLimitMs: 300_000 },
      'done',
    );
    ctx.progress('store: history size, RSS of a process holding the store (and an empty one)');
    const held = await inChild<Opened>({ type: 'open', path: full.storage.path }, 'opened');
    const base = await inChild<Opened>({ type: 'open', path: empty.storage.path }, 'opened');
    const perMillion = 1e6 / r.written;
    const onDisk = r.closed.db + r.closed.wal;
    const rssHeld = held.after.rss - held.before.rss;
    const rssEmpty = base.after.rss - base.before.rss;
    return [
      entry(
        `history: ${r.written} room messages (${Math.round(r.payloadBytes / r.written)} B Message/CPIM each), scaled to one million`,
        [
          { name: 'database per million', value: mb(onDisk * perMillion), unit: 'MB', lowerIsBetter: true },
          { name: 'write rate', value: r.written / r.seconds, unit: 'msg/s' },
        ],
        {
          name: 'the payload octets alone',
          figures: [
            {
              name: 'database per million',
              value: mb(r.payloadBytes * perMillion),
              unit: 'MB',
              lowerIsBetter: true,
            },
          ],
        },
        {
          notes:
            `scaled ×${perMillion.toFixed(1)} from ${r.written} messages in 20 rooms, one event-loop turn of 1,000 appends per transaction; ` +
            `on disk after close (WAL checkpointed): ${mb(r.closed.db).toFixed(1)} MB database + ${mb(r.closed.wal).toFixed(1)} MB WAL; ` +
            `while open: ${mb(r.whileOpen.db).toFixed(1)} MB + ${mb(r.whileOpen.wal).toFixed(1)} MB WAL + ${mb(r.whileOpen.shm).toFixed(2)} MB shm`,
        },
      ),
      entry(
        `history: RSS of a process holding that store open (newest 50 of each room read), scaled to one million`,
        [
          { name: 'RSS growth on open', value: mb(rssHeld), unit: 'MB', lowerIsBetter: true },
          {
            name: 'RSS per million',
            value: mb((rssHeld - rssEmpty) * perMillion),
            unit: 'MB',
            lowerIsBetter: true,
          },
        ],
        {
          name: 'the same with an empty store',
          figures: [{ name: 'RSS growth on open', value: mb(rssEmpty), unit: 'MB', lowerIsBetter: true }],
        },
        {
          notes:
            `after full GCs; RSS ${mb(held.before.rss).toFixed(0)} → ${mb(held.after.rss).toFixed(0)} MB holding ${r.written} messages (${held.read} read), ` +
            `${mb(base.before.rss).toFixed(0)} → ${mb(base.after.rss).toFixed(0)} MB with an empty store; ` +
            `"RSS per million" is the difference scaled ×${perMillion.toFixed(1)} (SQLite's page cache is bounded, so it does not grow without limit)`,
        },
      ),
    ];
  } finally {
    full.done();
    empty.done();
  }
}
