/**
 * How a mail leaves (docs/adapters/email.md "Queued messages and restarts"). Without a store, or
 * with the directory transport, as before: the answer waits for the relay (or the file). With a
 * relay and a store, a mail goes to the relay at once when nothing waits before it, answered
 * after the relay took it; when the relay cannot take it now (4xx, unreachable) or older mail
 * waits, it is kept in the store (mail-queue.ts) and answered `ok` + `Stored: queued`.
 */
import { getHeader, type AdapterContext, type Answer, type Operation } from '../../src/index.js';
import type { EmailConfig } from './config.js';
import { reportFor } from './delivery-report.js';
import { MailQueue } from './mail-queue.js';
import type { Outbox, RawMail } from './outbox.js';
import type { QueuedMail } from './queued-mail.js';
import type { MailAttachment, MailSpec } from './translate.js';

export class MailSender {
  private queue: MailQueue | null = null;

  constructor(
    private readonly outbox: Outbox,
    private readonly cfg: EmailConfig,
    private readonly ctx: AdapterContext,
  ) {}

  /** After the outbox started: the queue the last run left is read and sent again. */
  async start(): Promise<void> {
    const out = this.cfg.outbound;
    const store = this.ctx.storage?.() ?? null;
    if (store === null || out.transport !== 'smtp') return;
    const domain = this.cfg.domain;
    this.queue = new MailQueue({
      store,
      name: `mail:${this.ctx.id}`,
      cfg: out.queue,
      domain,
      log: this.ctx.log,
      send: (m) => this.outbox.sendRaw(m),
      report: (m, kind, why) => {
        this.ctx.log.warn(
          { id: m.id, to: m.to, kind, why },
          'queued mail not delivered; reporting to its sender',
        );
        if (m.reportTo === undefined) return;
        const r = reportFor(domain, m.reportTo, m.inbox, m.id, kind, why);
        void this.ctx.hub.send(r).then((a) => {
          if (a.status === 'error')
            this.ctx.log.warn({ to: m.reportTo, answer: a.headers }, 'report not sent');
        });
      },
    });
    await this.queue.start();
  }

  /** The mail of an IM send `op`. */
  async send(op: Operation, spec: MailSpec, attachments: readonly MailAttachment[]): Promise<Answer> {
    if (this.queue === null) return this.outbox.send(spec, attachments);
    const inbox = getHeader(op.headers, 'Inbox') ?? '';
    const reportTo = getHeader(op.headers, 'Orig-Sender') ?? getHeader(op.headers, 'Sender');
    return this.deliver({
      raw: await this.outbox.compose(spec, attachments),
      from: spec.from.address,
      to: spec.to,
      messageId: spec.messageId,
      id: getHeader(op.headers, 'Message-ID') ?? spec.messageId,
      inbox,
      ...(reportTo === undefined ? {} : { reportTo }),
    });
  }

  /** A bounce (delivery-report.ts): queued like any mail, never reported in turn. */
  async sendBounce(op: Operation, m: RawMail): Promise<Answer> {
    if (this.queue === null) return this.outbox.sendRaw(m);
    return this.deliver({
      ...m,
      id: getHeader(op.headers, 'Message-ID') ?? m.messageId,
      inbox: getHeader(op.headers, 'Inbox') ?? '',
    });
  }

  private async deliver(m: QueuedMail): Promise<Answer> {
    const queue = this.queue!;
    if (queue.idle) {
      const a = await this.outbox.sendRaw(m);
      // Only what a retry may fix is kept; a permanent refusal is answered at once.
      if (a.status === 'ok' || getHeader(a.headers, 'Error-Type') !== 'communications') return a;
    }
    return queue.add(m);
  }

  async stop(deadlineMs: number): Promise<void> {
    await this.queue?.stop(deadlineMs);
  }
}
