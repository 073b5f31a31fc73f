/**
 * A hosted room's history on join (XEP-0045 §7.2.14) from the store's room history (issue 15,
 * `storage.history`: every post of the gateway room, kept by the router under the room's inbox
 * URI): the last messages, each from `room/<author's nick>` with XEP-0203 `<delay from=room
 * stamp>` (the time the gateway accepted it) and XEP-0359 `<stanza-id>` (its Message-ID).
 */
import type { FileStorePort, MimeReadLimits } from '../../src/index.js';
import type { XmppAddressing } from './addresses.js';
import type { HostedRoom, MucContext } from './muc-rooms.js';
import {
  groupchatMessage,
  nickOf,
  occupantJid,
  type GroupchatText,
  type HistoryRequest,
} from './muc-stanzas.js';
import type { XmppMessage } from './message-map.js';
import { outboundMessage } from './payload.js';

/** What a room needs to write hub payloads as messages. */
export interface RoomMessageContext {
  readonly addressing: XmppAddressing;
  readonly mime: MimeReadLimits;
  /** Issue 17: the file store, so files inside a message reach the room as links (XEP-0066). */
  readonly files?: () => FileStorePort | null;
}

/** A hub payload (message/cpim or a bare entity) as a message in the room (relations included). */
export function roomMessage(
  c: RoomMessageContext,
  contentType: string | undefined,
  payload: Uint8Array,
  roomJid: string,
): Promise<XmppMessage> {
  return outboundMessage(contentType, payload, c.addressing, {
    from: roomJid,
    to: roomJid,
    limits: c.mime,
    files: c.files?.() ?? null,
  });
}

/** The text of a hub payload as a groupchat body; null: none. */
export async function roomText(
  c: RoomMessageContext,
  contentType: string | undefined,
  payload: Uint8Array,
  roomJid: string,
): Promise<GroupchatText | null> {
  return groupchatText(await roomMessage(c, contentType, payload, roomJid));
}

/** The groupchat text of a message; null when it has no body. */
export function groupchatText(m: XmppMessage): GroupchatText | null {
  const body = m.body[0];
  if (body === undefined) return null;
  const subject = m.subject?.[0]?.text;
  return {
    body: body.text,
    ...(body.lang === undefined ? {} : { lang: body.lang }),
    ...(subject === undefined ? {} : { subject }),
    ...(m.xhtml === undefined ? {} : { xhtml: m.xhtml }),
    ...(m.oob === undefined || m.oob.length === 0 ? {} : { oob: m.oob }),
  };
}

/** Sends `to` the room's last messages as `want` asks; a store that fails is logged, not fatal. */
export async function sendHistory(
  c: MucContext,
  room: HostedRoom,
  to: string,
  want: HistoryRequest,
): Promise<void> {
  const store = c.ctx.storage?.() ?? null;
  if (store === null || want.maxStanzas === 0) return;
  let records;
  try {
    records = await store.readHistory(room.config.address, { limit: want.maxStanzas });
  } catch (err) {
    c.ctx.log.warn({ err, room: room.jid }, 'xmpp room history cannot be read');
    return;
  }
  for (const r of records) {
    if (r.time < want.since) continue;
    // A payload XMPP cannot carry as text (an attachment, an encrypted entity) is left out.
    const text = await roomText(c, r.contentType, r.payload, room.jid).catch(() => null);
    if (text === null) continue;
    const nick = room.nickFor(r.source) ?? nickOf(r.source, true);
    const from = nick === null ? null : occupantJid(room.jid, nick);
    if (from === null) continue;
    await c.send(
      groupchatMessage(from, to, text, {
        id: r.id,
        roomJid: room.jid,
        stanzaId: r.id,
        delay: new Date(r.time),
      }),
    );
  }
}
