/**
 * Service discovery answers (XEP-0030 §3, §4; spec/xmpp.md §4.1): the XMPP server does no disco
 * for component JIDs, so the component answers for its domain and for every puppet JID. Pure:
 * builds the `<query/>` child of an IQ result with the library's element builder.
 *
 * - the domain: identity `gateway/xmpp` (XEP-0030 registry: a gateway to other IM services; no
 *   registered type names "several networks"), the features the adapter implements today;
 * - a puppet: identity `client/pc`, the features a puppet answers (receipts);
 * - items: none yet (rooms, XEP-0045, are later work).
 */
import { xml, type Element } from '@xmpp/component';

export const NS_DISCO_INFO = 'http://jabber.org/protocol/disco#info';
export const NS_DISCO_ITEMS = 'http://jabber.org/protocol/disco#items';
export const NS_PING = 'urn:xmpp:ping';
export const NS_RECEIPTS = 'urn:xmpp:receipts';

/** Features of the component domain (XEP-0030 §3.1 example 2: `var` names the protocol). */
export const DOMAIN_FEATURES = [NS_DISCO_INFO, NS_DISCO_ITEMS, NS_PING, NS_RECEIPTS] as const;
/** Features of a puppet JID. */
export const PUPPET_FEATURES = [NS_DISCO_INFO, NS_RECEIPTS] as const;

const feature = (v: string): Element => xml('feature', { var: v });

/** disco#info of the component domain; `node` echoed as XEP-0030 §3.2 asks. */
export function domainInfo(name: string, node?: string): Element {
  return xml(
    'query',
    { xmlns: NS_DISCO_INFO, node },
    xml('identity', { category: 'gateway', type: 'xmpp', name }),
    ...DOMAIN_FEATURES.map(feature),
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
