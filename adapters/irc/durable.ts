/**
 * The IRC output queue kept in the store (issue 15: "outbound queues that answered ok before the
 * foreign network took the message are written before the answer, resumed after a restart, and
 * deduplicated by message id"; docs/adapters/irc.md "Queued messages and restarts").
 *
 * A send that must wait (for the pacing bucket, the link or a join) is written to the store queue
 * `irc:<adapter id>` under its Message-ID, then answered `ok` + `Unreliable` + `Stored: queued`;
 * its lines wait at the head of the memory queue until the write is committed (a failed write is
 * answered `resources` and nothing goes out). The entry leaves the store once its last line is
 * written to the socket; a message that then ages out or is refused by the server is reported to
 * its author (report.ts). On start the entries are read back and queued again, oldest first.
 */
import { randomUUID } from 'node:crypto';
import {
  getHeader,
  MESSAGE_ID_HEADER,
  okAnswer,
  errorAnswer,
  STORED_HEADER,
  STORED_QUEUED,
  type Answer,
  type Logger,
  type Operation,
  type Store,
} from '../../src/index.js';
import { reportFor, type ReportSend } from './report.js';
import type { Ticket } from './queue.js';

/** What a store entry holds: the send itself, so a resumed one takes the path a new one takes. */
interface Kept {
  readonly h: [string, string][];
  readonly p: string;
}

export function encodeSend(op: Operation): Uint8Array {
  const kept: Kept = {
    h: op.headers.map(([n, v]) => [n, v]),
    p: Buffer.from(op.payload ?? new Uint8Array()).toString('base64'),
  };
  return new TextEncoder().encode(JSON.stringify(kept));
}

export function decodeSend(data: Uint8Array): Operation {
  const kept = JSON.parse(new TextDecoder().decode(data)) as Kept;
  return {
    protocol: 'imtp',
    method: 'send',
    headers: kept.h,
    payload: new Uint8Array(Buffer.from(kept.p, 'base64')),
  };
}

/** The message id a send is kept under: its Message-ID, else a new one (the router adds one). */
export function messageIdOf(op: Operation): string {
  return getHeader(op.headers, MESSAGE_ID_HEADER) ?? randomUUID();
}

/** A resumed entry: the send, its id, and when it was first accepted. */
export interface Resumed {
  readonly id: string;
  readonly time: number;
  readonly op: Operation;
}

export class DurableQueue {
  /** Set when the adapter stops: what is still queued stays in the store for the next start. */
  stopped = false;

  constructor(
    private readonly store: Store,
    readonly name: string,
    private readonly domain: string,
    private readonly log: Logger,
    private readonly report: (r: ReportSend) => void,
  ) {}

  /**
   * Writes a held ticket's send to the store, then releases it. Answers `ok` + `Unreliable` +
   * `Stored: queued` once committed, `resources` when the write failed (the lines are withdrawn).
   * A send whose id is already queued (resent after a crash) is not queued twice.
   */
  async keep(
    ticket: Ticket,
    op: Operation,
    id: string,
    withdraw: () => void,
    pump: () => void,
  ): Promise<Answer> {
    let added: boolean;
    try {
      added = await this.store.enqueue(this.name, id, encodeSend(op));
    } catch (err) {
      withdraw();
      ticket.settleWith(errorAnswer('resources', 'the IRC output queue could not be stored'));
      this.log.warn({ err, queue: this.name, id }, 'irc send not queued: the store refused the write');
      return errorAnswer('resources', 'the gateway could not store the message for IRC');
    }
    if (!added) {
      withdraw();
      ticket.settle();
      this.log.info({ queue: this.name, id }, 'irc send already queued (same Message-ID)');
      return this.queuedAnswer();
    }
    ticket.held = false;
    this.track(ticket, op, id);
    pump();
    return this.queuedAnswer();
  }

  /** Dequeues the entry once written; reports it when it ages out or the server refuses it. */
  track(ticket: Ticket, op: Operation, id: string): void {
    ticket.onWritten = () => this.remove(id);
    void ticket.promise.then((a) => {
      if (a.status === 'ok' || this.stopped) return;
      const why =
        getHeader(a.headers, 'Error-Description') ?? getHeader(a.headers, 'Error-Type') ?? 'refused';
      // A refusal after the lines were written (401 no such nick) left the store already.
      if (ticket.written < ticket.lines) this.remove(id);
      this.fail(op, id, ticket.expired ? 'expired' : 'failed', why);
    });
  }

  /** A kept send that can no longer go out: reported to its author, and out of the store. */
  fail(op: Operation, id: string, kind: 'expired' | 'failed', why: string): void {
    this.log.warn(
      { queue: this.name, id, kind, why },
      'irc queued send not delivered; reporting to its sender',
    );
    const r = reportFor(op, this.domain, id, kind, why);
    if (r !== null) this.report(r);
  }

  remove(id: string): void {
    this.store
      .dequeue(this.name, [id])
      .catch((err: unknown) => this.log.warn({ err, queue: this.name, id }, 'irc queue entry not removed'));
  }

  /** The entries left by the last run, oldest first (at most `limit`: the queue's line bound). */
  async resume(limit: number): Promise<Resumed[]> {
    const records = await this.store.readQueue(this.name, limit);
    const out: Resumed[] = [];
    for (const r of records) {
      try {
        out.push({ id: r.id, time: r.time, op: decodeSend(r.data) });
      } catch (err) {
        this.log.warn({ err, queue: this.name, id: r.id }, 'irc queue entry unreadable; dropped');
        this.remove(r.id);
      }
    }
    return out;
  }

  private queuedAnswer(): Answer {
    return okAnswer([
      ['Unreliable', this.domain],
      [STORED_HEADER, STORED_QUEUED],
    ]);
  }
}
