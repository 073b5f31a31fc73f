/**
 * History for the page (issue 15, docs/adapters/web-chat.md "History"): which conversation a
 * `history` request names and whether this user may read it, reading a page of it from the store
 * as `history` frames, and appending a web user's direct messages.
 *
 * Who may read what: a room's history, when the room is one of this adapter's web rooms the user
 * may join (its `members`, or everyone when it has none: the rule of `join`); a direct
 * conversation, only their own (the key is `directConversation(user, peer)`, so no request can
 * name someone else's). The router keeps rooms' history as their posts pass through it; this
 * adapter keeps the direct conversations of its users.
 */
import {
  directConversation,
  getHeader,
  MimeReadError,
  type Headers,
  type HistoryRecord,
  type ImAddress,
  type Store,
} from '../../src/index.js';
import type { HistoryFrame, HistoryItem } from './protocol.js';
import { linkParts } from './attachments.js';
import { networkOf, readMessage, readTarget, type ReadMessage } from './translate.js';
import type { WebChat, WebRoom, WebUser } from './web-chat.js';

export type HistoryTarget =
  | { readonly kind: 'room'; readonly room: WebRoom; readonly conversation: string; readonly key: string }
  | {
      readonly kind: 'direct';
      readonly peer: ImAddress;
      readonly conversation: string;
      readonly key: string;
    };

/** The hold key (Session.hold) of a room's or a direct conversation's live frames. */
export function roomKey(room: string): string {
  return `room:${room}`;
}

export function directKey(peer: string): string {
  return `dm:${peer}`;
}

/** The conversation a message frame belongs to, for the session it goes to. */
export function frameKey(f: { room?: string; own?: boolean; to?: string; from: string }): string {
  return f.room !== undefined ? roomKey(f.room) : directKey(f.own ? (f.to ?? '') : f.from);
}

export function mayRead(room: WebRoom, user: string): boolean {
  return room.members === null || room.members.has(user);
}

/** What `conversation` names for `user`: a readable room, their direct conversation, or why not. */
export function resolveConversation(
  chat: WebChat,
  user: WebUser,
  text: string,
): HistoryTarget | { readonly refused: 'forbidden' | 'malformed'; readonly reason: string } {
  const t = text.trim();
  for (const room of chat.rooms.values()) {
    if (room.address.uri !== t) continue;
    if (!mayRead(room, user.name))
      return { refused: 'forbidden', reason: `you are not a member of ${room.name}` };
    return { kind: 'room', room, conversation: room.address.uri, key: roomKey(room.name) };
  }
  const peer = readTarget(t, chat.domain);
  if (typeof peer === 'string') return { refused: 'malformed', reason: `conversation: ${peer}` };
  return {
    kind: 'direct',
    peer,
    conversation: directConversation(user.inbox.uri, peer.uri),
    key: directKey(peer.uri),
  };
}

export interface PageQuery {
  readonly before?: number;
  readonly after?: number;
  readonly limit?: number;
}

/** One kept message as the page shows it; an unreadable body is shown as such, not dropped. */
async function itemOf(
  chat: WebChat,
  user: WebUser,
  target: HistoryTarget,
  r: HistoryRecord,
): Promise<HistoryItem> {
  const headers: [string, string][] = [
    ['Sender', r.source],
    ['Content-Type', r.contentType],
  ];
  let m: ReadMessage;
  try {
    m = await linkParts(chat, await readMessage(headers, r.payload, new Date(r.time), chat.config.mime));
  } catch (err) {
    if (!(err instanceof MimeReadError)) throw err;
    m = { from: r.source, time: new Date(r.time).toISOString(), text: `[unreadable: ${err.message}]` };
  }
  return {
    id: r.id,
    cursor: String(r.seq),
    from: m.from,
    network: networkOf(m.from),
    ...(target.kind === 'room' ? { room: target.room.name } : { to: r.destination }),
    time: m.time,
    text: m.text,
    ...(m.subject === undefined ? {} : { subject: m.subject }),
    ...(m.format === undefined ? {} : { format: [...m.format] }),
    ...m.relations,
    ...(m.attachments === undefined ? {} : { attachments: [...m.attachments] }),
    ...(m.from === user.inbox.uri ? { own: true } : {}),
  };
}

/**
 * Keeps the newest records whose octets fit `maxBytes` (at least one), oldest first; true when
 * some were left out.
 */
function fit(records: HistoryRecord[], maxBytes: number): { kept: HistoryRecord[]; cut: boolean } {
  let bytes = 0;
  let i = records.length;
  while (i > 0) {
    bytes += records[i - 1]!.payload.length;
    if (bytes > maxBytes && i < records.length) break;
    i--;
  }
  return { kept: records.slice(i), cut: i > 0 };
}

/**
 * A page of `target`'s history: the newest `limit` (before `before`, or at all), or everything
 * after `after` (a catch-up), bounded by `history.maxPageSize`, `history.maxCatchUp` and
 * `history.maxReplyBytes`. A catch-up past those bounds answers the latest page with `reset`.
 */
export async function readPage(
  chat: WebChat,
  store: Store,
  user: WebUser,
  target: HistoryTarget,
  q: PageQuery,
): Promise<HistoryFrame> {
  const c = chat.config.history;
  const limit = Math.min(q.limit ?? c.pageSize, c.maxPageSize);
  let records: HistoryRecord[];
  let more = false;
  let reset = false;
  if (q.after !== undefined) {
    records = await store.readHistory(target.conversation, { after: q.after, limit: c.maxCatchUp + 1 });
    const bytes = records.reduce((n, r) => n + r.payload.length, 0);
    if (records.length > c.maxCatchUp || bytes > c.maxReplyBytes) reset = true;
  }
  if (q.after === undefined || reset) {
    records = await store.readHistory(target.conversation, {
      ...(q.before === undefined ? {} : { before: q.before }),
      limit: limit + 1,
    });
    more = records.length > limit;
    if (more) records = records.slice(1);
    const f = fit(records, c.maxReplyBytes);
    records = f.kept;
    more ||= f.cut;
  }
  const messages = await Promise.all(records!.map((r) => itemOf(chat, user, target, r)));
  return {
    type: 'history',
    conversation: target.kind === 'room' ? target.conversation : target.peer.uri,
    ...(target.kind === 'room' ? { room: target.room.name } : {}),
    messages,
    more,
    ...(reset ? { reset: true } : {}),
  };
}

/**
 * Appends one direct message of a web user (issue 15: id, time, authenticated source, content type
 * and the payload octets unchanged; `message/cpim` for what web users send).
 */
export function appendDirect(
  store: Store,
  m: {
    id: string;
    source: string;
    destination: string;
    payload: Uint8Array;
    contentType?: string | undefined;
    time?: number;
  },
): Promise<number> {
  return store.appendHistory({
    id: m.id,
    conversation: directConversation(m.source, m.destination),
    time: m.time ?? Date.now(),
    source: m.source,
    destination: m.destination,
    contentType: m.contentType ?? 'message/cpim',
    payload: m.payload,
  });
}

/** The content type of a send's payload as kept: its Content-Type, else text/plain (what readMessage assumes). */
export function contentTypeOf(headers: Headers): string {
  return getHeader(headers, 'Content-Type')?.trim() || 'text/plain';
}
