/**
 * Child processes of the benchmarks: gateways (bench/procs/gateway-child.ts) and the baseline
 * forwarder (bench/procs/forwarder.ts), both run with tsx. Every child is stopped by its PID.
 * Set BENCH_CPU_PROF=<dir> to run gateway children under `node --cpu-prof` (the profile is
 * written to <dir> when the child exits); bench/profile-summary.ts sums it per function.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const procs = join(here, '..', 'procs');

export interface ListenAddress {
  readonly host: string;
  readonly port: number;
}

export interface MemoryUsage {
  readonly rss: number;
  readonly heapUsed: number;
  readonly heapTotal: number;
  readonly external: number;
  readonly arrayBuffers: number;
}

/** The soft limit on open files of this process (from /proc/self/limits), or null if unknown. */
export function openFilesLimit(): number | null {
  try {
    const m = /^Max open files\s+(\d+|unlimited)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    if (m === null) return null;
    return m[1] === 'unlimited' ? Infinity : Number(m[1]);
  } catch {
    return null;
  }
}

/**
 * Forks `file` with tsx. With `fdLimit` above this process's own limit, the child is started
 * through `sh -c 'ulimit -n N; exec node …'` (the IPC channel survives the exec).
 */
export function spawn(file: string, extraExecArgv: string[] = [], fdLimit?: number): ChildProcess {
  const own = openFilesLimit();
  const wrap = fdLimit !== undefined && own !== null && own < fdLimit;
  return fork(join(procs, file), [], {
    ...(wrap ? { execPath: '/bin/sh' } : {}),
    execArgv: [
      ...(wrap ? ['-c', `ulimit -n ${fdLimit} && exec "$0" "$@"`, process.execPath] : []),
      '--import',
      'tsx',
      ...extraExecArgv,
    ],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

/** The next IPC message of `type` (an `error` message or an early exit rejects). */
export function nextMessage<T>(child: ChildProcess, type: string, timeoutMs = 30_000): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(
      () => done(new Error(`no ${type} from child ${child.pid} in ${timeoutMs} ms`)),
      timeoutMs,
    );
    const onMessage = (m: { type: string; message?: string }): void => {
      if (m.type === type) done(null, m as T);
      else if (m.type === 'error') done(new Error(`child ${child.pid}: ${m.message}`));
    };
    const onExit = (code: number | null): void =>
      done(new Error(`child ${child.pid} exited (${code}) before ${type}`));
    function done(err: Error | null, value?: T): void {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      if (err) reject(err);
      else resolve(value as T);
    }
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

async function cpuOf(child: ChildProcess): Promise<number> {
  const m = nextMessage<{ micros: number }>(child, 'cpu');
  child.send({ type: 'cpu' });
  return (await m).micros;
}

/** Stops `child` by PID: SIGTERM, then SIGKILL if it is still there after `graceMs`. */
export async function stopByPid(child: ChildProcess, graceMs = 3000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  process.kill(child.pid, 'SIGTERM');
  const timer = setTimeout(() => {
    if (child.exitCode === null && child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
  }, graceMs);
  await exited;
  clearTimeout(timer);
}

export interface GatewayProcess {
  readonly pid: number;
  readonly imtp: ListenAddress;
  readonly pitp: ListenAddress;
  /** Hosted adapters (with `adapters: true`): type, id and listening address if any. */
  readonly adapters: readonly { type: string; id: string; address: ListenAddress | null }[];
  /** The child's process.memoryUsage() after full garbage collections. */
  memory(): Promise<MemoryUsage>;
  /** The child's CPU time so far (user + system), µs. */
  cpu(): Promise<number>;
  /** Its GC pauses so far (perf_hooks; none unless BENCH_TRACE_GC=1), on its clock `now` (ms). */
  gc(): Promise<GcPauses>;
  /** Asks the gateway to stop cleanly (so a CPU profile is written), then stops it by PID. */
  stop(): Promise<void>;
}

export interface GcPauses {
  readonly now: number;
  /** start and duration in ms; kind: perf_hooks constants (1 minor, 2 major, 4 incremental, 8 weak callbacks). */
  readonly entries: readonly { start: number; duration: number; kind: number }[];
}

/** Starts a gateway child with the raw (unchecked) configuration `config`. */
export async function startGatewayProcess(
  config: Record<string, unknown>,
  options: { adapters?: boolean; fdLimit?: number } = {},
): Promise<GatewayProcess> {
  const prof = process.env.BENCH_CPU_PROF;
  // BENCH_TRACE_GC=1: each GC of the gateway child on its stdout (bench/README.md, the IRC tail).
  const gcTrace = process.env.BENCH_TRACE_GC === '1' ? ['--trace-gc'] : [];
  // BENCH_GATEWAY_FLAGS: extra node flags for gateway children only (e.g. GC settings), to
  // measure them without changing the load generator or the baselines.
  const flags = (process.env.BENCH_GATEWAY_FLAGS ?? '').split(' ').filter((f) => f !== '');
  const child = spawn(
    'gateway-child.ts',
    ['--expose-gc', ...gcTrace, ...flags, ...(prof ? ['--cpu-prof', `--cpu-prof-dir=${prof}`] : [])],
    options.fdLimit,
  );
  const ready = nextMessage<{
    addresses: { imtp: ListenAddress; pitp: ListenAddress };
    adapters: GatewayProcess['adapters'];
  }>(child, 'ready');
  child.send({ type: 'start', config, adapters: options.adapters === true });
  let addresses;
  let adapters;
  try {
    ({ addresses, adapters } = await ready);
  } catch (e) {
    await stopByPid(child, 500);
    throw e;
  }
  return {
    pid: child.pid!,
    imtp: addresses.imtp,
    pitp: addresses.pitp,
    adapters,
    async memory() {
      const m = nextMessage<{ usage: MemoryUsage }>(child, 'memory');
      child.send({ type: 'memory' });
      return (await m).usage;
    },
    cpu: () => cpuOf(child),
    async gc() {
      const m = nextMessage<GcPauses>(child, 'gc');
      child.send({ type: 'gc' });
      return await m;
    },
    async stop() {
      if (child.connected) {
        const exited = new Promise<void>((r) => child.once('exit', () => r()));
        child.send({ type: 'stop' });
        await Promise.race([exited, new Promise((r) => setTimeout(r, 4000))]);
      }
      await stopByPid(child);
    },
  };
}

export interface ForwarderProcess {
  readonly pid: number;
  readonly senderPort: number;
  readonly listenerPort: number;
  cpu(): Promise<number>;
  stop(): Promise<void>;
}

export async function startForwarder(): Promise<ForwarderProcess> {
  const child = spawn('forwarder.ts');
  const { senderPort, listenerPort } = await nextMessage<{ senderPort: number; listenerPort: number }>(
    child,
    'ready',
  );
  return { pid: child.pid!, senderPort, listenerPort, cpu: () => cpuOf(child), stop: () => stopByPid(child) };
}
