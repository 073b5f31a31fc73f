/**
 * Stopping a spawned server by its PID (never by name): a signal, then SIGKILL if it has not
 * exited after a grace period. Shared by the test fixtures and the benchmarks.
 */
import type { ChildProcess } from 'node:child_process';

export interface StoppableChild {
  readonly pid: number;
  /** Whether the process is still running. */
  alive(): boolean;
  /** Sends `signal` (SIGKILL after `graceMs` if still running) and waits for the exit. */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<void>;
}

export function stoppable(child: ChildProcess): StoppableChild {
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const alive = () => child.exitCode === null && child.signalCode === null;
  return {
    pid: child.pid!,
    alive,
    async stop(signal = 'SIGTERM', graceMs = 1000) {
      if (!alive()) return;
      process.kill(child.pid!, signal);
      const t = setTimeout(() => {
        if (alive()) process.kill(child.pid!, 'SIGKILL');
      }, graceMs);
      await exited;
      clearTimeout(t);
    },
  };
}
