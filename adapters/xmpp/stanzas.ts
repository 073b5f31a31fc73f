/**
 * Stanzas the component writes, built with the library's element builder (it escapes text and
 * attribute values; nothing here concatenates XML). Pure.
 */
import { xml, type Element } from '@xmpp/component';
import { STANZAS_NS, type StanzaError } from './stanza-errors.js';
import { xmlSafe } from './xml-text.js';

export { STANZAS_NS };

/**
 * The error answer to a stanza (RFC 6120 §8.2, §8.3): same name and id, addresses swapped,
 * `type='error'`, `<error type><condition/><text/></error>`. RFC 6120 §8.3.1: the original
 * payload MAY be included; it is not (it may be what was too large).
 */
export function errorReply(stanza: Element, e: StanzaError): Element {
  return xml(
    stanza.name,
    { from: stanza.attrs.to, to: stanza.attrs.from, id: stanza.attrs.id, type: 'error' },
    errorChild(e),
  );
}

/** The `<error/>` child alone (RFC 6120 §8.3.2), for the IQ routes, which wrap it themselves. */
export function errorChild(e: StanzaError): Element {
  return xml(
    'error',
    { type: e.type },
    xml(e.condition, { xmlns: STANZAS_NS }),
    e.text === undefined ? undefined : xml('text', { xmlns: STANZAS_NS }, xmlSafe(e.text)),
  );
}

/** The condition of an error stanza (RFC 6120 §8.3.2: the child in the stanzas namespace). */
export function errorCondition(stanza: Element): { condition: string; text: string } {
  const err = stanza.getChild('error');
  const cond = err?.getChildElements().find((c) => c.getNS() === STANZAS_NS && c.getName() !== 'text');
  return {
    condition: cond?.getName() ?? 'undefined-condition',
    text: err?.getChildText('text', STANZAS_NS) ?? '',
  };
}
