/**
 * Hub → XMPP (docs/adapters/xmpp-mapping.md "Messages", RFC 3922 §4.2): an IMTP `send` to `im:user@<user
 * domain>` becomes a `chat` message from the author's puppet JID (`escape(L@D)@<component domain>`,
 * docs/adapters/xmpp-mapping.md "Addresses") to the user's bare JID, the server delivering it to the user's
 * resources (RFC 6121 §8.5.2). The answer (XEP-0184 §5): with `receipts.waitMs` above 0
 * the message carries `<request xmlns='urn:xmpp:receipts'/>` and the send is answered `ok` when
 * the `<received/>` comes, the mapped error when an error stanza comes back (RFC 6120 §8.3,
 * stanza-errors.ts), else `ok` + `Unreliable` after the wait; with 0, `ok` + `Unreliable` at once.
 * Issue 17: the stanza's `id` and XEP-0359 `<origin-id>` are the send's gateway Message-ID (XEP-0461,
 * XEP-0444 and XEP-0308 name a one-to-one message by its `id`); its `Msg` relations go as their
 * XEP elements (relations-out.ts); a reaction or retraction asks for no receipt (no content).
 */
import { randomUUID } from 'node:crypto';
import type { Element } from '@xmpp/component';
import {
  HubError,
  MESSAGE_ID_HEADER,
  errorAnswer,
  getHeader,
  okAnswer,
  type Answer,
  type BoundedCache,
  type KeptMap,
  type MimeReadLimits,
  type Operation,
  type FileStorePort,
} from '../../src/index.js';
import { cpimToXmpp, type XmppAddressing } from './addresses.js';
import { XmppMappingError, jidKey, parseJid } from './jid-escape.js';
import { DroppedRelation, droppedAnswer } from './message-map.js';
import { nickOf } from './muc-stanzas.js';
import { messageStanza, outboundMessage } from './payload.js';
import type { XmppIds } from './relation-ids.js';
import { originIdElement, relationElements } from './relation-stanzas.js';
import { outboundRelation } from './relations-out.js';
import type { PendingReceipts } from './receipts.js';
import { stanzaErrorToHub } from './stanza-errors.js';

export interface OutboundContext {
  readonly addressing: XmppAddressing;
  readonly online: () => boolean;
  readonly send: (el: Element) => Promise<void>;
  readonly receipts: PendingReceipts;
  /** Puppet JID key → the foreign URI it was made from (replies find the URI's exact case). */
  readonly puppets: KeptMap;
  readonly maxMessageBytes: number;
  readonly mime: MimeReadLimits;
  /** Issue 17: the gateway's file store (files inside a message go as links), null when off. */
  readonly files?: () => FileStorePort | null;
  /** RFC 6121 §5.2.5: threads XMPP users started, by user im: URI + "\n" + foreign URI. */
  readonly threads: BoundedCache<string, string>;
  /** `Unreliable: <component domain>` on an unconfirmed ok. */
  readonly unreliable: Answer;
  /** XMPP ids ↔ gateway ids and reaction sets (issue 17). */
  readonly ids: XmppIds;
  /** `limits.maxReactions`. */
  readonly maxReactions: number;
  readonly debug: (o: object, msg: string) => void;
}

function mapped(uri: string, a: XmppAddressing): string | HubError {
  try {
    return cpimToXmpp(uri, a);
  } catch (e) {
    if (e instanceof XmppMappingError) return new HubError('target-not-found', `${uri}: ${e.message}`);
    throw e;
  }
}

export async function deliverSend(c: OutboundContext, op: Operation): Promise<Answer> {
  const inbox = getHeader(op.headers, 'Inbox');
  if (inbox === undefined) return errorAnswer('malformed', 'send requires an Inbox');
  const to = mapped(inbox, c.addressing);
  if (to instanceof HubError) return errorAnswer(to.type, to.message);
  if (parseJid(to).domain === c.addressing.componentDomain)
    return errorAnswer('target-not-found', `${inbox} is no XMPP user`);
  // Identity (docs/architecture.md part 8): the verified author, never the inner CPIM From.
  const author = getHeader(op.headers, 'Orig-Sender') ?? getHeader(op.headers, 'Sender');
  if (author === undefined) return errorAnswer('malformed', 'send requires a Sender');
  const from = mapped(author, c.addressing);
  if (from instanceof HubError)
    return errorAnswer('malformed', `the author has no XMPP address: ${from.message}`);
  if (op.payload === undefined) return errorAnswer('malformed', 'send requires a payload');
  let m;
  try {
    m = await outboundMessage(getHeader(op.headers, 'Content-Type'), op.payload, c.addressing, {
      from,
      to,
      limits: c.mime,
      files: c.files?.() ?? null,
      owner: author,
    });
  } catch (e) {
    if (e instanceof DroppedRelation) return droppedAnswer(e);
    if (e instanceof HubError) return errorAnswer(e.type, e.message);
    if (e instanceof XmppMappingError) return errorAnswer('malformed', e.message);
    throw e;
  }
  const rel = outboundRelation(m, c.ids, {
    author,
    groupchat: false,
    nick: nickOf(author) ?? author,
    maxReactions: c.maxReactions,
  });
  if (rel.kind === 'drop') {
    c.debug({ inbox, what: rel.what }, `xmpp: ${rel.why}`);
    return droppedAnswer(new DroppedRelation(rel.what, rel.why));
  }
  m = rel.message;
  const size = m.body.reduce((n, b) => n + Buffer.byteLength(b.text), 0) + Buffer.byteLength(m.e2e ?? '');
  if (size > c.maxMessageBytes)
    return errorAnswer(
      'quota',
      `the text is larger than ${c.maxMessageBytes} bytes (limits.maxMessageBytes)`,
    );
  if (!c.online()) return errorAnswer('communications', 'the XMPP server link is down');
  const puppetKey = jidKey(parseJid(from));
  if (c.puppets.get(puppetKey) !== author) void c.puppets.set(puppetKey, author);

  const gid = getHeader(op.headers, MESSAGE_ID_HEADER)?.trim() || randomUUID();
  // The same message to a second recipient while the first still waits for its receipt: the
  // stanza takes a fresh id (receipts are matched by it), the origin-id stays the gateway id.
  const id = c.receipts.isWaiting(gid) ? randomUUID() : gid;
  const wait = c.receipts.hasRoom() && !rel.relationOnly;
  const thread = c.threads.get(`${inbox}\n${author}`);
  const extra = [originIdElement(gid), ...relationElements(rel.elements, m.body[0]?.text ?? '')];
  const stanza = messageStanza(thread === undefined ? m : { ...m, thread }, id, wait, extra);
  c.ids.noteSent(gid, id);
  const outcome = wait ? c.receipts.wait(id, to) : undefined;
  try {
    await c.send(stanza);
  } catch (e) {
    c.receipts.settle(id, undefined, { kind: 'timeout' });
    return errorAnswer('communications', `the XMPP server link failed: ${(e as Error).message}`);
  }
  if (outcome === undefined) return c.unreliable;
  const o = await outcome;
  if (o.kind === 'received') return okAnswer();
  if (o.kind === 'timeout') return c.unreliable;
  return errorAnswer(stanzaErrorToHub(o.condition, 'message'), o.text || `XMPP error ${o.condition}`);
}
