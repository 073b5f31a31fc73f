/**
 * The IRC adapter's Prometheus metric (issue 20: what is clipped, refused or dropped on the way
 * to IRC is counted), in the gateway's one registry (AdapterContext.metrics) with an `adapter`
 * label; get-or-create, so a second IRC adapter or a reload counts in the same metric.
 */
import { Counter } from 'prom-client';
import { getHeader, type AdapterContext, type Answer } from '../../src/index.js';
import { CLIPPED_HEADER } from './outbound.js';

export const IRC_SENDS_METRIC = 'cpim_irc_sends_total';

export class IrcMetrics {
  private readonly counter: Counter<string> | null;

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
    this.counter?.inc({ adapter: this.ctx.id, outcome });
  }

  /** A kept send answered ok that then did not go out (durable.ts reports it to its author). */
  reported(kind: 'expired' | 'failed'): void {
    this.counter?.inc({ adapter: this.ctx.id, outcome: `reported-${kind}` });
  }
}
