/**
 * Prometheus metrics for `/metrics` (docs/bridge-requirements.md row 11), in a registry of this adapter's own so
 * that several gateways in one process (tests) never share counters. `/metrics` serves it merged
 * with the gateway's own registry (AdapterContext.metrics: `cpim_auth_failures_total`,
 * `cpim_auth_throttled_total`, issue 13).
 */
import { Counter, Gauge, Registry } from 'prom-client';
import type { AdapterContext } from '../../src/index.js';

export class WebMetrics {
  private readonly own = new Registry();
  /** What `/metrics` serves: this adapter's metrics and the gateway's. */
  readonly registry: Registry;
  readonly connections: Gauge;
  readonly frames: Counter<'type'>;
  readonly rejected: Counter<'code'>;
  readonly sent: Counter<'status'>;
  readonly delivered: Counter<'status'>;
  readonly closes: Counter<'code'>;

  constructor(ctx: AdapterContext, countConnections: () => number) {
    const registers = [this.own];
    this.connections = new Gauge({
      name: 'cpim_ws_connections',
      help: 'Open WebSocket connections',
      registers,
      collect() {
        this.set(countConnections());
      },
    });
    this.frames = new Counter({
      name: 'cpim_ws_frames_received_total',
      help: 'Client frames accepted, by type',
      labelNames: ['type'],
      registers,
    });
    this.rejected = new Counter({
      name: 'cpim_ws_frames_rejected_total',
      help: 'Client frames answered with an error frame, by code',
      labelNames: ['code'],
      registers,
    });
    this.sent = new Counter({
      name: 'cpim_ws_messages_sent_total',
      help: 'Messages web users sent, by answer (ok, unreliable, or the error type)',
      labelNames: ['status'],
      registers,
    });
    this.delivered = new Counter({
      name: 'cpim_ws_messages_delivered_total',
      help: 'Messages delivered to web users, by answer',
      labelNames: ['status'],
      registers,
    });
    this.closes = new Counter({
      name: 'cpim_ws_closes_total',
      help: 'Connections closed, by close code',
      labelNames: ['code'],
      registers,
    });
    new Gauge({
      name: 'cpim_adapter_up',
      help: 'Adapters of this gateway: 1 when online',
      labelNames: ['adapter', 'type', 'status'],
      registers,
      collect() {
        this.reset();
        for (const a of ctx.health?.() ?? [])
          this.set({ adapter: a.id, type: a.type, status: a.status }, a.status === 'online' ? 1 : 0);
      },
    });
    // merge() registers the same metric objects, so both keep counting live; after the above.
    this.registry = ctx.metrics === undefined ? this.own : Registry.merge([this.own, ctx.metrics]);
  }

  /** The answer status label of a result. */
  static status(r: { status: 'ok' | 'error'; unreliable?: boolean; errorType?: string }): string {
    if (r.status === 'ok') return r.unreliable ? 'unreliable' : 'ok';
    return r.errorType ?? 'error';
  }
}
