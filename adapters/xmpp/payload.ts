/**
 * Message stanzas ⇄ the plain messages of message-map.ts (RFC 3922 §4, docs/adapters/xmpp-mapping.md
 * "Messages"), which does the mapping to and from Message/CPIM header by header: this file only reads the
 * element tree into that object and writes that object back as a stanza with the library's
 * element builder (which escapes). Pure: no I/O.
 */
import { xml, type Element } from '@xmpp/component';
import { HubError, MimeReadError, renderContent } from '../../src/index.js';
import type { FileStorePort, MimeReadLimits } from '../../src/index.js';
import type { XmppAddressing } from './addresses.js';
import { XMPP_E2E_NS, isEndToEndProtected, writeE2e } from './e2e.js';
import { cpimToXmppMessage, type XmppMessage, type XmppMessageType } from './message-map.js';
import type { XmppText } from './presence-map.js';
import { xmlSafe } from './xml-text.js';
import { NS_XHTML, NS_XHTML_IM, xhtmlIm } from './xhtml-im.js';
import { oobElements, readOobUrls } from './oob.js';

const NS_DELAY = 'urn:xmpp:delay';
const NS_SID = 'urn:xmpp:sid:0';
const XML_LANG = 'xml:lang';
const TYPES = new Set(['chat', 'normal', 'groupchat', 'headline', 'error']);

function texts(el: Element, name: string): XmppText[] {
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
  const originId = el.getChild('origin-id', NS_SID)?.attrs.id;
  // XEP-0071: the XHTML body's content, serialised again by the library (escaped as it writes).
  const xhtmlBody = el.getChild('html', NS_XHTML_IM)?.getChild('body', NS_XHTML);
  const xhtml = xhtmlBody?.children
    .map((c) => (typeof c === 'string' ? xml('x', {}, c).toString().slice(3, -4) : c.toString()))
    .join('');
  const e2e = el.getChild('e2e', XMPP_E2E_NS)?.getText();
  const oob = readOobUrls(el.getChildElements());
  return {
    from: el.attrs.from ?? '',
    to: el.attrs.to ?? '',
    type: (TYPES.has(type) ? type : 'normal') as XmppMessageType,
    ...(el.attrs.id === undefined ? {} : { id: el.attrs.id }),
    ...(originId === undefined ? {} : { originId }),
    ...(el.attrs[XML_LANG] === undefined ? {} : { lang: el.attrs[XML_LANG] }),
    ...(thread === null ? {} : { thread }),
    subject: texts(el, 'subject'),
    body: texts(el, 'body'),
    ...(xhtml === undefined || xhtml === '' ? {} : { xhtml }),
    ...(delay === undefined || Number.isNaN(delay.getTime()) ? {} : { delay }),
    ...(e2e === undefined ? {} : { e2e }),
    ...(oob.length === 0 ? {} : { oob }),
  };
}

/** The text (and HTML, when formatted) of a bare MIME entity, through the core's rendering path. */
async function entityText(
  contentType: string,
  body: Uint8Array,
  limits: MimeReadLimits,
): Promise<{ text: string; html?: string }> {
  try {
    const e = await renderContent(contentType, undefined, body, { limits });
    if (!e.hasText)
      // RFC 3922 §4.2.9: what is not text MUST NOT go into <body>.
      throw new HubError(
        'malformed',
        `XMPP cannot carry ${e.attachments.map((a) => a.type).join(', ') || contentType}`,
      );
    return e.html === undefined ? { text: e.text } : { text: e.text, html: e.html };
  } catch (err) {
    if (err instanceof MimeReadError) throw new HubError('malformed', err.message);
    throw err;
  }
}

/**
 * A hub payload as a message from `from` to `to` (RFC 3922 §4.2): `message/cpim` through
 * message-map.ts; an RFC 3923 protected entity passed unopened as `<e2e/>` (§8); any other MIME
 * entity as its readable text.
 */
export async function outboundMessage(
  contentType: string | undefined,
  payload: Uint8Array,
  a: XmppAddressing,
  o: {
    readonly from: string;
    readonly to: string;
    readonly limits: MimeReadLimits;
    /** Issue 17: the file store for files inside the message, and their author (message-map.ts). */
    readonly files?: FileStorePort | null;
    readonly owner?: string;
  },
): Promise<XmppMessage> {
  const type = contentType ?? 'text/plain; charset=utf-8';
  if (/^\s*message\/cpim\s*(;|$)/i.test(type))
    return cpimToXmppMessage(payload, a, {
      type: 'chat',
      from: o.from,
      to: o.to,
      limits: o.limits,
      ...(o.files === undefined ? {} : { files: o.files }),
      ...(o.owner === undefined ? {} : { owner: o.owner }),
    });
  if (isEndToEndProtected(type))
    return {
      from: o.from,
      to: o.to,
      type: 'chat',
      body: [],
      e2e: writeE2e({ contentType: type, body: payload }),
    };
  const e = await entityText(type, payload, o.limits);
  return {
    from: o.from,
    to: o.to,
    type: 'chat',
    body: [{ text: xmlSafe(e.text) }],
    ...(e.html === undefined ? {} : { xhtml: xmlSafe(e.html) }),
  };
}

/**
 * The stanza for a message (RFC 6121 §5.2). The `id` is fresh for each stanza (XEP-0359 §3.1:
 * only a stanza-id the entity vouches for is stable; receipts and errors find the send by it). Formatting
 * goes as XEP-0071 XHTML-IM after the plain body, written from the formatting model (xhtml-im.ts).
 */
export function messageStanza(
  m: XmppMessage,
  id: string,
  requestReceipt: boolean,
  extra: readonly Element[] = [],
): Element {
  return xml(
    'message',
    { from: m.from, to: m.to, type: m.type, id, [XML_LANG]: m.lang },
    ...(m.subject ?? []).map((s) => xml('subject', { [XML_LANG]: s.lang }, xmlSafe(s.text))),
    ...m.body.map((b) => xml('body', { [XML_LANG]: b.lang }, xmlSafe(b.text))),
    m.xhtml === undefined ? undefined : xhtmlIm(m.xhtml),
    ...oobElements(m.oob),
    m.thread === undefined ? undefined : xml('thread', {}, xmlSafe(m.thread)),
    m.e2e === undefined ? undefined : xml('e2e', { xmlns: XMPP_E2E_NS }, m.e2e),
    ...extra,
    requestReceipt ? xml('request', { xmlns: 'urn:xmpp:receipts' }) : undefined,
  );
}
