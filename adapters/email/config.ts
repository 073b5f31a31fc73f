/**
 * The email adapter's section of gateway.config.yaml, checked with zod (docs/architecture.md part 9):
 * every key has a default except `domain`, unknown keys are errors, secrets come from `${VAR}`.
 * The default instance receives SMTP on 127.0.0.1:2525 and writes outbound mail as .eml files
 * into a local directory, so it runs with nothing else installed.
 */
import { z } from 'zod';
import { configFields, parseCheck } from '../../src/index.js';

const { port, positiveInt, domainName: domain, inboxUri } = configFields;

/** An RFC 5321 mailbox `local@domain` with a dot-atom local part (no quoting in config). */
const mailbox = z
  .string()
  .regex(/^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+@[A-Za-z0-9.-]+$/, 'not a mailbox (local@domain)')
  .transform((m) => m.toLowerCase());

const tlsFiles = z.strictObject({
  cert: z.string().min(1).describe('PEM certificate chain file'),
  key: z.string().min(1).describe('PEM private key file'),
});

const inboundSchema = z.strictObject({
  enabled: z.boolean().prefault(true).describe('receive mail over SMTP'),
  host: z.string().min(1).prefault('127.0.0.1').describe('address the SMTP server listens on'),
  port: port.prefault(2525).describe('SMTP port (25 for an MX, 587 for submission; 0: any free port)'),
  /** Name in the greeting and in Received lines; defaults to the adapter's domain. */
  hostname: z
    .string()
    .min(1)
    .optional()
    .describe("name in the greeting and in Received lines (default: the adapter's domain)"),
  /** STARTTLS with this certificate (RFC 3207); without it STARTTLS is not offered. */
  tls: tlsFiles.optional().describe('STARTTLS with this certificate (RFC 3207); without it none is offered'),
  /** SMTP AUTH for submission (RFC 4954). Without users AUTH is not offered. */
  auth: z
    .strictObject({
      users: z
        .array(
          z.strictObject({
            user: z.string().min(1).describe('SMTP AUTH user name'),
            password: z.string().min(1).describe('its password (use `${VAR}`)'),
            /** Mailboxes this user may put in From (e.g. their address in a protected domain). */
            addresses: z
              .array(mailbox)
              .prefault([])
              .describe('mailboxes this user may put in From (e.g. their address in a protected domain)'),
          }),
        )
        .min(1)
        .describe('who may authenticate'),
      /** Submission mode: every transaction must authenticate first. */
      required: z
        .boolean()
        .prefault(false)
        .describe('submission mode: every transaction must authenticate first'),
      /** Offer AUTH before STARTTLS (only for loopback tests). */
      allowInsecure: z
        .boolean()
        .prefault(false)
        .describe('offer AUTH before STARTTLS (only for loopback tests)'),
    })
    .optional()
    .describe('SMTP AUTH for submission (RFC 4954); without users AUTH is not offered'),
  /** RFC 1870 SIZE: larger messages are refused with 552. */
  maxMessageBytes: positiveInt
    .prefault(10 * 1024 * 1024)
    .describe('largest message (advertised with SIZE, RFC 1870); larger ones are refused with 552'),
  /**
   * Messages per mail sender: a token bucket of `burst`, refilled at `perMinute`, kept by the
   * router (src/router/sender-rate.ts) in place of `limits.perSender`; over it DATA gets 450 4.7.1.
   */
  rate: z
    .strictObject({
      burst: positiveInt.prefault(20).describe("size of each mail sender's token bucket"),
      perMinute: positiveInt.prefault(60).describe('its refill rate, per minute'),
    })
    .prefault({})
    .describe('messages per mail sender, in place of `limits.perSender`; over it DATA gets 450 4.7.1'),
  /** How long a transaction waits for the gateway's answer before it says 451. */
  answerTimeoutMs: positiveInt
    .prefault(60_000)
    .describe("how long a transaction waits for the gateway's answer before it says 451"),
  /** RFC 5321 6.3: more Received lines than this is a loop (554). */
  maxReceived: positiveInt
    .prefault(30)
    .describe('more Received lines than this is a loop (554, RFC 5321 6.3)'),
  /**
   * Issue 13: the header section (up to the first empty line) is counted while DATA arrives;
   * beyond either bound the mail is refused with 552 5.3.4 (header-limits.ts). Postfix keeps
   * 102,400 header octets (header_size_limit); signed list mail has a few hundred lines.
   */
  maxHeaderBytes: positiveInt
    .prefault(64 * 1024)
    .describe('header section octets, counted while DATA arrives; beyond it 552 5.3.4'),
  maxHeaderLines: positiveInt.prefault(1000).describe('header lines; beyond it 552 5.3.4'),
  /**
   * Issue 17: References ids read from one mail (RFC 5322 3.6.4 lets the field grow without end):
   * the first (the thread's root) and the newest up to this many; the rest are not looked up.
   */
  maxReferences: positiveInt
    .min(2)
    .prefault(50)
    .describe('References ids read from one mail: the root and the newest (the rest are ignored)'),
  maxClients: positiveInt.prefault(100).describe('SMTP connections at once'),
  socketTimeoutMs: positiveInt.prefault(60_000).describe('an SMTP connection idle this long is closed'),
});

