/**
 * The gateway's own Prometheus metrics (issue 13 defect 5: a counter of authentication failures
 * and of attempts refused in backoff), in a registry each gateway owns, so that several gateways
 * in one process (tests) never share counters. Adapters reach it through AdapterContext.metrics;
 * the web adapter's `/metrics` serves it beside its own (adapters/websocket/metrics.ts).
 */
import { Counter, Registry } from 'prom-client';

export class GatewayMetrics {
  readonly registry = new Registry();
  /** Credentials checked and found wrong, by listener (imtp, pitp, web, smtp). */
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
  }
}
