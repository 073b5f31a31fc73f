/**
 * Sender authentication off the main thread (issue 13, defect 2): mailauth's DKIM handling costs
 * time superlinear in the header and linear in the body per distinct `l=` (RFC 6376 3.5), so one
 * crafted mail could stop the event loop that answers every SMTP client. The checks run in a
 * piscina pool of `senderAuth.workers` threads; each mail gets `senderAuth.timeoutMs` from the
 * moment a worker takes it to its verdict, after which that worker is terminated (piscina starts a fresh one) and the verdict is
 * `temperror` (RFC 7208 2.6.6, RFC 7489 6.6.2: a transient error while evaluating); at most
 * `senderAuth.maxQueue` checks wait for a worker. DNS is I/O, not CPU, so a worker asks the main
 * thread over a MessagePort per task and the adapter's resolver (configured servers, or the
 * one a test injects) answers (sender-auth-task.ts).
 */
import { fileURLToPath } from 'node:url';
import { MessageChannel, type Worker } from 'node:worker_threads';
import type { DNSResolver } from 'mailauth';
import { Piscina } from 'piscina';
import type { Logger } from '../../src/index.js';
import { checkInProcess, type Checker, type CheckInput, type Verdict } from './sender-auth.js';
import type { DnsAnswer, DnsQuestion, TaskStarted, WorkerTask } from './sender-auth-task.js';
import { reply, type SmtpReply } from './smtp-codes.js';

/** The worker's entry file: plain JavaScript that loads sender-auth-task (see its comment). */
const WORKER = fileURLToPath(new URL('./sender-auth-worker.mjs', import.meta.url));

/** A check that ends the SMTP transaction with this reply instead of a verdict. */
export class MailRefusal extends Error {
  constructor(
    readonly reply: SmtpReply,
    readonly reason: string,
  ) {
    super(reason);
  }
}

export interface SenderAuthPoolOptions {
  /** Worker threads; 0 runs every check on the calling thread (no isolation, no time budget). */
  readonly workers: number;
  readonly maxQueue: number;
  readonly timeoutMs: number;
  /** `senderAuth.minStrength`: above `none`, a temperror cannot pass, so it is answered 451. */
  readonly minStrength: string;
  readonly resolver: DNSResolver;
  readonly log: Logger;
}

/** RFC 7489 6.6.2 / RFC 7208 2.6.6 wording for "could not finish": Astrength none. */
const TEMPERROR: Verdict = {
  spf: 'temperror',
  dkim: 'temperror',
  dmarc: 'temperror',
  alignedDkim: false,
  alignedSpf: false,
};

/** A resolver's error as it crosses the port: message and code (ENOTFOUND, ENODATA, ...). */
function dnsError(err: unknown): { message: string; code?: string } {
  const e = err as { message?: unknown; code?: unknown };
  return {
    message: typeof e?.message === 'string' ? e.message : String(err),
    ...(typeof e?.code === 'string' ? { code: e.code } : {}),
  };
}

export class SenderAuthPool {
  private pool: Piscina<WorkerTask | null, Verdict | null> | undefined;
  /** Checks requested and not yet settled: running plus waiting for a worker. */
  private inFlight = 0;

  constructor(private readonly opts: SenderAuthPoolOptions) {}

  /**
   * Starts the worker threads and waits until each has loaded mailauth (a no-op task each), so
   * the first mail's time budget is not spent on a thread's start-up.
   */
  async start(): Promise<void> {
    if (this.opts.workers === 0 || this.pool !== undefined) return;
    const pool = new Piscina<WorkerTask | null, Verdict | null>({
      filename: WORKER,
      name: 'default',
      minThreads: this.opts.workers,
      maxThreads: this.opts.workers,
      idleTimeout: Number.POSITIVE_INFINITY,
    });
    this.pool = pool;
    await Promise.all(Array.from({ length: this.opts.workers }, () => pool.run(null)));
  }

  /** Terminates every worker; checks still running are rejected (their mail gets 451 4.3.0). */
  async stop(): Promise<void> {
    const p = this.pool;
    this.pool = undefined;
    await p?.destroy();
  }

  /** Checks requested and not yet answered (running or waiting for a worker). */
  get pending(): number {
    return this.inFlight;
  }

  /** The worker threads now alive (tests check that stop leaves none). */
  get threads(): readonly Worker[] {
    return this.pool?.threads ?? [];
  }

  /** The Checker inbound-pipeline.ts awaits: same interface, run in the pool. */
  readonly checker: Checker = (input) =>
    this.opts.workers === 0 ? checkInProcess(input, this.opts.resolver) : this.inPool(input);

  private async inPool(input: CheckInput): Promise<Verdict> {
    const pool = this.pool;
    if (pool === undefined) throw new Error('sender authentication pool is not running');
    // RFC 5321 4.2.5 / RFC 3463 X.3.2 "system not accepting network messages": transient.
    if (this.inFlight >= this.opts.workers + this.opts.maxQueue)
      throw new MailRefusal(
        reply(451, '4.3.2', 'too many mails being checked, try again later'),
        'sender authentication queue full',
      );
    const ac = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const { port1, port2 } = new MessageChannel();
    port1.on('message', (q: DnsQuestion | TaskStarted) => {
      // The budget runs from the moment a worker takes the mail (queue waits are bounded by
      // maxQueue x timeoutMs), so a worker's own start-up is never charged to a mail.
      if ('started' in q) {
        timer ??= setTimeout(() => ac.abort(), this.opts.timeoutMs);
        return;
      }
      this.opts.resolver(q.name, q.rrtype).then(
        (records) => port1.postMessage({ id: q.id, records } satisfies DnsAnswer),
        (err: unknown) => port1.postMessage({ id: q.id, error: dnsError(err) } satisfies DnsAnswer),
      );
    });
    this.inFlight++;
    try {
      const { message, ip, helo, mailFrom, mta } = input;
      const verdict = await pool.run(
        { message, ip, helo, mailFrom, mta, dns: port2 },
        { transferList: [port2], signal: ac.signal },
      );
      if (verdict === null) throw new Error('sender authentication worker gave no verdict');
      return verdict;
    } catch (err) {
      if (!ac.signal.aborted) throw err;
      if (this.opts.minStrength !== 'none')
        // RFC 3463 X.7.0 (security, transient): a temperror must not pass minStrength, and a
        // retry may well succeed, so the sender's MTA keeps the mail (RFC 7208 8.6 also says 451).
        throw new MailRefusal(
          reply(451, '4.7.0', 'sender authentication did not finish (temperror), try again later'),
          'sender authentication over its time budget',
        );
      this.opts.log.warn(
        { from: input.mailFrom, ip: input.ip, timeoutMs: this.opts.timeoutMs, dmarc: 'temperror' },
        'sender authentication over its time budget, verdict temperror',
      );
      return TEMPERROR;
    } finally {
      clearTimeout(timer);
      port1.close();
      this.inFlight--;
    }
  }
}
