/**
 * Mail ⇄ Message/CPIM, the pure half of the email adapter (docs/architecture.md part 2).
 *
 * Inbound: a received mail's new text, Subject and threading become a Message/CPIM object
 * (RFC 3862) whose encapsulated entity is the text, or a multipart/mixed (RFC 2046 5.1.3) of the
 * text and the attachments that fit. Outbound: the parts of an IM become the fields of a mail.
 */
import {
  CodecError,
  buildCpim,
  claimedAuthorNote,
  externalBodyPart,
  type ExternalLink,
  isMsgId,
  parseCpim,
  readRelations,
  relationHeaders,
  shownAuthor,
  unmetRequireAction,
  type CpimMessage,
} from '../../src/index.js';
import type { ImAddress } from '../../src/index.js';
import { identityToForeignMailbox, identityToMailbox, type MappingConfig } from './addresses.js';
import type { ListConfig } from './config.js';

/**
 * RFC 3862 3.4: extension headers live in a namespace of their own. The mail threading headers
 * travel as `Mail.Message-ID`, `Mail.In-Reply-To` and `Mail.References` (docs/bridge-requirements.md row 12).
 */
export const MAIL_NS = 'tag:cpim-gateway.org,2025:email';
export const MAIL_PREFIX = 'Mail';

export interface Threading {
  readonly messageId?: string | undefined;
  readonly inReplyTo?: string | undefined;
  readonly references: readonly string[];
}

export interface MailAttachment {
  readonly filename?: string | undefined;
  readonly contentType: string;
  readonly content: Uint8Array;
}

export interface InboundContent {
  readonly fromName?: string | undefined;
  readonly subject?: string | undefined;
  readonly date?: Date | undefined;
  readonly threading: Threading;
  /** The new text, quotes already stripped. */
  readonly text: string;
  readonly attachments: readonly MailAttachment[];
  /**
   * Issue 17: the gateway id of the message the mail answers (its In-Reply-To, when the gateway
   * knows that mail), written as `Msg.Reply-To` so other networks show the reply as one.
   */
  readonly replyTo?: string | undefined;
  /** Issue 17: files kept by the gateway's file store, as link parts (attachment-links.ts). */
  readonly links?: readonly ExternalLink[];
  /** Issue 17: a line per file the file store refused, saying why. */
  readonly notes?: readonly string[];
}

export interface CpimOptions {
  readonly from: ImAddress;
  readonly to: ImAddress;
  readonly maxAttachmentBytes: number;
  readonly now: Date;
  readonly boundary: string;
}

/** RFC 3862 2.2: one line, no leading or trailing white space, no line breaks. */
function oneLine(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const t = text.replace(/[\r\n\t]+/g, ' ').trim();
  return t === '' ? undefined : t;
}

function sizeText(n: number): string {
  return n < 1024 ? `${n} octets` : `${Math.ceil(n / 1024)} KB`;
}

/** RFC 2045 6.8 base64, in lines of 76 characters. */
function base64Lines(bytes: Uint8Array): string {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
  const out: string[] = [];
  for (let i = 0; i < b.length; i += 76) out.push(b.slice(i, i + 76));
  return out.join('\r\n');
}

/** A filename parameter: quoted ASCII, else RFC 2231 4 `filename*=UTF-8''...`. */
function nameParam(param: string, name: string): string {
  if (/^[\x20-\x7e]*$/.test(name)) return `${param}="${name.replace(/["\\]/g, '\\$&')}"`;
  return `${param}*=UTF-8''${encodeURIComponent(name).replace(/['()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase())}`;
}

function safeType(ct: string): string {
  const t = ct.split(';')[0]!.trim().toLowerCase();
  return /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/.test(t) ? t : 'application/octet-stream';
}

export interface InboundResult {
  readonly payload: Buffer;
  /** Attachments not carried (over the cap), named in the text. */
  readonly dropped: readonly { readonly filename: string; readonly size: number }[];
}

