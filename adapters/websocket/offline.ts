/**
 * Offline delivery to web users (issue 15, docs/adapters/web-chat.md "Offline delivery"): a send
 * to a known web user with no open tab is kept in the store (`putOffline`, with the direct
 * conversation's history in the same transaction) and answered `ok` + `Stored: offline` once
 * committed; a write that fails is `resources`, one over `storage.offline.maxPerInbox` is `quota`.
 * When the user next signs in, what was kept is delivered in order and once: each record is
 * deleted only after a tab's socket took its frame (ws's send callback without an error), and
 * live messages for the user wait until the drain is done.
 *
 * Known web users: configured ones, ones online or remembered (WebChat), and every account that
 * ever signed in, kept as the mapping `web:<adapter id>:seen` (read one name at a time, never
 * all at start).
 */
import {
  errorAnswer,
  getHeader,
  okAnswer,
  STORED_HEADER,
  STORED_OFFLINE,
  type Answer,
  type Operation,
} from '../../src/index.js';
import { appendDirect, contentTypeOf } from './history.js';
import { messageIdOf } from './storage.js';
import { linkParts } from './attachments.js';
import { networkOf, readMessage } from './translate.js';
import type { WebChat, WebUser } from './web-chat.js';

export class WebOffline {
  /** Drains running, by user name, and whether another was asked for meanwhile. */
  private readonly draining = new Map<string, { done: Promise<void>; again: boolean }>();

  constructor(private readonly chat: WebChat) {}

  /** A user signed in: remember the account, then deliver what waits for them. */
  signedIn(u: WebUser): void {
    const store = this.chat.storage.store();
    if (store === null) return;
    store
      .setMapping(this.chat.storage.seenNamespace, u.name, String(Date.now()))
      .catch((err: unknown) =>
        this.chat.ctx.log.warn({ user: u.name, reason: (err as Error).message }, 'web account not recorded'),
      );
    void this.drain(u);
  }

  /** Whether `name` is a web account here: known in memory, or seen before (the store). */
  async isKnown(name: string): Promise<boolean> {
    if (this.chat.isKnown(name)) return true;
    const store = this.chat.storage.store();
    if (store === null) return false;
    return (await store.getMapping(this.chat.storage.seenNamespace, name)) !== undefined;
  }

  /** Every drain running has ended (adapter stop). */
  async idle(): Promise<void> {
    await Promise.all([...this.draining.values()].map((d) => d.done));
  }

  /** Live deliveries to `u` wait for this (null: no drain running). */
  waitFor(u: WebUser): Promise<void> | null {
    return this.draining.get(u.name)?.done ?? null;
  }

  /**
   * Keeps a send for `u`, who has no open tab. Null when offline delivery is off for them (the
   * caller answers `no-listeners` as before).
   */
  async keep(u: WebUser, op: Operation & { payload: Uint8Array }, from: string): Promise<Answer | null> {
    const chat = this.chat;
    const store = chat.storage.offline(u.name);
    if (store === null) return null;
    const policy = chat.storage.offlinePolicy;
    const log = chat.ctx.log;
    const id = messageIdOf(op.headers);
    try {
      if ((await store.countOffline(u.inbox.uri)) >= policy.maxPerInbox) {
        log.warn(
          { user: u.name, max: policy.maxPerInbox },
          'offline messages for a web user over the limit, refused',
        );
        return errorAnswer('quota', `${u.name} has ${policy.maxPerInbox} messages waiting already`);
      }
      const now = Date.now();
      const history = chat.storage.history();
      await Promise.all([
        store.putOffline({
          id,
          inbox: u.inbox.uri,
          sender: (getHeader(op.headers, 'Sender') ?? from).trim(),
          time: now,
          expires: now + policy.maxAgeMs,
          headers: op.headers.map(([n, v]) => [n, v] as const),
          payload: op.payload,
        }),
        history === null
          ? null
          : appendDirect(history, {
              id,
              source: from,
              destination: u.inbox.uri,
              payload: op.payload,
              contentType: contentTypeOf(op.headers),
              time: now,
            }),
      ]);
    } catch (err) {
      // A user's message is refused: warn with the reason, answer in the protocol's idiom.
      log.warn({ user: u.name, reason: (err as Error).message }, 'message for an offline web user not kept');
      return errorAnswer('resources', 'the message could not be kept');
    }
    chat.metrics.delivered.inc({ status: 'stored' });
    // Signed in while it was being written: the drain that ran may have missed it.
    if (u.sessions.size > 0) void this.drain(u);
    return okAnswer([
      [STORED_HEADER, STORED_OFFLINE],
      ['Message-ID', id],
    ]);
  }

  /** Delivers what was kept for `u` to their open tabs; one drain per user at a time. */
  drain(u: WebUser): Promise<void> {
    const running = this.draining.get(u.name);
    if (running !== undefined) {
      running.again = true;
      return running.done;
    }
    const entry = { done: Promise.resolve(), again: false };
    entry.done = this.run(u, entry)
      .catch((err: unknown) =>
        this.chat.ctx.log.warn({ user: u.name, reason: (err as Error).message }, 'offline delivery stopped'),
      )
      .finally(() => this.draining.delete(u.name));
    this.draining.set(u.name, entry);
    return entry.done;
  }

  private async run(u: WebUser, entry: { again: boolean }): Promise<void> {
    const store = this.chat.storage.store();
    if (store === null) return;
    const batch = this.chat.config.offline.drainBatch;
    do {
      entry.again = false;
      for (;;) {
        const records = await store.readOffline(u.inbox.uri, batch);
        if (records.length === 0) break;
        const writes: Promise<boolean>[] = [];
        for (const r of records) {
          const sessions = [...u.sessions].filter((s) => s.isOpen);
          if (sessions.length === 0) break;
          const m = await Promise.resolve(
            readMessage(r.headers, r.payload, new Date(r.time), this.chat.config.mime),
          )
            .then((read) => linkParts(this.chat, read))
            .catch((err: unknown) => ({
              from: (getHeader(r.headers, 'Orig-Sender') ?? getHeader(r.headers, 'Sender') ?? '').trim(),
              time: new Date(r.time).toISOString(),
              text: `[unreadable: ${(err as Error).message}]`,
            }));
          const frame = {
            type: 'message' as const,
            delivery: '',
            from: m.from,
            network: networkOf(m.from),
            to: u.inbox.uri,
            time: m.time,
            text: m.text,
            ...('subject' in m && m.subject !== undefined ? { subject: m.subject } : {}),
            ...('format' in m && m.format !== undefined ? { format: [...m.format] } : {}),
            ...('attachments' in m && m.attachments !== undefined ? { attachments: [...m.attachments] } : {}),
            id: r.id,
          };
          const sent = sessions.map((s) => s.sendConfirmed(frame));
          writes.push(Promise.all(sent).then((oks) => oks.some(Boolean)));
        }
        const taken = await Promise.all(writes);
        const seqs = records.slice(0, taken.length).flatMap((r, i) => (taken[i] ? [r.seq] : []));
        if (seqs.length > 0) await store.deleteOffline(seqs);
        this.chat.metrics.delivered.inc({ status: 'drained' }, seqs.length);
        // A tab closed (or none is left): the rest waits for the next sign-in.
        if (seqs.length < records.length) return;
        if (records.length < batch) break;
      }
    } while (entry.again);
  }
}
