/**
 * Message stanzas ⇄ Message/CPIM by RFC 3922 §4 (docs/adapters/xmpp-mapping.md "Messages"), header by header.
 * Pure, no I/O: the XMPP side is a plain object the I/O layer reads from / writes to a `<message/>`; the
 * CPIM side uses the repository's codec (src/codec/cpim) and MIME reader (src/mime).
 *
 * Routing by `type` (chat/normal → one-to-one send, groupchat → rooms, headline, error → answer of
 * an earlier send) is the adapter's: RFC 3922 §4.1.4 says the type SHOULD be ignored by the mapping.
 */
import {
  CodecError,
  HubError,
  MIME_READ_DEFAULTS,
  MSG_NS,
  MimeReadError,
  buildCpim,
  buildMixed,
  keepInlineFiles,
  parseCpim,
  okAnswer,
  readRelations,
  relationHeaders,
  renderContent,
  unmetRequireAction,
  unmetRequirements,
  type Answer,
  type CpimMessage,
  type Relations,
  type ImAddress,
  type MimeReadLimits,
  type FileStorePort,
} from '../../src/index.js';
import { cpimToXmpp, xmppToCpim, type XmppAddressing } from './addresses.js';
import { isEndToEndProtected, readE2e } from './e2e.js';
import { parseJid } from './jid-escape.js';
import type { XmppText } from './presence-map.js';
import { fileLinkOf, linkedUrls, oobBody, onlyLinks } from './oob.js';
import { xmlSafe } from './xml-text.js';

/** RFC 6121 §5.2.2. */
export type XmppMessageType = 'chat' | 'normal' | 'groupchat' | 'headline' | 'error';

/** A message stanza as the I/O layer reads and writes it. */
export interface XmppMessage {
  readonly from: string;
  readonly to: string;
  readonly type: XmppMessageType;
  readonly id?: string;
  /** XEP-0359 `<origin-id id>`: the sender's own stable id. */
  readonly originId?: string;
  readonly thread?: string;
  readonly subject?: readonly XmppText[];
  readonly body: readonly XmppText[];
  /** The stanza's `xml:lang` (Prosody stamps its default on every routed stanza). */
  readonly lang?: string;
  /** XEP-0071 XHTML-IM: the `<body xmlns='http://www.w3.org/1999/xhtml'>` content as HTML text. */
  readonly xhtml?: string;
  /** XEP-0203 `<delay stamp>`. */
  readonly delay?: Date;
  /** RFC 3923 `<e2e/>` character data: a protected S/MIME entity, passed through unchanged. */
  readonly e2e?: string;
  /**
   * Issue 17: XEP-0066 `jabber:x:oob` links (oob.ts): out, of files the gateway keeps; in, the
   * stanza's, a body equal to one of them being a file (XEP-0363).
   */
  readonly oob?: readonly string[];
  /** Hub → XMPP: the `Msg` relations of the CPIM message (issue 17), for relations-out.ts. */
  readonly relations?: Relations;
}

/** Hub-side ids and relations of an inbound stanza (issue 17; relations-in.ts). */
export interface InboundRelations {
  /** `Msg.ID`: the gateway id the send carries as its Message-ID. */
  readonly id?: string;
  readonly relations?: Relations;
  /** The CPIM text body instead of the stanza's (a correction's `* text`; '' for a silent one). */
  readonly body?: string;
}

/** What enters the hub for one stanza. */
export interface InboundMessage {
  readonly from: ImAddress;
  readonly to: ImAddress;
  /** `message/cpim`, or the protected entity's own type for `<e2e/>` content. */
  readonly contentType: string;
  readonly payload: Uint8Array;
  /** XEP-0359 origin-id as a Content-ID msg-id, for dedupe (`<id>` without the brackets). */
  readonly contentId?: string;
  /** RFC 6121 §5.2.5 thread: not mapped (RFC 3922 §4.1.5), kept by the adapter to echo it back. */
  readonly thread?: string;
}

const PLAIN = 'text/plain; charset=utf-8';

