/**
 * What happens to one received mail once DATA is complete: parse (mailparser), classify (reports,
 * auto-replies and loops never become chat), protect local identities, authenticate the sender
 * (SPF/DKIM/DMARC), translate to Message/CPIM and issue the IMTP send. The SMTP reply is chosen
 * from the gateway's answer (smtp-codes.ts), so the transaction ends only once it has one.
 */
import { randomBytes } from 'node:crypto';
import { simpleParser, type AddressObject, type ParsedMail } from 'mailparser';
import { parseImUri } from '../../src/index.js';
import type { AdapterContext, Answer, ImAddress, Strength } from '../../src/index.js';
import { mailboxToIdentity, resolveRecipient, type MappingConfig } from './addresses.js';
import { classifyMail } from './classify.js';
import { isRefusal, selectAuthor, type AddressEntry, type Author } from './mail-author.js';
import { mailboxKey, normalDomains, normalizeMailbox, type NormalMailbox } from './normalize-mailbox.js';
import type { EmailConfig } from './config.js';
import type { MailMemory } from './threads.js';
import { stripReply, tidy } from './reply-text.js';
import { atLeast, strengthOf, type Checker } from './sender-auth.js';
import { reply, replyForAnswer, type SmtpReply } from './smtp-codes.js';
import { mailToCpim, type MailAttachment } from './translate.js';
import { splitAttachments } from './attachment-links.js';

export interface Envelope {
  readonly mailFrom: string;
  readonly rcptTo: string;
  readonly ip: string;
  readonly helo: string;
  readonly tls: boolean;
  /** Mailboxes the SMTP AUTH user may use in From; undefined when not authenticated. */
  readonly authAddresses?: readonly string[] | undefined;
  readonly authUser?: string | undefined;
}

export interface PipelineDeps {
  readonly cfg: EmailConfig;
  readonly mapping: MappingConfig;
  readonly protectedDomains: ReadonlySet<string>;
  readonly ctx: AdapterContext;
  readonly checker: Checker | undefined;
  readonly hostname: string;
  /** Mail threads and message ids kept across restarts (issue 15, threads.ts). */
  readonly memory?: MailMemory;
}

function headerText(mail: ParsedMail, name: string): string | undefined {
  const line = mail.headerLines.find((l) => l.key === name)?.line;
  if (line === undefined) return undefined;
  return line
    .slice(line.indexOf(':') + 1)
    .replace(/\r?\n[ \t]+/g, ' ')
    .trim();
}

function withTimeout(p: Promise<Answer>, ms: number): Promise<Answer | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), ms)));
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

function entries(a: AddressObject | AddressObject[] | undefined): AddressEntry[] {
  return a === undefined ? [] : (Array.isArray(a) ? a : [a]).flatMap((o) => o.value);
}

/** The author and claims of a parsed mail (mail-author.ts), from mailparser's fields. */
export function authorOf(mail: ParsedMail, envelopeFrom: string): ReturnType<typeof selectAuthor> {
  const sender = mail.headers.get('sender') as AddressObject | undefined;
  return selectAuthor({
    from: entries(mail.from),
    sender: entries(sender),
    fromFields: mail.headerLines.filter((l) => l.key === 'from').length,
    senderFields: mail.headerLines.filter((l) => l.key === 'sender').length,
    envelopeFrom,
  });
}

/**
 * The SMTP AUTH user's addresses: their normal form by comparison key; undefined when not
 * authenticated.
 */
function ownAddresses(env: Envelope): Map<string, NormalMailbox> | undefined {
  if (env.authAddresses === undefined) return undefined;
  const out = new Map<string, NormalMailbox>();
  for (const a of env.authAddresses) {
    const m = normalizeMailbox(a);
    if (m !== null) out.set(m.key, m);
  }
  return out;
}

/**
 * The protected domains now: the adapter's own (addresses.ts) and every domain the gateway
 * serves, read at each mail so a domain registered later counts (issue 13).
 */
function protectedNow(deps: PipelineDeps): ReadonlySet<string> {
  const served = normalDomains(deps.ctx.hub.servedDomains());
  for (const d of deps.protectedDomains) served.add(d);
  return served;
}

