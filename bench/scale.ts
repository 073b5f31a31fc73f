/**
 * Memory and scale:
 * - resident memory of a gateway holding 10,000 and 100,000 presence subscriptions (1,000
 *   presentities, each watched by 10 or 100 watchers over as many PITP connections; a
 *   connection may hold 1,024), per subscription, against the design budget of 1 KB;
 * - relay throughput with 1, 10 and 100 concurrent senders (one connection each, all to one
 *   listener, the same total window), against the single sender.
 */
import { connectHub, type HubClient } from '../src/hub/client.js';
import { buildPidf } from '../src/codec/pidf/index.js';
import { WINDOW, gatewayConfig } from './lib/configs.js';
import { startGatewayProcess, type GatewayProcess, type MemoryUsage } from './lib/procs.js';
import { framesNeeded, measureRelay, type Plan } from './lib/relay-run.js';
import { entry, type BenchContext, type Benchmark, type Entry } from './lib/report.js';
import { sendFrames } from './lib/wire.js';
import { gatewayEnds, INBOX, SENDER } from './relay.js';

const PRESENTITIES = 1000;
const PER_CONNECTION = 1000;
const BATCH = 250;

async function client(gw: GatewayProcess): Promise<HubClient> {
  return connectHub({
    host: gw.pitp.host,
    port: gw.pitp.port,
    protocol: 'pitp',
    sasl: { mechanism: 'PLAIN', user: 'load', password: 'load' },
    limits: { maxOutstandingCommands: 4096 },
    onCommand: () => ({ status: 'ok', headers: [] }),
  });
}

/** Runs `make(i)` for i in [0, n) with at most BATCH commands in flight; throws on any error answer. */
async function inBatches(
  n: number,
  make: (i: number) => Promise<{ status: string; headers: readonly (readonly [string, string])[] }>,
): Promise<void> {
  for (let i = 0; i < n; i += BATCH) {
    const answers = await Promise.all(Array.from({ length: Math.min(BATCH, n - i) }, (_, k) => make(i + k)));
    const bad = answers.find((a) => a.status !== 'ok');
    if (bad) throw new Error(`setup command refused: ${JSON.stringify(bad.headers)}`);
  }
}

function perSubscription(name: string, count: number, base: MemoryUsage, now: MemoryUsage): Entry {
  const rss = (now.rss - base.rss) / count;
  const heap = (now.heapUsed - base.heapUsed) / count;
  return entry(
    name,
    [
      { name: 'RSS per subscription', value: rss, unit: 'B', lowerIsBetter: true },
      { name: 'heap per subscription', value: heap, unit: 'B', lowerIsBetter: true },
      { name: 'gateway RSS', value: now.rss / 1e6, unit: 'MB', lowerIsBetter: true },
    ],
    {
      name: 'design budget (docs/architecture.md part 11)',
      figures: [{ name: 'RSS per subscription', value: 1024, unit: 'B', lowerIsBetter: true }],
    },
    {
      target: '< 1 KB',
      notes: `RSS before subscriptions ${(base.rss / 1e6).toFixed(1)} MB (after full GCs)`,
    },
  );
}

async function memory(ctx: BenchContext): Promise<Entry[]> {
  const steps = ctx.quick ? [10_000] : [10_000, 100_000];
  const connections = steps[steps.length - 1]! / PER_CONNECTION;
  const gw = await startGatewayProcess(gatewayConfig('gw.test'));
  const clients: HubClient[] = [];
  try {
    ctx.progress(`scale: ${PRESENTITIES} presentities, ${connections} watcher connections`);
    const owner = await client(gw);
    clients.push(owner);
    await inBatches(PRESENTITIES, (i) =>
      owner.command(
        'insert-mapping',
        [
          ['Presentity', `presence:p${i}@gw.test`],
          ['Mapping', '1'],
          ['Wpattern', 'presence:*@gw.test'],
          ['Content-Type', 'application/pidf+xml'],
        ],
        Buffer.from(buildPidf({ entity: `pres:p${i}@gw.test`, tuples: [{ id: 't1', basic: 'open' }] })),
      ),
    );
    for (let c = 0; c < connections; c++) clients.push(await client(gw));
    const base = await gw.memory();
    const out: Entry[] = [];
    let done = 0;
    for (const target of steps) {
      ctx.progress(`scale: ${target} subscriptions`);
      for (let c = done / PER_CONNECTION; c < target / PER_CONNECTION; c++) {
        const watcher = clients[1 + c]!;
        await inBatches(PER_CONNECTION, (j) =>
          watcher.command('subscribe', [
            ['Subscription', `/presence:w${c}@gw.test`],
            ['Presentity', `presence:p${j % PRESENTITIES}@gw.test`],
          ]),
        );
      }
      done = target;
      out.push(
        perSubscription(
          `${target.toLocaleString('en')} presence subscriptions`,
          target,
          base,
          await gw.memory(),
        ),
      );
    }
    return out;
  } finally {
    await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
    await gw.stop();
  }
}

async function concurrency(ctx: BenchContext): Promise<Entry[]> {
  const plan: Plan = {
    throughputFrames: ctx.quick ? 20_000 : 100_000,
    rounds: ctx.quick ? 1 : 2,
    window: WINDOW,
    warmupFrames: ctx.quick ? 5_000 : 20_000,
    paced: [],
  };
  const frames = sendFrames(framesNeeded(plan), SENDER, INBOX);
  const results: { senders: number; throughput: number; cpu: number }[] = [];
  for (const senders of [1, 10, 100]) {
    ctx.progress(`scale: ${senders} concurrent sender(s)`);
    const gw = await startGatewayProcess(gatewayConfig('gw.test'));
    try {
      const ends = await gatewayEnds(gw, senders);
      const r = await measureRelay(ends, frames, plan);
      ends.close();
      results.push({ senders, throughput: r.throughput, cpu: r.cpuPerMessage });
    } finally {
      await gw.stop();
    }
  }
  const one = results[0]!;
  const figures = (r: (typeof results)[number]) => [
    { name: 'throughput', value: r.throughput, unit: 'msg/s' },
    { name: 'relay CPU', value: r.cpu, unit: 'µs/msg', lowerIsBetter: true },
  ];
  return results.map((r) =>
    entry(`${r.senders} concurrent sender(s) → 1 listener, window ${WINDOW} in all`, figures(r), {
      name: 'one sender, same run',
      figures: figures(one),
    }),
  );
}

export const scale: Benchmark = {
  name: 'scale',
  description: 'memory per presence subscription; relay throughput with 1, 10, 100 senders',
  async run(ctx: BenchContext): Promise<Entry[]> {
    return [...(await memory(ctx)), ...(await concurrency(ctx))];
  },
};
