/**
 * XMPP → hub (docs/adapters/xmpp-mapping.md "Messages", RFC 3922 §4.1): a `chat`/`normal`/`headline` message
 * from an XMPP user to a puppet JID becomes an IMTP `send` of `message/cpim` from the user's `im:` address
 * to the foreign URI the puppet stands for. The hub's answer goes back to the XMPP sender:
 * `ok` → a XEP-0184 `<received/>` when the message asked for one (XEP-0184 §5.2; also for `ok` +
 * `Unreliable`: it is the last confirmation that will come), an error → an
 * error stanza by the table of docs/adapters/xmpp-mapping.md "Errors" (stanza-errors.ts).
 * Issue 17: the send carries a gateway Message-ID (= `Msg.ID`) kept against the stanza's `id` and
 * origin-id (relation-ids.ts), and its XEP-0461/0308/0424/0444 relations as `Msg` headers
 * (relations-in.ts); a reactions element becomes one silent `Msg.Reaction` send per change.
 */
import { xml, type Element } from '@xmpp/component';
import type { AdapterContext, Answer, BoundedCache } from '../../src/index.js';
import { MESSAGE_ID_HEADER, getHeader, isRateLimited, newMessageId, okAnswer } from '../../src/index.js';
import { jidKind, xmppToCpim, type XmppAddressing } from './addresses.js';
import { HubError } from '../../src/index.js';
import { XmppMappingError, bareJid, parseJid } from './jid-escape.js';
import { NS_RECEIPTS } from './disco.js';
import { pickBody, xmppToCpimMessage, type InboundRelations } from './message-map.js';
import { readMessage } from './payload.js';
import type { XmppIds } from './relation-ids.js';
import { inboundRelation, relationsOrRefusal } from './relations-in.js';
import type { StanzaError } from './stanza-errors.js';
import { hubErrorToStanza } from './stanza-errors.js';
import { errorReply } from './stanzas.js';
import { xmlSafe } from './xml-text.js';

export interface InboundContext {
  readonly ctx: AdapterContext;
  readonly addressing: XmppAddressing;
  /** Writes a stanza to the server; failures are logged by the caller. */
  readonly send: (el: Element) => Promise<void>;
  readonly now: () => Date;
  /** RFC 6121 §5.2.5: the thread of each conversation (user im: URI + "\n" + foreign URI). */
  readonly threads: BoundedCache<string, string>;
  /** The foreign URI a puppet JID was made from, when kept (its exact case); else undefined. */
  readonly puppetUri: (jid: string) => string | undefined;
  /** XMPP ids ↔ gateway ids and reaction sets (issue 17). */
  readonly ids: XmppIds;
  /** `limits.maxReactions`. */
  readonly maxReactions: number;
}

/** Why an address did not map, as the stanza error the sender gets (RFC 6120 §8.3.3). */
function mappingError(e: XmppMappingError, side: 'from' | 'to'): StanzaError {
  if (side === 'from')
    // RFC 3922 §3.1 / the operator's `userDomains`: this server's users only.
    return { condition: 'forbidden', type: 'auth', text: `${e.message}` };
  return { condition: 'item-not-found', type: 'cancel', text: e.message };
}

