/**
 * The gateway's one Prometheus registry (issue 13 defect 5: authentication counters; issue 14:
 * everything `/metrics` on the operations port shows, docs/operations.md). Each gateway owns its
 * registry, so several gateways in one process (tests) never share counters. Adapters reach it
 * through AdapterContext.metrics and register their own metrics in it with an `adapter` label;
 * the core's figures are registered by src/ops/metrics.ts. Process metrics (CPU, memory, event
 * loop, GC) belong to the process, not to a gateway: one registry per process, made with the
 * first gateway, so the CPU counters count from then (made at the first scrape, they would start
 * at zero there).
 */
import { collectDefaultMetrics, Counter, Registry } from 'prom-client';

/** Prefix of the process metrics (`cpim_process_cpu_seconds_total`, `cpim_nodejs_eventloop_lag_seconds`). */
export const PROCESS_PREFIX = 'cpim_';

let processRegistry: Registry | undefined;

/**
 * collectDefaultMetrics once per process: it starts an event-loop delay monitor and a GC
 * observer that are never stopped, so one per gateway would pile up in a test process.
 */
function processMetrics(): Registry {
  if (processRegistry === undefined) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry, prefix: PROCESS_PREFIX });
  }
  return processRegistry;
}

export class GatewayMetrics {
  readonly registry = new Registry();
  /** Failed authentications (credentials checked and refused), by listener (imtp, pitp, web, smtp). */
  readonly authFailures: Counter<'listener'>;
  /** Attempts answered without checking because their address or account was in backoff. */
  readonly authThrottled: Counter<'listener'>;

  constructor() {
    const registers = [this.registry];
    this.authFailures = new Counter({
      name: 'cpim_auth_failures_total',
      help: 'Failed authentications (credentials checked and refused), by listener',
      labelNames: ['listener'],
      registers,
    });
    this.authThrottled = new Counter({
      name: 'cpim_auth_throttled_total',
      help: 'Authentication attempts refused unchecked during backoff (limits.authFailures), by listener',
      labelNames: ['listener'],
      registers,
    });
    processMetrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** The Prometheus text of this gateway's metrics and, unless `process` is false, the process's. */
  async text(process = true): Promise<string> {
    const own = await this.registry.metrics();
    return process ? own + '\n' + (await processMetrics().metrics()) : own;
  }
}
