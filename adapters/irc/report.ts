/**
 * Delivery reports (issue 15; docs/adapters/irc.md "Queued messages and restarts"). A report is
 * an IMTP `send` from `im:postmaster@<domain>` that carries `Report:` (docs/hub-protocol.md,
 * the extension headers): the router sends one when a message kept offline expires unread, and
 * this adapter sends one when a message it answered `ok` for out of its durable queue could not
 * go out after all. Reports reaching IRC are written as a NOTICE (RFC 2812 3.3.2: a NOTICE is
 * never answered automatically, so a bot cannot loop on it).
 */
import { buildCpim, getHeader, type Header, type Operation } from '../../src/index.js';

/** The extension headers (src/protocol/extensions.ts names them; literals until that is merged). */
export const MESSAGE_ID = 'Message-ID';
export const STORED = 'Stored';
export const REPORT = 'Report';
export const REPORT_FOR = 'Report-For';
export const ORIG_INBOX = 'Orig-Inbox';

/** `expired`: aged out unsent; `failed`: the IRC server refused it. */
export type ReportKind = 'expired' | 'failed';

export interface ReportSend {
  readonly sender: string;
  readonly inbox: string;
  readonly payload: Uint8Array;
  readonly contentType: string;
  readonly headers: readonly Header[];
}

/**
 * Whether a send is a delivery report (rendered as a NOTICE; never reported in turn): it carries
 * `Report:` and comes from a postmaster, so that nobody else can speak in the gateway's own
 * voice (the router lets a sender name only its own identities, draft §8.1).
 */
export function isReport(op: Operation): boolean {
  const sender = getHeader(op.headers, 'Sender') ?? '';
  return getHeader(op.headers, REPORT) !== undefined && /^im:postmaster@/i.test(sender);
}

/** The report to the author of `op` (its Orig-Sender, else its Sender); null for a report. */
export function reportFor(
  op: Operation,
  domain: string,
  id: string,
  kind: ReportKind,
  why: string,
): ReportSend | null {
  if (isReport(op)) return null;
  const to = getHeader(op.headers, 'Orig-Sender') ?? getHeader(op.headers, 'Sender');
  const inbox = getHeader(op.headers, 'Inbox');
  if (to === undefined || inbox === undefined) return null;
  const postmaster = `im:postmaster@${domain}`;
  const text =
    kind === 'expired'
      ? `Your message to ${inbox} was not delivered: ${why}. It was kept, but it expired before IRC took it.`
      : `Your message to ${inbox} was not delivered: ${why}.`;
  const payload = buildCpim({
    startsWith: 'cpim-headers',
    from: { uri: postmaster },
    to: [{ uri: to }],
    dateTime: new Date(),
    contentHeaders: [['Content-Type', 'text/plain; charset=UTF-8']],
    body: text,
  });
  return {
    sender: postmaster,
    inbox: to,
    payload: typeof payload === 'string' ? new TextEncoder().encode(payload) : payload,
    contentType: 'message/cpim',
    headers: [
      [REPORT, kind],
      [REPORT_FOR, id],
      [ORIG_INBOX, inbox],
    ],
  };
}
