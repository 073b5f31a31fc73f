/**
 * One relay measurement, shared by the relay, federation and scale benchmarks: senders and a
 * listener connected to some relay (a gateway, two federated gateways, or the baseline
 * forwarder), a pipelined throughput run and paced latency runs over the same pre-encoded
 * frames.
 */
import type * as net from 'node:net';
import { Listener, Sender } from './loadgen.js';
import { summarize, type LatencySummary } from './stats.js';
import { sendFrameSize } from './wire.js';

export interface RelayEnds {
  readonly senders: readonly net.Socket[];
  readonly listener: net.Socket;
  /** CPU time (µs) used so far by the relay process(es) under test. */
  readonly relayCpu: () => Promise<number>;
  close(): void;
}

export interface Plan {
  /** Frames per throughput round, and rounds (the best round counts). */
  readonly throughputFrames: number;
  readonly rounds: number;
  /** Unanswered frames allowed, across all senders. */
  readonly window: number;
  readonly warmupFrames: number;
  /** Paced runs: rate (msg/s) and how many frames. */
  readonly paced: readonly { readonly rate: number; readonly frames: number }[];
}

export interface RelayFigures {
  readonly frameSize: number;
  /** Best round, msg/s. */
  readonly throughput: number;
  readonly throughputRounds: readonly number[];
  /** CPU time of the relay process(es) per relayed message over the throughput rounds, µs. */
  readonly cpuPerMessage: number;
  /** CPU time of the load generator per message over the same rounds, µs. */
  readonly loadgenCpuPerMessage: number;
  readonly errors: number;
  readonly paced: readonly {
    readonly rate: number;
    readonly achieved: number;
    readonly latency: LatencySummary;
  }[];
}

/** Frames needed by `plan` (warm-up, rounds and paced runs each use their own sequence numbers). */
export function framesNeeded(plan: Plan): number {
  return (
    plan.warmupFrames + plan.throughputFrames * plan.rounds + plan.paced.reduce((n, p) => n + p.frames, 0)
  );
}

/** Runs `plan` through `ends` using `frames` (fixed-size, sequence numbers from 0). */
export async function measureRelay(ends: RelayEnds, frames: Buffer, plan: Plan): Promise<RelayFigures> {
  const size = sendFrameSize(frames);
  const listener = new Listener(ends.listener);
  const senders = ends.senders.map((s) => new Sender(s));
  let seq = 0;
  let errors = 0;

  const pipelined = async (count: number): Promise<number> => {
    listener.reset(count, null);
    const per = Math.floor(count / senders.length);
    const window = Math.max(1, Math.floor(plan.window / senders.length));
    const t0 = process.hrtime.bigint();
    await Promise.all(senders.map((s, i) => s.pipelined(frames, size, seq + i * per, per, window)));
    const elapsed = Number(process.hrtime.bigint() - t0);
    seq += count;
    for (const s of senders) errors += s.errors;
    return (per * senders.length * 1e9) / elapsed;
  };

  if (plan.warmupFrames > 0) await pipelined(plan.warmupFrames);
  errors = 0;
  const rounds: number[] = [];
  const cpu0 = await ends.relayCpu();
  const own0 = process.cpuUsage();
  for (let r = 0; r < plan.rounds; r++) rounds.push(await pipelined(plan.throughputFrames));
  const relayed = plan.throughputFrames * plan.rounds;
  const cpuPerMessage = ((await ends.relayCpu()) - cpu0) / relayed;
  const own = process.cpuUsage(own0);
  const loadgenCpuPerMessage = (own.user + own.system) / relayed;

  const paced: RelayFigures['paced'][number][] = [];
  const sentAt = new Float64Array(framesNeeded(plan));
  for (const p of plan.paced) {
    listener.reset(p.frames, sentAt);
    const t0 = process.hrtime.bigint();
    await senders[0]!.paced(frames, size, seq, p.frames, p.rate, plan.window, sentAt);
    const elapsed = Number(process.hrtime.bigint() - t0);
    errors += senders[0]!.errors;
    seq += p.frames;
    // milliseconds → microseconds
    const lat = listener.latency.subarray(0, listener.latencyCount).map((x) => x * 1000);
    paced.push({ rate: p.rate, achieved: (p.frames * 1e9) / elapsed, latency: summarize(lat) });
  }
  return {
    frameSize: size,
    throughput: Math.max(...rounds),
    throughputRounds: rounds,
    cpuPerMessage,
    loadgenCpuPerMessage,
    errors,
    paced,
  };
}