/**
 * The first claimed address (From, Sender, envelope sender) in a protected domain that the SMTP
 * AUTH user may not use, or undefined when there is none: a local identity speaks only after
 * authenticating as a user allowed to use it (docs/architecture.md part 8).
 */
function unauthorizedClaim(
  a: Author,
  own: ReadonlyMap<string, NormalMailbox> | undefined,
  protectedDomains: ReadonlySet<string>,
): string | undefined {
  for (const c of a.claims)
    if (protectedDomains.has(c.domain) && (own === undefined || !own.has(c.key))) return c.address;
  return undefined;
}

/** Processes one mail and returns the reply that ends its DATA. Logs every outcome. */
export async function processMail(raw: Buffer, env: Envelope, deps: PipelineDeps): Promise<SmtpReply> {
  const { cfg, ctx } = deps;
  const log = ctx.log;
  const refuse = (r: SmtpReply, reason: string, extra: Record<string, unknown> = {}): SmtpReply => {
    log.warn({ from: env.mailFrom, rcpt: env.rcptTo, code: r.code, reason, ...extra }, 'mail refused');
    return r;
  };
  let mail: ParsedMail;
  try {
    mail = await simpleParser(raw, {
      skipImageLinks: true,
      skipTextToHtml: true,
      maxHtmlLengthToParse: 1 << 20,
    });
  } catch (err) {
    // The same bytes will never parse: a permanent refusal (RFC 3463 5.6.0, other media error),
    // one warn line with the parser's reason, no stack trace.
    const problem = err instanceof Error ? err.message : String(err);
    return refuse(reply(554, '5.6.0', `cannot parse the message: ${problem}`), 'unparseable MIME', {
      problem,
    });
  }

  const kind = classifyMail({
    envelopeFrom: env.mailFrom,
    header: (n) => headerText(mail, n),
    count: (n) => mail.headerLines.filter((l) => l.key === n).length,
    ownDomain: cfg.domain,
    maxReceived: cfg.inbound.maxReceived,
  });
  if (kind.kind === 'too-many-hops') return refuse(reply(554, '5.4.6', 'routing loop detected'), kind.reason);
  if (kind.kind !== 'message') {
    // Accepted and dropped: answering a report or an auto-reply would only start a mail loop
    // (RFC 3834 2, RFC 3464 2), and none of them is a chat message.
    log.info(
      { from: env.mailFrom, rcpt: env.rcptTo, kind: kind.kind, reason: kind.reason },
      'mail not turned into chat',
    );
    return reply(250, '2.0.0', `accepted, not chat (${kind.kind})`);
  }

  const found = authorOf(mail, env.mailFrom);
  if (isRefusal(found))
    return refuse(reply(found.code, found.status, found.text), found.reason, { ip: env.ip });
  const own = ownAddresses(env);
  // An authenticated user's own address is shown as configured, so `ALICE@GW.test.` and
  // `alice@gw.test` are one chat identity; anyone else's local part is kept as written.
  const from = own?.get(found.mailbox.key) ?? found.mailbox;
  if (found.droppedName !== undefined)
    log.info({ from: from.address, name: found.droppedName }, 'display name like an address dropped');
  const spoofed = unauthorizedClaim(found, own, protectedNow(deps));
  if (spoofed !== undefined)
    return refuse(
      reply(550, '5.7.1', `${spoofed} may send only after authenticating`),
      'local sender not authenticated',
      { sender: spoofed, user: env.authUser, ip: env.ip },
    );

  let strength: Strength;
  let verdict: Record<string, unknown> = {};
  // SMTP AUTH vouches only for the user's own addresses (strengthOf's `smtpAuth`): an
  // authenticated user writing as an outside mailbox is judged like anyone else writing as it.
  if (own !== undefined && own.has(from.key)) {
    strength = strengthOf({
      smtpAuth: true,
      tls: env.tls,
      dmarc: 'none',
      alignedDkim: false,
      alignedSpf: false,
    });
  } else if (deps.checker !== undefined) {
    const v = await deps.checker({
      message: raw,
      ip: env.ip,
      helo: env.helo,
      mailFrom: env.mailFrom,
      mta: deps.hostname,
    });
    strength = strengthOf({ smtpAuth: false, tls: env.tls, ...v });
    verdict = { spf: v.spf, dkim: v.dkim, dmarc: v.dmarc, policy: v.policy };
    // RFC 7489 6.3 p=reject: the domain owner asks receivers to refuse mail that fails.
    if (cfg.senderAuth.enforceDmarcReject && v.dmarc === 'fail' && v.policy === 'reject')
      return refuse(
        reply(550, '5.7.1', 'DMARC policy of the sender domain rejects this mail'),
        'dmarc reject',
        verdict,
      );
  } else strength = 'none';
  if (!atLeast(strength, cfg.senderAuth.minStrength))
    return refuse(reply(550, '5.7.1', 'sender not authenticated (SPF/DKIM/DMARC)'), 'too weak', {
      strength,
      ...verdict,
    });

  const target = resolveRecipient(env.rcptTo, deps.mapping);
  if (typeof target === 'string') return refuse(reply(550, '5.1.1', 'no such recipient'), target);
  const author = mailboxToIdentity(from.address, cfg.domain);
  let sender: ImAddress = author;
  let inbox: ImAddress;
  const headers: [string, string][] = [['Astrength', strength]];
  if (target.kind === 'list') {
    const l = target.list;
    if (!l.open && !l.subscribers.some((x) => mailboxKey(x) === from.key))
      return refuse(reply(550, '5.7.1', 'only subscribers may post to this list'), 'not a subscriber');
    // The list mailbox is the room member; the author rides in Orig-Sender (draft §16.2).
    sender = target.identity;
    inbox = parseImUri(l.room);
    headers.push(['Orig-Sender', author.uri]);
  } else inbox = target.inbox;

  const text = mail.text ?? '';
  const stripped = cfg.content.stripQuotes
    ? stripReply(text)
    : tidy(text.replace(/\r\n?/g, '\n').split('\n'));
  const all: MailAttachment[] = mail.attachments
    .filter((a) => !/^message\/(delivery-status|disposition-notification)/i.test(a.contentType))
    .map((a) => ({ filename: a.filename, contentType: a.contentType, content: a.content }));
  // Issue 17 (attachment-links.ts): what does not travel inside goes by a link to the file store.
  const {
    inline: attachments,
    links,
    notes,
  } = await splitAttachments(all, ctx.files?.() ?? null, cfg.content.maxAttachmentBytes, author.uri);
  const references =
    mail.references === undefined ? [] : Array.isArray(mail.references) ? mail.references : [mail.references];
  const threading = { messageId: mail.messageId, inReplyTo: mail.inReplyTo, references };
  // Issue 15 (threads.ts): the mail's gateway Message-ID (the same when it comes again), and it
  // becomes the last mail of its conversation (the one a reply names, else sender and inbox).
  const gatewayId = deps.memory?.inboundId(mail.messageId);
  if (gatewayId !== undefined) headers.push(['Message-ID', gatewayId]);
  if (mail.messageId !== undefined)
    await deps.memory
      ?.record(sender.uri, inbox.uri, mail.messageId, threading, mail.subject)
      .catch(() => undefined);
  const { payload, dropped } = mailToCpim(
    {
      fromName: found.name,
      subject: mail.subject,
      date: mail.date,
      threading,
      text: stripped === '' && all.length === 0 ? tidy(text.split(/\r?\n/)) : stripped,
      attachments,
      links,
      notes,
      replyTo: deps.memory?.gatewayIdOf(mail.inReplyTo),
    },
    {
      from: author,
      to: inbox,
      maxAttachmentBytes: cfg.content.maxAttachmentBytes,
      now: new Date(),
      boundary: `=_cpim_${randomBytes(8).toString('hex')}`,
    },
  );

  const answer = await withTimeout(
    ctx.hub.send({ sender: sender.uri, inbox: inbox.uri, payload, contentType: 'message/cpim', headers }),
    cfg.inbound.answerTimeoutMs,
  );
  if (answer === 'timeout')
    return refuse(reply(451, '4.4.7', 'no answer from the chat in time'), 'answer timeout');
  const r = replyForAnswer(answer);
  const fields = {
    from: from.address,
    rcpt: env.rcptTo,
    inbox: inbox.uri,
    strength,
    code: r.code,
    dropped: dropped.length,
    ...verdict,
  };
  if (r.code < 300) log.info(fields, 'mail delivered to chat');
  else log.warn(fields, 'mail not delivered to chat');
  return r;
}
