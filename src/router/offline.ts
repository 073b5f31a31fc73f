/**
 * Offline delivery (issue 15; docs/gateway.md "Offline delivery"; docs/hub-protocol.md part 4
 * rows 23 and 33): a `send` to a home inbox that an account may listen for, while no connection
 * listens on it, is kept in the store and answered `ok` + `Unreliable: <inbox domain>` +
 * `Stored: offline`, only once the write committed (a failed write is `resources`, more than
 * `storage.offline.maxPerInbox` kept is `quota`). When a connection next listens on the inbox the
 * kept messages are forwarded to it exactly as live sends, oldest first, each deleted once its
 * answer is `ok`.
 *
 * Once only: one drain per inbox at a time (a second listen during a drain asks the running one
 * to look again), and a live send to an inbox being drained waits for the drain, so it never
 * overtakes the messages kept before it. A record whose delete failed after its delivery is
 * delivered again at the next listen (at least once, never silently lost); its Message-ID lets
 * the client see the repeat.
 */
import { HubError } from '../errors.js';
import { parseAddress, type Address, type ImAddress } from '../model/index.js';
import {
  answerFromError,
  errorAnswer,
  errorTypeOf,
  getHeader,
  MESSAGE_ID_HEADER,
  okAnswer,
  REPORT_HEADER,
  STORED_HEADER,
  STORED_OFFLINE,
  type Answer,
  type Header,
} from '../protocol/index.js';
import type { OfflineRecord, Store } from '../store/types.js';
import type { RouterContext } from './context.js';
import type { Listener } from './listeners.js';
import { mergeAnswers } from './merge.js';
import { newMessageId } from './message-id.js';
import type { Operation } from './operation.js';
import { forward } from './relay.js';

/** Kept messages forwarded together before their answers are awaited (well under a connection's 256 outstanding commands). */
export const DRAIN_BATCH = 64;

const IM = { defaultScheme: 'im' } as const;

/** One inbox being drained; `done` settles when it stops. */
interface Drain {
  /** Something was kept (or a listener came) after the drain last read: read once more. */
  again: boolean;
  done: Promise<void>;
}

/**
 * What one inbox has kept, so a send checks the quota without reading the store (a COUNT over the
 * inbox's records per send cost a transaction turn and a scan that grew with the inbox).
 *
 * `n` = the rows the store held when `countOffline` read them (submitted when the entry was
 * made) + the puts submitted after that read and bound to this entry that committed. A put submitted
 * before the read is in the read; one after it is bound to the entry current when it was submitted.
 * So replacing an entry (after a delete, an eviction, a doubt) is always safe: the new read sees
 * everything submitted before it.
 */
interface Kept {
  n: number;
  /** Puts bound to this entry not yet settled: reserved, so concurrent sends cannot all pass. */
  inFlight: number;
  /** Settles when `n` holds the read; null once it does. */
  ready: Promise<void> | null;
  /** `n` is the read and nothing since: exact (a put may add nothing, an id kept already). */
  exact: boolean;
}

/** Inboxes whose kept count is held in memory; beyond this the oldest is forgotten (read again on use). */
export const KEPT_COUNTS_MAX = 10_000;

/** The offline state of one router: drains in progress and the kept count per inbox. */
export class OfflineState {
  readonly drains = new Map<string, Drain>();
  private readonly counts = new Map<string, Kept>();
  private countsOf: Store | null = null;

  /** The inbox's entry, made (and its read submitted) when there is none. */
  kept(store: Store, inbox: string): Kept {
    if (this.countsOf !== store) {
      this.counts.clear();
      this.countsOf = store;
    }
    const known = this.counts.get(inbox);
    if (known !== undefined) return known;
    if (this.counts.size >= KEPT_COUNTS_MAX) {
      const oldest = this.counts.keys().next().value;
      if (oldest !== undefined) this.counts.delete(oldest);
    }
    const entry: Kept = { n: 0, inFlight: 0, ready: null, exact: false };
    entry.ready = store.countOffline(inbox).then(
      (n) => {
        entry.n += n;
        entry.ready = null;
        entry.exact = true;
      },
      (err: unknown) => {
        // A failed read is not cached: the next send reads again.
        if (this.counts.get(inbox) === entry) this.counts.delete(inbox);
        throw err;
      },
    );
    this.counts.set(inbox, entry);
    return entry;
  }

