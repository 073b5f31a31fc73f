/**
 * Output pacing and the bounded send queue of one IRC connection (docs/bridge-requirements.md row 3). A token
 * bucket keeps the line rate under what the server tolerates (RFC 1459 8.10: servers penalise
 * clients that send faster than about one line in two seconds on average; networks allow a
 * short burst). The queue is bounded in lines and age; nothing leaves it without an answer.
 */
import { errorAnswer, okAnswer, type Answer, type Header } from '../../src/index.js';

export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly burst: number,
    private readonly perSecond: number,
    private readonly enabled: boolean,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = burst;
    this.last = now();
  }

  private refill(): void {
    const t = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) / 1000) * this.perSecond);
    this.last = t;
  }

  /** Takes a token if there is one. */
  take(): boolean {
    if (!this.enabled) return true;
    this.refill();
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Whole tokens there now (lines that may go out at once). */
  available(): number {
    if (!this.enabled) return Infinity;
    this.refill();
    return Math.floor(this.tokens);
  }

  /** Milliseconds until `n` tokens are there, if none is taken meanwhile (0 when pacing is off). */
  waitFor(n: number): number {
    if (!this.enabled) return 0;
    this.refill();
    return this.tokens >= n ? 0 : Math.ceil(((n - this.tokens) / this.perSecond) * 1000);
  }

  /** Milliseconds until the next token. */
  wait(): number {
    if (!this.enabled) return 0;
    this.refill();
    return this.tokens >= 1 ? 0 : Math.ceil(((1 - this.tokens) / this.perSecond) * 1000);
  }
}

/** One message (one IMTP send) on its way out: its lines, and the answer it is waiting for. */
export class Ticket {
  written = 0;
  failed: Answer | null = null;
  /**
   * A durable ticket waits at the head of the queue until the store committed it (durable.ts):
   * nothing goes out that a failed write would answer `resources` for.
   */
  held = false;
  /** Aged out in the queue (SendQueue.expire), as opposed to refused by the server. */
  expired = false;
  /** Called once its last line is written to the socket (a durable ticket leaves the store). */
  onWritten: (() => void) | undefined = undefined;
  private settled = false;
  readonly promise: Promise<Answer>;
  private resolveFn!: (a: Answer) => void;

  constructor(
    readonly lines: number,
    /** The folded target, to match error numerics against. */
    readonly target: string,
    readonly enqueuedAt: number,
    private readonly okHeaders: readonly Header[],
  ) {
    this.promise = new Promise((r) => (this.resolveFn = r));
  }

  get done(): boolean {
    return this.settled;
  }

  fail(a: Answer): void {
    if (this.failed === null) this.failed = a;
  }

  /** Settles with the recorded failure, else ok with the given headers. */
  settle(): void {
    if (this.settled) return;
    this.settled = true;
    this.resolveFn(this.failed ?? okAnswer(this.okHeaders));
  }

  settleWith(a: Answer): void {
    this.fail(a);
    this.settle();
  }
}

/**
 * TAGMSG: IRCv3 message-tags, a line of tags and no text (a reaction). REDACT: IRCv3
 * message-redaction, `REDACT <target> <msgid>`: the line's text is the msgid. RAW: whole lines
 * written as they are (a multiline batch, multiline.ts; the message's tags on its first).
 */
export type IrcCommand = 'PRIVMSG' | 'NOTICE' | 'TAGMSG' | 'REDACT' | 'RAW';

export interface QueuedLine {
  readonly line: string;
  /**
   * IRCv3 message tags of the line (`label=…;+draft/reply=…`), on a message's first line; sent
   * only while the connection has message-tags (ircv3.net/specs/extensions/message-tags).
   */
  readonly tags?: string;
  /** The channel the line needs us to be in, folded; undefined for a nick. */
  readonly channel?: string;
  readonly ticket: Ticket;
}

/** The queued lines of one message; `channel`: folded, when the target is a channel. */
export function lineItems(
  command: IrcCommand,
  target: string,
  texts: readonly string[],
  ticket: Ticket,
  channel: string | undefined,
  tags: string | undefined,
): QueuedLine[] {
  return texts.map((t, i) => ({
    line:
      command === 'TAGMSG'
        ? `TAGMSG ${target}`
        : command === 'REDACT'
          ? `REDACT ${target} ${t}`
          : command === 'RAW'
            ? t
            : `${command} ${target} :${t}`,
    ...(i === 0 && tags !== undefined ? { tags } : {}),
    ...(channel === undefined ? {} : { channel }),
    ticket,
  }));
}

export class SendQueue {
  private readonly lines: QueuedLine[] = [];
  /** Sends refused because the queue was full or aged out, since start (docs/bridge-requirements.md row 3). */
  dropped = 0;

  constructor(
    private readonly maxLines: number,
    private readonly maxAgeMs: number,
  ) {}

  get length(): number {
    return this.lines.length;
  }

  /** Queues all lines of a ticket, or none: a full queue answers `resources`. */
  push(items: readonly QueuedLine[]): boolean {
    if (this.lines.length + items.length > this.maxLines) {
      this.dropped++;
      return false;
    }
    this.lines.push(...items);
    return true;
  }

  peek(): QueuedLine | undefined {
    return this.lines[0];
  }

  shift(): QueuedLine | undefined {
    return this.lines.shift();
  }

  /**
   * Removes every line of tickets older than maxAgeMs and answers each as `why` says: the
   * connection knows whether it was down, waiting for a channel, or only paced (issue 20).
   */
  expire(now: number, why: (t: Ticket, channel: string | undefined) => Answer): number {
    const old = new Map<Ticket, string | undefined>();
    for (const l of this.lines)
      if (now - l.ticket.enqueuedAt > this.maxAgeMs && !old.has(l.ticket)) old.set(l.ticket, l.channel);
    if (old.size === 0) return 0;
    const keep = this.lines.filter((l) => !old.has(l.ticket));
    this.lines.length = 0;
    this.lines.push(...keep);
    for (const [t, channel] of old) {
      this.dropped++;
      t.expired = true;
      t.settleWith(why(t, channel));
    }
    return old.size;
  }

  /** Removes the remaining lines of one ticket (it failed). */
  drop(ticket: Ticket): void {
    const keep = this.lines.filter((l) => l.ticket !== ticket);
    this.lines.length = 0;
    this.lines.push(...keep);
  }

  /** Answers everything still queued (the adapter stops). */
  clear(answer: Answer): void {
    for (const l of this.lines.splice(0)) l.ticket.settleWith(answer);
  }
}

/**
 * Why a send aged out in the queue (issue 20: no claim that the network was unreachable while
 * the connection was up): the connection was down (`communications`), the channel could not be
 * joined (`communications`), or it was connected and joined, so the send was the excess beyond
 * the connection's pace (`quota`).
 */
export function expiryAnswer(t: Ticket, ready: boolean, joined: boolean, maxAgeMs: number): Answer {
  const sent = `${t.written} of ${t.lines} lines were sent`;
  if (!ready) return errorAnswer('communications', `the IRC connection was down for ${maxAgeMs} ms; ${sent}`);
  if (!joined)
    return errorAnswer(
      'communications',
      `the gateway could not join the channel within ${maxAgeMs} ms; ${sent}`,
    );
  return errorAnswer(
    'quota',
    `the IRC connection is paced (flood control) and the message waited ${maxAgeMs} ms behind others; ${sent}`,
  );
}
