/**
 * Multi-user chat stanzas the component writes as the service side of XEP-0045 (docs/adapters/xmpp.md
 * "Rooms (XEP-0045)": the component hosts each gateway room). Pure: the library's element builder escapes
 * every text and attribute; nothing here does I/O.
 */
import { xml, type Element } from '@xmpp/component';
import { parseAddress } from '../../src/index.js';
import { formatJid, XmppMappingError } from './jid-escape.js';
import { STANZAS_NS } from './stanza-errors.js';
import { xmlSafe } from './xml-text.js';

import { NS_MUC } from './disco.js';
import { xhtmlIm } from './xhtml-im.js';
import { oobElements } from './oob.js';

export { NS_MUC };
export const NS_MUC_USER = 'http://jabber.org/protocol/muc#user';
export const NS_DELAY = 'urn:xmpp:delay';
export const NS_SID = 'urn:xmpp:sid:0';

/** XEP-0045 §5.1/§5.2: what an occupant is in the room. */
export interface OccupantRole {
  readonly affiliation: 'owner' | 'admin' | 'member' | 'none';
  readonly role: 'moderator' | 'participant' | 'visitor' | 'none';
}

/** Gateway-room members of other networks: members, allowed to speak (XEP-0045 §5.2). */
export const FOREIGN_ROLE: OccupantRole = { affiliation: 'member', role: 'participant' };
/** XMPP users who joined: no affiliation (an open room), participants. */
export const XMPP_ROLE: OccupantRole = { affiliation: 'none', role: 'participant' };

/**
 * The nick under which someone of another network appears (docs/adapters/xmpp.md "Rooms (XEP-0045)":
 * "room/<sanitised display name>"): the local part of their `im:` URI, made a valid resourcepart (RFC 7622
 * §3.4: no characters XML cannot carry, at most 1023 octets). Null when nothing usable is left.
 */
export function nickOf(uri: string, full = false): string | null {
  let local: string;
  let domain: string;
  try {
    ({ local, domain } = parseAddress(uri));
  } catch {
    return null;
  }
  const nick = xmlSafe(full ? `${local}@${domain}` : local)
    .replace(/\s+/gu, ' ')
    .trim();
  if (nick === '' || Buffer.byteLength(nick) > 1023) return null;
  return nick;
}

/** `room@component/nick`, or null when the nick cannot be a resourcepart. */
export function occupantJid(roomJid: string, nick: string): string | null {
  const at = roomJid.indexOf('@');
  try {
    return formatJid({ local: roomJid.slice(0, at), domain: roomJid.slice(at + 1), resource: nick });
  } catch (e) {
    if (e instanceof XmppMappingError) return null;
    throw e;
  }
}

/**
 * An occupant's presence (XEP-0045 §7.2.3): `<x xmlns='…muc#user'><item affiliation role/>`,
 * with status 110 when it is the receiver's own (§7.2.3 "self-presence"); `unavailable` for a
 * leave (§7.14), `role='none'` then; with `newNick`, the leave half of a nick change (§7.6).
 */
export function occupantPresence(
  from: string,
  to: string,
  r: OccupantRole,
  o: { self?: boolean; unavailable?: boolean; id?: string; newNick?: string } = {},
): Element {
  // §7.6.1: a nick change is an unavailable presence that keeps the role, names the new nick
  // and carries status 303.
  const changing = o.newNick !== undefined;
  return xml(
    'presence',
    { from, to, id: o.id, type: o.unavailable === true ? 'unavailable' : undefined },
    xml(
      'x',
      { xmlns: NS_MUC_USER },
      xml('item', {
        affiliation: r.affiliation,
        role: o.unavailable === true && !changing ? 'none' : r.role,
        nick: o.newNick,
      }),
      changing ? xml('status', { code: '303' }) : undefined,
      o.self === true ? xml('status', { code: '110' }) : undefined,
    ),
  );
}

