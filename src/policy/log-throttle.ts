/**
 * At most one log line per interval for one kind of event, so a flood of refusals does not
 * become a flood of log lines (issue 12). The line that is let through says how many were
 * suppressed since the last one. Allocation-free: `allow()` returns a number.
 */
import { monotonicClock, type Clock } from './clock.js';

export class LogThrottle {
  private last = -Infinity;
  private suppressed = 0;

  constructor(
    readonly intervalMs: number,
    private readonly clock: Clock = monotonicClock,
  ) {}

  /** -1: stay quiet; otherwise log now, and the number is how many were suppressed before it. */
  allow(): number {
    const now = this.clock();
    if (now - this.last < this.intervalMs) {
      this.suppressed += 1;
      return -1;
    }
    this.last = now;
    const n = this.suppressed;
    this.suppressed = 0;
    return n;
  }
}
