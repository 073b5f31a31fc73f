/**
 * Service discovery answers (XEP-0030 §3, §4; XEP-0114 §1): the XMPP server does no disco
 * for component JIDs, so the component answers for its domain and for every puppet JID. Pure:
 * builds the `<query/>` child of an IQ result with the library's element builder.
 *
 * - the domain: identity `gateway/xmpp` (XEP-0030 registry: a gateway to other IM services; no
 *   registered type names "several networks"), the features the adapter implements today;
 * - a puppet: identity `client/pc`, the features a puppet answers (receipts, message relations);
 * - a hosted room (XEP-0045 §6.4): identity `conference/text`, the `muc` feature and the room's
 *   `muc_*` features, a `muc#roominfo` form (XEP-0045 §15.5.4);
 * - items: the hosted rooms on the domain (XEP-0045 §6.3), none elsewhere.
 */
import { xml, type Element } from '@xmpp/component';

export const NS_DISCO_INFO = 'http://jabber.org/protocol/disco#info';
export const NS_DISCO_ITEMS = 'http://jabber.org/protocol/disco#items';
export const NS_PING = 'urn:xmpp:ping';
export const NS_RECEIPTS = 'urn:xmpp:receipts';

/**
 * The message relations the adapter carries both ways (issue 17), each XEP's discovery feature:
 * XEP-0359 §6 stable ids, XEP-0461 §2 replies, XEP-0428 §3 fallback markers, XEP-0308 §2
 * corrections, XEP-0424 §2 retractions, XEP-0444 §2.1 reactions.
 */
export const RELATION_FEATURES = [
  'urn:xmpp:sid:0',
  'urn:xmpp:reply:0',
  'urn:xmpp:fallback:0',
  'urn:xmpp:message-correct:0',
  'urn:xmpp:message-retract:1',
  'urn:xmpp:reactions:0',
] as const;

/** Features of the component domain (XEP-0030 §3.1 example 2: `var` names the protocol). */
export const DOMAIN_FEATURES = [
  NS_DISCO_INFO,
  NS_DISCO_ITEMS,
  NS_PING,
  NS_RECEIPTS,
  ...RELATION_FEATURES,
] as const;
/** Features of a puppet JID: what clients check before they offer a reply, correction, … */
export const PUPPET_FEATURES = [NS_DISCO_INFO, NS_RECEIPTS, ...RELATION_FEATURES] as const;

const feature = (v: string): Element => xml('feature', { var: v });

export const NS_MUC = 'http://jabber.org/protocol/muc';
/**
 * What a hosted room is (XEP-0045 §4.2 room types): open (anyone of a served domain may join),
 * public, semi-anonymous (occupants see nicks, not JIDs), unmoderated, persistent (it is
 * configured), unsecured (no password).
 */
export const ROOM_FEATURES = [
  NS_DISCO_INFO,
  NS_MUC,
  'muc_open',
  'muc_public',
  'muc_semianonymous',
  'muc_unmoderated',
  'muc_persistent',
  'muc_unsecured',
  NS_PING,
  ...RELATION_FEATURES,
] as const;

/**
 * disco#info of the component domain; `node` echoed as XEP-0030 §3.2 asks. With hosted rooms
 * the domain is a MUC service as well (XEP-0045 §6.1: identity `conference/text`, feature muc).
 */
export function domainInfo(name: string, node?: string, hostsRooms = false): Element {
  return xml(
    'query',
    { xmlns: NS_DISCO_INFO, node },
    xml('identity', { category: 'gateway', type: 'xmpp', name }),
    hostsRooms ? xml('identity', { category: 'conference', type: 'text', name }) : undefined,
    ...DOMAIN_FEATURES.map(feature),
    hostsRooms ? feature(NS_MUC) : undefined,
  );
}

/** disco#info of a hosted room (XEP-0045 §6.4), with the `muc#roominfo` form (§15.5.4). */
export function roomInfo(title: string, subject: string, occupants: number, node?: string): Element {
  const field = (v: string, value: string, type?: string) =>
    xml('field', { var: v, type }, xml('value', {}, value));
  return xml(
    'query',
    { xmlns: NS_DISCO_INFO, node },
    xml('identity', { category: 'conference', type: 'text', name: title }),
    ...ROOM_FEATURES.map(feature),
    xml(
      'x',
      { xmlns: 'jabber:x:data', type: 'result' },
      field('FORM_TYPE', 'http://jabber.org/protocol/muc#roominfo', 'hidden'),
      field('muc#roominfo_subject', subject),
      field('muc#roominfo_occupants', String(occupants)),
    ),
  );
}

/** disco#items of the domain: the hosted rooms (XEP-0045 §6.3). */
export function roomItems(rooms: readonly { jid: string; name: string }[], node?: string): Element {
  return xml(
    'query',
    { xmlns: NS_DISCO_ITEMS, node },
    ...rooms.map((r) => xml('item', { jid: r.jid, name: r.name })),
  );
}

/** disco#info of a puppet (someone of another network seen through the gateway). */
export function puppetInfo(displayName: string, node?: string): Element {
  return xml(
    'query',
    { xmlns: NS_DISCO_INFO, node },
    xml('identity', { category: 'client', type: 'pc', name: displayName }),
    ...PUPPET_FEATURES.map(feature),
  );
}

/** disco#items: no items yet, for the domain and puppets alike (XEP-0030 §4.2: an empty list). */
export function noItems(node?: string): Element {
  return xml('query', { xmlns: NS_DISCO_ITEMS, node });
}
