/**
 * Expiry of kept messages (issue 15; docs/gateway.md "Offline delivery"; docs/hub-protocol.md
 * part 4 row 34): a message kept for an inbox longer than `storage.offline.maxAgeMs` is deleted,
 * and its sender is told with a report: an IMTP `send` from `im:postmaster@<the inbox's domain>`
 * carrying `Report: expired`, `Report-For: <its Message-ID>`, `Orig-Inbox: <the inbox>` and a
 * Message/CPIM payload (RFC 3862) whose text/plain body says what happened. Adapters render a send
 * with `Report:` in their network's idiom.
 *
 * A report that cannot be delivered is logged and dropped: it is never kept offline
 * (offline.ts) nor reported in turn, so reports cannot loop. A kept report that expires is
 * deleted without one.
 */
import { buildCpim } from '../codec/cpim/index.js';
import { parseAddress, type ImAddress } from '../model/index.js';
import {
  answerFromError,
  errorTypeOf,
  getHeader,
  MESSAGE_ID_HEADER,
  REPORT_EXPIRED,
  REPORT_FOR_HEADER,
  REPORT_HEADER,
  type Answer,
  type Header,
} from '../protocol/index.js';
import type { OfflineRecord, Store } from '../store/types.js';
import type { RouterContext } from './context.js';
import { dispatchSend } from './delivery.js';
import { newMessageId, POSTMASTER } from './message-id.js';
import type { Operation } from './operation.js';
import { checkHops, relayHeaders } from './visited.js';

/** Expired records read (and reported) at once; one tick handles at most EXPIRY_ROUNDS batches. */
export const EXPIRY_BATCH = 100;
const EXPIRY_ROUNDS = 10;

const IM = { defaultScheme: 'im' } as const;

/**
 * How often expired messages are looked for: a tenth of their lifetime, between one second and
 * one minute (so a report is late by at most that; the default 7 days gives once a minute).
 */
export function expiryInterval(maxAgeMs: number): number {
  return Math.min(60_000, Math.max(1_000, Math.floor(maxAgeMs / 10)));
}

/** The timer of one router; started when a store is set, stopped when it is taken away. */
export class ExpiryTimer {
  private timer: ReturnType<typeof setInterval> | undefined;
  private running = false;

  start(ctx: RouterContext): void {
    this.stop();
    const timer = setInterval(() => this.tick(ctx), expiryInterval(ctx.storage.offline.maxAgeMs));
    // Housekeeping never keeps the process alive (issue 15: stop closes the store last).
    timer.unref();
    this.timer = timer;
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One pass, unless the previous one is still running (slow report deliveries). */
  private tick(ctx: RouterContext): void {
    const store = ctx.store;
    if (this.running || store === null) return;
    this.running = true;
    expireOffline(ctx, store, Date.now())
      .catch((err: unknown) => ctx.log?.warn({ err }, 'expiry of kept messages failed, retried later'))
      .finally(() => (this.running = false));
  }
}

/**
 * Reports and deletes the records expired at `now`; resolves to how many went. Records of an
 * inbox being drained are left for the next pass (the drain may be delivering them).
 */
export async function expireOffline(ctx: RouterContext, store: Store, now: number): Promise<number> {
  let total = 0;
  for (let round = 0; round < EXPIRY_ROUNDS; round++) {
    const records = await store.readExpiredOffline(now, EXPIRY_BATCH);
    const gone: number[] = [];
    const reports: Promise<void>[] = [];
    for (const r of records) {
      if (ctx.offline.drains.has(r.inbox)) continue;
      gone.push(r.seq);
      if (getHeader(r.headers, REPORT_HEADER) === undefined) reports.push(reportExpired(ctx, r, now));
    }
    await Promise.all(reports);
    if (gone.length > 0) {
      await store.deleteOffline(gone);
      // The counts held for these inboxes are read again at their next keep (offline.ts).
      for (const r of records) ctx.offline.forget(r.inbox);
    }
    total += gone.length;
    if (records.length < EXPIRY_BATCH || gone.length === 0) break;
  }
  return total;
}

/** The report's readable text (the body of its Message/CPIM payload). */
export function expiryText(r: OfflineRecord): string {
  const hours = Math.round((r.expires - r.time) / 3_600_000);
  const kept = hours >= 48 ? `${Math.round(hours / 24)} days` : hours >= 1 ? `${hours} hours` : 'its time';
  return (
    `Your message to ${r.inbox} (Message-ID ${r.id}), sent ${new Date(r.time).toISOString()}, ` +
    `was not delivered: nobody listened on that inbox for ${kept}, so it expired unread.`
  );
}

/** Sends the report of `r` to its sender; never rejects (a failure is logged, then dropped). */
async function reportExpired(ctx: RouterContext, r: OfflineRecord, now: number): Promise<void> {
  let answer: Answer;
  let to: ImAddress | undefined;
  try {
    const inbox = parseAddress(r.inbox, IM) as ImAddress;
    to = parseAddress(r.sender, IM) as ImAddress;
    const postmaster = parseAddress(`im:${POSTMASTER}@${inbox.domain}`, IM) as ImAddress;
    const payload = buildCpim({
      startsWith: 'cpim-headers',
      from: { formalName: 'Postmaster', uri: postmaster.uri },
      to: [{ uri: to.uri }],
      dateTime: new Date(now),
      contentHeaders: [['Content-Type', 'text/plain; charset=UTF-8']],
      body: expiryText(r),
    });
    const received: Header[] = [
      ['Sender', postmaster.uri],
      ['Inbox', to.uri],
      [MESSAGE_ID_HEADER, newMessageId()],
      [REPORT_HEADER, REPORT_EXPIRED],
      [REPORT_FOR_HEADER, r.id],
      ['Orig-Inbox', r.inbox],
      ['Content-Type', 'message/cpim'],
    ];
    // The gateway itself is the source: our Visited token, a full hop count, `strong`.
    const headers = relayHeaders(received, checkHops([], ctx.token, ctx.maxVisited), 'strong');
    const op: Operation = {
      protocol: 'imtp',
      method: 'send',
      headers,
      payload: typeof payload === 'string' ? new TextEncoder().encode(payload) : payload,
    };
    answer = await dispatchSend(ctx, op, to, to.uri, postmaster, 'strong');
  } catch (e) {
    answer = answerFromError(e);
  }
  if (answer.status === 'ok') {
    ctx.log?.info({ inbox: r.inbox, sender: r.sender, messageId: r.id }, 'kept message expired, sender told');
    return;
  }
  ctx.log?.warn(
    { inbox: r.inbox, sender: to?.uri ?? r.sender, messageId: r.id, errorType: errorTypeOf(answer) },
    'kept message expired; the report to its sender was not delivered and is dropped',
  );
}
