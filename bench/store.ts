/**
 * The store (issue 15, "Benchmark"): the hub relay and the IRC path with the store on (SQLite in
 * a temporary folder) beside the same run with it off (`storage.backend: none`), goal ≥ 0.8 of
 * the figure without it; offline store-and-drain rates; database bytes and RSS per million
 * messages of history. Every gateway runs in its own process (bench/procs/gateway-child.ts).
 */
import { ircGatewayConfig, measureGatewayHub, startIrcSide } from './irc.js';
import { ircPlan, pathEntries, type PathFigures } from './lib/irc-path.js';
import { ngircdInstalled } from './lib/ngircd.js';
import { startGatewayProcess } from './lib/procs.js';
import { framesNeeded, measureRelay, type RelayFigures } from './lib/relay-run.js';
import { entry, type BenchContext, type Benchmark, type Entry, type Figure } from './lib/report.js';
import { sendFrames } from './lib/wire.js';
import { INBOX, SENDER, gatewayEnds, relayEntries, relayPlan } from './relay.js';
import { ROOM, storeGatewayConfig, tempStore } from './store-config.js';
import { measureHistorySize } from './store-history.js';
import { measureOffline } from './store-offline.js';

/** What the goal of issue 15 asks of every "store on" figure against "store off". */
const GOAL = 'ratio ≥ 0.8 (store on ÷ store off)';
const OFF = 'same gateway, store off (storage.backend: none), same run';
/**
 * The gateway's CPU per message with the store on beside off, as its own row: on this shared
 * two-core machine the throughput ratio of one pair of runs swings 0.6–2.6 with the load (issue
 * 18, bench/README.md "Store on the hot path"), while CPU per message stays within a tenth.
 */
function cpuEntry(name: string, on: number, off: number, unit: string): Entry {
  const fig = (value: number): Figure[] => [{ name: 'gateway CPU', value, unit, lowerIsBetter: true }];
  return entry(
    `${name}, gateway CPU per message (pipelined)`,
    fig(on),
    { name: OFF, figures: fig(off) },
    { target: GOAL },
  );
}

/** The label of the runs with SQLite on its own thread (`storage.writerThread: true`). */
const THREAD = 'SQLite on its writer thread (storage.writerThread: true)';

/** One relay measurement (alice → `inbox`, bob listening) through a gateway with `storage`. */
async function relayWith(
  storage: Record<string, unknown>,
  room: boolean,
  frames: Buffer,
  plan: ReturnType<typeof relayPlan>,
): Promise<RelayFigures> {
  const gw = await startGatewayProcess(storeGatewayConfig(storage, room));
  try {
    const ends = await gatewayEnds(gw);
    try {
      return await measureRelay(ends, frames, plan);
    } finally {
      ends.close();
    }
  } finally {
    await gw.stop();
  }
}

/** One run through a fresh SQLite store, its writer on the event loop (the default) or a thread. */
async function withTempStore<T>(
  writerThread: boolean,
  run: (storage: Record<string, unknown>) => Promise<T>,
): Promise<T> {
  const store = tempStore(writerThread);
  try {
    return await run(store.storage);
  } finally {
    store.done();
  }
}

/**
 * Store on, then off, in the same run; the "off" run is the baseline. Room posts (every one a
 * history row) run a third time with SQLite on its writer thread, the option of docs/storage.md
 * "The writer thread", to show what it costs and saves on this machine.
 */
async function relayOnOff(ctx: BenchContext, room: boolean): Promise<Entry[]> {
  const plan = relayPlan(ctx.quick);
  const frames = sendFrames(framesNeeded(plan), SENDER, room ? ROOM : INBOX);
  const what = room ? `room post → member listening (history written)` : 'direct send → listener';
  ctx.progress(`store: relay, ${what}, store on`);
  const on = await withTempStore(false, (s) => relayWith(s, room, frames, plan));
  ctx.progress(`store: relay, ${what}, store off`);
  const off = await relayWith({ backend: 'none' }, room, frames, plan);
  const entries = [
    ...relayEntries(`store on (SQLite), ${what},`, on, OFF, off, GOAL),
    cpuEntry(`store on (SQLite), ${what}`, on.cpuPerMessage, off.cpuPerMessage, 'µs/msg'),
  ];
  if (!room) return entries;
  ctx.progress(`store: relay, ${what}, store on, ${THREAD}`);
  const thread = await withTempStore(true, (s) => relayWith(s, room, frames, plan));
  return [
    ...entries,
    ...relayEntries(`store on (${THREAD}), ${what},`, thread, OFF, off, GOAL),
    cpuEntry(`store on (${THREAD}), ${what}`, thread.cpuPerMessage, off.cpuPerMessage, 'µs/msg'),
  ];
}

/**
 * The IRC path (IRC → room → hub listener, every line written to the room's history) through a
 * gateway with `storage`; an ngircd of its own per run, so the second gateway's bot never meets
 * the first one's on the channel.
 */
async function ircWith(
  storage: Record<string, unknown>,
  plan: ReturnType<typeof ircPlan>,
): Promise<PathFigures> {
  const side = await startIrcSide(plan);
  try {
    side.writer.hot();
    const gw = await startGatewayProcess(
      { ...ircGatewayConfig(side.server.port, false), storage },
      { adapters: true },
    );
    try {
      return await measureGatewayHub(side, gw, plan);
    } finally {
      await gw.stop();
    }
  } finally {
    await side.close();
  }
}

/** The IRC path with the store on, then off (the baseline), then on with the writer thread, in the same run. */
async function ircOnOff(ctx: BenchContext): Promise<Entry[]> {
  if (!ngircdInstalled())
    return [entry('IRC path, store on/off', [], null, { notes: 'skipped: ngircd not installed' })];
  const plan = ircPlan(ctx.quick);
  ctx.progress('store: IRC path, store on');
  const on: PathFigures = await withTempStore(false, (s) => ircWith(s, plan));
  ctx.progress('store: IRC path, store off');
  const off = await ircWith({ backend: 'none' }, plan);
  ctx.progress(`store: IRC path, store on, ${THREAD}`);
  const thread: PathFigures = await withTempStore(true, (s) => ircWith(s, plan));
  const path = 'IRC → gateway room → hub listener';
  const gatewayCpu = (r: PathFigures): number => r.cpu['gateway'] ?? Number.NaN;
  return [
    ...pathEntries(`store on (SQLite), ${path}`, on, OFF, off, plan, { throughput: GOAL }),
    cpuEntry(`store on (SQLite), ${path}`, gatewayCpu(on), gatewayCpu(off), 'µs/line'),
    ...pathEntries(`store on (${THREAD}), ${path}`, thread, OFF, off, plan, { throughput: GOAL }),
    cpuEntry(`store on (${THREAD}), ${path}`, gatewayCpu(thread), gatewayCpu(off), 'µs/line'),
  ];
}

export const store: Benchmark = {
  name: 'store',
  description: 'the durable store: relay and IRC path store on vs off, offline store-and-drain, history size',
  async run(ctx: BenchContext): Promise<Entry[]> {
    return [
      ...(await relayOnOff(ctx, false)),
      ...(await relayOnOff(ctx, true)),
      ...(await ircOnOff(ctx)),
      ...(await measureOffline(ctx)),
      ...(await measureHistorySize(ctx)),
    ];
  },
};