/** Builds the Message/CPIM payload of an IMTP send (starting at the CPIM headers, part 5.2). */
export function mailToCpim(c: InboundContent, o: CpimOptions): InboundResult {
  const kept: MailAttachment[] = [];
  const dropped: { filename: string; size: number }[] = [];
  let budget = o.maxAttachmentBytes;
  for (const a of c.attachments) {
    const encoded = Math.ceil(a.content.length / 3) * 4;
    if (encoded <= budget) {
      kept.push(a);
      budget -= encoded;
    } else dropped.push({ filename: a.filename ?? 'unnamed', size: a.content.length });
  }
  let text = c.text;
  for (const note of c.notes ?? []) text = text === '' ? note : `${text}\n\n${note}`;
  for (const d of dropped) {
    const note = `[attachment "${d.filename}" (${sizeText(d.size)}) not forwarded: over the ${sizeText(o.maxAttachmentBytes)} limit for chat]`;
    text = text === '' ? note : `${text}\n\n${note}`;
  }
  const crlfText = text.replace(/\r?\n/g, '\r\n');
  const extra: { name: string; value: string }[] = [];
  const t = c.threading;
  const mid = oneLine(t.messageId);
  const irt = oneLine(t.inReplyTo);
  const refs = oneLine(t.references.join(' '));
  if (mid) extra.push({ name: `${MAIL_PREFIX}.Message-ID`, value: mid });
  if (irt) extra.push({ name: `${MAIL_PREFIX}.In-Reply-To`, value: irt });
  if (refs) extra.push({ name: `${MAIL_PREFIX}.References`, value: refs });
  const subject = oneLine(c.subject);

  let contentHeaders: [string, string][];
  let body: Buffer;
  const links = c.links ?? [];
  if (kept.length === 0 && links.length === 0) {
    contentHeaders = [['Content-Type', 'text/plain; charset=UTF-8']];
    body = Buffer.from(crlfText, 'utf8');
  } else {
    let boundary = o.boundary;
    const parts: string[] = [];
    parts.push(`Content-Type: text/plain; charset=UTF-8\r\n\r\n${crlfText}`);
    for (const a of kept) {
      const name = a.filename ?? 'attachment';
      parts.push(
        `Content-Type: ${safeType(a.contentType)}; ${nameParam('name', name)}\r\n` +
          `Content-Disposition: attachment; ${nameParam('filename', name)}\r\n` +
          `Content-Transfer-Encoding: base64\r\n\r\n${base64Lines(a.content)}`,
      );
    }
    // RFC 2046 5.2.3, RFC 2017: a file the gateway keeps, by its link (docs/files.md).
    for (const l of links) parts.push(externalBodyPart(l));
    // RFC 2046 5.1.1: the boundary must not occur in any part.
    while (parts.some((p) => p.includes(boundary))) boundary += '_';
    contentHeaders = [['Content-Type', `multipart/mixed; boundary="${boundary}"`]];
    body = Buffer.from(
      parts.map((p) => `--${boundary}\r\n${p}\r\n`).join('') + `--${boundary}--\r\n`,
      'utf8',
    );
  }
  const fromName = oneLine(c.fromName);
  const ns: { prefix: string; uri: string }[] =
    extra.length > 0 ? [{ prefix: MAIL_PREFIX, uri: MAIL_NS }] : [];
  if (c.replyTo !== undefined && isMsgId(c.replyTo)) {
    const h = relationHeaders({ replyTo: c.replyTo }, false);
    ns.push(...h.ns);
    extra.push(...h.extraHeaders);
  }
  const payload = buildCpim({
    startsWith: 'cpim-headers',
    from: { formalName: fromName ?? null, uri: o.from.uri },
    to: [{ uri: o.to.uri }],
    dateTime: c.date !== undefined && !Number.isNaN(c.date.getTime()) ? c.date : o.now,
    ...(subject ? { subjects: [{ text: subject }] } : {}),
    ...(extra.length > 0 ? { ns, extraHeaders: extra } : {}),
    contentHeaders,
    body,
  });
  return { payload, dropped };
}

// --- Outbound --------------------------------------------------------------------------------

