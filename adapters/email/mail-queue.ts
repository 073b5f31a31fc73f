/**
 * Mail waiting for the relay, kept in the store (issue 15: "outbound queues that answered ok
 * before the foreign network took the message are written before the answer, resumed after a
 * restart, and deduplicated by message id"; docs/adapters/email.md "Queued messages and
 * restarts"). As an MTA does (RFC 5321 4.5.4.1), a temporary failure (4xx, the relay unreachable)
 * is retried after a wait that doubles from `retryMinMs` to `retryMaxMs`; a permanent one (5xx)
 * or a mail older than `maxAgeMs` is reported to its sender and dropped. Mails go out one at a
 * time, oldest first: while the oldest waits, so do the ones after it.
 */
import {
  errorAnswer,
  getHeader,
  okAnswer,
  STORED_HEADER,
  STORED_QUEUED,
  type Answer,
  type Logger,
  type Store,
} from '../../src/index.js';
import type { OutboundConfig } from './config.js';
import type { RawMail } from './outbox.js';
import { decodeQueuedMail, encodeQueuedMail, type QueuedMail } from './queued-mail.js';

type QueueConfig = Extract<OutboundConfig, { transport: 'smtp' }>['queue'];

/** Entries read from the store per pass. */
const BATCH = 16;

export interface MailQueueOptions {
  readonly store: Store;
  /** `mail:<adapter id>`. */
  readonly name: string;
  readonly cfg: QueueConfig;
  /** The adapter's domain, for `Unreliable`. */
  readonly domain: string;
  readonly log: Logger;
  readonly send: (m: RawMail) => Promise<Answer>;
  /** Tells the sender of `m` it was not delivered (`expired` or `failed`, with why). */
  readonly report: (m: QueuedMail, kind: 'expired' | 'failed', why: string) => void;
  readonly now?: () => number;
}

export class MailQueue {
  private count = 0;
  private running = false;
  /** The pass under way, which stop() lets finish (a mail the relay took must leave the store). */
  private current: Promise<void> | undefined;
  private retries = 0;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly now: () => number;

  constructor(private readonly o: MailQueueOptions) {
    this.now = o.now ?? Date.now;
  }

  /** Nothing is waiting: a new mail may go to the relay at once (it cannot overtake one). */
  get idle(): boolean {
    return this.count === 0 && !this.running;
  }

  /** Counts what the last run left (a bounded read) and starts sending it. */
  async start(): Promise<void> {
    this.count = (await this.o.store.readQueue(this.o.name, this.o.cfg.maxMails)).length;
    if (this.count > 0) {
      this.o.log.info({ queue: this.o.name, mails: this.count }, 'mail queue resumed from the store');
      this.kick();
    }
  }

  /**
   * Keeps `m` and answers `ok` + `Unreliable` + `Stored: queued` once the store committed it;
   * `resources` when the queue is full or the write failed. An id already queued is not queued
   * twice (a send repeated after a crash) and is answered the same.
   */
  async add(m: QueuedMail): Promise<Answer> {
    if (this.count >= this.o.cfg.maxMails) {
      this.o.log.warn({ queue: this.o.name, mails: this.count }, 'mail not queued: the queue is full');
      return errorAnswer('resources', `the mail queue is full (${this.count} mails wait for the relay)`);
    }
    let added: boolean;
    try {
      added = await this.o.store.enqueue(this.o.name, m.id, encodeQueuedMail(m));
    } catch (err) {
      this.o.log.warn({ err, queue: this.o.name, id: m.id }, 'mail not queued: the store refused the write');
      return errorAnswer('resources', 'the gateway could not store the mail');
    }
    if (added) this.count++;
    this.kick();
    return okAnswer([
      ['Unreliable', this.o.domain],
      [STORED_HEADER, STORED_QUEUED],
      ['Email-Message-ID', m.messageId],
    ]);
  }

  /** Sends now unless a pass runs or a retry is scheduled. */
  private kick(): void {
    if (this.running || this.timer !== undefined || this.stopped) return;
    this.current = this.run();
  }

  private async run(): Promise<void> {
    this.running = true;
    let wait: number | undefined;
    try {
      wait = await this.pass();
    } catch (err) {
      this.o.log.warn({ err, queue: this.o.name }, 'mail queue pass failed; retrying');
      wait = this.backoff();
    } finally {
      this.running = false;
    }
    if (this.stopped) return;
    if (wait !== undefined) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.kick();
      }, wait);
      this.timer.unref();
    }
  }

  /** Sends what is queued, oldest first; the wait before the next pass, or undefined when empty. */
  private async pass(): Promise<number | undefined> {
    for (;;) {
      const batch = await this.o.store.readQueue(this.o.name, BATCH);
      if (batch.length === 0) {
        this.count = 0;
        this.retries = 0;
        return undefined;
      }
      for (const r of batch) {
        if (this.stopped) return undefined;
        let m: QueuedMail;
        try {
          m = decodeQueuedMail(r.data);
        } catch (err) {
          this.o.log.warn({ err, queue: this.o.name, id: r.id }, 'queued mail unreadable; dropped');
          await this.remove(r.id);
          continue;
        }
        if (this.now() - r.time > this.o.cfg.maxAgeMs) {
          this.o.report(m, 'expired', `the mail relay did not take it within ${this.o.cfg.maxAgeMs} ms`);
          await this.remove(r.id);
          continue;
        }
        // A send under way when the adapter stops is finished and recorded (stop() waits for it).
        const a = await this.o.send(m);
        if (a.status === 'ok') {
          this.retries = 0;
          await this.remove(r.id);
          continue;
        }
        const type = getHeader(a.headers, 'Error-Type');
        const why = getHeader(a.headers, 'Error-Description') ?? type ?? 'refused';
        if (type === 'communications') return this.backoff();
        this.o.report(m, 'failed', why);
        await this.remove(r.id);
      }
    }
  }

  private backoff(): number {
    const c = this.o.cfg;
    return Math.min(c.retryMaxMs, c.retryMinMs * 2 ** Math.min(30, this.retries++));
  }

  private async remove(id: string): Promise<void> {
    await this.o.store.dequeue(this.o.name, [id]);
    this.count = Math.max(0, this.count - 1);
  }

  /** No new send starts; the one under way is waited for, at most `deadlineMs`. */
  async stop(deadlineMs: number): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.current === undefined) return;
    let t: NodeJS.Timeout | undefined;
    await Promise.race([this.current, new Promise((r) => (t = setTimeout(r, deadlineMs)))]);
    clearTimeout(t);
  }
}
