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
  enabled: z.boolean().prefault(true),
  host: z.string().min(1).prefault('127.0.0.1'),
  port: port.prefault(2525),
  /** Name in the greeting and in Received lines; defaults to the adapter's domain. */
  hostname: z.string().min(1).optional(),
  /** STARTTLS with this certificate (RFC 3207); without it STARTTLS is not offered. */
  tls: tlsFiles.optional(),
  /** SMTP AUTH for submission (RFC 4954). Without users AUTH is not offered. */
  auth: z
    .strictObject({
      users: z
        .array(
          z.strictObject({
            user: z.string().min(1),
            password: z.string().min(1),
            /** Mailboxes this user may put in From (e.g. their address in a protected domain). */
            addresses: z.array(mailbox).prefault([]),
          }),
        )
        .min(1),
      /** Submission mode: every transaction must authenticate first. */
      required: z.boolean().prefault(false),
      /** Offer AUTH before STARTTLS (only for loopback tests). */
      allowInsecure: z.boolean().prefault(false),
    })
    .optional(),
  /** RFC 1870 SIZE: larger messages are refused with 552. */
  maxMessageBytes: positiveInt.prefault(10 * 1024 * 1024),
  /**
   * Messages per mail sender: a token bucket of `burst`, refilled at `perMinute`, kept by the
   * router (src/router/sender-rate.ts) in place of `limits.perSender`; over it DATA gets 450 4.7.1.
   */
  rate: z.strictObject({ burst: positiveInt.prefault(20), perMinute: positiveInt.prefault(60) }).prefault({}),
  /** How long a transaction waits for the gateway's answer before it says 451. */
  answerTimeoutMs: positiveInt.prefault(60_000),
  /** RFC 5321 6.3: more Received lines than this is a loop (554). */
  maxReceived: positiveInt.prefault(30),
  /**
   * Issue 13: the header section (up to the first empty line) is counted while DATA arrives;
   * beyond either bound the mail is refused with 552 5.3.4 (header-limits.ts). Postfix keeps
   * 102,400 header octets (header_size_limit); signed list mail has a few hundred lines.
   */
  maxHeaderBytes: positiveInt.prefault(64 * 1024),
  maxHeaderLines: positiveInt.prefault(1000),
  maxClients: positiveInt.prefault(100),
  socketTimeoutMs: positiveInt.prefault(60_000),
});

const senderAuthSchema = z.strictObject({
  /** Check SPF (RFC 7208), DKIM (RFC 6376) and DMARC (RFC 7489) with mailauth. */
  enabled: z.boolean().prefault(true),
  /** DNS servers for those checks; the system's resolver when absent. */
  dnsServers: z.array(z.string().min(1)).optional(),
  /** Refuse mail whose sender authentication is weaker than this (`none` accepts all). */
  minStrength: z.enum(['none', 'weak', 'medium']).prefault('none'),
  /** Refuse mail that fails DMARC when the sender's domain publishes p=reject (RFC 7489 6.3). */
  enforceDmarcReject: z.boolean().prefault(true),
  /**
   * Issue 13: the checks run in a pool of this many worker threads (sender-auth-pool.ts), so a
   * costly mail never stalls the SMTP listener; 0 runs them on the main thread (no isolation).
   */
  workers: z.number().int().min(0).max(64).prefault(1),
  /** Checks waiting for a worker beyond this are answered 451 4.3.2 (try again later). */
  maxQueue: z.number().int().min(0).prefault(20),
  /** Budget per mail once a worker takes it; beyond it the worker is stopped: temperror. */
  timeoutMs: positiveInt.prefault(5000),
});

const smtpOutbound = z.strictObject({
  transport: z.literal('smtp'),
  host: z.string().min(1),
  port: port.prefault(25),
  /** Implicit TLS (port 465); otherwise STARTTLS is used whenever offered. */
  secure: z.boolean().prefault(false),
  requireTLS: z.boolean().prefault(false),
  /** PEM CA file to verify the relay's certificate with (default: the system's CAs). */
  ca: z.string().min(1).optional(),
  rejectUnauthorized: z.boolean().prefault(true),
  auth: z.strictObject({ user: z.string().min(1), pass: z.string().min(1) }).optional(),
  timeoutMs: positiveInt.prefault(30_000),
});

const directoryOutbound = z.strictObject({
  transport: z.literal('directory'),
  /** .eml files are written here, one per message (the embedded default's file sink). */
  directory: z.string().min(1).prefault('./var/mail-out'),
});

const listSchema = z.strictObject({
  /** The list's local part: `name@domain` is the list, `im:name@domain` the room member. */
  name: z.string().regex(/^[A-Za-z0-9!#$%&'*+/?^_`{|}~.-]+$/, 'a dot-atom without "="'),
  /** The room (its im: inbox) that replies to the list go to. */
  room: inboxUri,
  /** Who receives the room's messages by mail (people, or an outside list server's address). */
  subscribers: z.array(mailbox).min(1),
  /** Accept mail to the list from non-subscribers too. */
  open: z.boolean().prefault(false),
});

export const emailConfigSchema = z.strictObject({
  type: z.literal('email'),
  id: z.string().optional(),
  /** The mail domain this adapter serves: mail for `x@domain`, identities `im:...@domain`. */
  domain: domain,
  /** Mail to a bare `name@domain` goes to `im:name@localDomain` (when no alias or list matches). */
  localDomain: domain.optional(),
  /** Mail to `name@domain` goes to this inbox. */
  aliases: z.record(z.string().min(1), inboxUri).prefault({}),
  /** Domains whose From needs SMTP AUTH (besides `domain`, `localDomain` and alias targets). */
  protectedDomains: z.array(domain).prefault([]),
  inbound: inboundSchema.prefault({}),
  senderAuth: senderAuthSchema.prefault({}),
  content: z
    .strictObject({
      /** Attachments travel inside the IM up to this many octets in all; above, a note. */
      maxAttachmentBytes: z
        .number()
        .int()
        .min(0)
        .prefault(32 * 1024),
      /** Remove quoted text and signatures from replies. */
      stripQuotes: z.boolean().prefault(true),
    })
    .prefault({}),
  outbound: z
    .discriminatedUnion('transport', [smtpOutbound, directoryOutbound])
    .prefault({ transport: 'directory' }),
  lists: z.array(listSchema).prefault([]),
});

export type EmailConfig = z.output<typeof emailConfigSchema>;
export type InboundConfig = EmailConfig['inbound'];
export type OutboundConfig = EmailConfig['outbound'];
export type ListConfig = EmailConfig['lists'][number];

export function parseEmailConfig(raw: unknown): EmailConfig {
  return parseCheck(emailConfigSchema, raw, 'adapters[email]');
}
