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
import { entry, type BenchContext, type Benchmark, type Entry, type Figure } from './lib/report.js';
import { rawConnect, sendFrames } from './lib/wire.js';

export function relayPlan(quick: boolean): Plan {
  return quick
    ? {
        throughputFrames: 20_000,
        rounds: 2,
        window: WINDOW,
        warmupFrames: 5_000,
        paced: [
          { rate: 1000, frames: 1000 },
          { rate: 10_000, frames: 5_000 },
        ],
      }
    : {
        throughputFrames: 150_000,
        rounds: 3,
        window: WINDOW,
        warmupFrames: 30_000,
        paced: [
          { rate: 1000, frames: 6000 },
          { rate: 10_000, frames: 40_000 },
        ],
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
  const p = r.paced[i]!;
  return [
    { name: 'p50', value: p.latency.p50, unit: 'µs', lowerIsBetter: true },
    { name: 'p99', value: p.latency.p99, unit: 'µs', lowerIsBetter: true },
    { name: 'p99.9', value: p.latency.p999, unit: 'µs', lowerIsBetter: true },
    { name: 'achieved', value: p.achieved, unit: 'msg/s' },
  ];
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

export const relay: Benchmark = {
  name: 'relay',
  description: 'one gateway, loopback TCP, sender → gateway → listener vs the frame-aware forwarder',
  async run(ctx: BenchContext): Promise<Entry[]> {
    const plan = relayPlan(ctx.quick);
    const frames = sendFrames(framesNeeded(plan), SENDER, INBOX);

    ctx.progress('relay: gateway');
    const gw = await startGatewayProcess(gatewayConfig('gw.test'));
    let measured: RelayFigures;
    try {
      const ends = await gatewayEnds(gw);
      measured = await measureRelay(ends, frames, plan);
      ends.close();
    } finally {
      await gw.stop();
    }

    ctx.progress('relay: forwarder baseline');
    const fwd = await startForwarder();
    let baseline: RelayFigures;
    try {
      const ends = await forwarderEnds(fwd);
      baseline = await measureRelay(ends, frames, plan);
      ends.close();
    } finally {
      await fwd.stop();
    }
    return relayEntries(
      'gateway',
      measured,
      'frame-aware forwarder process, corked per chunk',
      baseline,
      'ratio ≥ 0.25',
    );
  },
};
