/**
 * The RFC 3863 4.4 schema's child sequences, attribute lookup on saxes tags and XML white space, as plain
 * switches and keyed reads: the PIDF builder (validate.ts) asks them for every element, and
 * issue 18 measured the table lookups and `Object.values(...).find(...)` they replace at a
 * fifth of the builder's time.
 */
import type { SaxesAttributeNS, SaxesTagNS } from 'saxes';
import { XML_NS } from './types.js';

export type Container = 'presence' | 'tuple' | 'status';

/**
 * RFC 3863 4.4: the rank of the PIDF element `name` among the children of `parent` (the
 * sequence order), or -1 when the schema has no such child there (an extension: WILDCARD_RANK).
 */
export function pidfRank(parent: Container, name: string): number {
  switch (parent) {
    case 'presence':
      // <tuple>* <note>* <any>*
      return name === 'tuple' ? 0 : name === 'note' ? 1 : -1;
    case 'tuple':
      // <status> <any>* <contact>? <note>* <timestamp>?
      switch (name) {
        case 'status':
          return 0;
        case 'contact':
          return 2;
        case 'note':
          return 3;
        case 'timestamp':
          return 4;
      }
      return -1;
    case 'status':
      // <basic>? <any>*
      return name === 'basic' ? 0 : -1;
  }
}

/** The rank of an extension (`<any>` in the schema) among the children of `parent`. */
export function wildcardRank(parent: Container): number {
  return parent === 'presence' ? 2 : 1;
}

/** The children that may appear once only (RFC 3863 4.4: no maxOccurs="unbounded"). */
export function isSingleton(name: string): boolean {
  return name === 'status' || name === 'contact' || name === 'timestamp' || name === 'basic';
}

/**
 * The attribute with no namespace whose local name is `local`, or undefined. saxes keys
 * attributes by their qualified name, which for an unprefixed attribute is the local name; the
 * scan covers any other spelling that resolves to no namespace.
 */
export function plainAttribute(
  attributes: SaxesTagNS['attributes'],
  local: string,
): SaxesAttributeNS | undefined {
  const byName = attributes[local];
  if (byName !== undefined && byName.uri === '' && byName.local === local) return byName;
  for (const key in attributes) {
    const a = attributes[key]!;
    if (a.uri === '' && a.local === local) return a;
  }
  return undefined;
}

/** The attribute in namespace `uri` with local name `local`, or undefined. */
export function namespacedAttribute(
  attributes: SaxesTagNS['attributes'],
  uri: string,
  local: string,
): SaxesAttributeNS | undefined {
  for (const key in attributes) {
    const a = attributes[key]!;
    if (a.uri === uri && a.local === local) return a;
  }
  return undefined;
}

/** XML 1.0 2.3: S = ( #x20 | #x9 | #xD | #xA )+, or nothing. */
export function isXmlSpace(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x09 && c !== 0x0d && c !== 0x0a) return false;
  }
  return true;
}

/** The xml:lang attribute's value (XML 1.0 2.12), or null. */
export function langOf(attributes: SaxesTagNS['attributes']): string | null {
  const a = namespacedAttribute(attributes, XML_NS, 'lang');
  return a === undefined ? null : a.value;
}