  /**
   * Records of `inbox` were deleted (delivered, expired): its count is read again at its next
   * keep. Not decremented in place: a record an expiry and a drain both deleted would count twice.
   */
  forget(inbox: string): void {
    this.counts.delete(inbox);
  }
}

/**
 * Whether a send nobody listens for may be kept: a store is open, offline delivery is on
 * (`storage.offline.enabled` and the account's `offline`), no connection listens on the inbox at
 * all (one whose Only/Except filters refuse the sender chose not to take it: `no-listeners`, draft
 * §16.1), and it is no delivery report (reports are never kept: no report loops).
 */
export function mayKeepOffline(ctx: RouterContext, op: Operation, inbox: ImAddress): boolean {
  return (
    ctx.storage.offline.enabled &&
    !ctx.listeners.has(inbox.uri) &&
    op.payload !== undefined &&
    ctx.keepsOffline(inbox) &&
    getHeader(op.headers, REPORT_HEADER) === undefined
  );
}

/**
 * Stores a relayed send for `inbox`; the promise never rejects (every failure is an answer).
 * The store is this send's next hop: its answer is counted under the `local` route (issue 14,
 * docs/operations.md), so a message kept is in `cpim_router_sends_total` and, as
 * `Stored: offline`, in `cpim_router_stored_total`.
 */
export async function keepOffline(
  ctx: RouterContext,
  store: Store,
  op: Operation,
  inbox: ImAddress,
): Promise<Answer> {
  const started = performance.now();
  const answer = await keep(ctx, store, op, inbox);
  ctx.stats.routes.local.delivered(answer, performance.now() - started);
  return answer;
}

async function keep(ctx: RouterContext, store: Store, op: Operation, inbox: ImAddress): Promise<Answer> {
  const uri = inbox.uri;
  const max = ctx.storage.offline.maxPerInbox;
  const state = ctx.offline;
  const headers = op.headers;
  let entry: Kept | undefined;
  try {
    // Check and reserve in the same turn as the put is submitted, against the entry current
    // then (see Kept): concurrent sends to one inbox are exact and go in one batch.
    for (;;) {
      const e = state.kept(store, uri);
      if (e.ready !== null) {
        await e.ready;
        continue;
      }
      if (e.n + e.inFlight < max) {
        entry = e;
        break;
      }
      // Full by the count held: read it once more before refusing (a put of an id already kept
      // counted one that the store did not add).
      if (e.exact)
        ctx.refuseQuota(`at most ${max} messages are kept for an inbox nobody listens on`, { inbox: uri });
      state.forget(uri);
    }
    entry.inFlight++;
    const now = Date.now();
    const put = store.putOffline({
      id: getHeader(headers, MESSAGE_ID_HEADER) ?? newMessageId(),
      inbox: uri,
      // The one an expiry is reported to: the verified author (a room's copy names it in
      // Orig-Sender, identity.ts), else the Sender.
      sender: getHeader(headers, 'Orig-Sender') ?? getHeader(headers, 'Sender') ?? '',
      time: now,
      expires: now + ctx.storage.offline.maxAgeMs,
      headers,
      payload: op.payload!,
    });
    try {
      await put;
      entry.n++;
      entry.exact = false;
    } finally {
      entry.inFlight--;
    }
  } catch (e) {
    if (e instanceof HubError) return answerFromError(e);
    // A write the store could not commit is never `ok` (issue 15, docs/architecture.md part 8).
    ctx.log?.warn(
      { err: e, inbox: uri },
      'message for an inbox nobody listens on not stored, answered resources',
    );
    return errorAnswer('resources', 'the message could not be stored');
  }
  // A listen that came while the write was in flight drained before this record existed.
  if (ctx.listeners.has(uri)) drainOffline(ctx, uri);
  return okAnswer([
    ['Unreliable', inbox.domain],
    [STORED_HEADER, STORED_OFFLINE],
  ]);
}

/**
 * Forwards what is kept for `inbox` to its listeners, in the background (called after a listen
 * was answered, and after a write that raced with one). At most one drain per inbox at a time.
 */
