/**
 * Issue 19: how long a peer's presence subscriptions outlive its links. They outlive the
 * connection they came on (part 4 row 15: inter-domain subscriptions last until unsubscribe or
 * terminate), but not a partner that is gone: once no PITP connection from a peer domain has
 * been open for `limits.peers.dropSubscriptionsAfterMs`, `expire` is called for that domain
 * (the router ends its subscriptions and tells its watchers with terminate-notify).
 * Connections are learned from the peer's PITP commands; only the domain's last one starts the
 * clock, and any new one stops it.
 */
const MAX_TIMER_MS = 2 ** 31 - 1;

export class PeerLinger {
  /** Connection id → the peer domain it authenticated as. */
  private readonly domainOf = new Map<string, string>();
  private readonly open = new Map<string, number>();
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly lingerMs: () => number,
    private readonly expire: (domain: string) => void,
  ) {}

  /** A PITP command from peer `domain` on `connectionId`. */
  seen(domain: string, connectionId: string): void {
    if (this.domainOf.has(connectionId)) return;
    this.domainOf.set(connectionId, domain);
    this.open.set(domain, (this.open.get(domain) ?? 0) + 1);
    const t = this.timers.get(domain);
    if (t !== undefined) {
      clearTimeout(t);
      this.timers.delete(domain);
    }
  }

  /** A connection closed; the last one of its peer domain starts the clock. */
  closed(connectionId: string): void {
    const domain = this.domainOf.get(connectionId);
    if (domain === undefined) return;
    this.domainOf.delete(connectionId);
    const n = (this.open.get(domain) ?? 1) - 1;
    if (n > 0) this.open.set(domain, n);
    else {
      this.open.delete(domain);
      this.absent(domain);
    }
  }

  /** Starts the clock for `domain` unless it has a connection or the clock already runs. */
  absent(domain: string): void {
    if (this.open.has(domain) || this.timers.has(domain)) return;
    const t = setTimeout(
      () => {
        this.timers.delete(domain);
        if (!this.open.has(domain)) this.expire(domain);
      },
      Math.min(this.lingerMs(), MAX_TIMER_MS),
    );
    t.unref();
    this.timers.set(domain, t);
  }
}
