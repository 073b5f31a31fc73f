/**
 * Delivery reports (issue 15; docs/adapters/irc.md "Queued messages and restarts"). A report is
 * an IMTP `send` from `im:postmaster@<domain>` that carries `Report:` (docs/hub-protocol.md,
 * the extension headers): the router sends one when a message kept offline expires unread, and
 * this adapter sends one when a message it answered `ok` for out of its durable queue could not
 * go out after all. Reports reaching IRC are written as a NOTICE (RFC 2812 3.3.2: a NOTICE is
 * never answered automatically, so a bot cannot loop on it).
 */
import { getHeader, readReport, reportSend, type Operation, type ReportSend } from '../../src/index.js';

export type { ReportSend };

/** `expired`: aged out unsent; `failed`: the IRC server refused it. */
export type ReportKind = 'expired' | 'failed';

/**
 * The report to the author of `op` (its Orig-Sender, else its Sender); null for a report
 * (src/protocol/report.ts, readReport: a report is never reported in turn).
 */
export function reportFor(
  op: Operation,
  domain: string,
  id: string,
  kind: ReportKind,
  why: string,
): ReportSend | null {
  if (readReport(op) !== undefined) return null;
  const to = getHeader(op.headers, 'Orig-Sender') ?? getHeader(op.headers, 'Sender');
  const inbox = getHeader(op.headers, 'Inbox');
  if (to === undefined || inbox === undefined) return null;
  const text =
    kind === 'expired'
      ? `Your message to ${inbox} was not delivered: ${why}. It was kept, but it expired before IRC took it.`
      : `Your message to ${inbox} was not delivered: ${why}.`;
  return reportSend({ domain, to, inbox, id, kind, text });
}