/** One message stanza (not an error, not a receipt) from the server. */
export async function onMessage(c: InboundContext, el: Element): Promise<void> {
  const m = readMessage(el);
  if (m.type === 'groupchat')
    // docs/adapters/xmpp-mapping.md "Messages": groupchat only to a hosted room's JID (muc-rooms.ts takes
    // those first).
    return c.send(errorReply(el, { condition: 'bad-request', type: 'modify', text: 'no such room' }));
  // Only puppets stand for someone; hosted rooms were routed before (muc-rooms.ts): other names
  // under the component domain are not found.
  try {
    if (jidKind(m.to, c.addressing) !== 'puppet')
      return c.send(
        errorReply(el, { condition: 'item-not-found', type: 'cancel', text: `no one is ${m.to}` }),
      );
  } catch (e) {
    if (e instanceof XmppMappingError) return c.send(errorReply(el, mappingError(e, 'to')));
    throw e;
  }
  try {
    // The sender first: a domain the gateway does not serve is refused before anything else.
    xmppToCpim(m.from, 'im', c.addressing);
  } catch (e) {
    if (e instanceof XmppMappingError) return c.send(errorReply(el, mappingError(e, 'from')));
    throw e;
  }
  const read = relationsOrRefusal(el, c.maxReactions);
  if (read.refusal !== undefined) return c.send(read.refusal);
  const s = read.s;
  const bare = bareJid(parseJid(m.from));
  const who = xmppToCpim(m.from, 'im', c.addressing).uri;
  const ir = inboundRelation(s, c.ids, bare, who, pickBody(m)?.text, parseJid(m.from).local || bare);
  if (ir.kind === 'drop') {
    // docs/message-semantics.md "Bounds": nothing to show for it anywhere.
    c.ctx.log.debug({ from: m.from, to: m.to }, `xmpp: ${ir.why} is dropped`);
    return;
  }
  if (ir.kind === 'reactions') return sendReactions(c, el, m, ir.target, ir.changes);
  const rel: InboundRelations =
    ir.kind === 'none'
      ? { id: c.ids.inbound(bare, m.id, m.originId) }
      : {
          id: c.ids.inbound(bare, m.id, m.originId, ir.original),
          relations: ir.relations,
          ...(ir.body === undefined ? {} : { body: ir.body }),
        };
  let mapped;
  try {
    mapped = xmppToCpimMessage(m, c.addressing, c.now(), rel);
  } catch (e) {
    if (e instanceof XmppMappingError) return c.send(errorReply(el, mappingError(e, 'to')));
    if (e instanceof HubError) return c.send(errorReply(el, hubErrorToStanza(e.type, e.message)));
    throw e;
  }
  // Chat states (XEP-0085), bare receipts and other body-less messages have no CPIM equivalent
  // (RFC 3922 §4.1.8): dropped without an answer.
  if (mapped === null) return;
  // The exact foreign URI the puppet was made from, when kept (servers case-fold localparts).
  const inbox = c.puppetUri(m.to) ?? mapped.to.uri;
  // RFC 3922 §4.1.5 does not map <thread/>; RFC 6121 §5.2.5 wants replies to carry it: kept here.
  if (mapped.thread !== undefined) c.threads.set(`${mapped.from.uri}\n${inbox}`, mapped.thread);
  const answer = await c.ctx.hub.send({
    sender: mapped.from.uri,
    inbox,
    payload: mapped.payload,
    contentType: mapped.contentType,
    headers: [[MESSAGE_ID_HEADER, rel.id!]],
  });
  await answerSender(c, el, answer);
}

/** XEP-0444: one silent `Msg.Reaction` send per key added or removed; the first refusal is told. */
async function sendReactions(
  c: InboundContext,
  el: Element,
  m: ReturnType<typeof readMessage>,
  target: string,
  changes: readonly { op: 'add' | 'remove'; key: string }[],
): Promise<void> {
  const inbox = c.puppetUri(m.to);
  for (const ch of changes) {
    const id = newMessageId();
    const mapped = xmppToCpimMessage({ ...m, subject: [] }, c.addressing, c.now(), {
      id,
      relations: { reaction: { op: ch.op, target, key: ch.key } },
      body: '',
    });
    if (mapped === null) continue;
    const answer = await c.ctx.hub.send({
      sender: mapped.from.uri,
      inbox: inbox ?? mapped.to.uri,
      payload: mapped.payload,
      contentType: mapped.contentType,
      headers: [[MESSAGE_ID_HEADER, id]],
    });
    if (answer.status !== 'ok') return answerSender(c, el, answer);
  }
  await answerSender(c, el, okAnswer());
}

/** The hub's answer, told to the XMPP sender. */
async function answerSender(c: InboundContext, el: Element, answer: Answer): Promise<void> {
  if (answer.status === 'ok') {
    const id = el.attrs.id;
    // XEP-0184 §5.2: a receipt only when asked for, with the id of the message it confirms.
    if (id !== undefined && el.getChild('request', NS_RECEIPTS) !== undefined)
      await c.send(
        xml(
          'message',
          { from: el.attrs.to, to: el.attrs.from, id: `r-${id}`.slice(0, 256) },
          xml('received', { xmlns: NS_RECEIPTS, id }),
        ),
      );
    return;
  }
  const type = getHeader(answer.headers, 'Error-Type') ?? 'communications';
  const description = xmlSafe(getHeader(answer.headers, 'Error-Description') ?? '');
  c.ctx.log.debug({ from: el.attrs.from, to: el.attrs.to, type }, 'xmpp message refused by the hub');
  await c.send(errorReply(el, hubErrorToStanza(type, description, { rateLimited: isRateLimited(answer) })));
}
