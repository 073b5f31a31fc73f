/**
 * The email adapter (docs/architecture.md parts 2, 5, 6): chat by mail in both directions. Mail received
 * over SMTP becomes IMTP sends (inbound-server.ts, inbound-pipeline.ts); IMTP sends to the
 * adapter's domain become mail (this file, outbox.ts). Mail has no presence (docs/cpim.md part 4):
 * capabilities say `presence: 'none'`, so the router answers fetch and subscribe of mailboxes
 * with `target-not-found` and never shows a mailbox as open.
 */
import { randomBytes } from 'node:crypto';
import {
  MimeReadError,
  errorAnswer,
  getHeader,
  okAnswer,
  readReport,
  tryParseAddress,
} from '../../src/index.js';
import type { Adapter, AdapterContext, Answer, Capabilities, ImAddress, Operation } from '../../src/index.js';
import { protectedDomains, resolveOutbound, type MappingConfig } from './addresses.js';
import type { EmailConfig } from './config.js';
import { bounceMail } from './delivery-report.js';
import { InboundServer } from './inbound-server.js';
import { MailSender } from './mail-sender.js';
import { Outbox } from './outbox.js';
import { makeResolver, type Checker } from './sender-auth.js';
import { SenderAuthPool } from './sender-auth-pool.js';
import type { DNSResolver } from 'mailauth';
import { MailMemory, boundedReferences, replySubject } from './threads.js';
import { planRelation } from './relation-mail.js';
import { renderForMail, type MailContent } from './render.js';
import { authorName, composeMail, readImPayload, type ImParts, type Threading } from './translate.js';

export interface EmailAdapterOptions {
  /** DNS resolver for SPF/DKIM/DMARC (tests inject a stub); default from `senderAuth.dnsServers`. */
  readonly resolver?: DNSResolver;
}

function inboxOf(text: string | undefined): ImAddress | null {
  if (text === undefined) return null;
  const a = tryParseAddress(text.trim(), { defaultScheme: 'im' });
  return a instanceof Error || a.scheme !== 'im' || a.domain === '' ? null : a;
}

export class EmailAdapter implements Adapter {
  readonly domains: readonly string[];
  readonly capabilities: Capabilities;
  private readonly mapping: MappingConfig;
  private readonly inbound: InboundServer | undefined;
  private readonly outbox: Outbox;
  /** Straight to the relay, or through the mail queue kept in the store (mail-sender.ts). */
  private readonly sender: MailSender;
  /** The worker threads that check SPF/DKIM/DMARC (issue 13); started and stopped with the adapter. */
  readonly senderAuth: SenderAuthPool | undefined;
  private stopped = false;
  /** Mail threads and message ids, kept across restarts (issue 15, threads.ts); opened in start. */
  private readonly memory = new MailMemory();

  constructor(
    private readonly cfg: EmailConfig,
    private readonly ctx: AdapterContext,
    options: EmailAdapterOptions = {},
  ) {
    this.domains = [cfg.domain];
    this.capabilities = {
      presence: 'none',
      contentTypes: ['message/cpim', 'text/plain', 'text/html'],
      groups: true,
      // The router enforces each mail sender's rate (issue 12: one place for every entry point).
      senderRate: { ratePerSecond: cfg.inbound.rate.perMinute / 60, burst: cfg.inbound.rate.burst },
    };
    this.mapping = {
      domain: cfg.domain,
      localDomain: cfg.localDomain,
      aliases: cfg.aliases,
      lists: cfg.lists,
    };
    const sa = cfg.senderAuth;
    this.senderAuth = sa.enabled
      ? new SenderAuthPool({
          workers: sa.workers,
          maxQueue: sa.maxQueue,
          timeoutMs: sa.timeoutMs,
          minStrength: sa.minStrength,
          resolver: options.resolver ?? makeResolver(sa.dnsServers),
          log: ctx.log,
        })
      : undefined;
    const checker: Checker | undefined = this.senderAuth?.checker;
    this.inbound = cfg.inbound.enabled
      ? new InboundServer({
          cfg,
          ctx,
          mapping: this.mapping,
          protectedDomains: protectedDomains(this.mapping, cfg.protectedDomains),
          checker,
          hostname: cfg.inbound.hostname ?? cfg.domain,
          memory: this.memory,
        })
      : undefined;
    this.outbox = new Outbox(cfg.outbound, cfg.domain, ctx.log);
    this.sender = new MailSender(this.outbox, cfg, ctx);
  }

  /** Where SMTP listens, once started (port 0 in the configuration picks a free one). */
  get smtpAddress(): { host: string; port: number } | undefined {
    return this.inbound?.address;
  }

  async start(): Promise<void> {
    this.ctx.setStatus('connecting');
    await this.memory.open(this.ctx.storage?.() ?? null, this.ctx.id, this.cfg.keep, this.ctx.log);
    await this.outbox.start();
    await this.sender.start();
    await this.senderAuth?.start();
    await this.inbound?.start();
    this.ctx.setStatus('online');
  }

