/**
 * History on the page (protocol version 2, docs/adapters/web-chat.md "History"): a conversation's
 * last messages when it is joined or opened, older ones on scrolling up (`history` with
 * `before`), and, after a reconnect, what was missed (`join` / `history` with `after`: the newest
 * cursor seen). Every message is shown once: by its id, live or from history. Reports of expired
 * messages mark the message they are about.
 */
import type { HistoryFrame, HistoryItem, MessageFrame, ReportFrame } from '../protocol.js';
import { request } from './requests.js';
import { chat, conversation, conversations, type Conversation } from './state.js';
import { absorb, shownRelations } from './relations.js';
import type { ChatMessage } from './view.js';

/** Cursors of one conversation grow with time (decimal numbers, docs/adapters/web-chat.md). */
function newer(a: string, b: string | null): boolean {
  return b === null || Number(a) > Number(b);
}

function seenCursor(c: Conversation, cursor: string | undefined): void {
  if (cursor === undefined) return;
  if (newer(cursor, c.newest)) c.newest = cursor;
  if (c.oldest === null || Number(cursor) < Number(c.oldest)) c.oldest = cursor;
}

/** The address `history` names a conversation by: the room's address, or the peer. */
export function addressOf(c: Conversation): string {
  if (c.kind === 'direct') return c.target;
  return chat.me?.rooms.find((r) => r.name === c.target)?.address ?? c.target;
}

/** Asks for the latest messages of `c` (once), or for what came after the newest one seen. */
export function load(c: Conversation): void {
  if (chat.me === null || chat.me.v < 2) return;
  const after = c.newest;
  c.loaded = true;
  request({ type: 'history', conversation: addressOf(c), ...(after === null ? {} : { after }) }, 'history', {
    conversation: c.key,
  });
}

/** Older messages of `c` (scrolling up, or the "Earlier messages" button). */
export function loadOlder(c: Conversation): void {
  if (!c.more || c.loading || c.oldest === null || chat.me === null) return;
  c.loading = true;
  if (
    !request({ type: 'history', conversation: addressOf(c), before: c.oldest }, 'history', {
      conversation: c.key,
    })
  )
    c.loading = false;
}

function fromItem(i: HistoryItem): ChatMessage {
  return {
    ...shownRelations(i),
    from: i.from,
    network: i.network,
    time: i.time,
    text: i.text,
    ...(i.subject === undefined ? {} : { subject: i.subject }),
    ...(i.format === undefined ? {} : { format: i.format }),
    ...(i.attachments === undefined ? {} : { attachments: i.attachments }),
    own: i.own === true,
    status: i.own === true ? 'history' : 'received',
    id: i.id,
    cursor: i.cursor,
  };
}

/**
 * A history frame: older messages go before what is shown, a catch-up's after it, a reset
 * replaces it; a message already shown (live, by id) is not shown twice.
 */
export function onHistory(f: HistoryFrame): void {
  const c = f.room !== undefined ? conversation('room', f.room) : conversation('direct', f.conversation);
  c.loading = false;
  c.loaded = true;
  if (f.reset) {
    c.messages = [];
    c.ids = new Set();
    c.newest = c.oldest = null;
  }
  const first = f.messages[0];
  const append = !f.reset && first !== undefined && c.newest !== null && newer(first.cursor, c.newest);
  const fresh: ChatMessage[] = [];
  for (const i of f.messages) {
    seenCursor(c, i.cursor);
    if (c.ids.has(i.id)) continue;
    c.ids.add(i.id);
    // Issue 17: an edit, deletion or reaction changes the message it names (relations.ts).
    if (absorb(c, i, i.text, fresh)) continue;
    fresh.push(fromItem(i));
  }
  if (append) c.messages.push(...fresh);
  else {
    c.messages.unshift(...fresh);
    c.more = f.more;
  }
}

/** A live message: false when it is shown already (it came with the history). */
export function onMessage(c: Conversation, f: MessageFrame): boolean {
  seenCursor(c, f.cursor);
  if (f.id !== undefined) {
    if (c.ids.has(f.id)) return false;
    c.ids.add(f.id);
  }
  // Issue 17: an edit, deletion or reaction changes the message it names; redraw, count nothing.
  if (absorb(c, f, f.text)) return false;
  c.messages.push({
    ...shownRelations(f),
    from: f.from,
    network: f.network,
    time: f.time,
    text: f.text,
    ...(f.subject === undefined ? {} : { subject: f.subject }),
    ...(f.format === undefined ? {} : { format: f.format }),
    ...(f.attachments === undefined ? {} : { attachments: f.attachments }),
    own: f.own === true,
    status: f.own ? 'sent' : 'received',
    ...(f.id === undefined ? {} : { id: f.id }),
    ...(f.cursor === undefined ? {} : { cursor: f.cursor }),
  });
  return true;
}

/** Our send's id (from its result), so that history and reports find it. */
export function sentAs(m: ChatMessage, id: string | undefined): void {
  if (id === undefined) return;
  m.id = id;
  for (const c of conversations.values()) if (c.messages.includes(m)) c.ids.add(id);
}

/** An expiry report: the message it is about is marked, else the report is shown as a notice. */
export function onReport(f: ReportFrame, peerName: (uri: string) => string): void {
  for (const c of conversations.values())
    for (const m of c.messages)
      if (f.for !== undefined && m.id === f.for && m.own) {
        m.status = 'expired';
        m.reason = `${peerName(f.inbox)} did not read it in time`;
        return;
      }
  conversation('direct', f.inbox).messages.push({
    from: f.from,
    network: '',
    time: f.time,
    text: f.text,
    own: false,
    status: 'report',
  });
}

/** Joins a room; with messages of it seen already, only what came since is sent back. */
export function joinRoom(room: string): void {
  const after = conversations.get(`room:${room}`)?.newest ?? null;
  request({ type: 'join', room, ...(after === null ? {} : { after }) }, 'join', { room });
}
