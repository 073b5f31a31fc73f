/**
 * Writing a delivery report (docs/hub-protocol.md part 4 row 34), for adapters that keep
 * messages in an outbound queue and must tell the sender when one did not go out after all (the
 * IRC pacing queue, mail waiting for the relay). The report is a `send` from
 * `im:postmaster@<domain>` (only that sender may carry `Report`, the router checks it) with a
 * Message/CPIM payload whose text/plain body says what happened; readReport
 * (src/protocol/report.ts) reads it back. Pure.
 */
import { buildCpim } from './codec/cpim/index.js';
import { reportHeaders, type Header } from './protocol/index.js';

/** What an adapter hands to its context's send: the report, as the postmaster of its domain. */
export interface ReportSend {
  readonly sender: string;
  readonly inbox: string;
  readonly payload: Uint8Array;
  readonly contentType: string;
  readonly headers: readonly Header[];
}

export interface ReportSendOptions {
  /** The adapter's domain: the report comes from its postmaster. */
  readonly domain: string;
  /** Who is told: the author of the message reported on. */
  readonly to: string;
  /** The inbox that message was for (`Orig-Inbox`). */
  readonly inbox: string;
  /** Its Message-ID (`Report-For`). */
  readonly id: string;
  /** `expired` (aged out unsent) or `failed` (the foreign network refused it). */
  readonly kind: 'expired' | 'failed';
  /** The body: what happened, in words. */
  readonly text: string;
}

/** The report telling `to` that the message `id` for `inbox` was not delivered. */
export function reportSend(o: ReportSendOptions): ReportSend {
  const postmaster = `im:postmaster@${o.domain}`;
  const payload: Uint8Array = buildCpim({
    startsWith: 'cpim-headers',
    from: { uri: postmaster },
    to: [{ uri: o.to }],
    dateTime: new Date(),
    contentHeaders: [['Content-Type', 'text/plain; charset=UTF-8']],
    body: o.text,
  });
  return {
    sender: postmaster,
    inbox: o.to,
    payload,
    contentType: 'message/cpim',
    headers: reportHeaders(o.kind, o.id, o.inbox),
  };
}
