/**
 * What an occupant of a hosted room does besides posting (XEP-0045 §7.5, §7.6), kept apart from
 * muc-rooms.ts (join, leave, posts):
 *
 * - **Private messages** (§7.5): a `chat` message to `room/nick`. To an XMPP occupant it is
 *   routed to that occupant's full JIDs from `room/<sender's nick>` with an empty
 *   `<x xmlns='…muc#user'/>` (the room stays semi-anonymous: neither learns the other's JID). To
 *   a person of another network it becomes a direct IMTP `send` from the sender's own `im:`
 *   address (the gateway has no room-private channel; the answer comes back as a one-to-one chat
 *   from that person's puppet JID). A `groupchat` to a nick is `bad-request`, an unknown nick
 *   `item-not-found`, a sender not in the room `not-acceptable`.
 * - **Nick changes** (§7.6): presence to `room/<new nick>` while joined. A nick held by someone
 *   else is `<conflict/>` (§7.6.3); otherwise every occupant gets `unavailable` from the old nick
 *   with status 303 and `<item nick=new>`, then the presence from the new nick (status 110 to the
 *   user's own sessions). All the user's resources in the room change together: they are one
 *   occupant to the others.
 */
import { xml, type Element } from '@xmpp/component';
import { getHeader } from '../../src/index.js';
import { cpimToXmpp } from './addresses.js';
import { XmppMappingError, bareJid, parseJid } from './jid-escape.js';
import { xmppToCpimMessage } from './message-map.js';
import { NS_MUC_USER, XMPP_ROLE, joinError, occupantJid, occupantPresence } from './muc-stanzas.js';
import { readMessage } from './payload.js';
import { hubErrorToStanza } from './stanza-errors.js';
import { errorReply } from './stanzas.js';
import { xmlSafe } from './xml-text.js';
import type { HostedRoom, MucContext, Occupant } from './muc-rooms.js';

/** §7.5: a message an occupant sent to `room/nick`. */
export async function privateMessage(
  c: MucContext,
  room: HostedRoom,
  el: Element,
  nick: string,
): Promise<void> {
  if (el.attrs.type === 'groupchat')
    return c.send(
      errorReply(el, { condition: 'bad-request', type: 'modify', text: 'groupchat goes to the room' }),
    );
  const sender = room.xmpp.get(el.attrs.from ?? '');
  if (sender === undefined)
    return c.send(errorReply(el, { condition: 'not-acceptable', type: 'modify', text: 'join first' }));
  const m = readMessage(el);
  const body = m.body[0];
  if (body === undefined) return; // chat states and the like (RFC 3922 §4.1.8: dropped)
  const targets = [...room.xmpp.values()].filter((o) => o.nick === nick);
  if (targets.length > 0) {
    const from = occupantJid(room.jid, sender.nick)!;
    for (const t of targets)
      await c.send(
        xml(
          'message',
          { from, to: t.jid, type: el.attrs.type ?? 'chat', id: el.attrs.id, 'xml:lang': body.lang },
          xml('body', {}, xmlSafe(body.text)),
          xml('x', { xmlns: NS_MUC_USER }),
        ),
      );
    return;
  }
  const foreign = room.foreign.get(nick);
  if (foreign === undefined)
    return c.send(
      errorReply(el, { condition: 'item-not-found', type: 'cancel', text: `nobody is ${nick} here` }),
    );
  let mapped;
  try {
    mapped = xmppToCpimMessage(
      { ...m, type: 'chat', to: cpimToXmpp(foreign, c.addressing) },
      c.addressing,
      new Date(),
    );
  } catch (e) {
    if (e instanceof XmppMappingError)
      return c.send(errorReply(el, { condition: 'item-not-found', type: 'cancel', text: e.message }));
    throw e;
  }
  if (mapped === null) return;
  const answer = await c.ctx.hub.send({
    sender: sender.uri,
    inbox: foreign,
    payload: mapped.payload,
    contentType: mapped.contentType,
  });
  if (answer.status !== 'ok')
    await c.send(
      errorReply(
        el,
        hubErrorToStanza(
          getHeader(answer.headers, 'Error-Type') ?? 'communications',
          getHeader(answer.headers, 'Error-Description') ?? '',
        ),
      ),
    );
}

/** §7.6: `self` asks for `nick` while joined under another one. */
export async function changeNick(
  c: MucContext,
  room: HostedRoom,
  el: Element,
  self: Occupant,
  nick: string,
): Promise<void> {
  const bare = bareJid(parseJid(self.jid));
  const holder = room.xmppWithNick(nick);
  // §7.6.3: someone else (another network, or another account) has that nick.
  if (room.foreign.has(nick) || (holder !== undefined && bareJid(parseJid(holder.jid)) !== bare))
    return c.send(joinError(el, room.jid, 'conflict', 'cancel', 'that nickname is in use'));
  const newJid = occupantJid(room.jid, nick);
  if (newJid === null)
    return c.send(joinError(el, room.jid, 'jid-malformed', 'modify', 'not a valid nickname'));
  const oldJid = occupantJid(room.jid, self.nick)!;
  const mine = [...room.xmpp.values()].filter(
    (o) => o.nick === self.nick && bareJid(parseJid(o.jid)) === bare,
  );
  for (const o of mine) room.xmpp.set(o.jid, { ...o, nick });
  const own = new Set(mine.map((o) => o.jid));
  for (const other of room.xmpp.values()) {
    const isSelf = own.has(other.jid);
    await c.send(
      occupantPresence(oldJid, other.jid, XMPP_ROLE, { self: isSelf, unavailable: true, newNick: nick }),
    );
    await c.send(
      occupantPresence(newJid, other.jid, XMPP_ROLE, {
        self: isSelf,
        ...(isSelf && other.jid === self.jid && el.attrs.id !== undefined ? { id: el.attrs.id } : {}),
      }),
    );
  }
}
