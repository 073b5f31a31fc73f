/**
 * Delivery reports (issue 15, common vocabulary: `Report: expired`, `Report-For`, `Orig-Inbox`,
 * from `im:postmaster@<domain>`). Into the page: a send carrying `Report` becomes a `report`
 * frame (a version-1 page gets it as a plain `message`); it is never kept offline, so a report for
 * a user with no open tab is `no-listeners`. Out of the adapter: messages this adapter kept for
 * its users that expired unread are reported to their senders, then deleted.
 */
import {
  errorAnswer,
  getHeader,
  makeAddress,
  okAnswer,
  parseImUri,
  type Answer,
  type Headers,
  type OfflineRecord,
} from '../../src/index.js';
import { REPORT, REPORT_FOR } from './storage.js';
import { buildMessage, CPIM_TYPE, networkOf, type ReadMessage } from './translate.js';
import type { WebChat, WebUser } from './web-chat.js';

export function isReport(headers: Headers): boolean {
  return getHeader(headers, REPORT) !== undefined;
}

/** Shows a report on every open tab of `u`; ok + Unreliable (nothing confirms a report). */
export function deliverReport(
  chat: WebChat,
  u: WebUser | undefined,
  headers: Headers,
  m: ReadMessage,
): Answer {
  const sessions = [...(u?.sessions ?? [])].filter((s) => s.isOpen);
  if (u === undefined || sessions.length === 0)
    return errorAnswer('no-listeners', `${u?.name ?? 'the user'} has no open page (reports are not kept)`);
  const kind = getHeader(headers, REPORT)!.trim().toLowerCase();
  const forId = getHeader(headers, REPORT_FOR)?.trim();
  const inbox = getHeader(headers, 'Orig-Inbox')?.trim() ?? '';
  let reached = 0;
  for (const s of sessions) {
    const ok =
      s.version >= 2 && kind === 'expired'
        ? s.send({
            type: 'report',
            report: 'expired',
            ...(forId ? { for: forId } : {}),
            inbox,
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

/** The report's text/plain body (what a reader sees in any network). */
function reportText(r: OfflineRecord): string {
  const at = new Date(r.time).toISOString();
  return `Your message to ${r.inbox} of ${at} was not delivered: it waited unread until it expired (${new Date(r.expires).toISOString()}) and was dropped.`;
}

/**
 * Reports and deletes this adapter's kept messages that expired (every `offline.expiryCheckMs`).
 * A report that cannot be delivered is logged and dropped: reports are never reported in turn.
 */
export async function reportExpired(chat: WebChat, now = Date.now()): Promise<number> {
  const store = chat.storage.store();
  if (store === null) return 0;
  const suffix = `@${chat.domain}`;
  const postmaster = makeAddress('im', 'postmaster', chat.domain);
  let reported = 0;
  for (;;) {
    const batch = chat.config.offline.drainBatch;
    const expired = await store.readExpiredOffline(now, batch);
    const mine = expired.filter((r) => r.inbox.toLowerCase().endsWith(suffix));
    for (const r of mine) {
      let sender;
      try {
        sender = parseImUri(r.sender);
      } catch {
        chat.ctx.log.warn(
          { inbox: r.inbox, sender: r.sender },
          'expired message with no sender to report to',
        );
        continue;
      }
      const answer = await chat.ctx.hub.send({
        sender: postmaster.uri,
        inbox: sender.uri,
        payload: buildMessage(postmaster, sender, reportText(r), new Date(now)),
        contentType: CPIM_TYPE,
        headers: [
          [REPORT, 'expired'],
          [REPORT_FOR, r.id],
          ['Orig-Inbox', r.inbox],
        ],
      });
      if (answer.status === 'error')
        chat.ctx.log.warn(
          { inbox: r.inbox, sender: r.sender, answer: answer.headers },
          'expiry report not delivered, dropped',
        );
      else reported++;
    }
    if (mine.length > 0) await store.deleteOffline(mine.map((r) => r.seq));
    if (mine.length > 0) chat.ctx.log.info({ expired: mine.length }, 'expired web messages reported');
    // Others' records (the router's) may fill the page: stop when none of ours came back.
    if (expired.length < batch || mine.length === 0) return reported;
  }
}
