/**
 * Delivery reports (issue 15; docs/adapters/email.md "Queued messages and restarts"), both ways:
 *
 * - A report the gateway sends (the router's for a message that expired unread, this adapter's
 *   for a queued mail the relay refused or never took) is an IMTP `send` from
 *   `im:postmaster@<domain>` carrying `Report:`, `Report-For:` and `Orig-Inbox:`
 *   (docs/hub-protocol.md, extension headers).
 * - Such a report addressed to a mailbox becomes a bounce as MTAs write them: a
 *   `multipart/report; report-type=delivery-status` mail (RFC 3462, RFC 3464) from the
 *   postmaster, sent with an empty envelope sender (RFC 5321 4.5.5) and `Auto-Submitted:
 *   auto-replied` (RFC 3834), so that no machine answers or bounces it in turn. Pure.
 */
import { randomBytes } from 'node:crypto';
import {
  REPORT_EXPIRED,
  reportSend,
  tryParseAddress,
  type Report,
  type ReportSend,
} from '../../src/index.js';

/** The IMTP report telling `to` that the mail for `inbox` (sent as `id`) was not delivered. */
export function reportFor(
  domain: string,
  to: string,
  inbox: string,
  id: string,
  kind: 'expired' | 'failed',
  why: string,
): ReportSend {
  const text =
    kind === 'expired'
      ? `Your message to ${inbox} was not delivered: ${why}. It was kept, but the mail relay never took it.`
      : `Your message to ${inbox} was not delivered: ${why}.`;
  return reportSend({ domain, to, inbox, id, kind, text });
}

export interface Bounce {
  readonly raw: Buffer;
  readonly messageId: string;
}

/** RFC 3464 2.3.3: the recipient as an RFC 822 address where the inbox is an im: URI. */
function finalRecipient(inbox: string | undefined): string {
  if (inbox === undefined) return 'unknown';
  const a = tryParseAddress(inbox.trim(), { defaultScheme: 'im' });
  return a instanceof Error ? inbox.replace(/[^\x21-\x7e]/g, '') : `${a.local}@${a.domain}`;
}

/** A line of a header field: no CR/LF (RFC 5322 2.2), kept short enough for every MTA. */
function field(v: string): string {
  return v.replace(/[\r\n]+/g, ' ').slice(0, 900);
}

/** The bounce mail for `report` (readReport) whose readable text is `text`, to the mailboxes `to`. */
export function bounceMail(
  report: Report,
  domain: string,
  to: readonly string[],
  text: string,
  now: Date,
): Bounce {
  const expired = report.kind === REPORT_EXPIRED;
  const recipient = finalRecipient(report.origInbox);
  const id = report.reportFor;
  const messageId = `<${now.getTime().toString(36)}.${randomBytes(9).toString('hex')}@${domain}>`;
  const boundary = `report-${randomBytes(12).toString('hex')}`;
  const date = now.toUTCString().replace('GMT', '+0000');
  const lines = [
    `From: Mail Delivery System <postmaster@${domain}>`,
    `To: ${to.join(', ')}`,
    `Subject: ${expired ? 'Undelivered message: expired' : 'Undelivered message'}`,
    `Date: ${date}`,
    `Message-ID: ${messageId}`,
    'Auto-Submitted: auto-replied',
    'MIME-Version: 1.0',
    `Content-Type: multipart/report; report-type=delivery-status; boundary="${boundary}"`,
    '',
    `--${boundary}`,
    'Content-Type: text/plain; charset=UTF-8',
    'Content-Transfer-Encoding: base64',
    '',
    ...(Buffer.from(text.replace(/\r?\n/g, '\r\n'), 'utf8')
      .toString('base64')
      .match(/.{1,76}/g) ?? []),
    '',
    `--${boundary}`,
    'Content-Type: message/delivery-status',
    '',
    // RFC 3464 2.2: per-message fields, a blank line, then one group per recipient (2.3).
    `Reporting-MTA: dns; ${domain}`,
    ...(id === undefined ? [] : [`X-Original-Message-ID: ${field(id)}`]),
    '',
    `Final-Recipient: rfc822; ${field(recipient)}`,
    'Action: failed',
    // RFC 3463 4.4.7: delivery time expired; 5.0.0: other permanent failure.
    `Status: ${expired ? '4.4.7' : '5.0.0'}`,
    '',
    `--${boundary}--`,
    '',
  ];
  return { raw: Buffer.from(lines.join('\r\n'), 'utf8'), messageId };
}
