/**
 * Offline store-and-drain (issue 15, "Benchmark"): N sends to a hub inbox nobody listens on, each
 * answered `ok` + `Stored: offline` once it is committed to the store (the rate at which the
 * gateway stores); then the inbox listens and the kept messages are delivered in order (the rate
 * at which it drains). The gateway runs in its own process with a SQLite store in a temporary
 * folder; the sender and the listener are the relay benchmark's raw load generator.
 */
import { Listener, Sender } from './lib/loadgen.js';
import { startGatewayProcess } from './lib/procs.js';
import { entry, type BenchContext, type Entry } from './lib/report.js';
import { rawConnect, sendFrameSize, sendFrames } from './lib/wire.js';
import { INBOX, SENDER } from './relay.js';
import { storeGatewayConfig, tempStore } from './store-config.js';

/** Sends unanswered at a time while storing (the relay benchmark's window). */
const WINDOW = 1024;

export function offlineCount(quick: boolean): number {
  return quick ? 5_000 : 20_000;
}

export async function measureOffline(ctx: BenchContext): Promise<Entry[]> {
  const n = offlineCount(ctx.quick);
  const frames = sendFrames(n, SENDER, INBOX);
  const size = sendFrameSize(frames);
  const store = tempStore();
  // Room for all of them in bob's inbox (the default per-inbox bound is 1,000).
  const storage = { ...store.storage, offline: { maxPerInbox: n * 2 } };
  ctx.progress(`store: offline, ${n} sends to an inbox nobody listens on, then it listens`);
  const gw = await startGatewayProcess(storeGatewayConfig(storage, false));
  try {
    const socket = await rawConnect({ ...gw.imtp, user: 'alice' });
    const sender = new Sender(socket);
    const cpu0 = await gw.cpu();
    const t0 = process.hrtime.bigint();
    await sender.pipelined(frames, size, 0, n, WINDOW);
    const storeSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const storeCpu = ((await gw.cpu()) - cpu0) / n;
    const refused = sender.errors;
    socket.destroy();

    // bob connects, the load generator's listener takes over the socket, then bob listens:
    // every kept message comes after the `listen` answer (which the listener ignores).
    const raw = await rawConnect({ ...gw.imtp, user: 'bob' });
    const listener = new Listener(raw);
    listener.reset(n, null);
    const cpu1 = await gw.cpu();
    const t1 = process.hrtime.bigint();
    raw.write(`>drain listen\r\nInbox: ${INBOX}\r\n\r\n`);
    await listener.waitFor(n - refused);
    const drainSeconds = Number(process.hrtime.bigint() - t1) / 1e9;
    const drainCpu = ((await gw.cpu()) - cpu1) / n;
    raw.destroy();
    const notes = `${n} sends of ${size} octets, window ${WINDOW}; refused (not stored): ${refused}; delivered on listen: ${listener.delivered}`;
    return [
      entry(
        `offline: store ${n} sends to an inbox nobody listens on (ok + Stored: offline)`,
        [
          { name: 'store rate', value: (n - refused) / storeSeconds, unit: 'msg/s' },
          { name: 'gateway CPU', value: storeCpu, unit: 'µs/msg', lowerIsBetter: true },
        ],
        null,
        { notes },
      ),
      entry(
        `offline: drain them when the inbox listens`,
        [
          { name: 'drain rate', value: listener.delivered / drainSeconds, unit: 'msg/s' },
          { name: 'gateway CPU', value: drainCpu, unit: 'µs/msg', lowerIsBetter: true },
        ],
        null,
        { notes },
      ),
    ];
  } finally {
    await gw.stop();
    store.done();
  }
}
