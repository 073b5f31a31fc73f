/**
 * History size (issue 15, "Benchmark": database bytes and RSS per million messages of history).
 * A child process (bench/store-history-child.ts) writes 200,000 room messages (quick: 20,000) of
 * a realistic size straight through the store into a SQLite file in a temporary folder; the
 * figures are scaled to one million messages (linearly: SQLite's B-trees grow with the rows, and
 * the RSS growth of a process holding the store open is mostly its page cache, which is bounded).
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
  readonly before: Usage;
  readonly open: Usage;
  readonly whileOpen: Sizes;
  readonly closed: Sizes;
}

export function historyCount(quick: boolean): number {
  return quick ? 20_000 : 200_000;
}

export async function measureHistorySize(ctx: BenchContext): Promise<Entry[]> {
  const count = historyCount(ctx.quick);
  const store = tempStore();
  const path = String(store.storage.path);
  ctx.progress(`store: history size, ${count} room messages through the store`);
  const child = fork(join(here, 'store-history-child.ts'), [], {
    execArgv: ['--import', 'tsx', '--expose-gc'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  try {
    const done = nextMessage<Done>(child, 'done', 600_000);
    child.send({ type: 'run', path, count, timeLimitMs: 300_000 });
    const r = await done;
    const perMillion = 1e6 / r.written;
    const onDisk = r.closed.db + r.closed.wal;
    const mb = (b: number): number => b / 1e6;
    return [
      entry(
        `history: ${r.written} room messages (${Math.round(r.payloadBytes / r.written)} B Message/CPIM each), scaled to one million`,
        [
          { name: 'database per million', value: mb(onDisk * perMillion), unit: 'MB', lowerIsBetter: true },
          {
            name: 'RSS per million',
            value: mb((r.open.rss - r.before.rss) * perMillion),
            unit: 'MB',
            lowerIsBetter: true,
          },
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
            `scaled ×${perMillion.toFixed(1)} from ${r.written} messages in 20 rooms; on disk after close (WAL checkpointed): ` +
            `${mb(r.closed.db).toFixed(1)} MB database + ${mb(r.closed.wal).toFixed(1)} MB WAL; while open: ` +
            `${mb(r.whileOpen.db).toFixed(1)} MB + ${mb(r.whileOpen.wal).toFixed(1)} MB WAL + ${mb(r.whileOpen.shm).toFixed(2)} MB shm; ` +
            `RSS ${mb(r.before.rss).toFixed(0)} → ${mb(r.open.rss).toFixed(0)} MB (store open, after full GCs; mostly SQLite's page cache), ` +
            `heap ${mb(r.before.heapUsed).toFixed(0)} → ${mb(r.open.heapUsed).toFixed(0)} MB`,
        },
      ),
    ];
  } finally {
    await stopByPid(child, 1000);
    store.done();
  }
}