export interface ImParts {
  /** The CPIM From's Formal-name, when the IM was Message/CPIM. */
  readonly fromName?: string | undefined;
  /** The CPIM From's address: what the author's software claimed, compared with the author. */
  readonly fromUri?: string | undefined;
  readonly subject?: string | undefined;
  readonly threading: Threading;
  /** The content as a MIME entity (its headers, a blank line, its body) for a MIME parser. */
  readonly entity: Buffer;
  /** The entity's Content-Type, Content-Transfer-Encoding and body, for the core's rendering path. */
  readonly contentType: string;
  readonly transferEncoding?: string | undefined;
  readonly body: Uint8Array;
  /**
   * Set when the message's Require names what mail cannot carry (unmetRequireAction): a silent
   * reaction or deletion to drop, or a requirement that refuses the message.
   */
  readonly unmet?: ReturnType<typeof unmetRequireAction>;
  /** Issue 17: the gateway id this message answers (`Msg.Reply-To`), for In-Reply-To. */
  readonly replyTo?: string | undefined;
}

/** `Msg.Reply-To` of a message; undefined when absent or when its Msg headers are malformed. */
function replyToOf(m: CpimMessage): string | undefined {
  try {
    return readRelations(m).replyTo;
  } catch (e) {
    if (e instanceof CodecError) return undefined;
    throw e;
  }
}

/**
 * Reads an IM payload: Message/CPIM (RFC 3862; IMTP payloads start at the CPIM headers, and a
 * payload with the outer `Content-type: Message/CPIM` header is accepted too), or bare content
 * of `contentType` (default text/plain, draft §16.2). Null when a CPIM payload is unreadable.
 */
export function readImPayload(payload: Uint8Array, contentType: string | undefined): ImParts | null {
  const type = (contentType ?? 'text/plain; charset=UTF-8').trim();
  if (!/^message\/cpim\b/i.test(type)) {
    const head = Buffer.from(`Content-Type: ${type.replace(/[\r\n]/g, ' ')}\r\n\r\n`, 'latin1');
    return {
      threading: { references: [] },
      entity: Buffer.concat([head, payload]),
      contentType: type,
      body: payload,
    };
  }
  let r = parseCpim(payload, { startsWith: 'cpim-headers', mode: 'lenient', role: 'endpoint' });
  if (r.result === 'reject')
    r = parseCpim(payload, { startsWith: 'mime-headers', mode: 'lenient', role: 'endpoint' });
  if (r.result === 'reject') return null;
  const m = r.message;
  const ext = (name: string): string | undefined =>
    m.semantics.extensionHeaders.find((h) => h.namespace === MAIL_NS && h.name === name)?.value;
  const refs = ext('References');
  const entity = Buffer.concat([...m.contentHeaders.map((h) => h.raw), Buffer.from('\r\n'), m.body]);
  return {
    fromName: m.semantics.from?.formalName ?? undefined,
    fromUri: m.semantics.from?.uri,
    subject: m.semantics.subjects[0]?.text,
    threading: {
      messageId: ext('Message-ID'),
      inReplyTo: ext('In-Reply-To'),
      references: refs === undefined ? [] : refs.split(/\s+/).filter((x) => x !== ''),
    },
    entity,
    contentType: m.contentHeaders.find((h) => h.name.toLowerCase() === 'content-type')?.value ?? 'text/plain',
    transferEncoding: m.contentHeaders.find((h) => h.name.toLowerCase() === 'content-transfer-encoding')
      ?.value,
    body: m.body,
    unmet: unmetRequireAction(m),
    replyTo: replyToOf(m),
  };
}

export interface MailSpec {
  readonly from: { readonly name: string; readonly address: string };
  readonly replyTo: string;
  readonly to: readonly string[];
  readonly subject: string;
  readonly text: string;
  readonly html: string;
  readonly messageId: string;
  readonly inReplyTo?: string | undefined;
  readonly references?: readonly string[] | undefined;
  readonly headers: Readonly<Record<string, string>>;
}

