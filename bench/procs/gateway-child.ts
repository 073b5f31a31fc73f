/**
 * A gateway in its own process, so the load generator never shares its event loop. The parent
 * (bench/lib/procs.ts) forks this file with tsx and talks over IPC:
 *   parent → { type: 'start', config, adapters? }
 *                                             child → { type: 'ready', addresses, adapters }
 *     (with `adapters: true` the gateway runs the adapter types of adapters/index.ts, and
 *     `adapters` in the answer lists each hosted adapter's type, id and listening address)
 *   parent → { type: 'memory' }               child → { type: 'memory', usage } (after full GCs)
 *   parent → { type: 'cpu' }                  child → { type: 'cpu', micros } (user + system so far)
 *   parent → { type: 'gc' }                   child → { type: 'gc', now, entries } (BENCH_TRACE_GC=1:
 *     its GC pauses from perf_hooks, start and duration in ms on its performance.now clock)
 *   parent → { type: 'stop' }                 child stops the gateway and exits 0
 * Log lines at `warn` and above go to stderr.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import { adapterChecks } from '../../src/config/adapter-config.js';
import { checkConfig } from '../../src/config/load.js';
import { createGateway, type Gateway } from '../../src/gateway.js';
import { createRootLogger } from '../../src/log.js';

type Message =
  | { type: 'start'; config: Record<string, unknown>; adapters?: boolean }
  | { type: 'memory' }
  | { type: 'cpu' }
  | { type: 'gc' }
  | { type: 'stop' };

/** BENCH_TRACE_GC=1: the latest GC pauses (bench/README.md "IRC tail and fan-out, issue 18"). */
const GC_KEPT = 4096;
const gcs: { start: number; duration: number; kind: number }[] = [];
if (process.env.BENCH_TRACE_GC === '1')
  new PerformanceObserver((list) => {
    for (const e of list.getEntries() as (PerformanceEntry & { detail?: { kind?: number } })[]) {
      if (gcs.length >= GC_KEPT) gcs.shift();
      gcs.push({ start: e.startTime, duration: e.duration, kind: e.detail?.kind ?? 0 });
    }
  }).observe({ entryTypes: ['gc'] });

let gateway: Gateway | null = null;

/**
 * BENCH_HEAP_SAMPLE=<file>: V8's sampling heap profiler from the start, objects the minor and
 * major GCs collected included, so the profile says what allocates (not only what is kept);
 * written to <file> (.heapprofile, for DevTools) when the gateway stops.
 */
const heapSample = process.env.BENCH_HEAP_SAMPLE;
const inspector = heapSample ? new Session() : null;
if (inspector !== null) {
  inspector.connect();
  inspector.post('HeapProfiler.startSampling', {
    samplingInterval: 32768,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  });
}

function writeHeapSample(): Promise<void> {
  if (inspector === null || heapSample === undefined) return Promise.resolve();
  return new Promise((resolve) =>
    inspector.post('HeapProfiler.stopSampling', (err, r) => {
      if (!err) writeFileSync(heapSample, JSON.stringify(r.profile));
      resolve();
    }),
  );
}

function send(m: unknown): void {
  process.send?.(m);
}

function fullGc(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) return;
  for (let i = 0; i < 3; i++) gc();
}

process.on('message', (m: Message) => {
  void (async () => {
    switch (m.type) {
      case 'start': {
        const adapterDefinitions = m.adapters
          ? (await import('../../adapters/index.js')).adapterDefinitions
          : undefined;
        const config = checkConfig(m.config, 'bench', {
          env: {},
          ...(adapterDefinitions ? { adapterTypes: adapterChecks(adapterDefinitions) } : {}),
        });
        const log = createRootLogger({ level: config.log.level, destination: process.stderr });
        gateway = createGateway(config, { log, ...(adapterDefinitions ? { adapterDefinitions } : {}) });
        await gateway.start();
        send({
          type: 'ready',
          addresses: gateway.addresses,
          adapters: gateway.adapters.map((a) => ({
            type: a.type,
            id: a.id,
            address: (a.adapter as { address?: unknown }).address ?? null,
          })),
        });
        break;
      }
      case 'memory':
        fullGc();
        send({ type: 'memory', usage: process.memoryUsage() });
        break;
      case 'cpu': {
        const u = process.cpuUsage();
        send({ type: 'cpu', micros: u.user + u.system });
        break;
      }
      case 'gc':
        send({ type: 'gc', now: performance.now(), entries: gcs });
        break;
      case 'stop':
        await writeHeapSample();
        await gateway?.stop(2000);
        process.exit(0);
    }
  })().catch((e: unknown) => {
    send({ type: 'error', message: e instanceof Error ? (e.stack ?? e.message) : String(e) });
    process.exit(1);
  });
});
process.on('disconnect', () => process.exit(0));
