/**
 * The Content-Type values of the `message/external-body` parts of a multipart entity, in order
 * (issue 17). postal-mime hands such a part over without its own header, and RFC 2017 3 puts the
 * link in that header's `URL` parameter; readable.ts asks here for the values so that a part
 * written by any sender (not only by this gateway, which also repeats the link as the
 * encapsulated Content-Location) is read with its link, size and expiration. One pass over the
 * multipart structure (RFC 2046 5.1.1), at most `maxParts` parts and `maxDepth` levels: the same
 * bounds as the reader's. Pure: no I/O.
 */
import { EXTERNAL_BODY, fieldParams } from './external-body.js';

export interface ScanLimits {
  readonly maxDepth: number;
  readonly maxParts: number;
}

/** A part's header fields (unfolded, RFC 5322 2.2.3; names lower-cased) and its body. */
function split(part: string): { fields: Map<string, string>; body: string } {
  const m = /\r?\n\r?\n/.exec(part);
  const head = m === null ? part : part.slice(0, m.index);
  const body = m === null ? '' : part.slice(m.index + m[0].length);
  const fields = new Map<string, string>();
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!fields.has(name)) fields.set(name, line.slice(colon + 1).trim());
  }
  return { fields, body };
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The Content-Type value of each external-body part of the entity, in document order. */
export function externalBodyTypes(contentType: string, body: Uint8Array, limits: ScanLimits): string[] {
  const out: string[] = [];
  let parts = 0;
  const walk = (ct: string, text: string, depth: number): void => {
    const type = ct.split(';')[0]!.trim().toLowerCase();
    if (type === EXTERNAL_BODY) {
      out.push(ct);
      return;
    }
    const boundary = fieldParams(ct).get('boundary');
    if (!type.startsWith('multipart/') || boundary === undefined || depth >= limits.maxDepth) return;
    // RFC 2046 5.1.1: parts lie between delimiter lines "--boundary"; the close is "--boundary--".
    const pieces = text.split(new RegExp(`(?:^|\\r?\\n)--${escapeRe(boundary)}`));
    for (const piece of pieces.slice(1)) {
      if (piece.startsWith('--') || ++parts > limits.maxParts) return;
      const { fields, body: inner } = split(piece.replace(/^[ \t]*\r?\n/, ''));
      walk(fields.get('content-type') ?? 'text/plain', inner, depth + 1);
    }
  };
  walk(contentType, Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('latin1'), 0);
  return out;
}
