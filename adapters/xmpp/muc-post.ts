/**
 * A groupchat message an occupant sent to a hosted room (XEP-0045 §7.4; muc-rooms.ts routes it
 * here): posted to the gateway room as the bridge member speaking with the author in Orig-Sender
 * (the router keeps it, so the room never sends the post back), then reflected to every XMPP
 * occupant, the sender included, with the sender's `id` and `<stanza-id by=room id=G>`, G the
 * post's gateway Message-ID (XEP-0359 §3.1: the room vouches for it; occupants name the message by
 * it in replies, retractions and reactions: XEP-0461 §3, XEP-0424, XEP-0444 §3).
 *
 * Issue 17: the stanza's relations (relations-in.ts) go to the gateway room as `Msg` headers; a
 * XEP-0444 set becomes one silent `Msg.Reaction` post per change; the relation elements are
 * reflected as the client wrote them (they name ids every occupant sees).
 */
import { xml, type Element } from '@xmpp/component';
import { MESSAGE_ID_HEADER, getHeader, newMessageId, type Answer } from '../../src/index.js';
import { bareJid, parseJid } from './jid-escape.js';
import { xmppToCpimMessage, type InboundRelations, type XmppMessage } from './message-map.js';
import type { HostedRoom, MucContext, Occupant } from './muc-rooms.js';
import { groupchatMessage, occupantJid, type GroupchatText } from './muc-stanzas.js';
import {
  NS_CORRECT,
  NS_FALLBACK,
  NS_FASTEN,
  NS_HINTS,
  NS_REACTIONS,
  NS_REPLY,
  NS_RETRACT,
  NS_SID,
} from './relation-stanzas.js';
import { inboundRelation, relationsOrRefusal } from './relations-in.js';
import { hubErrorToStanza } from './stanza-errors.js';
import { errorReply } from './stanzas.js';

const RELATION_NS = new Set([
  NS_REPLY,
  NS_FALLBACK,
  NS_CORRECT,
  NS_RETRACT,
  NS_FASTEN,
  NS_REACTIONS,
  NS_HINTS,
]);

/** The relation children of a client's stanza, copied for the reflection. */
function relationChildren(el: Element): Element[] {
  return el
    .getChildElements()
    .filter((c) => RELATION_NS.has(c.getNS() ?? '') || (c.getNS() === NS_SID && c.getName() === 'origin-id'))
    .map(copy);
}

function copy(el: Element): Element {
  return xml(el.name, { ...el.attrs }, ...el.children.map((c) => (typeof c === 'string' ? c : copy(c))));
}

export async function postToRoom(
  c: MucContext,
  el: Element,
  room: HostedRoom,
  o: Occupant,
  m: XmppMessage,
): Promise<void> {
  const read = relationsOrRefusal(el, c.maxReactions);
  if (read.refusal !== undefined) return c.send(read.refusal);
  const s = read.s;
  const body = m.body[0];
  const bare = bareJid(parseJid(o.jid));
  const ir = inboundRelation(s, c.ids, bare, o.uri, body?.text, o.nick);
  if (ir.kind === 'drop') {
    c.ctx.log.debug({ from: o.jid, room: room.jid }, `xmpp: ${ir.why} is dropped`);
    return;
  }
  const toRoom = { ...m, type: 'chat' as const, subject: [], to: room.jid };
  const post = async (rel: InboundRelations): Promise<boolean> => {
    const mapped = xmppToCpimMessage(toRoom, c.addressing, new Date(), rel);
    if (mapped === null) return false;
    const answer = await c.ctx.hub.send({
      sender: room.bridge,
      inbox: room.config.address,
      payload: mapped.payload,
      contentType: mapped.contentType,
      headers: [
        ['Orig-Sender', o.uri],
        [MESSAGE_ID_HEADER, rel.id!],
      ],
    });
    if (refused(answer)) {
      await c.send(
        errorReply(
          el,
          hubErrorToStanza(
            getHeader(answer.headers, 'Error-Type') ?? 'communications',
            getHeader(answer.headers, 'Error-Description') ?? '',
          ),
        ),
      );
      return false;
    }
    return true;
  };
  let id: string;
  if (ir.kind === 'reactions') {
    id = newMessageId();
    for (const ch of ir.changes) {
      const relations = { reaction: { op: ch.op, target: ir.target, key: ch.key } };
      if (!(await post({ id: newMessageId(), relations, body: '' }))) return;
    }
  } else {
    if (body === undefined && ir.kind !== 'message') {
      // §8.1: the subject is the operator's (`rooms[].subject`); occupants may not change it.
      if ((m.subject ?? []).length > 0)
        return c.send(
          errorReply(el, { condition: 'forbidden', type: 'auth', text: 'the subject is set by the gateway' }),
        );
      return; // chat states and the like (RFC 3922 §4.1.8: dropped)
    }
    const rel: InboundRelations =
      ir.kind === 'none'
        ? { id: c.ids.inbound(bare, m.id, m.originId) }
        : {
            id: c.ids.inbound(bare, m.id, m.originId, ir.original),
            relations: ir.relations,
            ...(ir.body === undefined ? {} : { body: ir.body }),
          };
    id = rel.id!;
    if (!(await post(rel))) return;
    // Occupants name the post by its stanza-id (= id) from now on.
    c.ids.noteSent(id);
  }
  const text: GroupchatText = {
    body: body?.text ?? '',
    ...(body?.lang === undefined ? {} : { lang: body.lang }),
    // A file (XEP-0363 upload) is reflected with its XEP-0066 link, as the client sent it.
    ...(m.oob === undefined || m.oob.length === 0 ? {} : { oob: m.oob }),
  };
  const extra = relationChildren(el);
  const author = occupantJid(room.jid, o.nick)!;
  for (const other of room.xmpp.values())
    await c.send(
      groupchatMessage(author, other.jid, text, {
        id: el.attrs.id ?? id,
        roomJid: room.jid,
        stanzaId: id,
        extra,
      }),
    );
}

/** Nobody else on the gateway side listening still leaves the XMPP occupants to read it. */
function refused(a: Answer): boolean {
  return a.status !== 'ok' && getHeader(a.headers, 'Error-Type') !== 'no-listeners';
}
