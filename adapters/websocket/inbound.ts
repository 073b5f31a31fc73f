/**
 * Operations the router hands the adapter (docs/architecture.md part 5: it answers as the draft's remote
 * gateway): an IMTP `send` to a web user or to a web room's bridge inbox (draft §16.2), and the
 * PITP `change-notify` / `terminate-notify` of presentities web users watch (draft §15.2,
 * §15.14). Notifies are pushed to the page without a receipt, so their `ok` carries
 * `Unreliable` (docs/hub-protocol.md 2.10: a gateway that cannot get an end ack MUST add it).
 */
import {
  errorAnswer,
  getHeader,
  MESSAGE_ID_HEADER,
  MimeReadError,
  okAnswer,
  readReport,
  tryParseAddress,
  toPres,
  type Answer,
  type Operation,
} from '../../src/index.js';
import { linkParts } from './attachments.js';
import { appendDirect, contentTypeOf } from './history.js';
import { deliverReport } from './reports.js';
import type { MessageFrame } from './protocol.js';
import type { WireRelations } from './protocol-relations.js';
import { acceptIncoming } from './relations.js';
import { messageIdOf } from './storage.js';
import { networkOf, readLocalInbox, readMessage, type ReadMessage } from './translate.js';
import type { Session } from './session.js';
import type { WebChat, WebUser } from './web-chat.js';

type InboxRead = ReturnType<typeof tryParseAddress>;
const INBOX_CACHE_SIZE = 1024;
/** Parsed Inbox header texts: the same few arrive again and again (addresses are frozen). */
const inboxCache = new Map<string, InboxRead>();

function readInbox(text: string): InboxRead {
  let a = inboxCache.get(text);
  if (a === undefined) {
    a = tryParseAddress(text.trim(), { defaultScheme: 'im' });
    if (a instanceof Error) return a;
    if (inboxCache.size >= INBOX_CACHE_SIZE) inboxCache.clear();
    inboxCache.set(text, a);
  }
  return a;
}

export function deliverOperation(chat: WebChat, op: Operation): Promise<Answer> | Answer {
  if (op.protocol === 'imtp' && op.method === 'send') return deliverSend(chat, op);
  if (op.protocol === 'pitp' && (op.method === 'change-notify' || op.method === 'terminate-notify'))
    return deliverNotify(chat, op);
  return errorAnswer('unknown-method', `${op.method} is not served by the web chat`);
}

function deliverSend(chat: WebChat, op: Operation): Promise<Answer> | Answer {
  const inbox = readInbox(getHeader(op.headers, 'Inbox') ?? '');
  if (inbox instanceof Error) return errorAnswer('malformed', inbox.message);
  const local = inbox.domain === chat.domain ? readLocalInbox(inbox.local) : null;
  if (local === null) return errorAnswer('target-not-found', `${inbox.uri} is no web user or room`);
  if (op.payload === undefined) return errorAnswer('malformed', 'send requires a payload');
  const withPayload = op as Operation & { payload: Uint8Array };
  const m = readMessage(op.headers, op.payload, new Date(), chat.config.mime);
  if (!(m instanceof Promise))
    return m.parts === undefined
      ? deliverRead(chat, local, withPayload, m)
      : linkParts(chat, m).then((read) => deliverRead(chat, local, withPayload, read));
  return m.then(
    // Issue 17: its files become links the page can show (attachments.ts).
    async (read) => deliverRead(chat, local, withPayload, await linkParts(chat, read)),
    (err: unknown) => {
      if (!(err instanceof MimeReadError)) throw err;
      // The sender hears why; the log says so at warn (docs/architecture.md part 8).
      chat.ctx.log.warn({ reason: err.message, inbox: inbox.uri }, 'message body cannot be read');
      return errorAnswer('malformed', err.message);
    },
  );
}

function deliverRead(
  chat: WebChat,
  local: { kind: 'user' | 'room'; name: string },
  op: Operation & { payload: Uint8Array },
  m: ReadMessage,
): Promise<Answer> | Answer {
  const id = getHeader(op.headers, MESSAGE_ID_HEADER)?.trim();
  const recorded = m.relations !== undefined || id !== undefined;
  // Issue 17: the record of who wrote what (relations.ts), and the author check of edits.
  const relations = recorded ? acceptIncoming(chat.known, id, m.from, m.text, m.relations ?? {}) : undefined;
  if (local.kind === 'room') {
    const room = chat.rooms.get(local.name);
    if (room === undefined) return errorAnswer('target-not-found', `no web room ${local.name}`);
    // Never back to the author's own tabs: they already show it.
    const targets: Session[] = [];
    for (const s of room.sessions) if (chat.user(s.user!).inbox.uri !== m.from) targets.push(s);
    if (targets.length === 0) return errorAnswer('no-listeners', `nobody is in web room ${room.name}`);
    return chat.deliverToSessions(targets, roomFrame(m, relations, room.name, id));
  }
  if (recorded) m = { ...m, relations };
  const user = chat.users.get(local.name);
  const report = readReport(op);
  if (report !== undefined) {
    if (user !== undefined && user.sessions.size > 0) return deliverReport(chat, user, report, m);
    return reportToAbsent(chat, local.name, user);
  }
  if (user === undefined || user.sessions.size === 0) return toAbsentUser(chat, local.name, user, op, m);
  return toUser(chat, user, op, m);
}

