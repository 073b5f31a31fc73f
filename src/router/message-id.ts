/**
 * The gateway's message id (issue 15; docs/hub-protocol.md part 4 row 32): the IMTP extension
 * header `Message-ID` the router adds to a `send` that enters the gateway without one, so every
 * copy (room fan-out, offline record, history row, an adapter's network id map) names the same
 * message. The ids themselves come from src/protocol/message-id.ts (time first, then 96 random
 * bits); here is how the router reads and checks them.
 */
import { HubError } from '../errors.js';
import type { ImAddress } from '../model/index.js';
import {
  isMessageId,
  MESSAGE_ID_HEADER,
  MESSAGE_ID_MAX,
  REPORT_HEADER,
  type Headers,
} from '../protocol/index.js';

export { newMessageId } from '../protocol/index.js';

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

/** The local part of the one sender whose sends may carry `Report:` (part 4 row 34). */
export const POSTMASTER = 'postmaster';

/**
 * Part 4 row 34: adapters render a send with `Report:` as a delivery report (an IRC NOTICE, a
 * bounce), so only `postmaster@<domain>` may send one; source authorization (§8.1) already ties
 * that domain to its origin. Anyone else's is `source-authorization`, not relayed.
 */
export function checkReportSender(headers: Headers, sender: ImAddress): void {
  for (let i = 0; i < headers.length; i++) {
    if (headers[i]![0] !== REPORT_HEADER) continue;
    if (sender.local.toLowerCase() !== POSTMASTER)
      throw new HubError('source-authorization', `only postmaster@<domain> sends ${REPORT_HEADER} headers`);
    return;
  }
}
