/**
 * One measurement of a line path (an IRC client's PRIVMSGs to wherever they come out), shared by
 * bench/irc.ts and bench/peer.ts: warm-up, best-of-N pipelined rounds within a window of
 * undelivered lines, then paced latency runs; CPU time of the processes on the path per line.
 */
import { readFileSync } from 'node:fs';
import { hubSink, pacedLines, pipelinedLines, type LineSource, type Sink } from './irc-load.js';
import type { GatewayProcess } from './procs.js';
import { rawConnect } from './wire.js';
import { entry, pacedFigures, type Entry, type Figure } from './report.js';
import { summarize, type LatencySummary } from './stats.js';

export interface IrcPlan {
  readonly warmup: number;
  readonly lines: number;
  readonly rounds: number;
  /**
   * Lines written but not yet delivered. Kept well under what ngircd buffers for a client that
   * reads slowly (its send queue for users is small; past it, it drops the client).
   */
  readonly window: number;
  readonly paced: readonly { readonly rate: number; readonly lines: number }[];
}

export function ircPlan(quick: boolean): IrcPlan {
  return quick
    ? { warmup: 1000, lines: 5000, rounds: 1, window: 200, paced: [{ rate: 1000, lines: 500 }] }
    : { warmup: 5000, lines: 30_000, rounds: 2, window: 200, paced: [{ rate: 1000, lines: 5000 }] };
}

export function linesNeeded(plan: IrcPlan): number {
  return plan.warmup + plan.lines * plan.rounds + plan.paced.reduce((n, p) => n + p.lines, 0);
}

export interface PathFigures {
  readonly throughput: number;
  readonly rounds: readonly number[];
  /** CPU of the processes on the path (µs per line over the pipelined rounds), by name. */
  readonly cpu: Readonly<Record<string, number>>;
  readonly unreadable: number;
  readonly paced: readonly {
    readonly rate: number;
    readonly achieved: number;
    readonly latency: LatencySummary;
  }[];
}

/** CPU time (user + system, µs) of process `pid` so far, from /proc (clock-tick resolution). */
export function procCpuMicros(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces) in parentheses.
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 (1-based), i.e. 11 and 12 after "state".
  return ((Number(f[11]) + Number(f[12])) * 1e6) / 100;
}

export type CpuProbes = Readonly<Record<string, () => Promise<number> | number>>;

async function readCpu(probes: CpuProbes): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const [k, f] of Object.entries(probes)) out[k] = await f();
  return out;
}

/**
 * Runs `plan` from `source` to the hub user bob of gateway `gw`: a raw IMTP listener on
 * `im:bob@gw.test` is the sink (the IRC and XMPP paths' common end), closed afterwards.
 */
export async function measureToHubListener(
  gw: GatewayProcess,
  source: LineSource,
  plan: IrcPlan,
  cpuProbes: CpuProbes,
): Promise<PathFigures> {
  const listener = await rawConnect({ ...gw.imtp, user: 'bob', listen: 'im:bob@gw.test' });
  try {
    return await measurePath(source, hubSink(listener), plan, cpuProbes);
  } finally {
    listener.destroy();
  }
}

/** Runs `plan` from `source` to `sink`; line numbers start at 0 (the source holds linesNeeded). */
export async function measurePath(
  source: LineSource,
  sink: Sink,
  plan: IrcPlan,
  cpuProbes: CpuProbes = {},
): Promise<PathFigures> {
  let seq = 0;
  if (plan.warmup > 0) {
    await pipelinedLines(source, sink, seq, plan.warmup, plan.window);
    seq += plan.warmup;
  }
  const cpu0 = await readCpu(cpuProbes);
  const rounds: number[] = [];
  for (let r = 0; r < plan.rounds; r++) {
    rounds.push(await pipelinedLines(source, sink, seq, plan.lines, plan.window));
    seq += plan.lines;
  }
  const cpu1 = await readCpu(cpuProbes);
  const cpu: Record<string, number> = {};
  for (const k of Object.keys(cpu0)) cpu[k] = (cpu1[k]! - cpu0[k]!) / (plan.lines * plan.rounds);
  const sentAt = new Float64Array(linesNeeded(plan));
  const paced: PathFigures['paced'][number][] = [];
  for (const p of plan.paced) {
    const achieved = await pacedLines(source, sink, seq, p.lines, p.rate, plan.window, sentAt);
    seq += p.lines;
    const lat = sink.latency.subarray(0, sink.latencyCount).map((x) => x * 1000);
    paced.push({ rate: p.rate, achieved, latency: summarize(lat) });
  }
  return { throughput: Math.max(...rounds), rounds, cpu, unreadable: sink.unreadable, paced };
}

export function pathThroughputFigures(r: PathFigures): Figure[] {
  return [
    { name: 'throughput', value: r.throughput, unit: 'lines/s' },
    ...Object.entries(r.cpu).map(([k, v]) => ({
      name: `${k} CPU`,
      value: v,
      unit: 'µs/line',
      lowerIsBetter: true,
    })),
  ];
}

export function pathLatencyFigures(r: PathFigures, i: number): Figure[] {
  return pacedFigures(r.paced[i]!, 'lines/s');
}

/** A throughput entry and one latency entry per paced run: `measured` against `baseline`. */
export function pathEntries(
  label: string,
  measured: PathFigures,
  baselineName: string,
  baseline: PathFigures,
  plan: IrcPlan,
  targets: { throughput?: string; latency?: string } = {},
): Entry[] {
  const rounds = (r: PathFigures): string => r.rounds.map((x) => Math.round(x)).join(', ');
  const out: Entry[] = [
    entry(
      `${label}, pipelined (window ${plan.window} lines)`,
      pathThroughputFigures(measured),
      { name: baselineName, figures: pathThroughputFigures(baseline) },
      {
        ...(targets.throughput ? { target: targets.throughput } : {}),
        notes: `${plan.rounds} rounds of ${plan.lines} lines; rounds lines/s: ${rounds(measured)}; baseline rounds: ${rounds(baseline)}; unreadable lines: ${measured.unreadable}`,
      },
    ),
  ];
  measured.paced.forEach((p, i) =>
    out.push(
      entry(
        `${label}, paced ${p.rate} lines/s, latency`,
        pathLatencyFigures(measured, i),
        { name: baselineName, figures: pathLatencyFigures(baseline, i) },
        {
          ...(targets.latency ? { target: targets.latency } : {}),
          notes: `${p.latency.count} samples, max ${Math.round(p.latency.max)} µs; baseline max ${Math.round(baseline.paced[i]!.latency.max)} µs`,
        },
      ),
    ),
  );
  return out;
}
