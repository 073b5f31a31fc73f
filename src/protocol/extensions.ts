/**
 * The gateway's IMTP extension headers (issue 15, docs/hub-protocol.md part 4 rows "Message-ID",
 * "Stored", "Report"). draft-hudson-impp-transfer-proposal-01 §10: "Endpoints MUST ignore headers
 * they do not understand" and relays forward them unmodified, so a peer or client that does not
 * know these names loses nothing. No I/O.
 */

/**
 * On a `send`: the gateway's message id, opaque. The router adds one to a send that has none as it
 * enters the gateway (from a client, an adapter or a peer); relays keep it. Adapters may set it
 * from the network's own id, so that a message resent after a crash keeps its id.
 */
export const MESSAGE_ID_HEADER = 'Message-ID';

/** Longest Message-ID value accepted (octets; longer is `malformed`). */
export const MESSAGE_ID_MAX = 128;

/**
 * The characters of a Message-ID: visible ASCII except the ones that would need quoting in a URI,
 * a header or a log line (no space, no `<>"\`). Covers base64url, UUIDs, RFC 5322 msg-ids without
 * their angle brackets (`local@domain`) and the ids IRC and WebSocket networks use.
 */
const MESSAGE_ID_RE = /^[A-Za-z0-9!#$%&'*+\-./:=?@^_`{|}~]+$/;

/** Whether `value` is a Message-ID this gateway accepts: 1-128 octets of the set above. */
export function isMessageId(value: string): boolean {
  return value.length > 0 && value.length <= MESSAGE_ID_MAX && MESSAGE_ID_RE.test(value);
}

/**
 * On an `ok` answer to a `send`: the message was kept, not delivered. `Stored: offline` — kept for
 * an inbox nobody listens on, delivered when it next listens; `Stored: history` — a room post no
 * member was there to take, kept in the room's history.
 */
export const STORED_HEADER = 'Stored';
export const STORED_OFFLINE = 'offline';
export const STORED_HISTORY = 'history';
/**
 * `Stored: queued` — an adapter kept it in its outbound queue in the store (the IRC pacing queue,
 * mail waiting for the relay): the foreign network has not taken it yet, and it is sent after a
 * restart too (docs/adapters/irc.md and email.md, "Queued messages and restarts").
 */
export const STORED_QUEUED = 'queued';

/**
 * On a `send` from `im:postmaster@<domain>`: a delivery report. `Report: expired` says a message
 * kept for an inbox expired unread; `Report-For` carries that message's Message-ID and
 * `Orig-Inbox` the inbox it waited for. A report is never reported in turn nor kept offline.
 */
export const REPORT_HEADER = 'Report';
export const REPORT_FOR_HEADER = 'Report-For';
export const REPORT_EXPIRED = 'expired';
/** `Report: failed` — a message answered `ok` (queued) was later refused by the foreign network. */
export const REPORT_FAILED = 'failed';