/**
 * A room message's frame: the keys in the order the page has always had them (from, network,
 * time, text, subject, format, the relations, attachments, room, id), built as one object (issue
 * 18: it was an object spread with four conditional spreads, each a temporary object, per line).
 */
function roomFrame(
  m: ReadMessage,
  relations: WireRelations | undefined,
  room: string,
  id: string | undefined,
): Omit<MessageFrame, 'delivery' | 'type'> {
  const f: Record<string, unknown> = { from: m.from, network: networkOf(m.from), time: m.time, text: m.text };
  if (m.subject !== undefined) f['subject'] = m.subject;
  if (m.format !== undefined) f['format'] = [...m.format];
  if (relations !== undefined) Object.assign(f, relations);
  if (m.attachments !== undefined) f['attachments'] = [...m.attachments];
  f['room'] = room;
  if (id) f['id'] = id;
  return f as Omit<MessageFrame, 'delivery' | 'type'>;
}

/**
 * A direct message to a user with open tabs: after a drain of what was kept for them (order), kept
 * in the conversation's history (issue 15: before the answer), then shown with its id and cursor.
 */
async function toUser(
  chat: WebChat,
  user: WebUser,
  op: Operation & { payload: Uint8Array },
  m: ReadMessage,
): Promise<Answer> {
  const draining = chat.offlineDelivery.waitFor(user);
  if (draining !== null) await draining;
  const id = messageIdOf(op.headers);
  const store = chat.storage.history();
  let cursor: string | undefined;
  if (store !== null) {
    try {
      cursor = String(
        await appendDirect(store, {
          id,
          source: m.from,
          destination: user.inbox.uri,
          payload: op.payload,
          contentType: contentTypeOf(op.headers),
        }),
      );
    } catch (err) {
      chat.ctx.log.warn(
        { user: user.name, reason: (err as Error).message },
        'direct message not kept in history, refused',
      );
      return errorAnswer('resources', 'the message could not be kept in history');
    }
  }
  if (user.sessions.size === 0) return toAbsentUser(chat, user.name, user, op, m);
  return chat.deliverToSessions([...user.sessions], {
    from: m.from,
    network: networkOf(m.from),
    time: m.time,
    text: m.text,
    ...(m.subject === undefined ? {} : { subject: m.subject }),
    ...(m.format === undefined ? {} : { format: [...m.format] }),
    ...m.relations,
    ...(m.attachments === undefined ? {} : { attachments: [...m.attachments] }),
    to: user.inbox.uri,
    id,
    ...(cursor === undefined ? {} : { cursor }),
  });
}

/** Reports are never kept (issue 15: no report waits, none is reported in turn). */
async function reportToAbsent(chat: WebChat, name: string, user: WebUser | undefined): Promise<Answer> {
  if (!(user?.published || (await chat.offlineDelivery.isKnown(name))))
    return errorAnswer('target-not-found', `no web user ${name}`);
  return errorAnswer('no-listeners', `${name} has no open page (reports are not kept)`);
}

/** A user with no open tab: kept for them when offline delivery is on, else `no-listeners`. */
async function toAbsentUser(
  chat: WebChat,
  name: string,
  user: WebUser | undefined,
  op: Operation & { payload: Uint8Array },
  m: ReadMessage,
): Promise<Answer> {
  // Known = online, remembered (WebChat.offline, bounded), configured, or seen before (the store).
  if (!(user?.published || (await chat.offlineDelivery.isKnown(name))))
    return errorAnswer('target-not-found', `no web user ${name}`);
  const kept = await chat.offlineDelivery.keep(user ?? chat.user(name), op, m.from);
  if (user === undefined) chat.forgetIfGone(chat.user(name));
  return kept ?? errorAnswer('no-listeners', `${name} has no open page`);
}

function deliverNotify(chat: WebChat, op: Operation): Answer {
  const sub = getHeader(op.headers, 'Subscription') ?? '';
  const slash = sub.indexOf('/');
  const session = slash > 0 ? chat.byToken.get(sub.slice(0, slash).trim()) : undefined;
  const p = tryParseAddress((getHeader(op.headers, 'Presentity') ?? '').trim(), { defaultScheme: 'pres' });
  if (session === undefined || p instanceof Error)
    return errorAnswer('not-subscribed', 'no such subscription');
  const presentity = toPres(p).uri;
  const w = session.watches.get(presentity);
  if (w === undefined || !w.subscribed) return errorAnswer('not-subscribed', 'no such subscription');
  if (op.method === 'terminate-notify') {
    session.watches.delete(presentity);
    chat.pushPresence(session, presentity, 'unknown');
  } else if (op.payload !== undefined)
    chat.pushPresenceDoc(session, presentity, op.payload, getHeader(op.headers, 'Content-Type'));
  return okAnswer([['Unreliable', chat.domain]]);
}