const senderAuthSchema = z.strictObject({
  /** Check SPF (RFC 7208), DKIM (RFC 6376) and DMARC (RFC 7489) with mailauth. */
  enabled: z
    .boolean()
    .prefault(true)
    .describe('check SPF (RFC 7208), DKIM (RFC 6376) and DMARC (RFC 7489); the result is the Astrength'),
  /** DNS servers for those checks; the system's resolver when absent. */
  dnsServers: z
    .array(z.string().min(1))
    .optional()
    .describe("DNS servers for those checks (none: the system's resolver)"),
  /** Refuse mail whose sender authentication is weaker than this (`none` accepts all). */
  minStrength: z
    .enum(['none', 'weak', 'medium'])
    .prefault('none')
    .describe('refuse mail whose sender authentication is weaker (`none` accepts all)'),
  /** Refuse mail that fails DMARC when the sender's domain publishes p=reject (RFC 7489 6.3). */
  enforceDmarcReject: z
    .boolean()
    .prefault(true)
    .describe("refuse mail that fails DMARC when the sender's domain publishes p=reject"),
  /**
   * Issue 13: the checks run in a pool of this many worker threads (sender-auth-pool.ts), so a
   * costly mail never stalls the SMTP listener; 0 runs them on the main thread (no isolation).
   */
  workers: z
    .number()
    .int()
    .min(0)
    .max(64)
    .prefault(1)
    .describe('worker threads running the checks (0: on the main thread, no isolation)'),
  /** Checks waiting for a worker beyond this are answered 451 4.3.2 (try again later). */
  maxQueue: z
    .number()
    .int()
    .min(0)
    .prefault(20)
    .describe('checks waiting for a worker beyond this are answered 451 4.3.2'),
  /** Budget per mail once a worker takes it; beyond it the worker is stopped: temperror. */
  timeoutMs: positiveInt
    .prefault(5000)
    .describe('time per mail once a worker takes it; beyond it the worker is stopped (temperror)'),
});

const smtpOutbound = z.strictObject({
  transport: z.literal('smtp').describe('`smtp`: through a relay; `directory`: .eml files in a folder'),
  host: z.string().min(1).describe('the relay'),
  port: port.prefault(25).describe("the relay's port"),
  /** Implicit TLS (port 465); otherwise STARTTLS is used whenever offered. */
  secure: z
    .boolean()
    .prefault(false)
    .describe('implicit TLS (port 465); otherwise STARTTLS whenever offered'),
  requireTLS: z.boolean().prefault(false).describe('fail rather than send without STARTTLS'),
  /** PEM CA file to verify the relay's certificate with (default: the system's CAs). */
  ca: z
    .string()
    .min(1)
    .optional()
    .describe("PEM CA file to verify the relay's certificate with (default: the system's CAs)"),
  rejectUnauthorized: z.boolean().prefault(true).describe("verify the relay's certificate"),
  auth: z
    .strictObject({
      user: z.string().min(1).describe('user name at the relay'),
      pass: z.string().min(1).describe('its password (use `${VAR}`)'),
    })
    .optional()
    .describe('SMTP AUTH at the relay'),
  timeoutMs: positiveInt.prefault(30_000).describe('time allowed per mail handed to the relay'),
  /** Mail the relay could not take yet, kept in the store (docs/adapters/email.md "Queued messages and restarts"). */
  queue: z
    .strictObject({
      retryMinMs: positiveInt
        .prefault(60_000)
        .describe(
          'first wait before retrying after a temporary failure (4xx, relay unreachable); it doubles',
        ),
      retryMaxMs: positiveInt.prefault(3_600_000).describe('longest wait between two retries'),
      maxAgeMs: positiveInt
        .prefault(2 * 24 * 3_600_000)
        .describe(
          'a queued mail the relay has not taken after this long is reported to its sender and dropped',
        ),
      maxMails: positiveInt
        .prefault(1000)
        .describe('mails waiting for the relay; past it a send is answered `resources`'),
    })
    .prefault({})
    .describe('mail kept in the store while the relay cannot take it (needs `storage:`)'),
});

const directoryOutbound = z.strictObject({
  transport: z.literal('directory'),
  /** .eml files are written here, one per message (the embedded default's file sink). */
  directory: z
    .string()
    .min(1)
    .prefault('./var/mail-out')
    .describe('.eml files are written here, one per message (relative to the working directory)'),
});

