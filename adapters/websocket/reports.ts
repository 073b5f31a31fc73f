/**
 * Delivery reports into the page (issue 15, common vocabulary: `Report: expired`, `Report-For`,
 * `Orig-Inbox`, from `im:postmaster@<domain>`): a send carrying `Report` from a postmaster becomes
 * a `report` frame (a version-1 page gets it as a plain `message`). A report is never kept
 * offline, so one for a user with no open tab is `no-listeners`.
 *
 * Who reports: the router's expiry timer (src/router/offline-expiry.ts) reads every kept message
 * that expired, whatever its inbox, so the messages this adapter keeps for its users are reported
 * to their senders by it too, from `im:postmaster@<this domain>`; the adapter has no timer of
 * its own (two would report the same message twice).
 */
import { errorAnswer, okAnswer, REPORT_EXPIRED, type Answer, type Report } from '../../src/index.js';
import { networkOf, type ReadMessage } from './translate.js';
import type { WebChat, WebUser } from './web-chat.js';

/**
 * Shows `report` (readReport: a `Report` from a postmaster, so a user cannot make the page show
 * one) on every open tab of `u`; ok + Unreliable (nothing confirms a report).
 */
export function deliverReport(chat: WebChat, u: WebUser, report: Report, m: ReadMessage): Answer {
  const sessions = [...u.sessions].filter((s) => s.isOpen);
  const forId = report.reportFor;
  let reached = 0;
  for (const s of sessions) {
    const ok =
      s.version >= 2 && report.kind === REPORT_EXPIRED
        ? s.send({
            type: 'report',
            report: 'expired',
            ...(forId === undefined ? {} : { for: forId }),
            inbox: report.origInbox ?? '',
            from: m.from,
            time: m.time,
            text: m.text,
          })
        : s.send({
            type: 'message',
            delivery: '',
            from: m.from,
            network: networkOf(m.from),
            to: u.inbox.uri,
            time: m.time,
            text: m.text,
          });
    if (ok) reached++;
  }
  if (reached === 0) return errorAnswer('no-listeners', `${u.name} has no open page`);
  return okAnswer([['Unreliable', chat.domain]]);
}