/** A join refused (XEP-0045 §7.2.9 nick conflict, §7.2.6-7 others): presence error from room/nick. */
export function joinError(
  stanza: Element,
  roomJid: string,
  condition: string,
  type: 'cancel' | 'auth' | 'modify' | 'wait',
  text?: string,
): Element {
  return xml(
    'presence',
    { from: stanza.attrs.to, to: stanza.attrs.from, id: stanza.attrs.id, type: 'error' },
    xml('x', { xmlns: NS_MUC }),
    xml(
      'error',
      { type, by: roomJid },
      xml(condition, { xmlns: STANZAS_NS }),
      text === undefined ? undefined : xml('text', { xmlns: STANZAS_NS }, xmlSafe(text)),
    ),
  );
}

/** The room subject (XEP-0045 §7.2.15): a groupchat message with `<subject/>` and no body. */
export function subjectMessage(roomJid: string, to: string, subject: string, id: string): Element {
  return xml('message', { from: roomJid, to, type: 'groupchat', id }, xml('subject', {}, xmlSafe(subject)));
}

export interface GroupchatText {
  readonly body: string;
  readonly lang?: string;
  readonly subject?: string;
  /** The HTML of a formatted message, sent as XEP-0071 XHTML-IM through the formatting model. */
  readonly xhtml?: string;
  /** Issue 17: the links of files, each as a XEP-0066 `<x xmlns='jabber:x:oob'>` (oob.ts). */
  readonly oob?: readonly string[];
}

/**
 * A message in the room (XEP-0045 §7.4) from `room/nick`: `id` as the sender gave it on the
 * reflection to the sender (clients match their echo by it), a XEP-0359 `<stanza-id by=room>`
 * when the gateway has a Message-ID, and XEP-0203 `<delay from=room stamp>` for history (§7.2.14);
 * `extra`: relation elements (relation-stanzas.ts, issue 17).
 */
export function groupchatMessage(
  from: string,
  to: string,
  t: GroupchatText,
  o: { id: string; roomJid: string; stanzaId?: string; delay?: Date; extra?: readonly Element[] },
): Element {
  const extra = o.extra ?? [];
  return xml(
    'message',
    { from, to, type: 'groupchat', id: o.id, 'xml:lang': t.lang },
    t.subject === undefined ? undefined : xml('subject', {}, xmlSafe(t.subject)),
    // A reaction (XEP-0444 §3) has no body; every other message has one.
    t.body === '' && extra.length > 0 ? undefined : xml('body', {}, xmlSafe(t.body)),
    t.xhtml === undefined ? undefined : xhtmlIm(t.xhtml),
    ...oobElements(t.oob),
    ...extra,
    o.stanzaId === undefined ? undefined : xml('stanza-id', { xmlns: NS_SID, by: o.roomJid, id: o.stanzaId }),
    o.delay === undefined
      ? undefined
      : xml('delay', { xmlns: NS_DELAY, from: o.roomJid, stamp: o.delay.toISOString() }),
  );
}

/** What a join asks of the history (XEP-0045 §7.2.14 `<history maxchars maxstanzas seconds since>`). */
export interface HistoryRequest {
  readonly maxStanzas: number;
  /** Only messages at or after this time (ms since the epoch). */
  readonly since: number;
}

/**
 * The history request in a join presence, bounded by the operator's `max`: `maxchars='0'` and
 * `maxstanzas='0'` ask for none; `seconds` and `since` bound the age. Unreadable values are ignored.
 */
export function historyRequest(join: Element, max: number, now: number): HistoryRequest {
  const h = join.getChild('x', NS_MUC)?.getChild('history');
  let maxStanzas = max;
  let since = 0;
  if (h !== undefined) {
    const n = (v: string | undefined): number | undefined =>
      v !== undefined && /^\d{1,9}$/.test(v) ? Number(v) : undefined;
    const stanzas = n(h.attrs.maxstanzas);
    if (stanzas !== undefined) maxStanzas = Math.min(max, stanzas);
    if (n(h.attrs.maxchars) === 0) maxStanzas = 0;
    const seconds = n(h.attrs.seconds);
    if (seconds !== undefined) since = now - seconds * 1000;
    const at = h.attrs.since === undefined ? NaN : Date.parse(h.attrs.since);
    if (!Number.isNaN(at)) since = Math.max(since, at);
  }
  return { maxStanzas, since };
}
