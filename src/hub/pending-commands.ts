/**
 * The commands a connection sent and still waits for, with their deadlines (hub-protocol.md
 * part 4 row 14: a hop that does not answer within `commandTimeoutMs` counts as a
 * `communications` error). All deadlines are "sent + the same timeout", so they grow in
 * insertion order: one timer per connection, armed for the oldest, covers them all.
 */
import { HubError } from '../errors.js';
import type { Logger } from '../log.js';
import { syntheticAnswer } from './connection-types.js';
import type { ResponseFrame } from './frame.js';

export interface PendingCommand {
  id: string;
  readonly method: string;
  readonly deadline: number;
  readonly resolve: (r: ResponseFrame) => void;
  /** Answered or timed out: a later answer is discarded. */
  done: boolean;
}

export class PendingCommands {
  private readonly byId = new Map<string, PendingCommand>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly timeoutMs: number,
    private readonly log: Logger,
  ) {}

  create(method: string, resolve: (r: ResponseFrame) => void): PendingCommand {
    return { id: '', method, deadline: Date.now() + this.timeoutMs, resolve, done: false };
  }

  /** Tracks `p` once the session gave it an id. */
  add(p: PendingCommand): void {
    this.byId.set(p.id, p);
    if (this.timer === null) this.arm();
  }

  /** The answer (real or the session's synthetic one) to `p`. */
  settle(p: PendingCommand | undefined, r: ResponseFrame): void {
    if (p === undefined) return;
    if (p.done) {
      this.log.debug({ id: r.id, method: r.method }, 'hub late answer discarded');
      return;
    }
    p.done = true;
    this.byId.delete(p.id);
    p.resolve(r);
  }

  stop(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private arm(): void {
    const first = this.byId.values().next();
    if (first.done === true) return;
    this.timer = setTimeout(this.expire, Math.max(0, first.value.deadline - Date.now())).unref();
  }

  private readonly expire = (): void => {
    this.timer = null;
    const now = Date.now();
    let expired = 0;
    for (const p of this.byId.values()) {
      if (p.deadline > now) break;
      p.done = true;
      this.byId.delete(p.id);
      expired++;
      p.resolve(
        syntheticAnswer(
          p.id,
          p.method,
          new HubError('communications', `no answer within ${this.timeoutMs} ms`),
        ),
      );
    }
    if (expired > 0) this.log.warn({ expired, timeoutMs: this.timeoutMs }, 'hub commands timed out');
    if (this.byId.size > 0) this.arm();
  };
}
