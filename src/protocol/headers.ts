/**
 * IMTP/PITP headers (draft-hudson-impp-transfer-proposal-01 §10): the one `Header` type and the
 * list helpers every layer uses (hub wire code, router, federation, adapters). No I/O.
 *
 * Headers are kept in their order with duplicates and unknown names (draft §8, §10: relays
 * forward unknown headers unmodified and every value of a repeated header; docs/hub-protocol.md
 * part 3 rows 11, 12). Values arrive from the decoder unfolded and trimmed of SP/HTAB.
 * `Content-Length` is never listed: a payload's presence is the payload itself.
 */
import { HubError } from '../errors.js';

/** One header: name and value. */
export type Header = readonly [name: string, value: string];
export type Headers = readonly Header[];

// --- Reading headers -------------------------------------------------------------------------

/** The first value of `name` (draft §10: a repeated non-repeatable header counts once, the first). */
export function getHeader(headers: Headers, name: string): string | undefined {
  for (let i = 0; i < headers.length; i++) {
    const h = headers[i]!;
    if (h[0] === name) return h[1];
  }
  return undefined;
}

/** Every value of `name`, in order. */
export function getHeaders(headers: Headers, name: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < headers.length; i++) {
    const h = headers[i]!;
    if (h[0] === name) out.push(h[1]);
  }
  return out;
}

/** `getHeader`, with a `malformed` HubError when it is absent. */
export function requireHeader(headers: Headers, name: string): string {
  const v = getHeader(headers, name);
  if (v === undefined) throw new HubError('malformed', `a ${name} header is required`);
  return v;
}

// --- Building headers ------------------------------------------------------------------------

/** A copy with `[name, value]` appended. */
export function addHeader(headers: Headers, name: string, value: string): Header[] {
  const out = headers.slice();
  out.push([name, value]);
  return out;
}

/**
 * A copy where the first `name` gets `value` in place and later ones are dropped; appended when
 * absent. For headers a relay owns (Visited, Astrength, Max-Forwards).
 */
export function setHeader(headers: Headers, name: string, value: string): Header[] {
  const out: Header[] = [];
  let done = false;
  for (let i = 0; i < headers.length; i++) {
    const h = headers[i]!;
    if (h[0] !== name) out.push(h);
    else if (!done) {
      out.push([name, value]);
      done = true;
    }
  }
  if (!done) out.push([name, value]);
  return out;
}

/** A copy without any `name`. */
export function removeHeader(headers: Headers, name: string): Header[] {
  const out: Header[] = [];
  for (let i = 0; i < headers.length; i++) {
    const h = headers[i]!;
    if (h[0] !== name) out.push(h);
  }
  return out;
}