/** RFC 2822 §3.6.4 msg-id without the brackets: `id-left "@" id-right`, printable ASCII, no specials. */
const MSG_ID = /^[!#-'*+\-/-9=?A-Z^-~.]+@[!#-'*+\-/-9=?A-Z^-~.]+$/;

/**
 * Derived (docs/adapters/xmpp-mapping.md "Messages" `id` row): RFC 3922 §4.1.3 maps the stanza id only when
 * it is known to be globally unique, which a client-chosen `id` is not; a XEP-0359 origin-id is meant to be.
 * It becomes the Content-ID as written when it already is a msg-id, else scoped by the sender's bare JID's
 * domain (`<origin-id@domain>`), so two senders' ids never collide (XEP-0359 §3.1: an origin-id is the
 * sender's; matterbridge#1396).
 */
function contentIdOf(originId: string | undefined, fromDomain: string): string | undefined {
  if (originId === undefined || originId === '') return undefined;
  if (MSG_ID.test(originId)) return originId;
  // `=` is escaped too, so the encoding stays one-to-one.
  const left = originId.replace(/[^!#-'*+\-/-9?A-Z^-~.]/g, (c) => `=${c.codePointAt(0)!.toString(16)}.`);
  return `${left}@${fromDomain}`;
}

/** RFC 3066 §2.1 Language-Tag (what `;lang=` and Content-Language take): 1*8ALPHA *("-" 1*8alphanum). */
const LANGUAGE_TAG = /^[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*$/;

/** An `xml:lang` usable as a CPIM language, else undefined (an invalid tag is dropped, not the text). */
function cpimLang(lang: string | undefined): string | undefined {
  return lang !== undefined && LANGUAGE_TAG.test(lang) ? lang : undefined;
}

/** The body of `m` in the stanza's language (derived, docs/adapters/xmpp-mapping.md "Messages" `xml:lang`), with its language. */
export function pickBody(m: XmppMessage): XmppText | undefined {
  return (
    m.body.find((b) => b.lang === undefined || b.lang === m.lang) ??
    (m.lang === undefined
      ? undefined
      : m.body.find((b) => b.lang?.toLowerCase() === m.lang!.toLowerCase())) ??
    m.body[0]
  );
}

/** A MIME boundary that occurs in none of the parts. */
function boundaryFor(parts: readonly string[]): string {
  let b = 'xmpp-alt';
  while (parts.some((p) => p.includes(b))) b += '-x';
  return b;
}

/**
 * A message stanza → what the hub carries (RFC 3922 §4.1). Null when there is nothing to carry (a
 * chat state or receipt alone: XEP-0085/0184 have no CPIM form, RFC 3922 §4.1.8).
 * - From/To: bare JIDs as `im:` (§4.1.1-4.1.2; a puppet `to` becomes its foreign URI);
 * - DateTime: the XEP-0203 delay stamp, else `now` (§4.1.9 MAY, from the gateway's own data);
 * - each `<subject xml:lang>` → `Subject:;lang=` (§4.1.6: the language MUST be mapped; a subject
 *   without its own xml:lang inherits the stanza's, XML 1.0 §2.12);
 * - the body → `text/plain; charset=utf-8` (§4.1.7 MUST) with `Content-Language`; with XHTML-IM,
 *   `multipart/alternative` of that text and `text/html` (the gateway's formatting model, as the IRC
 *   adapter writes it; least preferred first, RFC 2046 §5.1.4);
 * - dropped: `type` (§4.1.4), `<thread/>` (§4.1.5, returned for the adapter to echo), the stanza `id`
 *   (§4.1.3), other languages' bodies, and every other extension (§4.1.8);
 * - `<e2e/>` content: the protected entity itself, unchanged (§4.1.8, RFC 3923 §8).
 */
export function xmppToCpimMessage(
  m: XmppMessage,
  a: XmppAddressing,
  now: Date,
  rel: InboundRelations = {},
): InboundMessage | null {
  const from = xmppToCpim(m.from, 'im', a);
  const to = xmppToCpim(m.to, 'im', a);
  const contentId = contentIdOf(m.originId, parseJid(m.from).domain);
  const extra = {
    ...(contentId === undefined ? {} : { contentId }),
    ...(m.thread === undefined ? {} : { thread: m.thread }),
  };
  if (m.e2e !== undefined) {
    const o = readE2e(m.e2e);
    if (o === null)
      throw new HubError('malformed', 'the <e2e/> content is no signed or encrypted MIME entity');
    return { from, to, contentType: o.contentType, payload: o.body, ...extra };
  }
  const body = pickBody(m);
  // RFC 3862 §2.2: a header value cannot start or end with white space, nor be empty; an empty
  // <subject/> (RFC 6121 §5.2.4 allows it) says nothing a CPIM Subject could carry.
  const subjects = (m.subject ?? [])
    .map((s) => ({ lang: cpimLang(s.lang ?? m.lang) ?? null, text: s.text.trim() }))
    .filter((s) => s.text !== '');
  const silent = rel.body === '';
  if (body === undefined && subjects.length === 0 && m.xhtml === undefined && rel.body === undefined)
    return null;
  const text = rel.body ?? body?.text ?? '';
  const lang = cpimLang(body?.lang ?? m.lang);
  const language: (readonly [string, string])[] = lang === undefined ? [] : [['Content-Language', lang]];
  let contentHeaders: (readonly [string, string])[] = [['Content-Type', PLAIN], ...language];
  let content = text;
  // The XHTML-IM copy is of the stanza's text; a replaced body (a correction's) goes without it.
  if (m.xhtml !== undefined && rel.body === undefined) {
    const b = boundaryFor([text, m.xhtml]);
    const part = (type: string, t: string) =>
      `--${b}\r\nContent-Type: ${type}; charset=utf-8\r\n\r\n${t}\r\n`;
    content = part('text/plain', text) + part('text/html', m.xhtml) + `--${b}--\r\n`;
    contentHeaders = [['Content-Type', `multipart/alternative; boundary="${b}"`], ...language];
  }
  // An XMPP user's file (body = an OOB URL, XEP-0363 §1): a multipart/mixed of an empty caption
  // and its `message/external-body` link part (docs/files.md), so networks show it as a file.
  const file = rel.body === undefined && m.xhtml === undefined ? fileLinkOf(body?.text, m.oob) : null;
  if (file !== null) {
    const mixed = buildMixed('', [], [file], 'xmpp-oob');
    content = mixed.body.toString('utf8');
    contentHeaders = [['Content-Type', mixed.contentType]];
  }
  let payload: Uint8Array;
  try {
    // docs/message-semantics.md: Msg.ID = the send's Message-ID; Require only for a silent one.
    const r: Relations = { ...rel.relations, ...(rel.id === undefined ? {} : { id: rel.id }) };
    const hd = relationHeaders(r, silent);
    payload = buildCpim({
      startsWith: 'cpim-headers',
      from: { uri: from.uri },
      to: [{ uri: to.uri }],
      dateTime: m.delay ?? now,
      subjects,
      ...(hd.ns.length > 0 ? { ns: hd.ns, extraHeaders: hd.extraHeaders } : {}),
      ...(hd.require.length > 0 ? { require: hd.require } : {}),
      contentHeaders:
        contentId === undefined ? contentHeaders : [...contentHeaders, ['Content-ID', `<${contentId}>`]],
      body: content,
    });
  } catch (e) {
    // What RFC 3862 cannot write (a delay stamp out of range, ...): the sender gets <bad-request/>.
    if (e instanceof CodecError) throw new HubError('malformed', e.reason);
    throw e;
  }
  return { from, to, contentType: 'message/cpim', payload, ...extra };
}

/** Options of the hub → XMPP direction. */
export interface OutboundOptions {
  /** The stanza type (RFC 3922 §4.2.10 MAY): `chat` one-to-one, `groupchat` from rooms. */
  readonly type: 'chat' | 'normal' | 'groupchat' | 'headline';
  /** The recipient JID when the adapter knows it better than the CPIM To (a known resource, §4.2.2). */
  readonly to?: string;
  /** The sender JID when the adapter chose it (a room occupant, docs/adapters/xmpp.md "Rooms (XEP-0045)"). */
  readonly from?: string;
  /** Stored or delayed delivery: pass DateTime as XEP-0203 `<delay>` (derived exception to §4.2.4). */
  readonly delayed?: boolean;
  readonly thread?: string;
  readonly limits?: MimeReadLimits;
  /**
   * Issue 17: the gateway's file store; a file inside the message is kept there and goes as its
   * link (XEP-0066, oob.ts), else it is only named. `owner`: the author, for the store's quota.
   */
  readonly files?: FileStorePort | null;
  readonly owner?: string;
}

const header = (headers: readonly { name: string; value: string }[], name: string) =>
  headers.find((h) => h.name.toLowerCase() === name)?.value;

/**
 * A `message/cpim` payload → a message stanza (RFC 3922 §4.2). Throws HubError with the IMTP
 * Error-Type for what cannot be delivered:
 * - From/To lose `im:` and Formal-name (§4.2.1-4.2.2), through cpimToXmpp (puppets for foreign URIs);
 * - cc and DateTime are not passed (§4.2.3-4.2.4 SHOULD NOT), except DateTime as `<delay>` when
 *   `delayed`; NS and extension headers are never passed (§4.2.6 MUST NOT);
 * - Require naming anything not understood fails back to the sender (§4.2.7 SHOULD): `malformed`;
 * - Subject → `<subject xml:lang>` (§4.2.5); Content-ID → `id` (§4.2.8 MAY);
 * - only text goes into `<body/>` (§4.2.9 MUST NOT otherwise): text/plain as is, other entities
 *   through the core's rendering path (src/mime/render.ts: HTML or an IRC line's formatting also
 *   offered as XHTML-IM, attachments named); the text is decoded from its charset rather than
 *   refused (derived, §4.2.9 SHOULD NOT);
 * - a signed or encrypted entity is not opened: the adapter passes it as `<e2e/>` (see e2e.ts).
 */
export async function cpimToXmppMessage(
  payload: Uint8Array,
  a: XmppAddressing,
  options: OutboundOptions,
): Promise<XmppMessage> {
  const r = parseCpim(payload, { startsWith: 'cpim-headers', mode: 'lenient', role: 'endpoint' });
  if (r.result === 'reject' || r.message === undefined)
    throw new HubError('malformed', `bad message/cpim: ${r.result === 'reject' ? r.reason : 'unreadable'}`);
  const msg = r.message;
  const relations = msgRelations(msg);
  // Issue 17: XEP-0444 and XEP-0424 carry a silent reaction or deletion (relations-out.ts); any
  // other unmet Require still refuses (RFC 3862 §3.5), a silent relation of what XMPP lacks drops.
  const unmet = unmetRequireAction({
    ...msg,
    semantics: { ...msg.semantics, required: unmetRequirements(msg, UNDERSTOOD) },
  });
  if (unmet?.action === 'drop') throw new DroppedRelation(unmet.what);
  if (unmet?.action === 'refuse') throw new HubError('malformed', unmet.reason);
  const s = msg.semantics;
  const fromUri = s.from?.uri;
  const toUri = s.to[0]?.uri;
  if (options.from === undefined && fromUri === undefined)
    throw new HubError('malformed', 'the message/cpim has no From (RFC 3862 §4.1)');
  if (options.to === undefined && toUri === undefined)
    throw new HubError('malformed', 'the message/cpim has no To (RFC 3862 §4.2)');
  const from = options.from ?? cpimToXmpp(fromUri!, a);
  const to = options.to ?? cpimToXmpp(toUri!, a);
  const contentType = header(msg.contentHeaders, 'content-type') ?? 'text/plain';
  const lang = header(msg.contentHeaders, 'content-language')?.split(',')[0]?.trim();
  const cid = header(msg.contentHeaders, 'content-id')?.replace(/^\s*<|>\s*$/g, '');
  let text = '';
  let html: string | undefined;
  let oob: string[] = [];
  const silent =
    msg.body.length === 0 && (relations.reaction !== undefined || relations.retracts !== undefined);
  if (!silent)
    try {
      const rendered = await renderContent(
        contentType,
        header(msg.contentHeaders, 'content-transfer-encoding'),
        msg.body,
        {
          limits: options.limits ?? MIME_READ_DEFAULTS,
          lenient: true,
        },
      );
      // A file inside the message goes as a link of the gateway's store (keep-inline.ts).
      const files = options.files ?? null;
      const e =
        files === null || rendered.attachments.every((x) => x.url !== undefined)
          ? rendered
          : {
              ...rendered,
              ...(await keepInlineFiles(rendered.text, rendered.attachments, files, options.owner)),
            };
      // Attachments alone: no text to put in <body/>, and no link to send unless the gateway's file
      // store keeps them (oob.ts, XEP-0066): fail rather than deliver an empty message.
      if (!e.hasText && !onlyLinks(e)) {
        const types = e.attachments.map((x) => x.type).join(', ') || contentType;
        throw new HubError('malformed', `XMPP cannot carry ${types} in <body/> (RFC 3922 §4.2.9)`);
      }
      text = oobBody(e);
      html = e.html;
      oob = linkedUrls(e.attachments);
    } catch (err) {
      if (err instanceof MimeReadError) throw new HubError('malformed', err.message);
      throw err;
    }
  const dateTime = s.datetime === null ? undefined : new Date(s.datetime);
  return {
    from,
    to,
    type: options.type,
    ...(cid === undefined || cid === '' ? {} : { id: cid }),
    ...(options.thread === undefined ? {} : { thread: options.thread }),
    subject: s.subjects.map((x) =>
      x.lang === null ? { text: xmlSafe(x.text) } : { text: xmlSafe(x.text), lang: x.lang },
    ),
    body: silent
      ? []
      : [lang === undefined || lang === '' ? { text: xmlSafe(text) } : { text: xmlSafe(text), lang }],
    ...(html === undefined ? {} : { xhtml: xmlSafe(html) }),
    ...(oob.length === 0 ? {} : { oob }),
    ...(Object.keys(relations).length === 0 ? {} : { relations }),
    ...(options.delayed === true && dateTime !== undefined && !Number.isNaN(dateTime.getTime())
      ? { delay: dateTime }
      : {}),
  };
}

/** The `Msg` headers a silent relation may require and XMPP carries (XEP-0444, XEP-0424). */
const UNDERSTOOD = [
  { namespace: MSG_NS, name: 'Reaction' },
  { namespace: MSG_NS, name: 'Retracts' },
];

/** The `Msg` relations of a message; none when malformed (it goes on as plain text, spec 2.1). */
function msgRelations(m: CpimMessage): Relations {
  try {
    return readRelations(m);
  } catch (e) {
    if (e instanceof CodecError) return {};
    throw e;
  }
}

/**
 * A silent relation that cannot be shown in XMPP (one to a message the recipient never got, or
 * one XMPP has no form for): nothing to show in a `<body/>`. The adapter answers `ok` with
 * `Xmpp-Clipped` saying what was not passed on, never an empty message.
 */
export class DroppedRelation extends Error {
  override readonly name = 'DroppedRelation';
  constructor(
    readonly what: string,
    why = 'not supported',
  ) {
    super(`${what} is not passed on to XMPP (${why})`);
  }
}

/** The answer to a send whose message was a DroppedRelation. */
export function droppedAnswer(e: DroppedRelation): Answer {
  return okAnswer([['Xmpp-Clipped', e.message]]);
}

/** True when a hub payload must go to XMPP as `<e2e/>`, unopened (RFC 3923 §8). */
export function passesThroughAsE2e(contentType: string | undefined): boolean {
  return isEndToEndProtected(contentType);
}