const listSchema = z.strictObject({
  /** The list's local part: `name@domain` is the list, `im:name@domain` the room member. */
  name: z
    .string()
    .regex(/^[A-Za-z0-9!#$%&'*+/?^_`{|}~.-]+$/, 'a dot-atom without "="')
    .describe("the list's local part: `NAME@domain` is the list, `im:NAME@domain` the room member"),
  /** The room (its im: inbox) that replies to the list go to. */
  room: inboxUri.describe('the room (its im: inbox) that mail to the list goes to'),
  /** Who receives the room's messages by mail (people, or an outside list server's address). */
  subscribers: z
    .array(mailbox)
    .min(1)
    .describe("who receives the room's messages by mail (people, or an outside list server's address)"),
  /** Accept mail to the list from non-subscribers too. */
  open: z.boolean().prefault(false).describe('accept mail to the list from non-subscribers too'),
});

export const emailConfigSchema = z.strictObject({
  type: z.literal('email').describe('the email adapter'),
  id: z.string().optional().describe('names this instance (default: its type)'),
  /** The mail domain this adapter serves: mail for `x@domain`, identities `im:...@domain`. */
  domain: domain.describe(
    'the mail domain this adapter serves: mail for `x@domain`, identities `im:...@domain`',
  ),
  /** Mail to a bare `name@domain` goes to `im:name@localDomain` (when no alias or list matches). */
  localDomain: domain
    .optional()
    .describe('mail to a bare `name@domain` goes to `im:name@localDomain` (when no alias or list matches)'),
  /** Mail to `name@domain` goes to this inbox. */
  aliases: z
    .record(z.string().min(1), inboxUri)
    .prefault({})
    .describe('`name: im:inbox` pairs: mail to `name@domain` goes to that inbox'),
  /** Domains whose From needs SMTP AUTH (besides `domain`, `localDomain` and alias targets). */
  protectedDomains: z
    .array(domain)
    .prefault([])
    .describe('more domains whose From needs SMTP AUTH (every domain the gateway serves already does)'),
  inbound: inboundSchema.prefault({}).describe('SMTP in (smtp-server)'),
  senderAuth: senderAuthSchema.prefault({}).describe('sender authentication of inbound mail (mailauth)'),
  content: z
    .strictObject({
      /** Attachments travel inside the IM up to this many octets in all; above, a note. */
      maxAttachmentBytes: z
        .number()
        .int()
        .min(0)
        .prefault(32 * 1024)
        .describe('attachments travel inside the IM up to this many octets in all; above, a note names them'),
      /** Remove quoted text and signatures from replies. */
      stripQuotes: z.boolean().prefault(true).describe('remove quoted text and signatures from replies'),
    })
    .prefault({})
    .describe('what a mail becomes'),
  mime: configFields.mimeLimits,
  outbound: z
    .discriminatedUnion('transport', [smtpOutbound, directoryOutbound])
    .prefault({ transport: 'directory' })
    .describe('mail out (nodemailer): through an SMTP relay, or into a folder of .eml files'),
  lists: z
    .array(listSchema)
    .prefault([])
    .describe('mailing lists: each is a room member whose messages go to its subscribers by mail'),
  /**
   * Issue 17 (docs/message-semantics.md, email column): mail has no edits, deletions or
   * reactions. An edit becomes a follow-up mail `Correction: …` answering the original; a
   * deletion or reaction is dropped (said in the answer) or, per key, a short follow-up mail.
   */
  relations: z
    .strictObject({
      edits: z
        .enum(['mail', 'drop'])
        .prefault('mail')
        .describe(
          'an edit of a mailed message: a follow-up mail `Correction: …` (`mail`) or nothing (`drop`)',
        ),
      reactions: z
        .enum(['drop', 'mail'])
        .prefault('drop')
        .describe('a reaction to a mailed message: nothing (`drop`) or a follow-up mail `nick reacted 👍`'),
      deletions: z
        .enum(['drop', 'mail'])
        .prefault('drop')
        .describe(
          'a deletion of a mailed message: nothing (`drop`) or a follow-up mail `nick deleted a message`',
        ),
      inRooms: z
        .boolean()
        .prefault(false)
        .describe('mail those follow-ups to lists and rooms too (default: in 1:1 conversations only)'),
    })
    .prefault({})
    .describe('edits, deletions and reactions of mailed messages (docs/adapters/email.md)'),
  /** Issue 15: what the adapter keeps in the store across restarts, and how much of it. */
  keep: z
    .strictObject({
      threads: positiveInt
        .prefault(10_000)
        .describe(
          'conversations whose mail thread is kept (and as many mail Message-IDs), least recently used forgotten first',
        ),
      messageIds: positiveInt
        .prefault(100_000)
        .describe(
          'mail Message-ID ↔ gateway Message-ID pairs kept (the least recently used forgotten first)',
        ),
    })
    .prefault({})
    .describe('what survives a restart: mail threads, message ids (docs/adapters/email.md)'),
});

export type EmailConfig = z.output<typeof emailConfigSchema>;
export type InboundConfig = EmailConfig['inbound'];
export type OutboundConfig = EmailConfig['outbound'];
export type ListConfig = EmailConfig['lists'][number];

export function parseEmailConfig(raw: unknown): EmailConfig {
  return parseCheck(emailConfigSchema, raw, 'adapters[email]');
}