export interface ComposeInput {
  /** The hub Sender: the author, or the room that fanned the message out. */
  readonly sender: ImAddress;
  /** Orig-Sender when present (the author of a room message). */
  readonly author: ImAddress;
  readonly parts: Pick<ImParts, 'fromName' | 'fromUri' | 'subject' | 'threading'>;
  readonly text: string;
  readonly html?: string | undefined;
  readonly to: readonly string[];
  /** Set when the recipient is one of the adapter's lists. */
  readonly list?: ListConfig | undefined;
  readonly messageId: string;
  readonly cfg: MappingConfig;
}

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Plain text as HTML: escaped, line breaks kept, links made clickable. */
export function textToHtml(text: string): string {
  return escapeHtml(text)
    .replace(/\bhttps?:\/\/[^\s<>"]+/g, (u) => `<a href="${u}">${u}</a>`)
    .replace(/\r?\n/g, '<br>\n');
}

/**
 * Who wrote it, for a display name: the Formal-name, a mailbox, or the URI's local part. Identity
 * (docs/architecture.md part 8): a CPIM From naming someone other than the author (the router's
 * verified Orig-Sender or Sender) never names the mail: the author does, with the claim after
 * it, `alice (as "Bob")`.
 */
export function authorName(
  author: ImAddress,
  fromName: string | undefined,
  cfg: MappingConfig,
  fromUri?: string,
): string {
  const own = identityToForeignMailbox(author, cfg.domain) ?? author.local;
  const note = claimedAuthorNote(author.uri, fromUri, fromName);
  if (note !== null) return shownAuthor(own, note);
  if (fromName !== undefined && fromName.trim() !== '') return fromName.trim();
  return own;
}

/** Where it was written: "email" for mailboxes, else "IM <domain>". */
export function networkName(a: ImAddress, cfg: MappingConfig): string {
  return a.domain === cfg.domain ? 'email' : `IM ${a.domain}`;
}

/** The mail for one IM (docs/architecture.md part 2, step 1 reversed). */
export function composeMail(i: ComposeInput): MailSpec {
  const { cfg } = i;
  const name = authorName(i.author, i.parts.fromName, cfg, i.parts.fromUri);
  const viaRoom = i.sender.uri !== i.author.uri;
  const display = viaRoom
    ? `${name} in ${i.sender.local} (${networkName(i.sender, cfg)})`
    : `${name} (${networkName(i.author, cfg)})`;
  // From: the mailbox of the hub Sender, in our domain (never an outside mailbox: that would
  // be forging someone else's domain, RFC 7489); Reply-To: where answers come back in.
  const senderBox = identityToMailbox(i.sender, cfg);
  const fromAddress =
    senderBox !== null && senderBox.endsWith(`@${cfg.domain}`) ? senderBox : `gateway@${cfg.domain}`;
  const replyTo = i.list !== undefined ? `${i.list.name}@${cfg.domain}` : fromAddress;
  const t = i.parts.threading;
  const references = [...t.references];
  if (t.inReplyTo !== undefined && !references.includes(t.inReplyTo)) references.push(t.inReplyTo);
  const subject =
    i.parts.subject ?? (viaRoom ? `${i.sender.local}: message from ${name}` : `Message from ${name}`);
  const where = viaRoom ? ` in ${i.sender.uri}` : '';
  const footer = `${name} wrote this on ${networkName(i.author, cfg)}${where}. Reply to this mail to answer.`;
  const headers: Record<string, string> = {
    // Our mark: mail coming back with it is a loop (classify.ts).
    'X-Loop': cfg.domain,
    'X-IM-Sender': i.author.uri,
  };
  if (i.list !== undefined) {
    headers['List-Id'] = `<${i.list.name}.${cfg.domain}>`; // RFC 2919
    headers['List-Post'] = `<mailto:${i.list.name}@${cfg.domain}>`; // RFC 2369 3.4
    headers['Precedence'] = 'list';
  }
  // RFC 3676 4.3: the footer follows the signature separator, so replies strip it.
  const text = `${i.text}\r\n\r\n-- \r\n${footer}\r\n`;
  const htmlBody = i.html ?? `<div>${textToHtml(i.text)}</div>`;
  const html = `<!doctype html><html><body>${htmlBody}<hr><p style="color:#666;font-size:small">${escapeHtml(footer)}</p></body></html>`;
  return {
    from: { name: display, address: fromAddress },
    replyTo,
    to: i.to,
    subject,
    text,
    html,
    messageId: i.messageId,
    ...(t.inReplyTo !== undefined ? { inReplyTo: t.inReplyTo } : {}),
    ...(references.length > 0 ? { references } : {}),
    headers,
  };
}
