/**
 * The commands a connection sent and still waits for, with their deadlines (docs/hub-protocol.md
 * part 4 row 14: a hop that does not answer within `commandTimeoutMs` counts as a
 * `communications` error). All deadlines are "sent + the same timeout", so they grow in
 * insertion order: one timer per connection, armed for the oldest, covers them all.
 *
 * Hot path (docs/architecture.md part 11): the commands form an intrusive doubly linked list (no Map
 * entry per command), and the promise of a command is made with a shared executor (no closure
 * per command).
 */
import { HubError } from '../errors.js';
import type { Logger } from '../log.js';
import { syntheticAnswer } from './connection-types.js';
import type { ResponseFrame } from './frame/index.js';
import { okAnswer, type Answer } from '../protocol/index.js';
import { plainOk } from './session-types.js';

export interface PendingCommand {
  id: string;
  readonly method: string;
  readonly deadline: number;
  /** Takes the answer (real or synthetic); called once. */
  resolve(r: ResponseFrame): void;
  /** Answered or timed out: a later answer is discarded. */
  done: boolean;
  /** List links (insertion order = deadline order); null at the ends and once removed. */
  prev: PendingCommand | null;
  next: PendingCommand | null;
}

/** A command whose answer settles a promise (`Connection.command`). */
export interface PromisedCommand extends PendingCommand {
  /**
   * Settled by the answer, or by a synthetic `communications` one (never rejects). A
   * ResponseFrame is an Answer (src/protocol), so relays pass it on as it is.
   */
  readonly answer: Promise<ResponseFrame>;
}

/** Where a relayed command's answer goes: structurally the router's `AnswerSink` (operation.ts). */
export interface ResponseSink {
  answered(a: Answer): void;
}

/** What a relayed command's sink gets for a bare `ok` (issue 18): one shared, frozen answer. */
const PLAIN_OK: Answer = Object.freeze(okAnswer());

/**
 * A command relayed for someone else (`Connection.relay`, issue 18): its answer goes straight to
 * a sink by a method call, with no promise, no resolve function and no reaction per command.
 */
export class RelayedCommand implements PendingCommand {
  id = '';
  done = false;
  prev: PendingCommand | null = null;
  next: PendingCommand | null = null;

  constructor(
    readonly method: string,
    readonly deadline: number,
    private readonly sink: ResponseSink,
  ) {}

  resolve(r: ResponseFrame): void {
    this.sink.answered(r);
  }

  /** A bare `ok` (status, headers and payload are all the sink reads): the shared answer. */
  ok(): void {
    this.sink.answered(PLAIN_OK);
  }
}

let captured: ((r: ResponseFrame) => void) | null = null;
/** Shared by every command: hands the promise's resolve function to `create`. */
function capture(resolve: (r: ResponseFrame) => void): void {
  captured = resolve;
}

export class PendingCommands {
  private head: PendingCommand | null = null;
  private tail: PendingCommand | null = null;
  private count = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly timeoutMs: number,
    private readonly log: Logger,
  ) {}

  /** Commands tracked (sent, not yet answered or timed out). */
  get size(): number {
    return this.count;
  }

  /** A command for `method`, with the promise its answer settles. Track it with `add` once it has an id. */
  create(method: string): PromisedCommand {
    const answer = new Promise<ResponseFrame>(capture);
    const resolve = captured!;
    captured = null;
    return {
      id: '',
      method,
      deadline: Date.now() + this.timeoutMs,
      resolve,
      answer,
      done: false,
      prev: null,
      next: null,
    };
  }

  /** A relayed command whose answer goes to `sink`. Track it with `add` once it has an id. */
  relayed(method: string, sink: ResponseSink): RelayedCommand {
    return new RelayedCommand(method, Date.now() + this.timeoutMs, sink);
  }

  /** Tracks `p` once the session gave it an id. */
  add(p: PendingCommand): void {
    p.prev = this.tail;
    if (this.tail === null) this.head = p;
    else this.tail.next = p;
    this.tail = p;
    this.count++;
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
    this.unlink(p);
    p.resolve(r);
  }

  /** A bare `ok` to `p` (the session's `plainOk`): no frame made for a relayed command. */
  settleOk(p: PendingCommand | undefined, id: string, method: string): void {
    if (p === undefined) return;
    if (p.done) {
      this.log.debug({ id, method }, 'hub late answer discarded');
      return;
    }
    p.done = true;
    this.unlink(p);
    if (p instanceof RelayedCommand) p.ok();
    else p.resolve(plainOk(id, method));
  }

  stop(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private unlink(p: PendingCommand): void {
    const { prev, next } = p;
    // Not tracked (answered before `add`): nothing to unlink.
    if (prev === null && next === null && this.head !== p) return;
    if (prev === null) this.head = next;
    else prev.next = next;
    if (next === null) this.tail = prev;
    else next.prev = prev;
    p.prev = p.next = null;
    this.count--;
  }

  private arm(): void {
    const first = this.head;
    if (first === null) return;
    this.timer = setTimeout(this.expire, Math.max(0, first.deadline - Date.now())).unref();
  }

  private readonly expire = (): void => {
    this.timer = null;
    const now = Date.now();
    let expired = 0;
    for (let p = this.head; p !== null && p.deadline <= now; p = this.head) {
      p.done = true;
      this.unlink(p);
      expired++;
      const r = syntheticAnswer(
        p.id,
        p.method,
        new HubError('communications', `no answer within ${this.timeoutMs} ms`),
      );
      p.resolve(r);
    }
    if (expired > 0) this.log.warn({ expired, timeoutMs: this.timeoutMs }, 'hub commands timed out');
    if (this.head !== null) this.arm();
  };
}
