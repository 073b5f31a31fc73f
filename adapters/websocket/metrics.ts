/**
 * The web adapter's Prometheus metrics (docs/bridge-requirements.md row 11), registered in the
 * gateway's one registry (AdapterContext.metrics) with an `adapter` label, so they appear on the
 * operations endpoint's `/metrics` (docs/operations.md) beside the core's figures and on this
 * adapter's own `/metrics`, which serves the same registry. Get-or-create: a second web adapter,
 * or this one restarted on reload, counts in the same metrics under its own label. Open
 * connections are reported through Adapter.stats (`cpim_adapter_connections`), read when scraped.
 */
import { Counter, Registry } from 'prom-client';
import type { AdapterContext } from '../../src/index.js';

/** Label values whose child counter is kept; beyond, each increment looks its labels up. */
const MAX_CHILDREN = 64;

/** One counter of this adapter: `inc({ type })` adds `adapter`, with a cached child per value. */
export class AdapterCounter<L extends string> {
  private readonly children = new Map<string, { inc(by?: number): void }>();

  constructor(
    private readonly counter: Counter<string>,
    private readonly adapter: string,
    private readonly label: L,
  ) {}

  inc(labels: Readonly<Record<L, string>>, by = 1): void {
    const value = labels[this.label];
    let child = this.children.get(value);
    if (child === undefined) {
      child = this.counter.labels({ adapter: this.adapter, [this.label]: value });
      if (this.children.size < MAX_CHILDREN) this.children.set(value, child);
    }
    child.inc(by);
  }
}

function counter<L extends string>(
  registry: Registry,
  adapter: string,
  name: string,
  help: string,
  label: L,
): AdapterCounter<L> {
  const existing = registry.getSingleMetric(name) as Counter<string> | undefined;
  const c = existing ?? new Counter({ name, help, labelNames: ['adapter', label], registers: [registry] });
  return new AdapterCounter(c, adapter, label);
}

export class WebMetrics {
  /** What this adapter's `/metrics` serves: the gateway's registry (or its own, alone). */
  readonly registry: Registry;
  readonly frames: AdapterCounter<'type'>;
  readonly rejected: AdapterCounter<'code'>;
  readonly sent: AdapterCounter<'status'>;
  readonly delivered: AdapterCounter<'status'>;
  readonly closes: AdapterCounter<'code'>;

  constructor(ctx: AdapterContext) {
    const registry = (this.registry = ctx.metrics ?? new Registry());
    const id = ctx.id;
    this.frames = counter(
      registry,
      id,
      'cpim_ws_frames_received_total',
      'Client frames accepted, by type',
      'type',
    );
    this.rejected = counter(
      registry,
      id,
      'cpim_ws_frames_rejected_total',
      'Client frames answered with an error frame, by code',
      'code',
    );
    this.sent = counter(
      registry,
      id,
      'cpim_ws_messages_sent_total',
      'Messages web users sent, by answer (ok, unreliable, or the error type)',
      'status',
    );
    this.delivered = counter(
      registry,
      id,
      'cpim_ws_messages_delivered_total',
      'Messages delivered to web users, by answer',
      'status',
    );
    this.closes = counter(registry, id, 'cpim_ws_closes_total', 'Connections closed, by close code', 'code');
  }

  /** The answer status label of a result. */
  static status(r: { status: 'ok' | 'error'; unreliable?: boolean; errorType?: string }): string {
    if (r.status === 'ok') return r.unreliable ? 'unreliable' : 'ok';
    return r.errorType ?? 'error';
  }
}
