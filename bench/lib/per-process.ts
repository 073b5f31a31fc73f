/**
 * Per-process figures of a relay measurement made of several gateway processes (federation):
 * `measureRelay` reads `relayCpu` twice, before and after the pipelined rounds, and this keeps
 * each process's CPU time and, on Linux, its read and write system calls (/proc/PID/io) at both
 * reads, so the report says which gateway bounds the pair and how many writes a message costs.
 */
import { readFileSync } from 'node:fs';
import type { GatewayProcess } from './procs.js';

interface SysIo {
  readonly syscr: number;
  readonly syscw: number;
  readonly wchar: number;
}

/** Read and write system calls so far, or null where /proc/PID/io cannot be read. */
function sysIo(pid: number): SysIo | null {
  try {
    const text = readFileSync(`/proc/${pid}/io`, 'utf8');
    const field = (name: string) => Number(new RegExp(`^${name}: (\\d+)`, 'm').exec(text)?.[1] ?? NaN);
    const io = { syscr: field('syscr'), syscw: field('syscw'), wchar: field('wchar') };
    return Number.isNaN(io.syscr + io.syscw + io.wchar) ? null : io;
  } catch {
    return null;
  }
}

interface Reading {
  readonly cpu: number;
  readonly io: SysIo | null;
}

export interface PerProcess {
  /** RelayEnds.relayCpu: the sum over the processes; each reading is kept. */
  relayCpu(): Promise<number>;
  /** "A 9.1 µs/msg (0.05 writes, 0.04 reads per message, 6200 B per write), B …" over the last two readings. */
  summary(relayed: number): string;
}

export function perProcess(
  procs: readonly { readonly name: string; readonly gw: GatewayProcess }[],
): PerProcess {
  const readings: Reading[][] = [];
  return {
    async relayCpu() {
      const r: Reading[] = [];
      for (const p of procs) r.push({ cpu: await p.gw.cpu(), io: sysIo(p.gw.pid) });
      readings.push(r);
      return r.reduce((n, x) => n + x.cpu, 0);
    },
    summary(relayed) {
      if (readings.length < 2) return '';
      const [before, after] = [readings.at(-2)!, readings.at(-1)!];
      return procs
        .map((p, i) => {
          const cpu = ((after[i]!.cpu - before[i]!.cpu) / relayed).toFixed(2);
          const [x, y] = [before[i]!.io, after[i]!.io];
          if (x === null || y === null) return `${p.name} CPU ${cpu} µs/msg`;
          const w = y.syscw - x.syscw;
          const rd = y.syscr - x.syscr;
          const size = Math.round((y.wchar - x.wchar) / Math.max(1, w));
          return `${p.name} CPU ${cpu} µs/msg (${(w / relayed).toFixed(3)} writes and ${(rd / relayed).toFixed(3)} reads per message, ${size} B per write)`;
        })
        .join(', ');
    },
  };
}
