/**
 * A web user's `send` (docs/adapters/web-chat.md "Protocol"): an IMTP `send` (draft §16.2) to a
 * room or to one inbox, with a `Message-ID` the adapter gives it as the message enters the gateway
 * (issue 15: the router keeps it; the result names it so a later `report` can point at it). A
 * direct message to a network other than this adapter's is kept in the conversation's history
 * once the hub answered `ok` and before the page hears it (a direct message to another web user
 * is kept on its way in, inbound.ts); a history write that fails is answered `resources`.
 */
import {
  errorAnswer,
  MESSAGE_ID_HEADER,
  type Answer,
  type Relations,
  type StoredFile,
} from '../../src/index.js';
import { attachmentEntity, filesOfSend, wireOf } from './attachments.js';
import { appendDirect, directKey, roomKey } from './history.js';
import type { ClientFrame, ResultFrame } from './protocol.js';
import type { Session } from './session.js';
import { newMessageId } from './storage.js';
import { acceptIncoming, outgoing } from './relations.js';
import { CPIM_TYPE, buildMessage, mergeRoomResults, readTarget, resultOf } from './translate.js';
import type { WebChat } from './web-chat.js';

type SendFrame = Extract<ClientFrame, { type: 'send' }>;

/** The stored files a send names: none, or each a live link of this store (attachments.ts). */
function sendFiles(chat: WebChat, f: SendFrame): StoredFile[] | string {
  if (f.attachments === undefined) return [];
  const max = chat.config.uploads.maxPerMessage;
  if (f.attachments.length > max) return `attachments: at most ${max} files per message`;
  return filesOfSend(chat.files, f.attachments);
}

function withoutRanges(r: Relations): Relations {
  const { fallback: _ranges, ...rest } = r;
  return rest;
}

/**
 * Issue 20, clipping is never silent: an adapter that sent the message only in part says so in
 * an extension header named `<Network>-Clipped` (docs/adapters/irc.md `Irc-Clipped`); the page
 * shows each note beside the post.
 */
function withClipped(r: ResultFrame, answer: Answer): ResultFrame {
  if (r.status !== 'ok') return r;
  const notes = answer.headers.filter(([n]) => /^[A-Za-z0-9]+-Clipped$/i.test(n)).map(([, v]) => v.trim());
  return notes.length === 0 ? r : { ...r, clipped: notes };
}

function count(chat: WebChat, r: ResultFrame): void {
  chat.metrics.sent.inc({ status: r.status === 'ok' ? (r.unreliable ? 'unreliable' : 'ok') : r.errorType! });
}

export async function send(chat: WebChat, s: Session, f: SendFrame): Promise<void> {
  const limits = chat.config.limits;
  const id = newMessageId();
  const reply = (a: Answer | ResultFrame): void => {
    const r = 'type' in a ? a : resultOf(f.id, a);
    const out = r.status === 'ok' ? { ...r, messageId: id } : r;
    count(chat, out);
    s.send(out);
  };
  if (Buffer.byteLength(f.text ?? '') > limits.maxTextBytes)
    return reply(errorAnswer('quota', `messages are limited to ${limits.maxTextBytes} octets`));
  const u = chat.user(s.user!);
  const now = new Date();
  // Issue 17: replies, edits, deletions and reactions (relations.ts; the author check).
  const out = outgoing(chat.known, u.inbox.uri, id, f);
  if (typeof out === 'string') return reply(errorAnswer('target-authorization', out));
  // Issue 17: files uploaded first, named by their links (attachments.ts).
  const files = sendFiles(chat, f);
  if (typeof files === 'string') return reply(errorAnswer('malformed', files));
  const entity = files.length === 0 ? undefined : attachmentEntity(out.body, files);
  // The fallback's ranges count in a text body; inside a multipart the caption only keeps the quote.
  const relations = entity === undefined ? out.relations : withoutRanges(out.relations);
  const shown = {
    text: out.text,
    ...out.shown,
    ...(files.length === 0 ? {} : { attachments: files.map(wireOf) }),
  };
  const remember = (): void => {
    acceptIncoming(chat.known, id, u.inbox.uri, out.text, out.shown);
  };
  const mine = (x: Session): boolean => x.user === u.name && x !== s;
  if (f.room !== undefined) {
    const room = chat.rooms.get(f.room);
    if (room === undefined) return reply(errorAnswer('target-not-found', `no room ${f.room}`));
    if (!s.rooms.has(room.name)) return reply(errorAnswer('target-authorization', 'join the room first'));
    const payload = buildMessage(u.inbox, room.address, out.body, now, relations, entity);
    remember();
    const frame = {
      from: u.inbox.uri,
      network: chat.domain,
      room: room.name,
      time: now.toISOString(),
      ...shown,
      id,
    };
    for (const x of room.sessions)
      if (mine(x)) x.sendIn(roomKey(room.name), { type: 'message', delivery: '', own: true, ...frame });
    // The bridge inbox is the room member speaking; the author rides in Orig-Sender, which the
    // room keeps (src/router/rooms.ts), so the room never echoes the message back to us.
    const viaHub = chat.ctx.hub.send({
      sender: room.bridge.uri,
      inbox: room.address.uri,
      payload,
      contentType: CPIM_TYPE,
      headers: [
        ['Orig-Sender', u.inbox.uri],
        [MESSAGE_ID_HEADER, id],
      ],
    });
    const others = [...room.sessions].filter((x) => x.user !== u.name);
    const local = others.length > 0 ? chat.deliverToSessions(others, frame) : null;
    const [hubAnswer, localAnswer] = await Promise.all([viaHub, local]);
    return reply(
      withClipped(
        mergeRoomResults(
          resultOf(f.id, hubAnswer),
          localAnswer ? resultOf(f.id, localAnswer) : null,
          room.address.uri,
        ),
        hubAnswer,
      ),
    );
  }
  const to = readTarget(f.to!, chat.domain);
  if (typeof to === 'string') return reply(errorAnswer('malformed', `to: ${to}`));
  const time = now.toISOString();
  for (const x of u.sessions)
    if (mine(x))
      x.sendIn(directKey(to.uri), {
        type: 'message',
        delivery: '',
        own: true,
        from: u.inbox.uri,
        to: to.uri,
        network: chat.domain,
        time,
        ...shown,
        id,
      });
  const payload = buildMessage(u.inbox, to, out.body, now, relations, entity);
  remember();
  const answer = await chat.ctx.hub.send({
    sender: u.inbox.uri,
    inbox: to.uri,
    payload,
    contentType: CPIM_TYPE,
    headers: [[MESSAGE_ID_HEADER, id]],
  });
  const store = to.domain === chat.domain ? null : chat.storage.history();
  if (answer.status === 'ok' && store !== null) {
    try {
      await appendDirect(store, {
        id,
        source: u.inbox.uri,
        destination: to.uri,
        payload,
        time: now.getTime(),
      });
    } catch (err) {
      chat.ctx.log.warn(
        { user: u.name, reason: (err as Error).message },
        'sent direct message not kept in history',
      );
      return reply(errorAnswer('resources', 'delivered, but it could not be kept in history'));
    }
  }
  reply(withClipped(resultOf(f.id, answer), answer));
}
