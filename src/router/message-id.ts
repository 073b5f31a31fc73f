/**
 * The gateway's message id (issue 15; docs/hub-protocol.md part 4 row 32): an IMTP extension
 * header `Message-ID` the router adds to a `send` that enters the gateway without one, so every
 * copy (room fan-out, offline record, history row, an adapter's network id map) names the same
 * message. Random, URL-safe, 128 bits: base64url of 16 random octets, 22 characters.
 *
 * Hot path (docs/architecture.md part 11): one `randomFillSync` per 256 ids instead of one call
 * per send; slicing a pooled buffer into base64url allocates only the string.
 */
import { randomFillSync } from 'node:crypto';
import { HubError } from '../errors.js';
import { isMessageId, MESSAGE_ID_HEADER, MESSAGE_ID_MAX, type Headers } from '../protocol/index.js';

const ID_OCTETS = 16;
const POOL = Buffer.allocUnsafe(ID_OCTETS * 256);
let used = POOL.length;

/** A fresh message id: 128 random bits, base64url (RFC 4648 §5), no padding. */
export function newMessageId(): string {
  if (used === POOL.length) {
    randomFillSync(POOL);
    used = 0;
  }
  const id = POOL.toString('base64url', used, used + ID_OCTETS);
  used += ID_OCTETS;
  return id;
}

/**
 * The send's Message-ID (the first, draft §10: a repeated non-repeatable header counts once), or
 * undefined when it has none. One that is empty, over 128 octets or holds characters outside
 * `isMessageId`'s set is `malformed`: it is written into logs, store keys and other networks.
 */
export function readMessageId(headers: Headers): string | undefined {
  for (let i = 0; i < headers.length; i++) {
    const h = headers[i]!;
    if (h[0] !== MESSAGE_ID_HEADER) continue;
    if (!isMessageId(h[1]))
      throw new HubError(
        'malformed',
        `${MESSAGE_ID_HEADER} must be 1-${MESSAGE_ID_MAX} visible ASCII characters without space, <, >, " or \\`,
      );
    return h[1];
  }
  return undefined;
}
