/**
 * RFC 3923 end-to-end signed or encrypted XMPP content, carried through the gateway unchanged
 * (RFC 3923 §8). Pure.
 *
 * RFC 3923 §3.1/§4.1: the protected object is an S/MIME entity (`multipart/signed` over a
 * Message/CPIM or PIDF object, or `application/pkcs7-mime` EnvelopedData) sent as the character
 * data of `<e2e xmlns='urn:ietf:params:xml:ns:xmpp-e2e'/>`. §8: a gateway MUST route that object
 * unchanged (it is immutable: the signature covers it), and wrap foreign S/MIME objects the same
 * way towards XMPP. The gateway never opens it: the I/O layer takes the `<e2e/>` text, `readE2e`
 * turns it into the hub's content type and payload, `writeE2e` does the reverse.
 */

/** RFC 3923 §9: the namespace of the `<e2e/>` element. */
export const XMPP_E2E_NS = 'urn:ietf:params:xml:ns:xmpp-e2e';

// RFC 3923 §4 (signing: RFC 3851 multipart/signed with application/pkcs7-signature) and §5
// (encryption: application/pkcs7-mime); multipart/encrypted (RFC 1847) for OpenPGP-minded peers.
const PROTECTED_TYPES = new Set([
  'multipart/signed',
  'application/pkcs7-mime',
  'application/x-pkcs7-mime',
  'multipart/encrypted',
]);

/** The media type of a Content-Type value, lower-cased, without parameters. */
function mediaType(contentType: string): string {
  return (contentType.split(';', 1)[0] ?? '').trim().toLowerCase();
}

/**
 * True when a payload of this Content-Type is signed or encrypted end to end and must pass through
 * unchanged: never re-encoded, never re-wrapped in a new Message/CPIM (RFC 3862 §6, RFC 3923 §8).
 */
export function isEndToEndProtected(contentType: string | undefined): boolean {
  return contentType !== undefined && PROTECTED_TYPES.has(mediaType(contentType));
}

/** What the hub carries for an `<e2e/>` object: its own Content-Type and the octets after its header block. */
export interface E2eObject {
  readonly contentType: string;
  readonly body: Uint8Array;
}

const HEADER_END = /\r?\n\r?\n/;

/**
 * Splits the `<e2e/>` text (a MIME entity: headers, blank line, body) into the hub's Content-Type and
 * payload. The body octets are the entity's own (UTF-8 of the character data: S/MIME objects are
 * 7-bit, RFC 3851 §3.1.1). Null when the text is no protected entity: the caller answers
 * `<service-unavailable/>` or `<bad-request/>` (RFC 3923 §7, stanza-errors.ts).
 */
export function readE2e(text: string): E2eObject | null {
  const m = HEADER_END.exec(text);
  if (m === null) return null;
  const headers = text.slice(0, m.index).split(/\r?\n(?![ \t])/);
  let contentType: string | undefined;
  for (const h of headers) {
    const colon = h.indexOf(':');
    if (colon > 0 && h.slice(0, colon).trim().toLowerCase() === 'content-type')
      contentType = h
        .slice(colon + 1)
        .replace(/\r?\n[ \t]+/g, ' ')
        .trim();
  }
  if (!isEndToEndProtected(contentType)) return null;
  return { contentType: contentType!, body: new TextEncoder().encode(text.slice(m.index + m[0].length)) };
}

/** The `<e2e/>` text for a protected hub payload (the inverse of readE2e, CRLF header block). */
export function writeE2e(o: E2eObject): string {
  if (!isEndToEndProtected(o.contentType) || /[\r\n]/.test(o.contentType))
    throw new Error(`'${o.contentType}' is not an end-to-end protected content type (RFC 3923 §4-5)`);
  return `Content-Type: ${o.contentType}\r\n\r\n${new TextDecoder('utf-8', { fatal: true }).decode(o.body)}`;
}
