/**
 * The IRC adapter's Prometheus metric (issue 20: what is clipped, refused or dropped on the way
 * to IRC is counted), in the gateway's one registry (AdapterContext.metrics) with an `adapter`
 * label; get-or-create, so a second IRC adapter or a reload counts in the same metric.
 */
import { Counter } from 'prom-client';
import { getHeader, type AdapterContext, type Answer } from '../../src/index.js';
import { CLIPPED_HEADER } from './outbound.js';
import type { IrcLink } from './link.js';

export const IRC_SENDS_METRIC = 'cpim_irc_sends_total';

/** Outcomes are few (ok, clipped, the error types): each one's child counter is kept. */
const MAX_CHILDREN = 32;

export class IrcMetrics {
  private readonly counter: Counter<string> | null;
  private readonly children = new Map<string, { inc(): void }>();

  constructor(private readonly ctx: AdapterContext) {
    const registry = ctx.metrics;
    if (registry === undefined) {
      this.counter = null;
      return;
    }
    this.counter =
      (registry.getSingleMetric(IRC_SENDS_METRIC) as Counter<string> | undefined) ??
      new Counter({
        name: IRC_SENDS_METRIC,
        help: 'Sends to IRC by outcome: ok, clipped, the Error-Type of a refusal, or reported-expired / reported-failed for a kept send that did not go out after its ok',
        labelNames: ['adapter', 'outcome'],
        registers: [registry],
      });
  }

  /** One send's answer: `ok`, `clipped` (ok, not whole: `Irc-Clipped`), or its Error-Type. */
  answered(a: Answer): void {
    const outcome =
      a.status === 'ok'
        ? getHeader(a.headers, CLIPPED_HEADER) === undefined
          ? 'ok'
          : 'clipped'
        : (getHeader(a.headers, 'Error-Type') ?? 'error');
    this.inc(outcome);
  }

  /** A kept send answered ok that then did not go out (durable.ts reports it to its author). */
  reported(kind: 'expired' | 'failed'): void {
    this.inc(`reported-${kind}`);
  }

  private inc(outcome: string): void {
    if (this.counter === null) return;
    let child = this.children.get(outcome);
    if (child === undefined) {
      child = this.counter.labels({ adapter: this.ctx.id, outcome });
      if (this.children.size < MAX_CHILDREN) this.children.set(outcome, child);
    }
    child.inc();
  }
}

/**
 * For the operations endpoint: IRC connections that are registered (the main one and each
 * puppet), and the lines waiting in their paced output queues.
 */
export function linkStats(links: readonly IrcLink[]): { connections: number; queued: number } {
  let connections = 0;
  let queued = 0;
  for (const l of links) {
    if (l.state === 'ready') connections++;
    queued += l.queued;
  }
  return { connections, queued };
}
