/**
 * CPU per history row through the SQLite store's own insert path (issue 18, "with the store on"),
 * in one process, no sockets: `appendHistory` of 248-octet payloads cut from a larger buffer (as
 * the router hands them), `perTurn` per event-loop turn, through a store on a temporary file with
 * the gateway's settings (WAL, synchronous=NORMAL, group commit 2 ms, the checkpointer thread).
 * CPU is the whole process's (every thread), per row, median of 5 rounds after a warm-up; the
 * main thread's share (the event loop) and each busy thread's come from /proc (10 ms ticks).
 *
 *   npx tsx bench/store-insert-cpu.ts [repo root=.] [rows per round=50000] [perTurn=200] [thread 0|1]
 *
 * The repository root is an argument so that two trees (before and after a change) can be run
 * alternately with the same script.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

interface Appender {
  appendHistory(r: {
    id: string;
    conversation: string;
    time: number;
    source: string;
    destination: string;
    contentType: string;
    payload: Uint8Array;
  }): Promise<number>;
  close(): Promise<void>;
  readonly transactions: number;
}

const [rootArg, rowsArg, perTurnArg, threadArg] = process.argv.slice(2);
const root = resolve(rootArg ?? '.');
const rows = Number(rowsArg ?? 50_000);
const perTurn = Number(perTurnArg ?? 200);
const writerThread = threadArg === '1';
const ROUNDS = 5;

/** utime + stime (10 ms ticks) of every thread of this process, by thread id. */
function threadTicks(): Map<string, number> {
  const ticks = new Map<string, number>();
  for (const tid of readdirSync('/proc/self/task')) {
    const fields = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    ticks.set(tid, Number(fields[11]) + Number(fields[12]));
  }
  return ticks;
}

const { startSqliteStore } = (await import(join(root, 'src/store/sqlite/open.ts'))) as {
  startSqliteStore: (c: Record<string, unknown>) => Promise<Appender>;
};
const dir = mkdtempSync(join(tmpdir(), 'cpim-store-insert-'));
const store = await startSqliteStore({
  path: join(dir, 'gateway.sqlite'),
  batchMaxWrites: 1000,
  busyTimeoutMs: 5000,
  commitIntervalMs: 2,
  writerThread,
});
const chunk = Buffer.alloc(64 * 1024, 0x61);
let seq = 0;

/** `n` rows, `perTurn` per turn of the event loop, resolved when all committed. */
async function run(n: number): Promise<void> {
  let left = n;
  const all: Promise<number>[] = [];
  await new Promise<void>((done) => {
    const turn = (): void => {
      for (let i = 0; i < perTurn && left > 0; i++, left--) {
        const at = (seq * 248) % 60_000;
        const id = `${(1e12 + seq).toString(36)}-${(seq++).toString(36).padStart(6, '0')}`;
        all.push(
          store.appendHistory({
            id,
            conversation: 'im:bench@gw.test',
            time: Date.now(),
            source: 'im:alice@gw.test',
            destination: 'im:bench@gw.test',
            contentType: 'message/cpim',
            payload: chunk.subarray(at, at + 248),
          }),
        );
      }
      if (left > 0) setImmediate(turn);
      else done();
    };
    turn();
  });
  await Promise.all(all);
}

try {
  await run(20_000); // warm-up
  const before = threadTicks();
  const cpu: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const c0 = process.cpuUsage();
    await run(rows);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / rows);
  }
  const after = threadTicks();
  cpu.sort((a, b) => a - b);
  const threads = [...after]
    .map(([tid, t]) => [tid, ((t - (before.get(tid) ?? 0)) * 10_000) / (ROUNDS * rows)] as const)
    .filter(([, us]) => us >= 0.05)
    .sort((a, b) => b[1] - a[1])
    .map(([tid, us]) => `${tid === String(process.pid) ? 'main' : tid} ${us.toFixed(2)}`);
  console.log(
    `${root} writerThread=${writerThread} perTurn=${perTurn}: CPU ${cpu[2]!.toFixed(2)} µs/row ` +
      `(rounds ${cpu.map((x) => x.toFixed(2)).join(' ')}), ${store.transactions} transactions; ` +
      `per thread µs/row: ${threads.join(', ')}`,
  );
} finally {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}
