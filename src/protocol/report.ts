/**
 * Delivery reports, read and written the one way (issue 15; docs/hub-protocol.md part 4 row
 * 34): a report is an IMTP `send` from `im:postmaster@<domain>` carrying `Report: <kind>`,
 * `Report-For: <the Message-ID of the message it is about>` and `Orig-Inbox: <the inbox that
 * message was for>`. The router sends one when a message kept offline expires unread; the IRC and
 * mail adapters when a message they answered `ok` for out of their queue could not go out after
 * all. The adapters that show reports (a NOTICE, a bounce mail, a `report` frame) read them here.
 * No I/O.
 */
import { getHeader, type Header, type Headers } from './headers.js';
import { REPORT_FOR_HEADER, REPORT_HEADER } from './extensions.js';

/** Draft §16.2's Orig-Inbox: in a report, the inbox the reported message was for. */
export const ORIG_INBOX_HEADER = 'Orig-Inbox';

/** The local part that speaks for a gateway (RFC 2142 §7: the mailbox every domain has). */
const POSTMASTER = /^im:postmaster@/i;

/** What a report says. */
export interface Report {
  /** `expired` or `failed` (REPORT_EXPIRED, REPORT_FAILED), lower case; another word passes as is (draft §10). */
  readonly kind: string;
  /** The Message-ID of the message reported on; undefined when absent or empty. */
  readonly reportFor: string | undefined;
  /** The inbox it was for; undefined when absent or empty. */
  readonly origInbox: string | undefined;
}

function trimmed(headers: Headers, name: string): string | undefined {
  const v = getHeader(headers, name)?.trim();
  return v === undefined || v === '' ? undefined : v;
}

/**
 * The report `op` carries, or undefined when it is none: a `Report` header from a postmaster.
 * The Sender decides, because it is the one header the router checks (draft §8.1: a client may
 * name only its own identities as Sender; part 4 row 34: the router refuses `Report` from anyone
 * but a postmaster), so nobody else can speak in the gateway's own voice. Checked here again, so
 * an adapter never shows a report that came another way (a room's copy, whose Sender is the room).
 */
export function readReport(op: { readonly headers: Headers }): Report | undefined {
  const headers = op.headers;
  // Present, even empty, is a report: one is never reported in turn (no report loops).
  const kind = getHeader(headers, REPORT_HEADER);
  if (kind === undefined) return undefined;
  if (!POSTMASTER.test(getHeader(headers, 'Sender')?.trim() ?? '')) return undefined;
  return {
    kind: kind.trim().toLowerCase(),
    reportFor: trimmed(headers, REPORT_FOR_HEADER),
    origInbox: trimmed(headers, ORIG_INBOX_HEADER),
  };
}

/** The headers of a report of `kind` about message `reportFor`, which was for `origInbox`. */
export function reportHeaders(kind: string, reportFor: string, origInbox: string): Header[] {
  return [
    [REPORT_HEADER, kind],
    [REPORT_FOR_HEADER, reportFor],
    [ORIG_INBOX_HEADER, origInbox],
  ];
}
