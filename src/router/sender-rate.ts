/**
 * The per-sender message rate (issue 12), checked in one place for every entry point: hub
 * clients, peer gateways and adapters all hand their sends to Router.handle, which checks the
 * authenticated Sender here. A domain served by an adapter may carry its own rate (the adapter's
 * `Capabilities.senderRate`); every other sender gets the gateway's `limits.perSender`.
 *
 * Draft §12 (docs/hub-protocol.md part 3, error table): `quota` = "would exceed resource limits for
 * the source"; the Error-Description starts with RATE_LIMITED so adapters can tell rate from size.
 * Hot path (docs/architecture.md part 11): one map lookup for the domain, one for the sender, no allocation
 * for a known sender; the warn line is throttled so a flood does not flood the log.
 */
import { HubError } from '../errors.js';
import type { Logger } from '../log.js';
import type { ImAddress } from '../model/index.js';
import type { Headers } from '../protocol/index.js';
import type { Origin } from './operation.js';
import { KeyedRateLimiter, LogThrottle, RATE_LIMITED, type Clock, type RateSpec } from '../policy/index.js';

export interface SenderRateOptions {
  readonly messagesPerSecond: number;
  readonly burst: number;
  /** Senders tracked at once (per limiter). */
  readonly maxSenders: number;
  /** At most one warn line per interval. */
  readonly warnIntervalMs: number;
  readonly clock?: Clock;
}

export const DEFAULT_SENDER_RATE: SenderRateOptions = Object.freeze({
  messagesPerSecond: 20,
  burst: 100,
  maxSenders: 100_000,
  warnIntervalMs: 10_000,
});

/**
 * The bucket a send counts against. A hub client's own Sender: whatever Orig-Sender it writes is
 * unverified. An adapter or a peer gateway relays for many authors through one bridge sender (an
 * IRC channel, a mailing list, a room elsewhere) and names the author in Orig-Sender (draft
 * §16.2); it is authenticated for that domain and vouches for the author, so each author has a
 * bucket and a busy channel is not throttled as one sender. Header scan only off the client path.
 */
export function rateKey(origin: Origin, headers: Headers, sender: ImAddress): string {
  if (origin.kind === 'client') return sender.uri;
  for (let i = 0; i < headers.length; i++) {
    const h = headers[i]!;
    if (h[0] === 'Orig-Sender') return h[1].trim();
  }
  return sender.uri;
}

interface Limit {
  readonly limiter: KeyedRateLimiter;
  readonly description: string;
}

export class SenderRates {
  private general: Limit;
  /** By adapter domain; bounded by the registered domains. */
  private readonly byDomain = new Map<string, Limit>();
  private readonly throttle: LogThrottle;
  /** Messages refused for their sender's rate since start (cpim_rate_limited_total). */
  refused = 0;

  constructor(
    private readonly options: SenderRateOptions,
    private readonly log: Logger | undefined,
  ) {
    this.general = this.limit({ ratePerSecond: options.messagesPerSecond, burst: options.burst });
    this.throttle = new LogThrottle(options.warnIntervalMs, options.clock);
  }

  /**
   * A reload's new `limits.perSender` rate (docs/operations-reload.md): a fresh limiter, so every
   * sender starts with a full bucket of the new size. `maxSenders` applies to limiters made later.
   */
  setGeneralRate(spec: RateSpec): void {
    this.general = this.limit(spec);
  }

  /** An adapter domain's own rate for its users (undefined: the gateway's rate applies). */
  setDomainRate(domain: string, spec: RateSpec | undefined): void {
    if (spec === undefined) this.byDomain.delete(domain);
    else this.byDomain.set(domain, this.limit(spec));
  }

  /** Senders with a bucket now, over all limiters (for tests and diagnostics). */
  get size(): number {
    let n = this.general.limiter.size;
    for (const l of this.byDomain.values()) n += l.limiter.size;
    return n;
  }

  /**
   * Counts one message from `sender` (its bucket: `key`, by default the sender itself); throws
   * `quota` when it is over its rate. The domain's rate applies (adapter or gateway-wide).
   */
  check(sender: ImAddress, key: string = sender.uri): void {
    const limit =
      this.byDomain.size === 0 ? this.general : (this.byDomain.get(sender.domain) ?? this.general);
    if (limit.limiter.take(key)) return;
    this.refused++;
    const suppressed = this.throttle.allow();
    if (suppressed >= 0)
      this.log?.warn(
        { sender: sender.uri, key, suppressed, reason: limit.description },
        'sender rate limit exceeded, answered quota',
      );
    throw new HubError('quota', limit.description);
  }

  private limit(spec: RateSpec): Limit {
    return {
      limiter: new KeyedRateLimiter({ ...spec, maxKeys: this.options.maxSenders, ...this.clockOption() }),
      description: `${RATE_LIMITED}: at most ${spec.ratePerSecond} messages per second (burst ${spec.burst})`,
    };
  }

  private clockOption(): { clock?: Clock } {
    return this.options.clock === undefined ? {} : { clock: this.options.clock };
  }
}
