/**
 * Authentication attempts on every listener, counted across connections and listeners in one
 * AuthFailureTracker (issue 13 defect 5; the rule is in src/policy/auth-failures.ts). This is the
 * part with effects: each refused attempt is counted in `cpim_auth_failures_total` or
 * `cpim_auth_throttled_total` and logged at warn with the remote address, the listener and the
 * account, at most one line per `limits.warnIntervalMs` per listener and kind (docs/architecture.md
 * part 8: a refusal that affects a user is logged with its reason; a flood is not a log flood).
 */
import type { AuthAttempts } from './adapter.js';
import type { Logger } from './log.js';
import type { GatewayMetrics } from './metrics.js';
import { LogThrottle, type AuthFailureTracker } from './policy/index.js';

export class AuthGuard {
  private readonly listeners = new Map<string, AuthAttempts>();

  constructor(
    private tracker: AuthFailureTracker,
    private readonly metrics: GatewayMetrics,
    private readonly log: Logger,
    private readonly warnIntervalMs: number,
  ) {}

  /**
   * A reload's new `limits.authFailures` (docs/operations-reload.md): counting starts afresh
   * under the new rule, for every listener at once.
   */
  setTracker(tracker: AuthFailureTracker): void {
    this.tracker = tracker;
  }

  /** The attempts of one listener (`imtp`, `pitp`, `web`, `smtp`); one object per name. */
  forListener(listener: string): AuthAttempts {
    let a = this.listeners.get(listener);
    if (a === undefined) {
      a = this.make(listener);
      this.listeners.set(listener, a);
    }
    return a;
  }

  private make(listener: string): AuthAttempts {
    const { metrics, log } = this;
    // Read at each attempt, so setTracker reaches the listeners made before it.
    const tracker = (): AuthFailureTracker => this.tracker;
    const failedLines = new LogThrottle(this.warnIntervalMs);
    const throttledLines = new LogThrottle(this.warnIntervalMs);
    return {
      throttle(address, account) {
        const wait = tracker().delayMs(address, account);
        if (wait === 0) return 0;
        metrics.authThrottled.inc({ listener });
        const suppressed = throttledLines.allow();
        if (suppressed >= 0)
          log.warn(
            { remote: address, listener, account, retryAfterMs: wait, suppressed },
            'authentication refused unchecked: too many failures, backing off',
          );
        return wait;
      },
      failed(address, account, reason) {
        const wait = tracker().failed(address, account);
        metrics.authFailures.inc({ listener });
        const suppressed = failedLines.allow();
        if (suppressed >= 0)
          log.warn(
            { remote: address, listener, account, reason, retryAfterMs: wait, suppressed },
            'authentication failed',
          );
        return wait;
      },
      succeeded(address, account) {
        tracker().succeeded(address, account);
      },
    };
  }
}