export function drainOffline(ctx: RouterContext, inbox: string): void {
  const state = ctx.offline;
  const running = state.drains.get(inbox);
  if (running !== undefined) {
    running.again = true;
    return;
  }
  const store = ctx.store;
  if (store === null) return;
  const drain: Drain = { again: false, done: Promise.resolve() };
  drain.done = runDrain(ctx, store, inbox, drain)
    .catch((err: unknown) => {
      ctx.log?.warn({ err, inbox }, 'offline delivery stopped, the rest stays kept');
    })
    .finally(() => {
      if (state.drains.get(inbox) === drain) state.drains.delete(inbox);
    });
  state.drains.set(inbox, drain);
  ctx.track(drain.done);
}

/** The drain of `inbox` in progress, if any (a live send waits for it, delivery.ts). */
export function drainOf(ctx: RouterContext, inbox: string): Promise<void> | undefined {
  return ctx.offline.drains.get(inbox)?.done;
}

async function runDrain(ctx: RouterContext, store: Store, inbox: string, drain: Drain): Promise<void> {
  // Kept records the listeners' Only/Except filters refuse stay kept, and are read past.
  const skipped = new Set<number>();
  let limit = 0;
  const readNext = (): Promise<OfflineRecord[]> => {
    drain.again = false;
    limit = skipped.size + DRAIN_BATCH;
    return store.readOffline(inbox, limit);
  };
  if (!ctx.listeners.has(inbox)) return;
  let records = await readNext();
  for (;;) {
    const sent: OfflineRecord[] = [];
    const answers: Promise<Answer>[] = [];
    for (const r of records) {
      if (skipped.has(r.seq)) continue;
      const targets = ctx.listeners.accepting(inbox, senderOf(r));
      if (targets.length === 0) {
        if (!ctx.listeners.has(inbox)) break;
        skipped.add(r.seq);
        continue;
      }
      sent.push(r);
      answers.push(deliverKept(ctx, targets, r));
    }
    const results = await Promise.all(answers);
    const delivered: number[] = [];
    let failed: Answer | undefined;
    for (let i = 0; i < results.length; i++) {
      if (results[i]!.status === 'ok') delivered.push(sent[i]!.seq);
      else if (failed === undefined) {
        failed = results[i]!;
        ctx.log?.warn(
          { inbox, messageId: sent[i]!.id, errorType: errorTypeOf(failed) },
          'kept message refused by the listener, kept for a later listen',
        );
      }
    }
    // A refusal stops the drain (the rest waits for a later listen), as does the last listener going.
    const stop = failed !== undefined || !ctx.listeners.has(inbox);
    // The delete and the next read submitted in the same turn go in one transaction (one commit
    // per batch instead of two); the read comes after the delete, so it never sees what went.
    const more = !stop && (records.length >= limit || drain.again);
    const deleting = delivered.length > 0 ? store.deleteOffline(delivered) : null;
    const reading = more ? readNext() : null;
    if (deleting !== null) {
      try {
        await deleting;
      } catch (e) {
        reading?.catch(() => undefined);
        throw e;
      }
      ctx.offline.forget(inbox);
    }
    if (reading !== null) records = await reading;
    // Something kept while the delete was in flight: read once more.
    else if (!stop && drain.again && ctx.listeners.has(inbox)) records = await readNext();
    else return;
  }
}

/** The Sender a listener's Only/Except filters judge (draft §16.1), as for a live send. */
function senderOf(record: OfflineRecord): Address {
  const text = getHeader(record.headers, 'Sender') ?? record.sender;
  try {
    return parseAddress(text.trim(), IM);
  } catch {
    return parseAddress(record.sender, IM);
  }
}

/** One kept message to every listener that takes it, as deliverLocal sends a live one. */
function deliverKept(ctx: RouterContext, targets: readonly Listener[], r: OfflineRecord): Promise<Answer> {
  const op: Operation = {
    protocol: 'imtp',
    method: 'send',
    headers: r.headers as readonly Header[],
    payload: r.payload,
  };
  const stats = ctx.stats.routes.local;
  if (targets.length === 1) return forward(targets[0]!.endpoint, op, r.inbox, stats);
  const pending: Promise<Answer>[] = [];
  for (const t of targets) pending.push(forward(t.endpoint, op, r.inbox, stats));
  return Promise.all(pending).then(mergeAnswers);
}
