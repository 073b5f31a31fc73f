/**
 * Hub relay: one client sends through the gateway to a listening client over loopback TCP,
 * pipelined (throughput) and paced at 1,000 and 10,000 msg/s (latency from send to receipt).
 * Baseline, same run, same frames: the frame-aware forwarder process (procs/forwarder.ts).
 */
import {
  startForwarder,
  startGatewayProcess,
  type ForwarderProcess,
  type GatewayProcess,
} from './lib/procs.js';
import { WINDOW, gatewayConfig } from './lib/configs.js';
import { framesNeeded, measureRelay, type Plan, type RelayEnds, type RelayFigures } from './lib/relay-run.js';
import {
  entry,
  pacedFigures,
  type BenchContext,
  type Benchmark,
  type Entry,
  type Figure,
} from './lib/report.js';
import { rawConnect, sendFrames } from './lib/wire.js';

/** Paced runs' rates (msg/s), the same in both plans. */
const PACED_RATES = [1000, 10_000] as const;

/** The quick plan is a smoke run; the full one is what the report quotes. Only sizes differ. */
export function relayPlan(quick: boolean): Plan {
  const size = quick
    ? { throughputFrames: 20_000, rounds: 2, warmupFrames: 5_000, pacedFrames: [1000, 5_000] }
    : { throughputFrames: 150_000, rounds: 3, warmupFrames: 30_000, pacedFrames: [6000, 40_000] };
  return {
    throughputFrames: size.throughputFrames,
    rounds: size.rounds,
    window: WINDOW,
    warmupFrames: size.warmupFrames,
    paced: PACED_RATES.map((rate, i) => ({ rate, frames: size.pacedFrames[i]! })),
  };
}

export const SENDER = 'im:alice@gw.test';
export const INBOX = 'im:bob@gw.test';

/** Sender(s) and listener on a single gateway at `imtp` (alice → bob, PLAIN, listen first). */
export async function gatewayEnds(gw: GatewayProcess, senders = 1): Promise<RelayEnds> {
  const imtp = gw.imtp;
  const listener = await rawConnect({ ...imtp, user: 'bob', listen: INBOX });
  const s = await Promise.all(Array.from({ length: senders }, () => rawConnect({ ...imtp, user: 'alice' })));
  return {
    senders: s,
    listener,
    relayCpu: () => gw.cpu(),
    close: () => [listener, ...s].forEach((x) => x.destroy()),
  };
}

export async function forwarderEnds(f: ForwarderProcess): Promise<RelayEnds> {
  const listener = await rawConnect({ host: '127.0.0.1', port: f.listenerPort });
  const sender = await rawConnect({ host: '127.0.0.1', port: f.senderPort });
  // Let the forwarder pair them before the first frame.
  await new Promise((r) => setTimeout(r, 50));
  return {
    senders: [sender],
    listener,
    relayCpu: () => f.cpu(),
    close: () => [listener, sender].forEach((x) => x.destroy()),
  };
}

export function throughputFigures(r: RelayFigures): Figure[] {
  return [
    { name: 'throughput', value: r.throughput, unit: 'msg/s' },
    { name: 'bandwidth', value: (r.throughput * r.frameSize) / 1e6, unit: 'MB/s' },
    { name: 'relay CPU', value: r.cpuPerMessage, unit: 'µs/msg', lowerIsBetter: true },
  ];
}

export function latencyFigures(r: RelayFigures, i: number): Figure[] {
  return pacedFigures(r.paced[i]!, 'msg/s');
}

/** Entries of a relay measurement against a baseline measurement. */
export function relayEntries(
  label: string,
  measured: RelayFigures,
  baselineName: string,
  baseline: RelayFigures,
  throughputTarget?: string,
): Entry[] {
  const out: Entry[] = [
    entry(
      `${label} pipelined (${measured.frameSize} B frames, window ${WINDOW})`,
      throughputFigures(measured),
      { name: baselineName, figures: throughputFigures(baseline) },
      {
        ...(throughputTarget ? { target: throughputTarget } : {}),
        notes: `load generator CPU ${measured.loadgenCpuPerMessage.toFixed(2)} µs/msg (baseline run ${baseline.loadgenCpuPerMessage.toFixed(2)}); rounds msg/s: ${measured.throughputRounds.map((x) => Math.round(x)).join(', ')}; baseline rounds: ${baseline.throughputRounds.map((x) => Math.round(x)).join(', ')}; error answers: ${measured.errors}`,
      },
    ),
  ];
  measured.paced.forEach((p, i) =>
    out.push(
      entry(
        `${label} paced ${p.rate} msg/s, latency`,
        latencyFigures(measured, i),
        {
          name: baselineName,
          figures: latencyFigures(baseline, i),
        },
        { notes: `${p.latency.count} samples, max ${Math.round(p.latency.max)} µs` },
      ),
    ),
  );
  return out;
}

/** Measures the relay through a started process, then stops it whatever happened. */
async function measureThrough<P extends { stop(): Promise<void> }>(
  proc: P,
  endsOf: (p: P) => Promise<RelayEnds>,
  frames: Parameters<typeof measureRelay>[1],
  plan: Plan,
): Promise<RelayFigures> {
  try {
    const ends = await endsOf(proc);
    const figures = await measureRelay(ends, frames, plan);
    ends.close();
    return figures;
  } finally {
    await proc.stop();
  }
}

export const relay: Benchmark = {
  name: 'relay',
  description: 'one gateway, loopback TCP, sender → gateway → listener vs the frame-aware forwarder',
  async run(ctx: BenchContext): Promise<Entry[]> {
    const plan = relayPlan(ctx.quick);
    const frames = sendFrames(framesNeeded(plan), SENDER, INBOX);

    ctx.progress('relay: gateway');
    const measured = await measureThrough(
      await startGatewayProcess(gatewayConfig('gw.test')),
      gatewayEnds,
      frames,
      plan,
    );
    ctx.progress('relay: forwarder baseline');
    const baseline = await measureThrough(await startForwarder(), forwarderEnds, frames, plan);
    return relayEntries(
      'gateway',
      measured,
      'frame-aware forwarder process, corked per chunk',
      baseline,
      'ratio ≥ 0.33, relay CPU ≤ 4 × the forwarder CPU (issue 18)',
    );
  },
};
