/**
 * The `history` request and a room's history on `join` (protocol version 2, issue 15,
 * docs/adapters/web-chat.md "History"). While a conversation's history is read, its live frames
 * to this session are held (Session.hold) and follow the history frame, so a page that joins, or
 * catches up after a reconnect, sees every message once and in order: whatever was committed
 * before the read is in it, whatever arrives after the hold began is held.
 */
import type { Store } from '../../src/index.js';
import { readPage, resolveConversation, roomKey, type HistoryTarget, type PageQuery } from './history.js';
import type { ErrorFrame, HistoryFrame, HistoryRequestFrame } from './protocol.js';
import type { Session } from './session.js';
import type { WebChat, WebRoom } from './web-chat.js';

function refuse(
  chat: WebChat,
  s: Session,
  id: string | undefined,
  code: ErrorFrame['code'],
  message: string,
): void {
  chat.metrics.rejected.inc({ code });
  s.send({ type: 'error', code, message, ...(id === undefined ? {} : { id }) });
}

/**
 * Reads a page of `target` for `s` with its live frames held, sends it (with `id` when asked
 * for), then the held frames. A failed read is logged at warn and answered `unavailable`.
 */
async function sendPage(
  chat: WebChat,
  store: Store,
  s: Session,
  target: HistoryTarget,
  q: PageQuery,
  id: string | undefined,
): Promise<void> {
  const u = chat.user(s.user!);
  s.hold(target.key);
  const listed = new Set<string>();
  try {
    const page: HistoryFrame = await readPage(chat, store, u, target, q);
    for (const m of page.messages) listed.add(m.id);
    s.send(id === undefined ? page : { ...page, id });
  } catch (err) {
    chat.ctx.log.warn(
      { user: u.name, conversation: target.conversation, reason: (err as Error).message },
      'history could not be read',
    );
    refuse(chat, s, id, 'unavailable', 'the history could not be read');
  } finally {
    s.release(target.key, listed);
  }
}

export async function history(chat: WebChat, s: Session, f: HistoryRequestFrame): Promise<void> {
  const store = chat.storage.history();
  if (store === null) return refuse(chat, s, f.id, 'unavailable', 'no history is kept here');
  const target = resolveConversation(chat, chat.user(s.user!), f.conversation);
  if ('refused' in target) {
    chat.ctx.log.info(
      { user: s.user, conversation: f.conversation, reason: target.reason },
      'history refused',
    );
    return refuse(chat, s, f.id, target.refused === 'forbidden' ? 'forbidden' : 'bad-frame', target.reason);
  }
  await sendPage(chat, store, s, target, cursorQuery(f), f.id);
}

function cursorQuery(f: { before?: string; after?: string; limit?: number }): PageQuery {
  return {
    ...(f.before === undefined ? {} : { before: Number(f.before) }),
    ...(f.after === undefined ? {} : { after: Number(f.after) }),
    ...(f.limit === undefined ? {} : { limit: f.limit }),
  };
}

/**
 * After a `join` (version 2): the room's last `history.onJoin` messages, or, with `after`, what
 * the page missed since (a reconnect). Nothing when no history is kept or the client speaks
 * version 1.
 */
export function joinHistory(
  chat: WebChat,
  s: Session,
  room: WebRoom,
  after: string | undefined,
): Promise<void> {
  const store = chat.storage.history();
  const n = chat.config.history.onJoin;
  if (store === null || s.version < 2 || (n === 0 && after === undefined)) return Promise.resolve();
  const target: HistoryTarget = {
    kind: 'room',
    room,
    conversation: room.address.uri,
    key: roomKey(room.name),
  };
  return sendPage(
    chat,
    store,
    s,
    target,
    after === undefined ? { limit: n } : { after: Number(after) },
    undefined,
  );
}