  async stop(deadlineMs: number): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.inbound?.stop();
    await this.senderAuth?.stop();
    await this.sender.stop(deadlineMs);
    this.outbox.stop();
    this.ctx.setStatus('offline');
  }

  /** An IMTP send to a mailbox or list of the adapter's domain becomes one mail. */
  async deliver(op: Operation): Promise<Answer> {
    if (op.protocol !== 'imtp' || op.method !== 'send')
      return op.protocol === 'pitp'
        ? errorAnswer('target-not-found', 'mailboxes have no presence')
        : errorAnswer('unknown-method', `email cannot ${op.method}`);
    const sender = inboxOf(getHeader(op.headers, 'Sender'));
    const inbox = inboxOf(getHeader(op.headers, 'Inbox'));
    if (sender === null || inbox === null || op.payload === undefined)
      return errorAnswer('malformed', 'send needs Sender, Inbox and a payload');
    const author = inboxOf(getHeader(op.headers, 'Orig-Sender')) ?? sender;
    const target = resolveOutbound(inbox, this.mapping);
    if (target === null) return errorAnswer('target-not-found', `no mailbox for ${inbox.uri}`);
    const parts = readImPayload(op.payload, getHeader(op.headers, 'Content-Type'));
    if (parts === null) return errorAnswer('malformed', 'unreadable message/cpim payload');
    // RFC 3862 §3.5: a requirement of something mail cannot carry (other than the Msg
    // namespace's silent relations, planned below) is refused.
    if (parts.unmet?.action === 'refuse') return errorAnswer('malformed', parts.unmet.reason);
    // The core's one rendering path (render.ts): text, HTML when formatted, attachments forwarded.
    let content: MailContent;
    try {
      content = await renderForMail(parts, this.cfg.mime);
    } catch (err) {
      if (err instanceof MimeReadError) return errorAnswer('malformed', err.message);
      throw err;
    }
    const to = target.kind === 'mailbox' ? [target.to] : target.list.subscribers;
    // A delivery report reaches a mailbox as a bounce (delivery-report.ts), with no envelope sender.
    const report = readReport(op);
    if (report !== undefined) {
      const b = bounceMail(report, this.cfg.domain, to, content.text, new Date());
      return this.sender.sendBounce(op, { raw: b.raw, from: '', to, messageId: b.messageId });
    }
    // Issue 17 (relation-mail.ts): an edit, deletion or reaction is a follow-up mail answering the
    // message, or is not mailed (said in the answer), per `relations.*`.
    const plan = planRelation({
      relations: parts.relations,
      text: content.text,
      name: authorName(author, parts.fromName, this.mapping, parts.fromUri),
      inRoom: target.kind === 'list' || author.uri !== sender.uri,
      policy: this.cfg.relations,
      mailOf: (id) => this.memory.sentAs(id),
    });
    if (plan.kind === 'drop') return okAnswer([['Mail-Clipped', plan.clipped]]);
    // A silent relation whose Msg headers could not be read (no plan): nothing to mail either.
    if (plan.kind === 'plain' && parts.unmet?.action === 'drop')
      return okAnswer([['Mail-Clipped', `${parts.unmet.what} is not mailed`]]);
    const followUp = plan.kind === 'follow-up';
    const text = plan.kind === 'plain' ? content.text : plan.text;
    const html = plan.kind === 'plain' ? content.html : undefined;
    const attachments = followUp ? [] : content.attachments;
    // Issue 15 (threads.ts): a reply threads to the conversation's last mail, also after a
    // restart; a message sent again after a crash keeps the Message-ID it went out with.
    const gatewayId = getHeader(op.headers, 'Message-ID');
    const threading = followUp
      ? this.memory.answering(sender.uri, inbox.uri, plan.answers)
      : this.threadingOf(sender.uri, inbox.uri, parts);
    // Issue 20: a chat reply in a mail thread goes out as `Re: <subject>` (threads.ts); a
    // follow-up always answers with `Re:`, and names no thread by its own Subject.
    const subject = followUp
      ? parts.subject !== undefined
        ? replySubject(parts.subject)
        : this.memory.outboundSubject(sender.uri, inbox.uri, undefined)
      : this.memory.outboundSubject(sender.uri, inbox.uri, parts.subject);
    const messageId =
      this.memory.sentAs(gatewayId) ??
      `<${Date.now().toString(36)}.${randomBytes(9).toString('hex')}@${this.cfg.domain}>`;
    const spec = composeMail({
      sender,
      author,
      parts: { ...parts, threading, subject },
      text,
      html,
      to,
      list: target.kind === 'list' ? target.list : undefined,
      messageId,
      cfg: this.mapping,
      followUp,
    });
    const answer = await this.sender.send(op, spec, attachments);
    if (answer.status === 'ok')
      // A thread not kept costs threading only, never the mail: logged by the map, not refused.
      // Only a Subject someone wrote names the thread (never the gateway's `Message from …`).
      await Promise.all([
        this.memory.record(
          sender.uri,
          inbox.uri,
          messageId,
          { references: [] },
          followUp ? undefined : subject,
        ),
        this.memory.sent(gatewayId, messageId),
      ]).catch(() => undefined);
    return answer;
  }

  /**
   * The threading of a mail out in the conversation `a`–`b` (RFC 5322 3.6.4): what the IM carried
   * as `Mail.*` headers (a mail from another mail network keeps its own); else, issue 17, an
   * answer to the mail its `Msg.Reply-To` names (with its `Msg.Thread`'s mail first in
   * References), or a message of the thread its `Msg.Thread` names; else (issue 15) an answer
   * to the conversation's last mail.
   */
  private threadingOf(a: string, b: string, parts: ImParts): Threading {
    // A hub client's Mail.References are bounded like a mail's (inbound.maxReferences).
    const carried = {
      ...parts.threading,
      references: boundedReferences(parts.threading.references, this.cfg.inbound.maxReferences),
    };
    if (carried.inReplyTo !== undefined || carried.references.length > 0) return carried;
    const parent = this.memory.sentAs(parts.relations?.replyTo);
    const root = this.memory.sentAs(parts.relations?.thread);
    if (parent !== undefined) return { ...carried, ...this.memory.answering(a, b, parent, root) };
    if (root !== undefined) return { ...carried, ...this.memory.inThread(a, b, root) };
    return this.memory.outboundThreading(a, b, carried);
  }
}
