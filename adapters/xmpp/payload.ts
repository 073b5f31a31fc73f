/**
 * Message bodies between XMPP stanzas and the hub (spec/xmpp.md §3.1, §3.2; RFC 3922 §4):
 * the plain message a stanza carries (read here from the element tree) and the hub payload.
 * Pure: no I/O.
 *
 * XMPP → hub: RFC 3922 §4.1: From/To are the bare `im:` addresses (resource dropped, §4.1.1-2),
 * `<subject xml:lang>` → `Subject:;lang=` (§4.1.6), `<body>` → the encapsulated
 * `text/plain; charset=utf-8` entity (§4.1.7), DateTime from XEP-0203 `<delay stamp>` or the
 * receive time (§4.1.9, derived). `id`, `type` and `<thread/>` are not mapped (§4.1.3-5);
 * extensions are dropped (§4.1.8). Several `<body>` in different languages (RFC 6121 §5.2.3): the
 * one in the stanza's language (or without one) is taken, its language in Content-Language.
 *
 * Hub → XMPP: only text goes into `<body>` (§4.2.9): a `message/cpim` payload's entity, or a
 * bare text entity, is read by the core's MIME reader (src/mime), its Subject kept (§4.2.5).
 */
import type { Element } from '@xmpp/component';
import {
  HubError,
  MimeReadError,
  buildCpim,
  decodeUtf8Strict,
  parseCpim,
  readMimeEntity,
  readableText,
  type MimeReadLimits,
} from '../../src/index.js';

export const CPIM_TYPE = 'message/cpim';
const NS_DELAY = 'urn:xmpp:delay';
const XML_LANG = 'xml:lang';

export interface LangText {
  readonly text: string;
  readonly lang?: string;
}

/** The parts of a message stanza the mapping reads (RFC 6121 §5.2). */
export interface XmppMessage {
  readonly from: string;
  readonly to: string;
  readonly type: 'chat' | 'normal' | 'groupchat' | 'headline' | 'error';
  readonly id?: string;
  readonly lang?: string;
  readonly thread?: string;
  readonly subject: readonly LangText[];
  readonly body: readonly LangText[];
  readonly delay?: Date;
}

const TYPES = new Set(['chat', 'normal', 'groupchat', 'headline', 'error']);

function langTexts(el: Element, name: string): LangText[] {
  return el
    .getChildren(name)
    .filter((c) => c.getNS() === el.getNS())
    .map((c) => {
      const lang = c.attrs[XML_LANG];
      return lang === undefined ? { text: c.getText() } : { text: c.getText(), lang };
    });
}

/** The message in a `<message/>` stanza (RFC 6121 §5.2.2: a missing or unknown type is `normal`). */
export function readMessage(el: Element): XmppMessage {
  const type = el.attrs.type ?? 'normal';
  const stamp = el.getChild('delay', NS_DELAY)?.attrs.stamp;
  const delay = stamp === undefined ? undefined : new Date(stamp);
  const thread = el.getChildText('thread');
  return {
    from: el.attrs.from ?? '',
    to: el.attrs.to ?? '',
    type: (TYPES.has(type) ? type : 'normal') as XmppMessage['type'],
    ...(el.attrs.id === undefined ? {} : { id: el.attrs.id }),
    ...(el.attrs[XML_LANG] === undefined ? {} : { lang: el.attrs[XML_LANG] }),
    ...(thread === null ? {} : { thread }),
    subject: langTexts(el, 'subject'),
    body: langTexts(el, 'body'),
    ...(delay === undefined || Number.isNaN(delay.getTime()) ? {} : { delay }),
  };
}

/** The body in the stanza's language, else one without a language, else the first (derived). */
export function pickBody(m: XmppMessage): LangText | undefined {
  return (
    m.body.find((b) => b.lang !== undefined && b.lang === m.lang) ??
    m.body.find((b) => b.lang === undefined) ??
    m.body[0]
  );
}

/** The `message/cpim` payload of an inbound message (RFC 3922 §4.1), From/To already mapped. */
export function inboundPayload(m: XmppMessage, fromUri: string, toUri: string, now: Date): Uint8Array {
  const body = pickBody(m);
  const lang = body?.lang ?? m.lang;
  const built = buildCpim({
    startsWith: 'cpim-headers',
    from: { uri: fromUri },
    to: [{ uri: toUri }],
    dateTime: m.delay ?? now,
    subjects: m.subject.map((s) => ({ text: s.text, lang: s.lang ?? null })),
    contentHeaders: [
      ['Content-Type', 'text/plain; charset=utf-8'],
      ...(lang === undefined ? [] : ([['Content-Language', lang]] as const)),
    ],
    body: body?.text ?? '',
  });
  return typeof built === 'string' ? new TextEncoder().encode(built) : built;
}

export interface OutboundText {
  readonly text: string;
  readonly subject?: LangText;
  readonly lang?: string;
}

function header(headers: readonly { name: string; value: string }[], name: string): string | undefined {
  return headers.find((h) => h.name.toLowerCase() === name)?.value;
}

async function entityText(
  contentType: string,
  encoding: string | undefined,
  body: Uint8Array,
  limits: MimeReadLimits,
): Promise<string> {
  if (
    /^\s*text\/plain\s*(;\s*charset="?(utf-8|us-ascii)"?\s*)?$/i.test(contentType) &&
    encoding === undefined
  ) {
    try {
      return decodeUtf8Strict(body);
    } catch {
      throw new HubError('malformed', 'the text is not valid UTF-8');
    }
  }
  try {
    const e = await readMimeEntity(contentType, encoding, body, limits);
    if (e.text === '' && e.attachments.length > 0)
      // RFC 3922 §4.2.9: what is not text MUST NOT go into <body>.
      throw new HubError('malformed', `XMPP cannot carry ${e.attachments.map((a) => a.type).join(', ')}`);
    return readableText(e);
  } catch (err) {
    if (err instanceof MimeReadError) throw new HubError('malformed', err.message);
    throw err;
  }
}

/** A hub payload as the text of a message stanza (RFC 3922 §4.2). */
export async function outboundText(
  contentType: string | undefined,
  payload: Uint8Array,
  limits: MimeReadLimits,
): Promise<OutboundText> {
  const type = contentType ?? 'text/plain; charset=utf-8';
  if (!/^\s*message\/cpim\s*(;|$)/i.test(type))
    return { text: await entityText(type, undefined, payload, limits) };
  const r = parseCpim(payload, { startsWith: 'cpim-headers', mode: 'lenient', role: 'endpoint' });
  if (r.result === 'reject' || r.message === undefined)
    throw new HubError('malformed', `bad message/cpim: ${r.result === 'reject' ? r.reason : 'unreadable'}`);
  const msg = r.message;
  const text = await entityText(
    header(msg.contentHeaders, 'content-type') ?? 'text/plain',
    header(msg.contentHeaders, 'content-transfer-encoding'),
    msg.body,
    limits,
  );
  const s = msg.semantics.subjects[0];
  const lang = header(msg.contentHeaders, 'content-language');
  return {
    text,
    ...(s === undefined
      ? {}
      : { subject: s.lang === null ? { text: s.text } : { text: s.text, lang: s.lang } }),
    ...(lang === undefined ? {} : { lang }),
  };
}
